//! `hpa-low-min-replicas`: HorizontalPodAutoscalers that may scale down to one pod.

use picket_model::{Field, Object, View};

use super::common::{describe, insert_before, is_kind};
use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A HorizontalPodAutoscaler with `minReplicas: 1`, or with no `minReplicas` (which
    /// defaults to 1). `minReplicas: 0` (scale to zero, behind the `HPAScaleToZero` feature
    /// gate) is a deliberate choice and is left alone.
    ///
    /// Polaris' `hpaMinAvailability` accepts an HPA with no `minReplicas`
    /// (`hpaMinAvailability/success.minReplicaAbsent.yaml`); this rule does not, because the
    /// default is 1, exactly the value Polaris rejects when it is written out.
    ///
    /// ## Why it matters
    /// At quiet times the autoscaler scales the workload down to one pod, and from then on a
    /// single node drain or crash is an outage, at the very moment traffic may start to rise
    /// again.
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
    ///     name: web
    ///   maxReplicas: 10
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target: {type: Utilization, averageUtilization: 70}
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
    ///   metrics:
    ///     - type: Resource
    ///       resource:
    ///         name: cpu
    ///         target: {type: Utilization, averageUtilization: 70}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `minReplicas: 2`, so the workload always runs at least two pods
    /// and uses more of the cluster when idle. It is offered only when `maxReplicas` is at
    /// least 2.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
    pub(crate) HpaLowMinReplicas {
        name: "hpa-low-min-replicas",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "HorizontalPodAutoscaler may scale down to a single replica",
        peers: [
            KubeLinter: "hpa-minimum-three-replicas",
            Polaris: "hpaMinAvailability",
            KubeScore: "horizontalpodautoscaler-replicas",
        ],
    }
}

impl Rule for HpaLowMinReplicas {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !is_kind(object, &["autoscaling"], "HorizontalPodAutoscaler") {
            return;
        }
        let Some(spec) = object.field("spec").and_then(|f| f.as_mapping()) else {
            return;
        };
        let min = spec.get_entry("minReplicas").map(Field::new);
        let n = match min {
            None => 1,
            Some(f) if f.value().is_null() => 1,
            Some(f) => match f.as_int() {
                Some(n) => n,
                None => return,
            },
        };
        if n != 1 {
            return;
        }
        let max = spec
            .get_entry("maxReplicas")
            .map(Field::new)
            .and_then(|f| f.as_int());
        let what = describe(object);
        let (range, message) = match min {
            Some(f) if !f.value().is_null() => (
                f.range(),
                format!("{what} may scale down to a single replica"),
            ),
            Some(f) => (
                f.range(),
                format!("{what} leaves `minReplicas` empty, so it may scale down to a single replica"),
            ),
            None => (
                object.header_range(),
                format!("{what} does not set `minReplicas`, so it may scale down to a single replica"),
            ),
        };
        let edit = match (min, spec.entry("minReplicas")) {
            // With `maxReplicas: 2` or less, 2 would make it unable to scale (`hpa-max-equals-min`).
            _ if max.is_none_or(|m| m <= 2) => None,
            (Some(f), Some(_)) if !f.value().is_null() => set_scalar(f, "2"),
            (Some(_), Some(_)) => {
                crate::helpers::set_path(cx.doc(), object, &["spec", "minReplicas"], "2")
            }
            (None, None) => insert_before(cx.doc(), spec, &["maxReplicas"], "minReplicas", "2"),
            _ => None,
        };
        cx.report(range, message)
            .fix(edit.map(|e| Fix::unsafe_("Set `minReplicas: 2`", e)));
    }
}
