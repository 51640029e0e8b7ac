//! `custom-selinux-options`: SELinux options that leave the container domains.

use picket_model::Field;

use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, pod_sc, set};

declare_rule! {
    /// ## What it flags
    /// `seLinuxOptions` in a container's or the pod's `securityContext` that sets:
    /// - a `type` other than `container_t`, `container_init_t`, `container_kvm_t` and
    ///   `container_engine_t`;
    /// - a `user` or a `role`.
    ///
    /// One finding per offending field. `level` (the MCS categories) is fine. A pod-level
    /// value is flagged even when every container sets its own, as the Pod Security
    /// Standards do: ephemeral containers added later take the pod's.
    ///
    /// ## Why it matters
    /// The container types are the SELinux domains built to confine containers. Another type
    /// (`spc_t`, `unconfined_t`, a host service's type) or a custom user or role gives the
    /// process that domain's rights on the node, which is often unconfined. The Pod
    /// Security Standards forbid it from the baseline level.
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
    ///         seLinuxOptions:
    ///           type: spc_t
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
    ///         seLinuxOptions:
    ///           level: "s0:c123,c456"
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
    pub(crate) CustomSelinuxOptions {
        name: "custom-selinux-options",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "SELinux options leave the container domains",
        peers: [Trivy: "KSV-0025"],
    }
}

const CONTAINER_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// `(field, message tail)` for each offending entry of an `seLinuxOptions` field.
fn offending<'a>(options: Option<Field<'a>>) -> Vec<(Field<'a>, String)> {
    let Some(m) = set(options).and_then(|f| f.as_mapping()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for key in ["type", "user", "role"] {
        let Some(f) = set(m.get_entry(key).map(Field::new)) else {
            continue;
        };
        let Some(value) = f.text().filter(|v| !v.is_empty()) else {
            continue;
        };
        if key == "type" && CONTAINER_TYPES.contains(&value) {
            continue;
        }
        out.push((f, format!("SELinux {key} `{value}`")));
    }
    out
}

impl Rule for CustomSelinuxOptions {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        for (f, what) in offending(pod_sc(&pod).and_then(|s| s.se_linux_options())) {
            cx.report(f.range(), format!("Pod sets {what}"));
        }
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let name = c.name();
        for (f, what) in offending(container_sc(&c).and_then(|s| s.se_linux_options())) {
            cx.report(f.range(), format!("Container `{name}` sets {what}"));
        }
    }
}
