//! `pdb-min-available-exceeds-replicas`: a PodDisruptionBudget whose `minAvailable` leaves
//! no pod of its workload evictable.

use picket_model::Object;

use crate::engine::Cx;
use crate::index::Selector;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A PodDisruptionBudget whose `minAvailable`
    /// - is a percentage of 100% or more;
    /// - is at least the `replicas` of a workload it selects (a percentage is rounded up,
    ///   as Kubernetes does: `90%` of 3 replicas is 3);
    /// - is more than the `minReplicas` of a HorizontalPodAutoscaler that scales a workload
    ///   it selects (`minReplicas` defaults to 1).
    ///
    /// Workloads without `replicas` and without an autoscaler are not compared: something
    /// else (KEDA, an HPA kept elsewhere) evidently sizes them. Polaris ignores an HPA
    /// without `minReplicas`, while Kubernetes reads it as 1, so Picket disagrees with
    /// `pdbMinAvailableGreaterThanHPAMinReplicas/success.no-min-replicas.yaml`.
    ///
    /// ## Why it matters
    /// When the budget requires as many available pods as there are, no pod may ever be
    /// evicted: `kubectl drain`, cluster upgrades and the cluster autoscaler block on the
    /// node until someone deletes the budget by hand.
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
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
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
    /// - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#rounding-logic-when-specifying-percentages
    /// - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
    pub(crate) PdbMinAvailableExceedsReplicas {
        name: "pdb-min-available-exceeds-replicas",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "PodDisruptionBudget minAvailable leaves no pod evictable",
        peers: [
            KubeLinter: "pdb-min-available",
            Polaris: "pdbMinAvailableGreaterThanHPAMinReplicas",
        ],
    }
}

/// `minAvailable` as written: a count or a percentage.
#[derive(Clone, Copy)]
enum MinAvailable {
    Count(i64),
    Percent(i64),
}

impl MinAvailable {
    /// The number of pods it requires out of `n`, rounded up like the disruption controller.
    fn of(self, n: i64) -> i64 {
        match self {
            MinAvailable::Count(c) => c,
            MinAvailable::Percent(p) => p.saturating_mul(n).saturating_add(99) / 100,
        }
    }
}

impl Rule for PdbMinAvailableExceedsReplicas {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(pdb) = object.as_pdb() else { return };
        let Some(field) = pdb.min_available() else {
            return;
        };
        let Some(text) = field.text() else { return };
        let min = match (field.as_int(), text.strip_suffix('%')) {
            (Some(n), _) => MinAvailable::Count(n),
            (None, Some(p)) => match p.trim().parse::<i64>() {
                Ok(p) => MinAvailable::Percent(p),
                Err(_) => return,
            },
            _ => return,
        };
        let at = field.range();
        if let MinAvailable::Percent(p) = min
            && p >= 100
        {
            cx.report(
                at,
                format!("`minAvailable: {text}` keeps every pod available: none may ever be evicted"),
            );
            return;
        }
        let Some(view) = pdb.selector() else { return };
        let selector = Selector::of(view);
        let index = cx.index();
        let ns = object.namespace();
        for (_, w) in index.workloads_matching(&selector, ns) {
            let scalable = ["Deployment", "StatefulSet", "ReplicaSet"]
                .iter()
                .any(|k| w.is(&["apps", "extensions"], k))
                || w.is(&[""], "ReplicationController")
                || w.is(&["argoproj.io"], "Rollout");
            if !scalable {
                continue;
            }
            if let Some((_, hpa)) = index
                .hpas_targeting(&w.kind, &w.name, w.namespace.as_deref().or(ns))
                .next()
            {
                let floor = hpa.min_replicas.unwrap_or(1);
                let required = min.of(floor);
                if required > floor {
                    cx.report(
                        at,
                        format!(
                            "`minAvailable: {text}` requires {required} pods, but HorizontalPodAutoscaler `{}` may scale {} `{}` down to {floor}",
                            hpa.name, w.kind, w.name
                        ),
                    );
                    return;
                }
                continue;
            }
            let Some(replicas) = w.replicas else { continue };
            let required = min.of(replicas);
            if replicas > 0 && required >= replicas {
                cx.report(
                    at,
                    format!(
                        "`minAvailable: {text}` requires {required} of the {replicas} replicas of {} `{}`: none may ever be evicted",
                        w.kind, w.name
                    ),
                );
                return;
            }
        }
    }
}
