//! `invalid-restart-policy`: pod restart policies that the workload's controller rejects.

use picket_model::View;

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::reliability::common::{describe, insert_before};

declare_rule! {
    /// ## What it flags
    /// A pod template whose `restartPolicy` its controller does not accept:
    /// - in a Deployment, StatefulSet, DaemonSet, ReplicaSet or ReplicationController, any
    ///   value but `Always` (the only one these controllers accept);
    /// - in a Job or CronJob, `Always`, or no `restartPolicy` at all: the pod default is
    ///   `Always`, and Jobs accept only `OnFailure` or `Never`.
    ///
    /// Values outside `Always`, `OnFailure` and `Never` are left to schema validation. Bare
    /// Pods accept all three.
    ///
    /// ## Why it matters
    /// The API server rejects the whole object (`Unsupported value: "OnFailure": supported
    /// values: "Always"`, or `Required value: valid values: "OnFailure", "Never"` for a Job
    /// that sets none), so nothing is deployed. A CI pipeline applying the manifest fails
    /// late, after everything before it was applied.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "0 6 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           containers:
    ///             - name: report
    ///               image: registry.example.com/report:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "0 6 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: registry.example.com/report:1.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `Always` for a long-running workload (the only accepted value)
    /// and `OnFailure` for a Job or CronJob. For a Job, `OnFailure` restarts a failed
    /// container in the same pod while `Never` starts a new pod, so retries, logs and
    /// `backoffLimit` accounting differ; pick `Never` where each attempt needs a fresh pod.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#pod-template
    pub(crate) InvalidRestartPolicy {
        name: "invalid-restart-policy",
        category: Correctness,
        severity: Error,
        fix: Some(Unsafe),
        summary: "Pod restartPolicy is not accepted by the workload's controller",
        peers: [
            KubeLinter: "restart-policy",
            KubeScore: "cronjob-restartpolicy",
        ],
    }
}

impl Rule for InvalidRestartPolicy {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(gvk) = pod.object.gvk() else {
            return;
        };
        let job = match (gvk.group, gvk.kind) {
            ("", "Pod" | "PodTemplate") => return,
            ("batch", "Job" | "CronJob") => true,
            _ => false,
        };
        let field = pod.spec.restart_policy().filter(|f| !f.value().is_null());
        let value = field.and_then(|f| f.as_str());
        if value.is_some_and(|v| !matches!(v, "Always" | "OnFailure" | "Never"))
            || (field.is_some() && value.is_none())
        {
            // Not a restart policy at all: schema validation reports it.
            return;
        }
        let what = describe(pod.object);
        // Edit only a value written in this pod spec, never one merged from an anchor.
        let written = pod.spec.mapping().entry("restartPolicy").is_some();
        match (job, field, value) {
            (false, Some(f), Some(v)) if v != "Always" => {
                let fix = written.then(|| set_scalar(f, "Always").map(|e| Fix::unsafe_("Set `restartPolicy: Always`", e)));
                cx.report(
                    f.range(),
                    format!("{what} sets `restartPolicy: {v}`, but its pods must use `Always`"),
                )
                .fix(fix.flatten());
            }
            (true, Some(f), Some("Always")) => {
                let fix = written.then(|| {
                    set_scalar(f, "OnFailure").map(|e| Fix::unsafe_("Set `restartPolicy: OnFailure`", e))
                });
                cx.report(
                    f.range(),
                    format!("{what} sets `restartPolicy: Always`, but a Job's pods must use `OnFailure` or `Never`"),
                )
                .fix(fix.flatten());
            }
            (true, None, _) => {
                let spec = pod.spec.mapping();
                let fix = if spec.entry("restartPolicy").is_some() {
                    // `restartPolicy:` with nothing after it.
                    crate::helpers::set_path(cx.doc(), pod.spec, &["restartPolicy"], "OnFailure")
                } else {
                    insert_before(
                        cx.doc(),
                        spec,
                        &["initContainers", "containers"],
                        "restartPolicy",
                        "OnFailure",
                    )
                }
                .map(|e| Fix::unsafe_("Set `restartPolicy: OnFailure`", e));
                cx.report(
                    pod.anchor(),
                    format!("{what} does not set `restartPolicy`: the default `Always` is rejected for a Job's pods"),
                )
                .fix(fix);
            }
            _ => {}
        }
    }
}
