//! `naked-pod`: Pods that no controller manages.

use picket_model::{Object, View};

use super::common::describe;
use crate::helpers::is_true;
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A bare `v1` Pod: a Pod object of its own (or in a `List`), not the template of a
    /// Deployment, StatefulSet, DaemonSet, Job or CronJob.
    ///
    /// Left alone: Pods with a controller `ownerReference` (exported from a cluster), mirror
    /// pods (`kubernetes.io/config.mirror`), static pods of the control plane (priority class
    /// `system-node-critical`, run by the kubelet from its manifest directory), and Helm or
    /// Argo CD hook Pods (`helm.sh/hook`, `argocd.argoproj.io/hook`), which are meant to run
    /// once.
    ///
    /// ## Why it matters
    /// Nothing recreates a bare Pod: when its node fails, is drained or is upgraded, the Pod
    /// is gone for good. It cannot be rolled out, scaled or rolled back either. Even a
    /// single-instance service belongs in a Deployment (or a Job, for work that finishes).
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
    /// - https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-deployments-and-jobs
    /// - https://kubernetes.io/docs/concepts/workloads/pods/#working-with-pods
    pub(crate) NakedPod {
        name: "naked-pod",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Pod is not managed by a controller",
        peers: [
            Kubescape: "C-0073",
        ],
    }
}

impl Rule for NakedPod {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&[""], "Pod") {
            return;
        }
        let meta = object.metadata();
        let owned = meta
            .and_then(|m| m.field("ownerReferences"))
            .into_iter()
            .flat_map(|f| f.items())
            .filter_map(|n| n.as_mapping())
            .any(|m| is_true(m.get_entry("controller").map(picket_model::Field::new)));
        let exempt = meta.and_then(|m| m.annotations()).is_some_and(|a| {
            a.get("helm.sh/hook").is_some()
                || a.get("argocd.argoproj.io/hook").is_some()
                || a.get("kubernetes.io/config.mirror").is_some()
        });
        // Static pods (kubeadm's control plane manifests) are run by the kubelet itself.
        let static_pod = object
            .pod_spec()
            .and_then(|s| s.priority_class_name())
            .and_then(|f| f.text())
            .is_some_and(|p| p == "system-node-critical");
        if owned || exempt || static_pod {
            return;
        }
        cx.report(
            object.header_range(),
            format!("{} is not managed by a controller: nothing recreates it when its node goes away", describe(object)),
        );
    }
}
