//! `pod-security-policy`: a PodSecurityPolicy, an admission mechanism Kubernetes removed.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A PodSecurityPolicy object (`policy/v1beta1` or `extensions/v1beta1`), when the target
    /// Kubernetes version (`kubernetesVersion` in `.picket.yaml`) is 1.21 or later: deprecated
    /// in 1.21, removed in 1.25.
    ///
    /// `removed-api-version` reports the `apiVersion` as well; this rule is about the
    /// mechanism, which has no drop-in replacement.
    ///
    /// ## Why it matters
    /// A cluster that no longer runs the PodSecurityPolicy admission plugin ignores the
    /// object (or rejects it from 1.25 on): the pods it was meant to restrict run unchecked.
    /// The built-in replacement is Pod Security Admission: a `pod-security.kubernetes.io/enforce`
    /// label on each namespace, or a policy engine (Kyverno, Gatekeeper, ValidatingAdmissionPolicy)
    /// for rules beyond the Pod Security Standards.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: policy/v1beta1
    /// kind: PodSecurityPolicy
    /// metadata:
    ///   name: restricted
    /// spec:
    ///   privileged: false
    ///   runAsUser: {rule: MustRunAsNonRoot}
    ///   seLinux: {rule: RunAsAny}
    ///   supplementalGroups: {rule: RunAsAny}
    ///   fsGroup: {rule: RunAsAny}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: web
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-admission/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/migrate-from-psp/
    pub(crate) PodSecurityPolicy {
        name: "pod-security-policy",
        category: Deprecation,
        severity: Warning,
        fix: None,
        summary: "PodSecurityPolicy is removed; use Pod Security Admission",
        peers: [
            Kubescape: "C-0068",
        ],
    }
}

impl Rule for PodSecurityPolicy {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["policy", "extensions"], "PodSecurityPolicy") {
            return;
        }
        let target = cx.config().kubernetes_version;
        if target < (1, 21) {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let state = if target >= (1, 25) {
            "was removed in Kubernetes 1.25"
        } else {
            "is deprecated since Kubernetes 1.21 and removed in 1.25"
        };
        cx.report(
            object.header_range(),
            format!(
                "PodSecurityPolicy `{name}` {state}: enforce the Pod Security Standards with Pod Security Admission namespace labels"
            ),
        );
    }
}
