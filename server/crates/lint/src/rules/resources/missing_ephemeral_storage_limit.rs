//! `missing-ephemeral-storage-limit`: containers without an ephemeral-storage limit.

use super::common::check_missing_limit;
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or native sidecar (an init container with `restartPolicy: Always`) without
    /// `resources.limits.ephemeral-storage`. A pod that sets a pod-level
    /// `resources.limits.ephemeral-storage` is left alone, and so are ephemeral containers.
    /// Classic init containers, which finish before the app starts, are left alone, as in
    /// Polaris.
    ///
    /// Off by default: most workloads write little to local disk, and many clusters enforce a
    /// default through a LimitRange instead.
    ///
    /// ## Why it matters
    /// Container logs, the writable layer and `emptyDir` volumes share the node's disk. A
    /// container that writes without bound fills it, and the kubelet then evicts pods, not
    /// necessarily the one at fault. With a limit, the kubelet evicts only the pod that goes
    /// over it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: export
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: export
    ///           image: registry.example.com/export:1.2
    ///           resources:
    ///             requests: {ephemeral-storage: 1Gi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: export
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: export
    ///           image: registry.example.com/export:1.2
    ///           resources:
    ///             requests: {ephemeral-storage: 1Gi}
    ///             limits: {ephemeral-storage: 2Gi}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage
    pub(crate) MissingEphemeralStorageLimit {
        name: "missing-ephemeral-storage-limit",
        category: Resources,
        severity: Info,
        fix: None,
        summary: "Container has no ephemeral-storage limit",
        peers: [
            KubeScore: "container-ephemeral-storage-request-and-limit",
        ],
        default_enabled: false,
    }
}

impl Rule for MissingEphemeralStorageLimit {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        check_missing_limit(cx, &c, "ephemeral-storage", "ephemeral-storage", false);
    }
}
