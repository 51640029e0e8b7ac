//! `bidirectional-mount-propagation`: volume mounts that propagate mounts back to the node.

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `volumeMounts` entry with `mountPropagation: Bidirectional`.
    ///
    /// ## Why it matters
    /// Mounts the container makes below the mount point appear on the node and in every
    /// other pod that mounts the same path. A compromised container can shadow node
    /// directories, and mounts it leaves behind outlive it. Kubernetes only allows it in
    /// privileged containers; only storage drivers (CSI node plugins) need it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/agent:3.2
    ///       securityContext:
    ///         privileged: true
    ///       volumeMounts:
    ///         - name: mnt
    ///           mountPath: /mnt
    ///           mountPropagation: Bidirectional
    ///   volumes:
    ///     - name: mnt
    ///       hostPath:
    ///         path: /mnt
    /// ```
    ///
    /// ## Use instead
    /// `HostToContainer` when the container only needs to see the node's new mounts:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/agent:3.2
    ///       volumeMounts:
    ///         - name: mnt
    ///           mountPath: /mnt
    ///           mountPropagation: HostToContainer
    ///   volumes:
    ///     - name: mnt
    ///       hostPath:
    ///         path: /mnt
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a storage driver that mounts volumes for other pods stops working; its mounts
    /// stay inside its own container.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/storage/volumes/#mount-propagation
    pub(crate) BidirectionalMountPropagation {
        name: "bidirectional-mount-propagation",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Volume mount propagates mounts back to the node",
        peers: [],
    }
}

impl Rule for BidirectionalMountPropagation {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        for mount in c.container.volume_mounts() {
            let Some(field) = mount.mount_propagation() else {
                continue;
            };
            if field.text() != Some("Bidirectional") {
                continue;
            }
            let fix = (field.value_as_written().as_scalar().is_some())
                .then(|| set_scalar(field, "None").map(|e| Fix::unsafe_("Set `mountPropagation: None`", e)));
            let volume = mount.name().and_then(|n| n.text()).unwrap_or("<unnamed>");
            let name = c.name();
            cx.report(
                field.range(),
                format!(
                    "Container `{name}` propagates mounts of volume `{volume}` back to the node"
                ),
            )
            .fix(fix.flatten());
        }
    }
}
