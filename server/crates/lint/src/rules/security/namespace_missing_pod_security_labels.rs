//! `namespace-missing-pod-security-labels`: Namespaces that Pod Security Admission does not
//! enforce a level on.

use picket_model::{Object, View};

use crate::edit::{Fix, Value, ensure_path};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `Namespace` without the label `pod-security.kubernetes.io/enforce`.
    ///
    /// ## Why it matters
    /// Pod Security Admission, built into Kubernetes since 1.25, enforces the Pod Security
    /// Standards per namespace, chosen by this label. Without it the cluster default
    /// applies, which is `privileged` (no checks at all) unless the admission controller was
    /// configured otherwise. Setting `baseline` blocks the known privilege escalations;
    /// `restricted` is the hardened level. A namespace that really needs privileged pods
    /// says so with `enforce: privileged`.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/warn: restricted
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds `pod-security.kubernetes.io/enforce: baseline`. New pods in the
    /// namespace that break the baseline standard (privileged, host namespaces, `hostPath`
    /// volumes, host ports, added capabilities) are rejected; running pods are not evicted.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/
    pub(crate) NamespaceMissingPodSecurityLabels {
        name: "namespace-missing-pod-security-labels",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Namespace does not enforce a Pod Security Standard",
        peers: [
            Kubescape: "C-0193",
            Kubescape: "C-0194",
            Kubescape: "C-0195",
            Kubescape: "C-0196",
            Kubescape: "C-0197",
            Kubescape: "C-0198",
            Kubescape: "C-0199",
            Kubescape: "C-0200",
            Kubescape: "C-0201",
            Kubescape: "C-0202",
            Kubescape: "C-0203",
            Kubescape: "C-0204",
        ],
    }
}

const LABEL: &str = "pod-security.kubernetes.io/enforce";

impl Rule for NamespaceMissingPodSecurityLabels {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&[""], "Namespace") {
            return;
        }
        let labels = object.metadata().and_then(|m| m.field("labels"));
        if labels
            .and_then(|f| f.as_mapping())
            .is_some_and(|m| m.get_entry(LABEL).is_some())
        {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let range = labels.map_or_else(|| object.header_range(), |f| f.key_range());
        let fix = ensure_path(
            cx.doc(),
            object.mapping(),
            &["metadata", "labels", LABEL],
            Value::scalar("baseline"),
        )
        .map(|e| Fix::unsafe_(format!("Add label `{LABEL}: baseline`"), e));
        cx.report(
            range,
            format!("Namespace `{name}` does not set label `{LABEL}`"),
        )
        .fix(fix);
    }
}
