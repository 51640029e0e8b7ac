//! `missing-cpu-limit`: containers without a CPU limit.

use super::common::check_missing_limit;
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or native sidecar (an init container with `restartPolicy: Always`) without
    /// `resources.limits.cpu`. A pod that sets a pod-level `resources.limits.cpu` is left
    /// alone, and so are ephemeral containers. Classic init containers, which finish before the
    /// app starts, are left alone, as in Polaris.
    ///
    /// Off by default: many teams deliberately leave CPU unlimited (see `cpu-limit-set` for
    /// the opposite policy). Turn it on where a namespace must not let one pod use spare CPU.
    ///
    /// ## Why it matters
    /// Without a limit a container may use every idle CPU cycle of its node. That is usually
    /// good for latency, but it lets a busy or runaway pod take the slack that its neighbours
    /// were counting on, and makes performance depend on what else shares the node.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: batch
    /// spec:
    ///   containers:
    ///     - name: batch
    ///       image: registry.example.com/batch:1.4
    ///       resources:
    ///         requests: {cpu: 500m, memory: 256Mi}
    ///         limits: {memory: 256Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: batch
    /// spec:
    ///   containers:
    ///     - name: batch
    ///       image: registry.example.com/batch:1.4
    ///       resources:
    ///         requests: {cpu: 500m, memory: 256Mi}
    ///         limits: {cpu: "1", memory: 256Mi}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/assign-cpu-resource/#if-you-do-not-specify-a-cpu-limit
    pub(crate) MissingCpuLimit {
        name: "missing-cpu-limit",
        category: Resources,
        severity: Warning,
        fix: None,
        summary: "Container has no CPU limit",
        peers: [
            KubeLinter: "unset-cpu-requirements",
            Polaris: "cpuLimitsMissing",
            KubeScore: "container-resources",
            Kubescape: "C-0270",
            Kubescape: "C-0050",
            Kubescape: "C-0009",
            Checkov: "CKV_K8S_11",
            Trivy: "KSV-0011",
        ],
        default_enabled: false,
    }
}

impl Rule for MissingCpuLimit {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        check_missing_limit(cx, &c, "cpu", "CPU", false);
    }
}
