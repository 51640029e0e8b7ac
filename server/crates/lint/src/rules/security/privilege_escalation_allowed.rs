//! `privilege-escalation-allowed`: containers that do not set
//! `allowPrivilegeEscalation: false`.

use crate::edit::Fix;
use crate::engine::Cx;
use super::common::{capability_items, is_windows};
use crate::helpers::{is_false, set_path};
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container whose `securityContext.allowPrivilegeEscalation` is not `false`: unset
    /// (the default is `true`) or `true`.
    ///
    /// ## Why it matters
    /// Without it, a process can gain more privileges than its parent through setuid binaries
    /// or file capabilities. The Pod Security Standards' restricted level requires `false`.
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
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       securityContext:
    ///         allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a program that relies on setuid (`sudo`, `ping` on old images) stops working.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub(crate) PrivilegeEscalationAllowed {
        name: "privilege-escalation-allowed",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container may gain more privileges than its parent process",
        peers: [
            KubeLinter: "privilege-escalation-container",
            Polaris: "privilegeEscalationAllowed",
            Kubescape: "C-0016",
            Checkov: "CKV_K8S_20",
            Trivy: "KSV-0001",
        ],
    }
}

impl Rule for PrivilegeEscalationAllowed {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        // Windows has no such setting (the API server rejects it there).
        if is_windows(&c.pod) {
            return;
        }
        let sc = c.container.security_context();
        let flag = sc.and_then(|s| s.allow_privilege_escalation());
        if is_false(flag) {
            return;
        }
        // A privileged container, or one adding CAP_SYS_ADMIN, escalates by definition: the
        // API server rejects `false` there. `privileged-container` and
        // `dangerous-capability-added` report those.
        let privileged = sc.and_then(|s| s.privileged()).and_then(|f| f.as_bool()) == Some(true);
        let sys_admin = capability_items(sc.and_then(|s| s.capabilities()).and_then(|c| c.add()))
            .iter()
            .any(|(_, name)| name == "SYS_ADMIN");
        if privileged || sys_admin {
            return;
        }
        let range = match flag {
            Some(f) => f.range(),
            None => c.anchor(),
        };
        let fix = set_path(
            cx.doc(),
            c.container,
            &["securityContext", "allowPrivilegeEscalation"],
            "false",
        )
        .map(|e| Fix::unsafe_("Set `allowPrivilegeEscalation: false`", e));
        let name = c.name();
        let message = if flag.is_some() {
            format!("Container `{name}` allows privilege escalation")
        } else {
            format!("Container `{name}` does not set `allowPrivilegeEscalation: false`")
        };
        cx.report(range, message).fix(fix);
    }
}
