//! `missing-readiness-probe`: long-running containers without a readiness probe.

use super::common::runs_to_completion;
use crate::engine::Cx;
use crate::rule::{ContainerCx, ContainerKind, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A regular container without a `readinessProbe`, in a pod meant to run indefinitely:
    /// Deployments, StatefulSets, DaemonSets, ReplicaSets and bare Pods with the default
    /// `restartPolicy: Always`. Jobs, CronJobs and pods with `restartPolicy: Never` or
    /// `OnFailure` run to completion and are skipped, as are init and ephemeral containers.
    ///
    /// ## Why it matters
    /// Without a readiness probe a pod counts as ready as soon as its containers start: it
    /// receives Service traffic before it can answer, and a rolling update moves on to the
    /// next pod before the new one works. Clients see errors on every deploy.
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
    ///           readinessProbe:
    ///             httpGet: {path: /ready, port: http}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/#readiness-probe
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    pub(crate) MissingReadinessProbe {
        name: "missing-readiness-probe",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Container has no readiness probe",
        peers: [
            KubeLinter: "no-readiness-probe",
            Polaris: "readinessProbeMissing",
            Kubescape: "C-0018",
            Checkov: "CKV_K8S_9",
        ],
    }
}

impl Rule for MissingReadinessProbe {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if c.kind != ContainerKind::Regular
            || runs_to_completion(c.pod)
            || c.container.readiness_probe().is_some()
        {
            return;
        }
        let name = c.name();
        cx.report(c.anchor(), format!("Container `{name}` has no readiness probe"));
    }
}
