//! `missing-pdb`: a replicated Deployment or StatefulSet that no PodDisruptionBudget
//! protects.

use picket_model::{Object, WorkloadSpec};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Deployment or StatefulSet that runs more than one replica (its `replicas`, or the
    /// `minReplicas` of a HorizontalPodAutoscaler that scales it) and whose pods no
    /// PodDisruptionBudget in its namespace selects, among the files checked together.
    ///
    /// Single-replica workloads are not flagged: a budget cannot keep one pod available
    /// without blocking node drains altogether. Polaris' `missingPodDisruptionBudget` asks
    /// for a budget on those too, so its fixtures without `replicas` disagree on purpose:
    /// `missingPodDisruptionBudget/failure.yaml`,
    /// `missingPodDisruptionBudget/failure-bad-ns.yaml`,
    /// `missingPodDisruptionBudget/failure.bad-name.yaml`,
    /// `missingPodDisruptionBudget/failure.empty-labels.yaml`,
    /// `missingPodDisruptionBudget/failure.no-labels.yaml`,
    /// `missingPodDisruptionBudget/failure.no-metadata.yaml` and
    /// `missingPodDisruptionBudget/failure.wrong-place.yaml`.
    ///
    /// Off by default: many teams keep budgets with the platform rather than with each
    /// application.
    ///
    /// ## Why it matters
    /// Without a budget, a node drain (a cluster upgrade, the autoscaler removing a node)
    /// may evict every replica at once: the redundancy the replicas were meant to give is
    /// gone exactly when the cluster is being maintained.
    ///
    /// ## Example
    /// ```yaml,bad
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
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets
    /// - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
    pub(crate) MissingPdb {
        name: "missing-pdb",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Replicated workload has no PodDisruptionBudget",
        peers: [
            Polaris: "missingPodDisruptionBudget",
            KubeScore: "deployment-has-poddisruptionbudget",
            KubeScore: "statefulset-has-poddisruptionbudget",
        ],
        default_enabled: false,
    }
}

impl Rule for MissingPdb {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["apps"], "Deployment") && !object.is(&["apps"], "StatefulSet") {
            return;
        }
        let (Some(kind), Some(name)) = (object.kind().and_then(|f| f.text()), object.name()) else {
            return;
        };
        let index = cx.index();
        let ns = object.namespace();
        let replicas = object
            .spec::<WorkloadSpec>()
            .and_then(|s| s.replicas());
        let (count, at, how) = match index.hpas_targeting(kind, name, ns).next() {
            Some((_, hpa)) => (
                hpa.min_replicas.unwrap_or(1),
                object.header_range(),
                "at least ",
            ),
            None => match replicas.and_then(|r| r.as_int()) {
                Some(n) => (n, replicas.map_or(object.header_range(), |r| r.range()), ""),
                None => return,
            },
        };
        if count <= 1 {
            return;
        }
        let labels: Vec<(String, String)> = object
            .pod_labels()
            .map(|m| m.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        let protected = index.of_kind("PodDisruptionBudget").any(|(_, s)| {
            s.is(&["policy"], "PodDisruptionBudget")
                && s.same_namespace(ns)
                && s.selector.as_ref().is_some_and(|sel| sel.matches(&labels))
        });
        if protected {
            return;
        }
        cx.report(
            at,
            format!(
                "{kind} `{name}` runs {how}{count} replicas and no PodDisruptionBudget protects them"
            ),
        );
    }
}
