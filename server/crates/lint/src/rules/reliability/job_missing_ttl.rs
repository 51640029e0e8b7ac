//! `job-missing-ttl`: a standalone Job that is never cleaned up.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

use super::common::{set_spec_key, spec_without};

declare_rule! {
    /// ## What it flags
    /// A Job (not a CronJob's job template) whose `spec` has no `ttlSecondsAfterFinished`.
    ///
    /// CronJobs clean up their Jobs through their history limits, so their templates are
    /// exempt. So are Helm and Argo CD hooks with a delete policy
    /// (`helm.sh/hook-delete-policy`, `argocd.argoproj.io/hook-delete-policy`): the tool
    /// deletes them.
    ///
    /// ## Why it matters
    /// A finished Job and its pods stay in the cluster until someone deletes them: they
    /// pile up in the API server and etcd, keep their logs on the nodes, and a Job with a
    /// fixed name cannot be applied again while the old one exists. With
    /// `ttlSecondsAfterFinished` the TTL controller removes the Job after it finishes.
    ///
    /// Mind GitOps tools that sync continuously: once the TTL controller deletes the Job,
    /// they may create it again and run it once more.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: migrate
    ///           image: shop/migrate:4.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata:
    ///   name: migrate
    /// spec:
    ///   ttlSecondsAfterFinished: 3600
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - name: migrate
    ///           image: shop/migrate:4.1
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `ttlSecondsAfterFinished: 86400`: the Job and its pods, with their logs
    /// and status, are deleted a day after it finishes. Anything that reads them later (a
    /// pipeline waiting on the Job, someone debugging a failure, a tool that checks it
    /// ran) no longer finds them, and a GitOps tool that syncs continuously may create the
    /// Job again and run it once more.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/
    pub(crate) JobMissingTtl {
        name: "job-missing-ttl",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Job has no ttlSecondsAfterFinished",
        peers: [KubeLinter: "job-ttl-seconds-after-finished"],
    }
}

impl Rule for JobMissingTtl {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["batch"], "Job") {
            return;
        }
        let Some(spec) = spec_without(object, "ttlSecondsAfterFinished") else {
            return;
        };
        let hook_deleted = object.annotations().is_some_and(|a| {
            a.get("helm.sh/hook-delete-policy").is_some()
                || a.get("argocd.argoproj.io/hook-delete-policy").is_some()
        });
        if hook_deleted {
            return;
        }
        let name = object.name().unwrap_or("<unnamed>");
        let fix = set_spec_key(cx.doc(), spec, "ttlSecondsAfterFinished", "86400", "template");
        cx.report(
            object.header_range(),
            format!("Job `{name}` has no `ttlSecondsAfterFinished`: it stays after it finishes"),
        )
        .fix(fix);
    }
}
