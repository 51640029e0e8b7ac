//! `hpa-max-equals-min`: HorizontalPodAutoscalers that cannot scale.

use picket_model::{Field, Object, View};

use super::common::{describe, is_kind};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A HorizontalPodAutoscaler whose `maxReplicas` is not above its `minReplicas` (1 when
    /// unset): equal, so it can never scale, or lower, which the API server rejects.
    ///
    /// ## Why it matters
    /// An autoscaler pinned to one size does nothing but cost a control loop: under load the
    /// workload cannot grow. It is usually a leftover of a debugging session or a values file
    /// that set both bounds from the same variable.
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
    ///   minReplicas: 3
    ///   maxReplicas: 3
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
    ///   minReplicas: 3
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
    pub(crate) HpaMaxEqualsMin {
        name: "hpa-max-equals-min",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "HorizontalPodAutoscaler cannot scale: maxReplicas is not above minReplicas",
        peers: [
            Polaris: "hpaMaxAvailability",
        ],
    }
}

impl Rule for HpaMaxEqualsMin {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !is_kind(object, &["autoscaling"], "HorizontalPodAutoscaler") {
            return;
        }
        let Some(spec) = object.field("spec").and_then(|f| f.as_mapping()) else {
            return;
        };
        let Some(max_field) = spec.get_entry("maxReplicas").map(Field::new) else {
            return;
        };
        let Some(max) = max_field.as_int() else {
            return;
        };
        let min_field = spec.get_entry("minReplicas").map(Field::new);
        let (min, written) = match min_field {
            Some(f) if !f.value().is_null() => match f.as_int() {
                Some(n) => (n, true),
                None => return,
            },
            _ => (1, false),
        };
        let what = describe(object);
        let message = if max < min {
            format!("{what} has `maxReplicas` ({max}) below `minReplicas` ({min}), which the API server rejects")
        } else if max == min && written {
            format!("{what} cannot scale: `maxReplicas` equals `minReplicas` ({min})")
        } else if max == min {
            format!("{what} cannot scale: `maxReplicas` is {max}, the default `minReplicas`")
        } else {
            return;
        };
        let v = cx.report(max_field.range(), message);
        if let Some(f) = min_field.filter(|_| written) {
            v.related(f.range(), "`minReplicas` is set here");
        }
    }
}
