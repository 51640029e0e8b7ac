//! `unset-priority-class`: pods without a priority class.

use super::common::describe;
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod spec (of a Pod or of any workload) with no `priorityClassName`.
    ///
    /// Off by default: it only makes sense on clusters that define PriorityClasses (a
    /// PriorityClass with `globalDefault: true` gives every pod one anyway).
    ///
    /// ## Why it matters
    /// When a cluster is full, the scheduler preempts lower-priority pods to place
    /// higher-priority ones, and the kubelet evicts by priority under node pressure. A pod
    /// without a class gets priority 0 (or the global default), the same as everything
    /// else: a critical service is not protected from a batch job, and a batch job cannot
    /// be marked as the first to give way.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   priorityClassName: business-critical
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
    pub(crate) UnsetPriorityClass {
        name: "unset-priority-class",
        category: Reliability,
        severity: Info,
        fix: None,
        summary: "Pod has no priority class",
        peers: [
            KubeLinter: "priority-class-name",
            Polaris: "priorityClassNotSet",
        ],
        default_enabled: false,
    }
}

impl Rule for UnsetPriorityClass {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let set = pod
            .spec
            .priority_class_name()
            .and_then(|f| f.text())
            .is_some_and(|t| !t.trim().is_empty());
        if set {
            return;
        }
        let what = describe(pod.object);
        cx.report(pod.anchor(), format!("{what} sets no `priorityClassName`"));
    }
}
