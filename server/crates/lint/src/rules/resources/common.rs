//! Shared by the resource rules: reading a container's requests and limits, comparing
//! quantities, and copying one quantity into another place without changing its meaning.

use picket_model::{Field, View};
use picket_syntax::NodeKind;

use crate::edit::{Edit, Fix, Value, ensure_path};
use crate::engine::Cx;
use crate::rule::{ContainerCx, ContainerKind};

/// `requests` or `limits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Requests,
    Limits,
}

impl Section {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Section::Requests => "requests",
            Section::Limits => "limits",
        }
    }
}

/// Whether the resource rules look at this container: app containers, and init containers
/// that are native sidecars (`restartPolicy: Always`, running next to the app). Classic init
/// containers run to completion before the app starts and are left alone, as Polaris does;
/// ephemeral containers cannot set resources at all.
pub(crate) fn applies(c: &ContainerCx<'_>) -> bool {
    match c.kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => c
            .container
            .restart_policy()
            .and_then(|f| f.text())
            .is_some_and(|t| t == "Always"),
        ContainerKind::Ephemeral => false,
    }
}

/// `resources.<section>.<resource>` of a container, when it holds a value (an entry written
/// `cpu:` with nothing after it, or `cpu: ""`, counts as missing).
pub(crate) fn quantity_field<'a>(
    c: &ContainerCx<'a>,
    section: Section,
    resource: &str,
) -> Option<Field<'a>> {
    let resources = c.container.resources()?;
    let map = match section {
        Section::Requests => resources.requests(),
        Section::Limits => resources.limits(),
    }?;
    map.field(resource).filter(has_value)
}

/// Whether the pod itself sets `resources.<section>.<resource>` (pod-level resources, which
/// bound every container that sets none of its own).
pub(crate) fn pod_level(c: &ContainerCx<'_>, section: Section, resource: &str) -> bool {
    c.pod
        .spec
        .field("resources")
        .and_then(|f| f.as_mapping())
        .and_then(|m| crate::helpers::field_at(m, &[section.key(), resource]))
        .is_some_and(|f| has_value(&f))
}

fn has_value(f: &Field<'_>) -> bool {
    let v = f.value();
    !v.is_null() && v.as_scalar().is_none_or(|s| !s.value().trim().is_empty())
}

/// The text of a quantity field as it can be written elsewhere: the source text of a plain or
/// quoted scalar, or the value of an alias or tagged scalar when it needs no quoting.
pub(crate) fn portable_text<'a>(f: &Field<'a>) -> Option<&'a str> {
    let written = f.value_as_written();
    if written.kind() == NodeKind::Scalar
        && written.anchor().is_none()
        && written.tag().is_none()
        && !written.text().contains('\n')
    {
        let s = written.as_scalar()?;
        if !s.style().is_block() {
            return Some(s.raw());
        }
    }
    let value = f.value().as_scalar()?.value().trim();
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
    plain.then_some(value)
}

/// An edit that sets `resources.<section>.<resource>` of the container to `text`, creating the
/// missing mappings. `None` where that would be unsafe: a mapping on the way that merges
/// another (`<<: *defaults`) would lose the merged keys once a key of its own is written.
pub(crate) fn set_quantity(
    cx: &Cx<'_>,
    c: &ContainerCx<'_>,
    section: Section,
    resource: &str,
    text: &str,
) -> Option<Edit> {
    let container = c.container.mapping();
    let mut m = container;
    for key in ["resources", section.key()] {
        if m.has_merge() {
            return None;
        }
        match m.entry(key) {
            Some(e) => match e.value.as_mapping() {
                Some(next) => m = next,
                None => break,
            },
            None => {
                // A key that only comes from a merge source would be shadowed.
                if m.get(key).is_some() {
                    return None;
                }
                break;
            }
        }
    }
    if m.has_merge() {
        return None;
    }
    ensure_path(
        cx.doc(),
        container,
        &["resources", section.key(), resource],
        Value::scalar(text),
    )
}

/// Reports a container that sets no `resources.requests.<resource>`. When the container has
/// a limit, Kubernetes copies it into the request; writing it out is a safe fix.
pub(crate) fn check_missing_request(cx: &mut Cx<'_>, c: &ContainerCx<'_>, resource: &str, what: &str) {
    if !applies(c)
        || quantity_field(c, Section::Requests, resource).is_some()
        || pod_level(c, Section::Requests, resource)
    {
        return;
    }
    let limit = quantity_field(c, Section::Limits, resource);
    let fix = limit.and_then(|l| {
        let text = portable_text(&l)?;
        let edit = set_quantity(cx, c, Section::Requests, resource, text)?;
        let shown = l.text().unwrap_or(text);
        Some(Fix::safe(format!("Set the {what} request to the limit `{shown}`"), edit))
    });
    let name = c.name();
    cx.report(c.anchor(), format!("Container `{name}` has no {what} request"))
        .fix(fix);
}

/// Reports a container that sets no `resources.limits.<resource>`, with the fix `fix` builds
/// from the request, if any.
pub(crate) fn check_missing_limit(
    cx: &mut Cx<'_>,
    c: &ContainerCx<'_>,
    resource: &str,
    what: &str,
    fix_from_request: bool,
) {
    if !applies(c)
        || quantity_field(c, Section::Limits, resource).is_some()
        || pod_level(c, Section::Limits, resource)
    {
        return;
    }
    let request = quantity_field(c, Section::Requests, resource).filter(|_| fix_from_request);
    let fix = request.and_then(|r| {
        let text = portable_text(&r)?;
        let edit = set_quantity(cx, c, Section::Limits, resource, text)?;
        let shown = r.text().unwrap_or(text);
        Some(Fix::unsafe_(format!("Set the {what} limit to the request `{shown}`"), edit))
    });
    let name = c.name();
    cx.report(c.anchor(), format!("Container `{name}` has no {what} limit"))
        .fix(fix);
}

/// A Kubernetes quantity (`500m`, `1.5`, `128Mi`, `1e3`, `2G`) as a number of base units.
pub(crate) fn quantity(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    let split = t
        .char_indices()
        .find(|&(i, ch)| !(ch.is_ascii_digit() || ch == '.' || (i == 0 && ch == '-')))
        .map_or(t.len(), |(i, _)| i);
    let (number, suffix) = t.split_at(split);
    if number.is_empty() || number == "-" || number == "." {
        return None;
    }
    let n: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => {
            let exp = suffix.strip_prefix(['e', 'E'])?;
            let exp: i32 = exp.strip_prefix('+').unwrap_or(exp).parse().ok()?;
            10f64.powi(exp)
        }
    };
    Some(n * factor)
}

/// Whether two quantities are the same amount (`1` and `1000m`, `1Gi` and `1024Mi`).
pub(crate) fn same_quantity(a: f64, b: f64) -> bool {
    (a - b).abs() <= f64::EPSILON * 16.0 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(quantity("500m"), Some(0.5));
        assert_eq!(quantity("1"), Some(1.0));
        assert_eq!(quantity("1.5"), Some(1.5));
        assert_eq!(quantity("128Mi"), Some(128.0 * 1024.0 * 1024.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("1E"), Some(1e18));
        assert_eq!(quantity("2G"), Some(2e9));
        assert_eq!(quantity("abc"), None);
        assert_eq!(quantity(""), None);
        assert_eq!(quantity("1Qi"), None);
        assert!(same_quantity(quantity("1").unwrap(), quantity("1000m").unwrap()));
        assert!(same_quantity(quantity("1Gi").unwrap(), quantity("1024Mi").unwrap()));
        assert!(!same_quantity(quantity("1G").unwrap(), quantity("1Gi").unwrap()));
    }
}
