//! `identical-liveness-readiness-probe`: a container whose liveness and readiness probes are
//! the same check.

use picket_model::View;

use super::common::canonical_probe;
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A container whose `livenessProbe` and `readinessProbe` are identical: the same
    /// handler and the same timing, whatever the layout, key order or quoting, and with
    /// fields set to their defaults (`periodSeconds: 10`, `failureThreshold: 3`, …) counted
    /// as unset.
    ///
    /// ## Why it matters
    /// The two probes answer different questions. Readiness says "send me traffic now",
    /// and may fail for a while under load; liveness says "restart me", and should fail
    /// only when the process is beyond repair. With identical probes, the moment a pod
    /// stops being ready it is also killed: an overloaded service restarts all its replicas
    /// instead of shedding load, and never recovers.
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
    ///       livenessProbe:
    ///         httpGet: {path: /healthz, port: 80}
    ///       readinessProbe:
    ///         httpGet: {path: /healthz, port: 80}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       livenessProbe:
    ///         httpGet: {path: /healthz, port: 80}
    ///         failureThreshold: 6
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 80}
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes
    pub(crate) IdenticalLivenessReadinessProbe {
        name: "identical-liveness-readiness-probe",
        category: Reliability,
        severity: Warning,
        fix: None,
        summary: "Liveness and readiness probes are identical",
        peers: [KubeScore: "pod-probes-identical"],
    }
}

impl Rule for IdenticalLivenessReadinessProbe {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let (Some(live), Some(ready)) = (c.container.liveness_probe(), c.container.readiness_probe())
        else {
            return;
        };
        let canonical = canonical_probe(live.node());
        if canonical == "{}" || canonical != canonical_probe(ready.node()) {
            return;
        }
        let Some(field) = c.container.field("livenessProbe") else {
            return;
        };
        let name = c.name();
        cx.report(
            field.key_range(),
            format!("Liveness and readiness probes of container `{name}` are identical: a pod that is not ready is also restarted"),
        );
    }
}
