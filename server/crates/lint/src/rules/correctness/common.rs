//! Shared by the correctness rules: the ConfigMaps and Secrets a pod refers to, the messages
//! about references the run does not define, and quoting for values a fix writes.

use picket_syntax::{Document, Mapping, ScalarValue};

use crate::edit::Edit;
use crate::engine::Cx;
use crate::index::Index;
use crate::refs::pod_references;
use crate::rule::PodCx;

/// Objects every namespace has without anyone defining them.
fn built_in(kind: &str, name: &str) -> bool {
    matches!(
        (kind, name),
        ("ConfigMap", "kube-root-ca.crt" | "openshift-service-ca.crt")
    )
}

/// Reports the references of `pod` to core objects of `kind` (`ConfigMap` or `Secret`) that
/// the run does not define, and the keys they read that the object does not have. Quiet
/// when the run defines no object of `kind` at all (objects that only make one, like a
/// SealedSecret, do not count).
pub(crate) fn check_references(cx: &mut Cx<'_>, pod: PodCx<'_>, kind: &str) {
    let index = cx.index();
    if !index.has_kind(&[""], kind) {
        return;
    }
    let ns = pod.object.namespace();
    for r in pod_references(pod.spec, kind).into_iter().filter(|r| !r.optional) {
        let Some(name) = r.name.text().filter(|n| !n.is_empty()) else {
            continue;
        };
        if built_in(kind, name) {
            continue;
        }
        if !index.provides(kind, name, ns) {
            cx.report(r.name.value_range(), not_defined(index, kind, name, ns));
            continue;
        }
        // Keys: only against objects written out in full (not generated), all of them.
        let generated = index.generates(kind, name, ns);
        let defs: Vec<_> = index.find(&[""], kind, name, ns).map(|(_, s)| s).collect();
        if generated || defs.iter().any(|s| s.data_keys.is_empty()) {
            continue;
        }
        for key in &r.keys {
            let Some(k) = key.text() else { continue };
            if !defs.iter().any(|s| s.data_keys.iter().any(|d| d == k)) {
                cx.report(
                    key.value_range(),
                    format!("{kind} `{name}` has no key `{k}`"),
                );
            }
        }
    }
}

/// "`kind` `name` is not defined …", saying where it is defined if only in other namespaces.
pub(crate) fn not_defined(index: &Index, kind: &str, name: &str, ns: Option<&str>) -> String {
    let mut elsewhere: Vec<&str> = index
        .objects()
        .filter(|(_, s)| s.kind == kind && s.name == name)
        .filter_map(|(_, s)| s.namespace.as_deref())
        .collect();
    elsewhere.sort_unstable();
    elsewhere.dedup();
    match ns {
        Some(ns) if !elsewhere.is_empty() => format!(
            "{kind} `{name}` is not defined in namespace `{ns}`, only in `{}`",
            elsewhere.join("`, `")
        ),
        _ => format!("{kind} `{name}` is not defined in the files checked"),
    }
}

/// `s` as a YAML scalar that reads back as the string `s`: plain when that is safe, double
/// quoted otherwise (`"true"`, `"1.0"`, `"on"`).
pub(crate) fn yaml_str(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && matches!(
            picket_syntax::scalar::resolve_plain(s),
            ScalarValue::Str(_)
        )
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && !s.starts_with(['-', '.']);
    if plain_ok {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inserts `path` (nested keys ending in the scalar `leaf`) as the first entry of the block
/// mapping `mapping`, where `metadata` belongs. `None` for a flow or empty mapping, or one
/// whose first key does not start its line.
pub(crate) fn prepend_path(
    doc: &Document,
    mapping: Mapping<'_>,
    path: &[&str],
    leaf: &str,
) -> Option<Edit> {
    if mapping.node().is_flow() || path.is_empty() {
        return None;
    }
    let text = doc.text();
    let first = mapping.entries().next()?;
    let start = usize::from(first.key.range().start());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..start].trim().is_empty() {
        return None;
    }
    let indent = start - line_start;
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let step = 2;
    let mut out = String::new();
    for (depth, key) in path.iter().enumerate() {
        if depth > 0 {
            out.push_str(nl);
            out.push_str(&" ".repeat(indent + depth * step));
        }
        out.push_str(key);
        out.push(':');
    }
    out.push(' ');
    out.push_str(leaf);
    out.push_str(nl);
    out.push_str(&" ".repeat(indent));
    Some(Edit::insert(start, out))
}
