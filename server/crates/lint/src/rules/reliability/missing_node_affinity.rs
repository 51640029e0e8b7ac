//! `missing-node-affinity`: pods that may run on any node.

use super::common::{describe, is_kind};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec (of a Pod or of any workload but a DaemonSet) that constrains its nodes in
    /// no way: no `affinity.nodeAffinity`, no `nodeSelector` and no `nodeName`.
    /// DaemonSets are left alone: running on every node is their point.
    ///
    /// Off by default: on a uniform cluster any node is as good as another. Turn it on for
    /// clusters with node pools that workloads must choose between (GPU, spot, arm64,
    /// tenant-dedicated nodes).
    ///
    /// ## Why it matters
    /// A pod with no node constraint can land on nodes meant for other work: expensive GPU
    /// nodes, spot instances that vanish, nodes of the wrong architecture for its image.
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
    ///       affinity:
    ///         nodeAffinity:
    ///           requiredDuringSchedulingIgnoredDuringExecution:
    ///             nodeSelectorTerms:
    ///               - matchExpressions:
    ///                   - {key: node.example.com/pool, operator: In, values: [general]}
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity
    pub(crate) MissingNodeAffinity {
        name: "missing-node-affinity",
        category: Reliability,
        severity: Info,
        fix: None,
        summary: "Pod does not constrain which nodes it runs on",
        peers: [
            KubeLinter: "no-node-affinity",
        ],
        default_enabled: false,
    }
}

impl Rule for MissingNodeAffinity {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if is_kind(pod.object, &["apps", "extensions"], "DaemonSet") {
            return;
        }
        let spec = pod.spec;
        let node_affinity = spec
            .affinity()
            .and_then(|f| f.as_mapping())
            .and_then(|m| m.get("nodeAffinity"))
            .is_some_and(|n| !n.resolve().is_null());
        let selector = spec.node_selector().is_some_and(|m| !m.is_empty());
        let name = spec
            .node_name()
            .and_then(|f| f.text())
            .is_some_and(|t| !t.is_empty());
        if node_affinity || selector || name {
            return;
        }
        let what = describe(pod.object);
        cx.report(
            pod.anchor(),
            format!("{what} sets no node affinity or node selector, so its pods may run on any node"),
        );
    }
}
