//! `cronjob-missing-deadline`: a CronJob without `startingDeadlineSeconds`.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

use super::common::{set_spec_key, spec_without};

declare_rule! {
    /// ## What it flags
    /// A CronJob whose `spec` has no `startingDeadlineSeconds`.
    ///
    /// ## Why it matters
    /// Without a deadline, the CronJob controller counts every schedule missed since the
    /// last run (the controller was down, the CronJob was suspended, the cluster was being
    /// upgraded). Once more than 100 are missed it stops scheduling the CronJob altogether,
    /// logging `too many missed start times`, until someone intervenes. A deadline bounds
    /// the count and also keeps a run from starting hours late.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: shop/report:3.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   startingDeadlineSeconds: 120
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: shop/report:3.2
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `startingDeadlineSeconds: 300`: a run that cannot start within five
    /// minutes of its scheduled time is skipped and counted as missed. A CronJob that
    /// relied on late runs catching up (after a controller outage, or when
    /// `concurrencyPolicy: Forbid` holds runs back behind a long one) skips them instead.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation
    pub(crate) CronjobMissingDeadline {
        name: "cronjob-missing-deadline",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "CronJob has no startingDeadlineSeconds",
        peers: [KubeScore: "cronjob-has-deadline"],
    }
}

impl Rule for CronjobMissingDeadline {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["batch"], "CronJob") {
            return;
        }
        let Some(spec) = spec_without(object, "startingDeadlineSeconds") else {
            return;
        };
        let name = object.name().unwrap_or("<unnamed>");
        let fix = set_spec_key(cx.doc(), spec, "startingDeadlineSeconds", "300", "jobTemplate");
        cx.report(
            object.header_range(),
            format!("CronJob `{name}` has no `startingDeadlineSeconds`"),
        )
        .fix(fix);
    }
}
