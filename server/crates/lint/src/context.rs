//! Context-aware severity: a security finding on a workload weighs more when the workload is
//! reachable from outside the cluster or already holds a dangerous combination.

use picket_model::Object;
use picket_schema::Severity;

use crate::engine::Violation;
use crate::index::{Index, Summary, summarize_object};
use crate::rule::Category;

/// Raises the severity of `found` (one object's findings) by one step when the object is
/// exposed, privileged with a hostPath mount, or runs as a service account bound to
/// cluster-admin. The reason goes into [`Violation::raised`], for the message.
pub(crate) fn raise(object: Object<'_>, index: &Index, found: &mut [Violation]) {
    if !found.iter().any(raisable) || object.pod_spec().is_none() {
        return;
    }
    let summary: Summary = summarize_object(object);
    let reason = reason(&summary, index);
    let Some(reason) = reason else { return };
    for v in found.iter_mut().filter(|v| raisable(v)) {
        v.severity = match v.severity {
            Severity::Hint => Severity::Info,
            Severity::Info => Severity::Warning,
            Severity::Warning | Severity::Error => Severity::Error,
        };
        v.raised = Some(format!("raised to {}: {reason}", v.severity.as_str()));
    }
}

fn raisable(v: &Violation) -> bool {
    matches!(v.rule.category, Category::Security | Category::Secrets)
        && v.severity != Severity::Error
}

fn reason(summary: &Summary, index: &Index) -> Option<String> {
    let ns = summary.namespace.as_deref();
    if let Some(labels) = &summary.pod_labels
        && let Some(why) = index.exposure(labels, ns)
    {
        return Some(why);
    }
    if summary.privileged_with_host_path {
        return Some("the pod is privileged and mounts a hostPath".to_owned());
    }
    if let Some(sa) = &summary.service_account
        && let Some(binding) = index.admin_binding(sa, ns)
    {
        return Some(format!(
            "service account `{sa}` is bound to an admin role by {} `{}`",
            binding.kind, binding.name
        ));
    }
    None
}
