//! `missing-memory-limit`: containers without a memory limit.

use super::common::check_missing_limit;
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or native sidecar (an init container with `restartPolicy: Always`) without
    /// `resources.limits.memory`. A pod that sets a pod-level `resources.limits.memory` is left
    /// alone, and so are ephemeral containers. Classic init containers, which finish before the
    /// app starts, are left alone, as in Polaris.
    ///
    /// ## Why it matters
    /// Memory cannot be throttled, only reclaimed by killing. A container without a limit can
    /// grow until the node runs out, and then the kernel or the kubelet kills processes on
    /// that node, often in other pods. A limit confines the damage of a leak to the container
    /// that leaks.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: cache
    /// spec:
    ///   serviceName: cache
    ///   selector:
    ///     matchLabels: {app: cache}
    ///   template:
    ///     metadata:
    ///       labels: {app: cache}
    ///     spec:
    ///       containers:
    ///         - name: redis
    ///           image: redis:7.4
    ///           resources:
    ///             requests:
    ///               memory: 512Mi
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: cache
    /// spec:
    ///   serviceName: cache
    ///   selector:
    ///     matchLabels: {app: cache}
    ///   template:
    ///     metadata:
    ///       labels: {app: cache}
    ///     spec:
    ///       containers:
    ///         - name: redis
    ///           image: redis:7.4
    ///           resources:
    ///             requests:
    ///               memory: 512Mi
    ///             limits:
    ///               memory: 512Mi
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix, offered when the container requests memory, sets the limit to the
    /// request. A container that today uses more than its request is OOM-killed after the
    /// fix; check its real usage first and raise the limit where needed.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/#if-you-do-not-specify-a-memory-limit
    pub(crate) MissingMemoryLimit {
        name: "missing-memory-limit",
        category: Resources,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container has no memory limit",
        peers: [
            KubeLinter: "unset-memory-requirements",
            Polaris: "memoryLimitsMissing",
            KubeScore: "container-resources",
            Kubescape: "C-0271",
            Kubescape: "C-0004",
            Kubescape: "C-0009",
            Checkov: "CKV_K8S_13",
            Trivy: "KSV-0018",
        ],
    }
}

impl Rule for MissingMemoryLimit {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        check_missing_limit(cx, &c, "memory", "memory", true);
    }
}
