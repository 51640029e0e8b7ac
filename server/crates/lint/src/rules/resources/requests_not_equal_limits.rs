//! `requests-not-equal-limits`: containers whose CPU or memory request differs from the limit,
//! which keeps the pod out of the Guaranteed QoS class.

use super::common::{Section, quantity, quantity_field, same_quantity};
use crate::engine::Cx;
use crate::rule::{ContainerCx, ContainerKind, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container or init container whose `resources.requests` and `resources.limits` differ
    /// for `cpu` or `memory`: both set to different amounts (`1` and `1000m` are the same
    /// amount), or a request with no limit. A limit without a request is fine: Kubernetes
    /// copies the limit into the request. Init containers count, because the QoS class
    /// looks at them too.
    ///
    /// Off by default: Guaranteed QoS is the right choice for some workloads (databases,
    /// latency-critical services, CPU pinning with the static CPU manager), not for all.
    ///
    /// ## Why it matters
    /// A pod is in the Guaranteed QoS class only when every container's requests equal its
    /// limits for both CPU and memory. Guaranteed pods are the last to be evicted under node
    /// pressure, and only they can get exclusive CPUs from the static CPU manager policy. A
    /// Burstable pod may be evicted as soon as the node runs short of memory.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///         - name: postgres
    ///           image: postgres:17
    ///           resources:
    ///             requests: {cpu: "1", memory: 2Gi}
    ///             limits: {cpu: "2", memory: 4Gi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: db
    /// spec:
    ///   serviceName: db
    ///   selector:
    ///     matchLabels: {app: db}
    ///   template:
    ///     metadata:
    ///       labels: {app: db}
    ///     spec:
    ///       containers:
    ///         - name: postgres
    ///           image: postgres:17
    ///           resources:
    ///             requests: {cpu: "2", memory: 4Gi}
    ///             limits: {cpu: 2000m, memory: 4Gi}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#guaranteed
    /// - https://kubernetes.io/docs/tasks/administer-cluster/cpu-management-policies/#static-policy
    pub(crate) RequestsNotEqualLimits {
        name: "requests-not-equal-limits",
        category: Resources,
        severity: Info,
        fix: None,
        summary: "Container requests differ from its limits, so the pod is not Guaranteed QoS",
        peers: [
            KubeScore: "container-resource-requests-equal-limits",
            KubeScore: "container-cpu-requests-equal-limits",
            KubeScore: "container-memory-requests-equal-limits",
        ],
        default_enabled: false,
    }
}

impl Rule for RequestsNotEqualLimits {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let name = c.name();
        for (resource, what) in [("cpu", "CPU"), ("memory", "memory")] {
            let Some(request) = quantity_field(&c, Section::Requests, resource) else {
                continue;
            };
            let req_text = request.text().unwrap_or_default();
            match quantity_field(&c, Section::Limits, resource) {
                None => {
                    cx.report(
                        request.range(),
                        format!("Container `{name}` requests `{req_text}` of {what} but sets no {what} limit"),
                    );
                }
                Some(limit) => {
                    let lim_text = limit.text().unwrap_or_default();
                    let (Some(r), Some(l)) = (quantity(req_text), quantity(lim_text)) else {
                        continue;
                    };
                    if !same_quantity(r, l) {
                        cx.report(
                            request.range(),
                            format!("Container `{name}` requests `{req_text}` of {what} but is limited to `{lim_text}`"),
                        )
                        .related(limit.range(), format!("The {what} limit"));
                    }
                }
            }
        }
    }
}
