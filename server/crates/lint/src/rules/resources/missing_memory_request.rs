//! `missing-memory-request`: containers that do not request memory.

use super::common::check_missing_request;
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or native sidecar (an init container with `restartPolicy: Always`) without
    /// `resources.requests.memory`. A pod that sets pod-level `resources.requests.memory` is
    /// left alone, and so are ephemeral containers (they cannot set resources). Classic init
    /// containers, which finish before the app starts, are left alone, as in Polaris.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests: a container that requests no memory can
    /// land on a node that has none to spare. When the node runs short, the kubelet evicts
    /// pods that use more than they requested first, so this pod is among the first to go.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    ///           resources:
    ///             requests:
    ///               cpu: 100m
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    ///           resources:
    ///             requests:
    ///               cpu: 100m
    ///               memory: 128Mi
    /// ```
    ///
    /// ## Fix safety
    /// The fix is offered only when the container sets `limits.memory`: it writes that value
    /// as the request, which is what Kubernetes does anyway for a container with a limit and
    /// no request. The manifest means the same afterwards.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/assign-memory-resource/
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/#pod-selection-for-kubelet-eviction
    pub(crate) MissingMemoryRequest {
        name: "missing-memory-request",
        category: Resources,
        severity: Warning,
        fix: Some(Safe),
        summary: "Container does not request memory",
        peers: [
            KubeLinter: "unset-memory-requirements",
            Polaris: "memoryRequestsMissing",
            KubeScore: "container-resources",
            Kubescape: "C-0269",
            Kubescape: "C-0004",
            Checkov: "CKV_K8S_12",
            Trivy: "KSV-0016",
        ],
    }
}

impl Rule for MissingMemoryRequest {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        check_missing_request(cx, &c, "memory", "memory");
    }
}
