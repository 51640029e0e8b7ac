//! `capability-added-beyond-baseline`: containers that add a capability other than
//! `NET_BIND_SERVICE`.

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{DANGEROUS_CAPABILITIES, capability_fields, capability_items};

declare_rule! {
    /// ## What it flags
    /// Each item of `securityContext.capabilities.add` other than `NET_BIND_SERVICE`, the
    /// only capability the Pod Security Standards' restricted level lets a container add.
    /// The capabilities `dangerous-capability-added` reports (`SYS_ADMIN`, `ALL`, …) are
    /// left to it.
    ///
    /// ## Why it matters
    /// Every added capability is a kernel privilege an attacker inherits with the process:
    /// `CHOWN` and `DAC_OVERRIDE` bypass file permissions, `SETUID` changes identity,
    /// `NET_RAW` spoofs traffic. Programs rarely need more than `NET_BIND_SERVICE`, and
    /// only to bind a port below 1024 as a non-root user.
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
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [CHOWN, NET_BIND_SERVICE]
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
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://man7.org/linux/man-pages/man7/capabilities.7.html
    pub(crate) CapabilityAddedBeyondBaseline {
        name: "capability-added-beyond-baseline",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Container adds a capability other than NET_BIND_SERVICE",
        peers: [
            Kubescape: "C-0200",
            Checkov: "CKV_K8S_25",
            Trivy: "KSV-0022",
            Trivy: "KSV-0106",
        ],
    }
}

impl Rule for CapabilityAddedBeyondBaseline {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let (add, _) = capability_fields(&c);
        let name = c.name();
        for (item, cap) in capability_items(add) {
            if cap == "NET_BIND_SERVICE" || DANGEROUS_CAPABILITIES.contains(&cap.as_str()) {
                continue;
            }
            let text = item.as_scalar().map_or("", |s| s.value());
            cx.report(
                item.range(),
                format!("Container `{name}` adds capability `{text}`, beyond `NET_BIND_SERVICE`"),
            );
        }
    }
}
