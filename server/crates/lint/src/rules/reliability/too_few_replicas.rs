//! `too-few-replicas`: Deployments, StatefulSets and ReplicaSets that run a single pod.

use picket_model::{Object, View};

use super::common::{REPLICATED, describe, has_hpa, insert_before, kind_among, replicas};
use crate::edit::{Fix, set_scalar};
use super::missing_anti_affinity::spread_edit;
use crate::engine::Cx;
use crate::rule::{Applicability, PodCx};
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Deployment, StatefulSet or ReplicaSet with `replicas: 1`, or with no `replicas`
    /// (which defaults to 1), unless a HorizontalPodAutoscaler among the checked files scales
    /// it. `replicas: 0` is a deliberate "switched off" and is left alone. A Deployment written
    /// with the mistaken `apiVersion: v1` is judged too (schema validation reports the
    /// `apiVersion`).
    ///
    /// Autoscalers other than HorizontalPodAutoscaler (a KEDA `ScaledObject`, say) are not
    /// recognised: suppress the finding on workloads they scale.
    ///
    /// ## Why it matters
    /// With one pod, every node drain, eviction, rollout hiccup or crash is an outage: there
    /// is no other copy to serve while the pod is rescheduled and starts. Two replicas (spread
    /// over nodes, see `missing-anti-affinity`) are the minimum for a service that should
    /// stay up.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 1
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
    ///   replicas: 3
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
    /// ## Fix safety
    /// Unsafe: the fix sets `replicas: 2`. A second pod uses more of the cluster, and an
    /// application that is not built to run twice (a singleton scheduler, a StatefulSet whose
    /// members must be configured as a cluster, a workload on a `ReadWriteOnce` volume)
    /// misbehaves or stays Pending.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#replicas
    /// - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
    pub(crate) TooFewReplicas {
        name: "too-few-replicas",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Workload runs a single replica",
        peers: [
            KubeLinter: "minimum-three-replicas",
            Polaris: "deploymentMissingReplicas",
            KubeScore: "deployment-replicas",
        ],
    }
}

impl Rule for TooFewReplicas {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(kind) = kind_among(object, REPLICATED) else {
            return;
        };
        let Some((field, n)) = replicas(object) else {
            return;
        };
        if n == 0 || n >= 2 || has_hpa(cx.index(), object, kind) {
            return;
        }
        let Some(spec) = object.field("spec").and_then(|f| f.as_mapping()) else {
            return;
        };
        let what = describe(object);
        let written = spec.entry("replicas");
        let (range, message) = match field {
            Some(f) if !f.value().is_null() => (f.range(), format!("{what} runs a single replica")),
            Some(f) => (
                f.range(),
                format!("{what} leaves `replicas` empty, so it runs a single replica"),
            ),
            None => (
                object.header_range(),
                format!("{what} does not set `replicas`, so it runs a single replica"),
            ),
        };
        let edit = match (field, written) {
            // Only edit what is written here, never a value merged from an anchor.
            (Some(f), Some(_)) if !f.value().is_null() => set_scalar(f, "2"),
            (Some(_), Some(_)) => crate::helpers::set_path(cx.doc(), object, &["spec", "replicas"], "2"),
            (None, None) => insert_before(cx.doc(), spec, &["selector", "template"], "replicas", "2"),
            _ => None,
        };
        // Two replicas on one node protect from little: the fix also spreads them, so that
        // it does not leave a `missing-anti-affinity` finding behind.
        let pod = object.pod_spec().map(|spec| PodCx {
            object,
            spec,
            template: object.pod_template(),
        });
        let fix = match (edit, pod.map(|p| spread_edit(cx, p))) {
            (Some(e), Some(Ok(None))) => Some(Fix::unsafe_("Set `replicas: 2`", e)),
            (Some(e), Some(Ok(Some(spread)))) => Some(Fix::new(
                "Set `replicas: 2` and prefer spreading the pods over nodes",
                Applicability::Unsafe,
                vec![e, spread],
            )),
            _ => None,
        };
        cx.report(range, message).fix(fix);
    }
}
