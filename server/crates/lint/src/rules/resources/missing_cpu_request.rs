//! `missing-cpu-request`: containers that do not request CPU.

use super::common::check_missing_request;
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or native sidecar (an init container with `restartPolicy: Always`) without
    /// `resources.requests.cpu`. A pod that sets pod-level `resources.requests.cpu` is left
    /// alone, and so are ephemeral containers (they cannot set resources). Classic init
    /// containers, which finish before the app starts, are left alone, as in Polaris.
    ///
    /// ## Why it matters
    /// The scheduler places pods by their requests. A container that requests no CPU can be
    /// packed onto a node that is already busy, and under contention it gets the smallest
    /// share of CPU time: the pod is the first to slow down when the node is loaded.
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
    ///               memory: 128Mi
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
    /// The fix is offered only when the container sets `limits.cpu`: it writes that value as
    /// the request, which is what Kubernetes does anyway for a container with a limit and no
    /// request. The manifest means the same afterwards.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/assign-cpu-resource/#if-you-specify-a-cpu-limit-but-do-not-specify-a-cpu-request
    pub(crate) MissingCpuRequest {
        name: "missing-cpu-request",
        category: Resources,
        severity: Warning,
        fix: Some(Safe),
        summary: "Container does not request CPU",
        peers: [
            KubeLinter: "unset-cpu-requirements",
            Polaris: "cpuRequestsMissing",
            KubeScore: "container-resources",
            Kubescape: "C-0268",
            Kubescape: "C-0050",
            Checkov: "CKV_K8S_10",
            Trivy: "KSV-0015",
        ],
    }
}

impl Rule for MissingCpuRequest {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        check_missing_request(cx, &c, "cpu", "CPU");
    }
}
