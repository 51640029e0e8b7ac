//! `privileged-container`: containers that run with `securityContext.privileged: true`.

use super::common::disallow_escalation;
use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::{is_true, set_path};
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container whose `securityContext.privileged` is `true`.
    ///
    /// ## Why it matters
    /// A privileged container sees every host device and holds every capability: escaping
    /// it is a host compromise. The Pod Security Standards forbid it from the baseline level.
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
    ///       securityContext:
    ///         privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       securityContext:
    ///         privileged: false
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a workload that really drives host devices stops working.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) PrivilegedContainer {
        name: "privileged-container",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container runs privileged",
        peers: [
            KubeLinter: "privileged-container",
            Polaris: "runAsPrivileged",
            KubeScore: "container-security-context-privileged",
            Kubescape: "C-0057",
            Checkov: "CKV_K8S_16",
            Trivy: "KSV-0017",
        ],
    }
}

impl Rule for PrivilegedContainer {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some(sc) = c.container.security_context() else {
            return;
        };
        let flag = sc.privileged();
        if !is_true(flag) {
            return;
        }
        let Some(flag) = flag else { return };
        // A container that stops being privileged must also stop escalating, or
        // `privilege-escalation-allowed` takes over (it is silent while privileged).
        let fix = match (
            set_path(cx.doc(), sc, &["privileged"], "false"),
            disallow_escalation(cx.doc(), &c),
        ) {
            (Some(e), Ok(None)) => Some(Fix::unsafe_("Set `privileged: false`", e)),
            (Some(e), Ok(Some(also))) => Some(Fix::new(
                "Set `privileged: false` and `allowPrivilegeEscalation: false`",
                crate::rule::Applicability::Unsafe,
                vec![e, also],
            )),
            _ => None,
        };
        let name = c.name();
        cx.report(flag.range(), format!("Container `{name}` runs privileged"))
            .fix(fix);
    }
}
