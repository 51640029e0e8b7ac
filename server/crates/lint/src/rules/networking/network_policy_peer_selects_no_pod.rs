//! `network-policy-peer-selects-no-pod`: a NetworkPolicy rule that allows traffic from or to
//! pods that no workload of the run has.

use picket_model::{NetworkPolicyPeer, Object, View};

use super::network_policy_selects_no_pod::describe;
use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A peer of a NetworkPolicy's `ingress[].from` or `egress[].to` with a non-empty
    /// `podSelector` and no `namespaceSelector`, matching the pod labels of no workload or
    /// Pod in the policy's namespace among the files checked together.
    ///
    /// Peers with a `namespaceSelector` select pods of other namespaces, which the files
    /// rarely hold: they are not checked. The rule stays quiet when the files define no
    /// workload at all. It is off by default: clients of a service are often deployed from
    /// other repositories.
    ///
    /// ## Why it matters
    /// The rule allows nothing: the clients it was written for are denied, and the outage
    /// looks like a network problem. It is usually a label typo, or a client that was
    /// renamed.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db-ingress
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: db}
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: api-server}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: db
    ///   labels: {app: db}
    /// spec:
    ///   containers:
    ///     - name: postgres
    ///       image: postgres:16
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    ///   labels: {app: api}
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: shop/api:1.4.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db-ingress
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: db}
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: api}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: db
    ///   labels: {app: db}
    /// spec:
    ///   containers:
    ///     - name: postgres
    ///       image: postgres:16
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    ///   labels: {app: api}
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: shop/api:1.4.0
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
    pub(crate) NetworkPolicyPeerSelectsNoPod {
        name: "network-policy-peer-selects-no-pod",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "NetworkPolicy peer podSelector matches no pod",
        peers: [KubeLinter: "dangling-networkpolicypeer-podselector"],
        default_enabled: false,
    }
}

impl Rule for NetworkPolicyPeerSelectsNoPod {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(np) = object.as_network_policy() else {
            return;
        };
        let index = cx.index();
        if !index.has_workloads() {
            return;
        }
        let peers = np
            .ingress()
            .flat_map(|r| r.from().map(|p| (p, "from")).collect::<Vec<_>>())
            .chain(np.egress().flat_map(|r| r.to().map(|p| (p, "to")).collect::<Vec<_>>()));
        let peers: Vec<(NetworkPolicyPeer<'_>, &str)> = peers.collect();
        let ns = object.namespace();
        for (peer, direction) in peers {
            if peer.field("namespaceSelector").is_some() {
                continue;
            }
            let (Some(view), Some(field)) = (peer.pod_selector(), peer.field("podSelector")) else {
                continue;
            };
            let selector = Selector::of(view);
            if selector.is_empty() || index.workloads_matching(&selector, ns).next().is_some() {
                continue;
            }
            let what = if direction == "from" {
                "allows traffic from"
            } else {
                "allows traffic to"
            };
            cx.report(
                field.key_range(),
                format!(
                    "NetworkPolicy `{}` {what} pods matching `{}`, and no workload's pods match",
                    object.name().unwrap_or("<unnamed>"),
                    describe(&selector)
                ),
            );
        }
    }
}
