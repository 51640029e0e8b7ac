//! `unconfined-seccomp-profile`: pods and containers that turn seccomp off explicitly.

use picket_model::View;

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{
    SECCOMP_CONTAINER_PREFIX, SECCOMP_POD_ANNOTATION, container_sc, inherited_unconfined,
    profile_type, unconfined_annotations,
};

declare_rule! {
    /// ## What it flags
    /// `seccompProfile.type: Unconfined` in a container's or the pod's `securityContext`
    /// (even when every container overrides the pod's, as the Pod Security Standards
    /// check). The legacy
    /// annotations `seccomp.security.alpha.kubernetes.io/pod: unconfined` and
    /// `container.seccomp.security.alpha.kubernetes.io/<name>: unconfined` are flagged too,
    /// without a fix.
    ///
    /// ## Why it matters
    /// `Unconfined` opens every system call to the container, including the ones most kernel
    /// exploits go through, and overrides the safer default a cluster may apply. The Pod
    /// Security Standards forbid it.
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
    ///         seccompProfile:
    ///           type: Unconfined
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
    ///         seccompProfile:
    ///           type: RuntimeDefault
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `type: RuntimeDefault`. A program that uses a system call the
    /// runtime's default profile blocks (`ptrace`, `mount`, `unshare`, …) fails with `EPERM`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub(crate) UnconfinedSeccompProfile {
        name: "unconfined-seccomp-profile",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Seccomp is explicitly turned off",
        peers: [Trivy: "KSV-0104"],
    }
}

const FIX_TITLE: &str = "Set `seccompProfile.type: RuntimeDefault`";

impl Rule for UnconfinedSeccompProfile {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if let Some(t) = inherited_unconfined(&pod, "seccompProfile") {
            cx.report(t.range(), "Pod sets seccomp profile `Unconfined`")
                .fix(set_scalar(t, "RuntimeDefault").map(|e| Fix::unsafe_(FIX_TITLE, e)));
        }
        for (f, key) in unconfined_annotations(&pod) {
            if key == SECCOMP_POD_ANNOTATION {
                cx.report(f.range(), "Pod's seccomp annotation is `unconfined`");
            } else if let Some(name) = key.strip_prefix(SECCOMP_CONTAINER_PREFIX) {
                cx.report(
                    f.range(),
                    format!("Container `{name}`'s seccomp annotation is `unconfined`"),
                );
            }
        }
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let own = profile_type(container_sc(&c).and_then(|s| s.field("seccompProfile")));
        let Some(t) = own.filter(|t| t.text() == Some("Unconfined")) else {
            return;
        };
        let name = c.name();
        cx.report(
            t.range(),
            format!("Container `{name}` sets seccomp profile `Unconfined`"),
        )
        .fix(set_scalar(t, "RuntimeDefault").map(|e| Fix::unsafe_(FIX_TITLE, e)));
    }
}
