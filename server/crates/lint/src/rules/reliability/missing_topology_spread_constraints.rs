//! `missing-topology-spread-constraints`: replicated workloads without topology spread
//! constraints.

use super::common::{REPLICATED, describe, kind_among};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// The pod template of a Deployment, StatefulSet or ReplicaSet with no
    /// `topologySpreadConstraints`, or an empty list of them.
    ///
    /// Off by default: the cluster's default constraints (kube-scheduler's
    /// `defaultConstraints`) already spread pods softly over nodes and zones, and
    /// `missing-anti-affinity` catches replicated workloads with no spreading at all. Turn it
    /// on to require an explicit, per-workload spreading policy.
    ///
    /// ## Why it matters
    /// Topology spread constraints say how evenly pods must be spread over zones or nodes,
    /// and whether an uneven placement may be accepted. Without them, a zone outage can take
    /// more of a workload than it can afford to lose.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 6
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
    ///   replicas: 6
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: topology.kubernetes.io/zone
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector:
    ///             matchLabels: {app: web}
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
    pub(crate) MissingTopologySpreadConstraints {
        name: "missing-topology-spread-constraints",
        category: Reliability,
        severity: Info,
        fix: None,
        summary: "Workload sets no topology spread constraints",
        peers: [
            Polaris: "topologySpreadConstraint",
        ],
        default_enabled: false,
    }
}

impl Rule for MissingTopologySpreadConstraints {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if kind_among(pod.object, REPLICATED).is_none() {
            return;
        }
        let field = pod.spec.topology_spread_constraints();
        if field.is_some_and(|f| f.items().next().is_some()) {
            return;
        }
        let what = describe(pod.object);
        let range = field.map_or_else(|| pod.anchor(), |f| f.range());
        let message = if field.is_some_and(|f| !f.value().is_null()) {
            format!("{what} has an empty list of topology spread constraints")
        } else {
            format!("{what} sets no topology spread constraints")
        };
        cx.report(range, message);
    }
}
