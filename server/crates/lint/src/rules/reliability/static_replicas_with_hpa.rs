//! `static-replicas-with-hpa`: a workload that sets `replicas` while an HPA scales it.

use picket_model::{Object, View, WorkloadSpec};

use crate::edit::{Fix, remove_entry};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Deployment, StatefulSet or ReplicaSet (or an Argo Rollout) with `spec.replicas`
    /// that a HorizontalPodAutoscaler among the files checked together scales
    /// (`scaleTargetRef` with its kind and name, in its namespace).
    ///
    /// ## Why it matters
    /// Two owners fight over one number. Every `kubectl apply` or GitOps sync resets the
    /// replica count to the manifest's value, undoing the autoscaler: a deploy during a
    /// traffic peak scales the workload down to, say, 2 pods until the HPA reacts again.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
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
    ///       containers:
    ///         - name: web
    ///           image: nginx:1.27
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: web
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix removes `replicas`. With client-side `kubectl apply`, the first apply
    /// after the removal deletes the field from the live object, and the workload drops to
    /// the default of 1 replica until the HPA scales it up again. Remove the field from the
    /// `kubectl.kubernetes.io/last-applied-configuration` annotation first (`kubectl apply
    /// edit-last-applied`), or use server-side apply, which leaves the live value alone.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling
    pub(crate) StaticReplicasWithHpa {
        name: "static-replicas-with-hpa",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Workload sets replicas while an HPA scales it",
        peers: [KubeScore: "deployment-targeted-by-hpa-does-not-have-replicas-configured"],
    }
}

impl Rule for StaticReplicasWithHpa {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let scalable = ["Deployment", "StatefulSet", "ReplicaSet"]
            .iter()
            .any(|k| object.is(&["apps", "extensions"], k))
            || object.is(&["argoproj.io"], "Rollout");
        if !scalable {
            return;
        }
        let (Some(kind), Some(name)) = (object.kind().and_then(|f| f.text()), object.name()) else {
            return;
        };
        let Some(spec) = object.spec::<WorkloadSpec>() else {
            return;
        };
        let Some(replicas) = spec.replicas() else {
            return;
        };
        let Some((_, hpa)) = cx
            .index()
            .hpas_targeting(kind, name, object.namespace())
            .next()
        else {
            return;
        };
        let fix = remove_entry(cx.doc(), spec.mapping(), replicas)
            .map(|e| Fix::unsafe_("Remove `replicas`", e));
        cx.report(
            replicas.range(),
            format!(
                "`replicas` is set, but HorizontalPodAutoscaler `{}` scales {kind} `{name}`: every apply resets the replica count",
                hpa.name
            ),
        )
        .fix(fix);
    }
}
