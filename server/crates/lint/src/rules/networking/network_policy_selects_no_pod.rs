//! `network-policy-selects-no-pod`: a NetworkPolicy whose `podSelector` matches no pod of the
//! run.

use picket_model::{Object, View};

use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A NetworkPolicy with a non-empty `podSelector` that matches the pod labels of no
    /// workload or Pod in its namespace among the files checked together. An empty
    /// `podSelector: {}` selects every pod of the namespace and is never flagged.
    ///
    /// The rule stays quiet when the files define no workload at all: the pods then live
    /// elsewhere and nothing can be said.
    ///
    /// ## Why it matters
    /// A policy that selects nothing protects nothing: the pods it was written for stay
    /// open to (or able to reach) the whole cluster, while the policy suggests otherwise.
    /// It is almost always a label typo or a selector left behind by a rename.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db-ingress
    /// spec:
    ///   podSelector:
    ///     matchLabels:
    ///       app: postgres
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: api}
    /// ---
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
    ///           image: postgres:16
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
    ///     matchLabels:
    ///       app: db
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: api}
    /// ---
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
    ///           image: postgres:16
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
    pub(crate) NetworkPolicySelectsNoPod {
        name: "network-policy-selects-no-pod",
        category: Networking,
        severity: Warning,
        fix: None,
        summary: "NetworkPolicy selects no pod",
        peers: [
            KubeLinter: "dangling-networkpolicy",
            KubeScore: "networkpolicy-targets-pod",
            Kubescape: "C-0299",
        ],
    }
}

/// `k=v, k2 Exists` for messages.
pub(crate) fn describe(selector: &Selector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.extend(selector.expressions.iter().map(|(k, op, values)| {
        if values.is_empty() {
            format!("{k} {op}")
        } else {
            format!("{k} {op} ({})", values.join(", "))
        }
    }));
    parts.join(", ")
}

impl Rule for NetworkPolicySelectsNoPod {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(np) = object.as_network_policy() else {
            return;
        };
        let Some(view) = np.pod_selector() else {
            return;
        };
        let selector = Selector::of(view);
        if selector.is_empty() {
            return;
        }
        let index = cx.index();
        if !index.has_workloads() || index.custom_resources_near(object.namespace()) {
            return;
        }
        if index
            .workloads_matching(&selector, object.namespace())
            .next()
            .is_some()
        {
            return;
        }
        let at = np
            .field("podSelector")
            .map_or(view.range(), |f| f.key_range());
        cx.report(
            at,
            format!(
                "NetworkPolicy `{}` selects no pod: no workload's pods match `{}`",
                object.name().unwrap_or("<unnamed>"),
                describe(&selector)
            ),
        );
    }
}
