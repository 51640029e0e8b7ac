//! `cpu-limit-set`: containers with a CPU limit, for clusters that run without them.

use super::common::{Section, applies, quantity_field};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or native sidecar (an init container with `restartPolicy: Always`) that sets
    /// `resources.limits.cpu`. Classic init containers, which finish before the app starts, are
    /// left alone, as in Polaris.
    ///
    /// Off by default: this is a policy choice, the opposite of `missing-cpu-limit`. Turn it
    /// on for clusters that follow the "requests, no CPU limits" guidance (the EKS best
    /// practices guide, among others).
    ///
    /// ## Why it matters
    /// A CPU limit is enforced by CFS quota: once a container has used its quota in a
    /// scheduling period (100 ms) it is throttled until the next one, even when the node has
    /// idle CPUs. Latency-sensitive services see tail-latency spikes from throttling that no
    /// CPU graph shows. With accurate requests, the kernel already shares CPU fairly under
    /// contention, and idle cycles are not wasted.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:2.3
    ///           resources:
    ///             requests: {cpu: 250m, memory: 256Mi}
    ///             limits: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:2.3
    ///           resources:
    ///             requests: {cpu: 250m, memory: 256Mi}
    ///             limits: {memory: 256Mi}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/assign-cpu-resource/#if-you-do-not-specify-a-cpu-limit
    pub(crate) CpuLimitSet {
        name: "cpu-limit-set",
        category: Resources,
        severity: Info,
        fix: None,
        summary: "Container sets a CPU limit, which throttles it even on an idle node",
        peers: [],
        default_enabled: false,
    }
}

impl Rule for CpuLimitSet {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if !applies(&c) {
            return;
        }
        let Some(limit) = quantity_field(&c, Section::Limits, "cpu") else {
            return;
        };
        let value = limit.text().unwrap_or_default();
        let name = c.name();
        cx.report(
            limit.range(),
            format!("Container `{name}` sets a CPU limit of `{value}`, which throttles it even when the node is idle"),
        );
    }
}
