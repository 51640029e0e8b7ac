//! `missing-security-context`: containers that neither they nor their pod give a
//! `securityContext`.

use picket_model::{Field, View};

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container without a `securityContext` in a pod without one either. A
    /// `securityContext` that is empty (`securityContext:` or `securityContext: {}`) counts as
    /// none.
    ///
    /// Off by default: the specific rules (`run-as-root-allowed`,
    /// `privilege-escalation-allowed`, `capabilities-not-dropped`, …) say what to set; this
    /// one is for teams that want every workload to state its security settings.
    ///
    /// ## Why it matters
    /// With no security context at all, every setting is the runtime's default: root user,
    /// writable root filesystem, the default capabilities, privilege escalation allowed,
    /// no seccomp profile. A workload that says nothing has usually not been hardened.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       securityContext:
    ///         allowPrivilegeEscalation: false
    ///         capabilities:
    ///           drop: [ALL]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) MissingSecurityContext {
        name: "missing-security-context",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Neither the container nor its pod has a securityContext",
        peers: [
            Kubescape: "C-0211",
            Checkov: "CKV_K8S_29",
            Checkov: "CKV_K8S_30",
            Trivy: "KSV-0118",
        ],
        default_enabled: false,
    }
}

/// Whether a `securityContext` field holds at least one setting.
fn has_settings(f: Option<Field<'_>>) -> bool {
    f.and_then(|f| f.as_mapping()).is_some_and(|m| !m.is_empty())
}

impl Rule for MissingSecurityContext {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if has_settings(c.container.field("securityContext"))
            || has_settings(c.pod.spec.field("securityContext"))
        {
            return;
        }
        let name = c.name();
        cx.report(
            c.anchor(),
            format!("Neither container `{name}` nor its pod has a `securityContext`"),
        );
    }
}
