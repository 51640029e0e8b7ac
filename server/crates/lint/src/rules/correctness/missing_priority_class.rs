//! `missing-priority-class`: a pod whose PriorityClass the run does not define.

use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod whose `priorityClassName` names a PriorityClass that the files checked together
    /// do not define.
    ///
    /// The built-in `system-cluster-critical` and `system-node-critical` are never flagged.
    /// The rule stays quiet when the files define no PriorityClass at all: they are usually
    /// cluster-wide objects that a platform team manages elsewhere.
    ///
    /// ## Why it matters
    /// The priority admission plugin rejects a pod whose PriorityClass does not exist
    /// (`no PriorityClass with name … was found`): the workload's controller keeps failing
    /// to create pods.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: scheduling.k8s.io/v1
    /// kind: PriorityClass
    /// metadata:
    ///   name: business-critical
    /// value: 100000
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   priorityClassName: critical
    ///   containers:
    ///     - name: checkout
    ///       image: shop/checkout:2.0.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: scheduling.k8s.io/v1
    /// kind: PriorityClass
    /// metadata:
    ///   name: business-critical
    /// value: 100000
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   priorityClassName: business-critical
    ///   containers:
    ///     - name: checkout
    ///       image: shop/checkout:2.0.1
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
    pub(crate) MissingPriorityClass {
        name: "missing-priority-class",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "Pod uses a PriorityClass that is not defined",
        peers: [],
    }
}

const GROUPS: &[&str] = &["scheduling.k8s.io"];

impl Rule for MissingPriorityClass {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(field) = pod.spec.priority_class_name() else {
            return;
        };
        let Some(name) = field.text().filter(|n| !n.is_empty()) else {
            return;
        };
        if matches!(name, "system-cluster-critical" | "system-node-critical") {
            return;
        }
        let index = cx.index();
        if !index.has_kind(GROUPS, "PriorityClass") {
            return;
        }
        // Cluster-scoped: any namespace written on it is meaningless.
        if index
            .of_kind("PriorityClass")
            .any(|(_, s)| s.is(GROUPS, "PriorityClass") && s.name == name)
        {
            return;
        }
        cx.report(
            field.value_range(),
            format!("PriorityClass `{name}` is not defined in the files checked"),
        );
    }
}
