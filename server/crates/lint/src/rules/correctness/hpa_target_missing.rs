//! `hpa-target-missing`: a HorizontalPodAutoscaler that scales an object the run does not
//! define.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A HorizontalPodAutoscaler whose `scaleTargetRef` names an object (by `kind` and
    /// `name`, in the HPA's namespace) that the files checked together do not define.
    ///
    /// The rule stays quiet when the files define no object of the target's kind at all:
    /// the target then evidently lives elsewhere (another repository, an operator, a Helm
    /// chart rendered separately).
    ///
    /// ## Why it matters
    /// An autoscaler without its target does nothing: the workload it was meant to scale
    /// stays at a fixed size, usually because of a renamed Deployment or a typo. The HPA
    /// reports `FailedGetScale` events that nobody watches.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: web-server
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ---
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
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: web
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ---
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
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
    pub(crate) HpaTargetMissing {
        name: "hpa-target-missing",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "HorizontalPodAutoscaler targets an object that is not defined",
        peers: [
            KubeLinter: "dangling-horizontalpodautoscaler",
            KubeScore: "horizontalpodautoscaler-has-target",
            Kubescape: "C-0300",
        ],
    }
}

impl Rule for HpaTargetMissing {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(target) = object.as_hpa().and_then(|h| h.scale_target_ref()) else {
            return;
        };
        let (Some(kind), Some(name_field)) = (target.kind().and_then(|f| f.text()), target.name())
        else {
            return;
        };
        let Some(name) = name_field.text().filter(|n| !n.is_empty()) else {
            return;
        };
        // The group, when `apiVersion` names one; any group otherwise.
        let group = target
            .api_version()
            .and_then(|f| f.text())
            .map(|v| v.rsplit_once('/').map_or("", |(g, _)| g));
        let index = cx.index();
        let of_kind = |s: &crate::index::Summary| {
            s.kind == kind
                && group.is_none_or(|g| {
                    // `extensions` and `apps` both served Deployments and ReplicaSets.
                    s.group == g
                        || (matches!(g, "apps" | "extensions")
                            && matches!(s.group.as_str(), "apps" | "extensions"))
                })
        };
        if !index.of_kind(kind).any(|(_, s)| of_kind(s)) {
            return;
        }
        let ns = object.namespace();
        if index
            .of_kind(kind)
            .any(|(_, s)| of_kind(s) && s.name == name && s.same_namespace(ns))
        {
            return;
        }
        let hpa = object.name().unwrap_or("<unnamed>");
        cx.report(
            name_field.value_range(),
            format!("HorizontalPodAutoscaler `{hpa}` scales {kind} `{name}`, which is not defined in the files checked"),
        );
    }
}
