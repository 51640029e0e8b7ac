//! `unconfined-apparmor-profile`: pods and containers that turn AppArmor off explicitly.


use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{
    APPARMOR_PREFIX, container_sc, inherited_unconfined, profile_type, unconfined_annotations,
};

declare_rule! {
    /// ## What it flags
    /// `appArmorProfile.type: Unconfined` in a container's or the pod's `securityContext`
    /// (even when every container overrides the pod's, as the Pod Security Standards
    /// check), and the annotation `container.apparmor.security.beta.kubernetes.io/<name>: unconfined` (which
    /// gets no fix).
    ///
    /// ## Why it matters
    /// On nodes with AppArmor the runtime confines containers with a default profile that
    /// denies writes to `/proc` and `/sys` and mounting filesystems. `Unconfined` lifts it,
    /// which makes kernel and container escapes easier. The Pod Security Standards forbid
    /// it from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     appArmorProfile:
    ///       type: Unconfined
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
    ///     appArmorProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `type: RuntimeDefault`. A program that mounts filesystems or
    /// writes to `/proc` or `/sys` fails on nodes that enforce AppArmor.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/apparmor/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) UnconfinedApparmorProfile {
        name: "unconfined-apparmor-profile",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "AppArmor is explicitly turned off",
        peers: [Trivy: "KSV-0002"],
    }
}

const FIX_TITLE: &str = "Set `appArmorProfile.type: RuntimeDefault`";

impl Rule for UnconfinedApparmorProfile {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if let Some(t) = inherited_unconfined(&pod, "appArmorProfile") {
            cx.report(t.range(), "Pod sets AppArmor profile `Unconfined`")
                .fix(set_scalar(t, "RuntimeDefault").map(|e| Fix::unsafe_(FIX_TITLE, e)));
        }
        for (f, key) in unconfined_annotations(&pod) {
            if let Some(name) = key.strip_prefix(APPARMOR_PREFIX) {
                cx.report(
                    f.range(),
                    format!("Container `{name}`'s AppArmor annotation is `unconfined`"),
                );
            }
        }
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let own = profile_type(container_sc(&c).and_then(|s| s.app_armor_profile()));
        let Some(t) = own.filter(|t| t.text() == Some("Unconfined")) else {
            return;
        };
        let name = c.name();
        cx.report(
            t.range(),
            format!("Container `{name}` sets AppArmor profile `Unconfined`"),
        )
        .fix(set_scalar(t, "RuntimeDefault").map(|e| Fix::unsafe_(FIX_TITLE, e)));
    }
}
