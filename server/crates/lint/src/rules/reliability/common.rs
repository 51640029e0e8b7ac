//! Shared by the reliability rules: recognising the objects they look at, reading replica
//! counts, inserting a key where a person would write it, which pods run to completion, and
//! the canonical form of a probe.

use picket_model::{Field, Object, View};
use picket_syntax::{Document, Mapping, Node, NodeKind};

use crate::edit::{Edit, Value, insert_entry};
use crate::rule::PodCx;

/// Whether `object` is `kind` in one of `groups`. An `apiVersion` of the core group (`v1`)
/// counts too: the core group serves none of the kinds these rules ask about, and no custom
/// resource can live in it, so `apiVersion: v1` with `kind: Deployment` can only be a
/// Deployment with a wrong `apiVersion` (which schema validation reports on its own). The
/// rules still judge its spec.
pub(crate) fn is_kind(object: Object<'_>, groups: &[&str], kind: &str) -> bool {
    object
        .gvk()
        .is_some_and(|g| g.kind == kind && (g.group.is_empty() || groups.contains(&g.group)))
}

/// Deployments, StatefulSets and ReplicaSets: the kinds that run `replicas` copies of a pod.
pub(crate) const REPLICATED: &[(&[&str], &str)] = &[
    (&["apps", "extensions"], "Deployment"),
    (&["apps"], "StatefulSet"),
    (&["apps", "extensions"], "ReplicaSet"),
];

/// The kind of `object` if it is one of `kinds`.
pub(crate) fn kind_among<'a>(object: Object<'a>, kinds: &[(&[&str], &str)]) -> Option<&'a str> {
    kinds
        .iter()
        .any(|(groups, kind)| is_kind(object, groups, kind))
        .then(|| object.gvk().map(|g| g.kind))
        .flatten()
}

/// `spec.replicas` and its value: `Some((field, n))` when it is an integer, `None` when it is
/// set to something else (a template placeholder), `Some((None, 1))` when unset (the default).
pub(crate) fn replicas<'a>(object: Object<'a>) -> Option<(Option<Field<'a>>, i64)> {
    let spec = object.field("spec").and_then(|f| f.as_mapping());
    let field = spec.and_then(|m| m.get_entry("replicas")).map(Field::new);
    match field {
        None => Some((None, 1)),
        Some(f) if f.value().is_null() => Some((Some(f), 1)),
        Some(f) => f.as_int().map(|n| (Some(f), n)),
    }
}

/// Whether an HPA among the checked files scales `kind`/`name` in the object's namespace.
pub(crate) fn has_hpa(index: &crate::index::Index, object: Object<'_>, kind: &str) -> bool {
    let Some(name) = object.name() else {
        return false;
    };
    let ns = object.namespace();
    index.of_kind("HorizontalPodAutoscaler").any(|(_, s)| {
        s.kind == "HorizontalPodAutoscaler"
            && s.same_namespace(ns)
            && s.target
                .as_ref()
                .is_some_and(|(k, n)| k == kind && n == name)
    })
}

/// Inserts `key: value` into the block mapping `mapping` on its own line before the first of
/// `before` that the mapping holds (so `replicas` lands above `selector`, `minReplicas` above
/// `maxReplicas`), above the comment lines that introduce that key; after the last entry when
/// none is there, or when the mapping is flow style.
/// `None` if the key is already written, or the mapping merges another.
pub(crate) fn insert_before(
    doc: &Document,
    mapping: Mapping<'_>,
    before: &[&str],
    key: &str,
    value: &str,
) -> Option<Edit> {
    if mapping.entry(key).is_some() || mapping.has_merge() {
        return None;
    }
    let text = doc.text();
    if !mapping.node().is_flow()
        && let Some(next) = before.iter().find_map(|k| mapping.entry(k))
    {
        let key_at = usize::from(next.key.range().start());
        let line_start = text[..key_at].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line_start..key_at];
        if indent.chars().all(|c| c == ' ') {
            // Comment lines right above the key belong to it: go above them.
            let mut at = key_at;
            let mut start = line_start;
            while start > 0 {
                let prev_start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
                let prev = text[prev_start..start - 1].trim_end_matches('\r');
                match prev.strip_prefix(indent) {
                    Some(rest) if rest.starts_with('#') => {
                        at = prev_start + indent.len();
                        start = prev_start;
                    }
                    _ => break,
                }
            }
            let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
            return Some(Edit::insert(at, format!("{key}: {value}{nl}{indent}")));
        }
    }
    insert_entry(doc, mapping, key, &Value::scalar(value))
}

/// The object's kind and name for messages: ``Deployment `web` ``.
pub(crate) fn describe(object: Object<'_>) -> String {
    let kind = object
        .kind()
        .and_then(|k| k.text())
        .unwrap_or("Object");
    format!("{kind} `{}`", object.name().unwrap_or("<unnamed>"))
}

/// Whether the pod runs to completion (a Job's or a CronJob's, or a Pod with
/// `restartPolicy: Never` or `OnFailure`) rather than serving for as long as it can.
pub(crate) fn runs_to_completion(pod: PodCx<'_>) -> bool {
    let o = pod.object;
    // Controllers of long-running pods reject any other restart policy, so for them the
    // field says nothing about the workload (`invalid-restart-policy` reports it).
    let bare = matches!(
        o.workload_kind(),
        Some(picket_model::WorkloadKind::Pod | picket_model::WorkloadKind::PodTemplate)
    );
    o.is(&["batch"], "Job")
        || o.is(&["batch"], "CronJob")
        || bare
            && matches!(
                pod.spec.restart_policy().and_then(|f| f.text()),
                Some("Never" | "OnFailure")
            )
}

/// The defaults of a probe's timing fields, left out of its canonical form.
const PROBE_DEFAULTS: &[(&str, &str)] = &[
    ("initialDelaySeconds", "0"),
    ("timeoutSeconds", "1"),
    ("periodSeconds", "10"),
    ("successThreshold", "1"),
    ("failureThreshold", "3"),
];

/// A probe as text that ignores layout, key order, quoting, comments and fields set to their
/// defaults: two probes that behave alike read alike.
pub(crate) fn canonical_probe(node: Node<'_>) -> String {
    let mut out = String::new();
    canonical(node, true, &mut out, 0);
    out
}

fn canonical(node: Node<'_>, top: bool, out: &mut String, depth: usize) {
    let node = node.resolve();
    if depth > 32 {
        return;
    }
    match node.kind() {
        NodeKind::Mapping => {
            let Some(m) = node.as_mapping() else { return };
            let mut budget = picket_syntax::MergeBudget::default();
            let mut entries: Vec<(String, String)> = m
                .effective_entries(&mut budget)
                .into_iter()
                .filter_map(|e| {
                    let key = e.key_str()?.to_owned();
                    let mut value = String::new();
                    canonical(e.value, false, &mut value, depth + 1);
                    let default = top
                        && PROBE_DEFAULTS
                            .iter()
                            .any(|(k, d)| *k == key && format!("{d:?}") == value);
                    (!default && !e.value.resolve().is_null()).then_some((key, value))
                })
                .collect();
            entries.sort();
            out.push('{');
            for (k, v) in entries {
                out.push_str(&k);
                out.push(':');
                out.push_str(&v);
                out.push(',');
            }
            out.push('}');
        }
        NodeKind::Sequence => {
            out.push('[');
            for item in node.children() {
                canonical(item, false, out, depth + 1);
                out.push(',');
            }
            out.push(']');
        }
        _ => {
            if let Some(s) = node.as_scalar() {
                out.push_str(&format!("{:?}", s.value()));
            }
        }
    }
}

/// The `spec` of `object` when it leaves `key` unset (absent or empty): the field, to tell
/// an alias, and the mapping.
pub(crate) fn spec_without<'a>(object: Object<'a>, key: &str) -> Option<(Field<'a>, Mapping<'a>)> {
    let spec_field = object.field("spec")?;
    let spec = spec_field.as_mapping()?;
    let set = spec.get(key).is_some_and(|v| !v.resolve().is_null());
    (!set).then_some((spec_field, spec))
}

/// "Set `key: value`" in a spec that leaves `key` unset: fills `key:` when it is written empty,
/// else inserts it before `before`. Nothing through an alias: the spec is then the anchored
/// mapping, shared with others.
pub(crate) fn set_spec_key(
    doc: &Document,
    (spec_field, spec): (Field<'_>, Mapping<'_>),
    key: &str,
    value: &str,
    before: &str,
) -> Option<crate::edit::Fix> {
    if spec_field.value_as_written().kind() == picket_syntax::NodeKind::Alias {
        return None;
    }
    let edit = if spec.entry(key).is_some() {
        crate::edit::ensure_path(doc, spec, &[key], Value::scalar(value))
    } else {
        insert_before(doc, spec, &[before], key, value)
    }?;
    Some(crate::edit::Fix::unsafe_(format!("Set `{key}: {value}`"), edit))
}
