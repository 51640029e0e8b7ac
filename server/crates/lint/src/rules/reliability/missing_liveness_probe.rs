//! `missing-liveness-probe`: long-running containers without a liveness probe.

use super::common::runs_to_completion;
use crate::engine::Cx;
use crate::rule::{ContainerCx, ContainerKind, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A regular container without a `livenessProbe`, in a pod meant to run indefinitely:
    /// Deployments, StatefulSets, DaemonSets, ReplicaSets and bare Pods with the default
    /// `restartPolicy: Always`. Jobs, CronJobs and pods with `restartPolicy: Never` or
    /// `OnFailure` run to completion and are skipped, as are init and ephemeral containers.
    ///
    /// ## Why it matters
    /// A process that deadlocks or wedges without exiting keeps its container "running"
    /// forever: nothing restarts it, and it keeps receiving traffic if it is still ready. A
    /// liveness probe lets the kubelet notice and restart it.
    ///
    /// A liveness probe must check the process itself, not its dependencies: a probe that
    /// fails when the database is down restarts every replica at once.
    ///
    /// ## Example
    /// ```yaml,bad
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
    ///           ports:
    ///             - name: http
    ///               containerPort: 80
    ///           livenessProbe:
    ///             httpGet: {path: /healthz, port: http}
    ///             failureThreshold: 6
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#liveness-probe
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    pub(crate) MissingLivenessProbe {
        name: "missing-liveness-probe",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Container has no liveness probe",
        peers: [
            KubeLinter: "no-liveness-probe",
            Polaris: "livenessProbeMissing",
            Kubescape: "C-0056",
            Checkov: "CKV_K8S_8",
        ],
    }
}

impl Rule for MissingLivenessProbe {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if c.kind != ContainerKind::Regular
            || runs_to_completion(c.pod)
            || c.container.liveness_probe().is_some()
        {
            return;
        }
        let name = c.name();
        cx.report(c.anchor(), format!("Container `{name}` has no liveness probe"));
    }
}
