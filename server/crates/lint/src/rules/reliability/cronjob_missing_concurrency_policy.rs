//! `cronjob-missing-concurrency-policy`: a CronJob that leaves `concurrencyPolicy` at
//! `Allow` by omission.

use picket_model::{Object, View};
use picket_syntax::Mapping;

use crate::edit::{Edit, Fix, Value, insert_entry};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A CronJob whose `spec` has no `concurrencyPolicy`, which then defaults to `Allow`.
    ///
    /// Off by default: overlapping runs are harmless for many jobs, and the rule asks for a
    /// decision rather than pointing at a defect.
    ///
    /// ## Why it matters
    /// With `Allow`, a run that takes longer than the schedule's interval overlaps the next
    /// one: two copies of a backup, a report or a migration work on the same data at once,
    /// and slow runs pile up until the cluster is full of them. Say `Forbid` (skip a run
    /// while one is active) or `Replace` (cancel it) when that would hurt, or `Allow` when it
    /// would not.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: backup
    /// spec:
    ///   schedule: "0 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: backup
    ///               image: shop/backup:1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: backup
    /// spec:
    ///   schedule: "0 * * * *"
    ///   concurrencyPolicy: Forbid
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: backup
    ///               image: shop/backup:1.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `concurrencyPolicy: Forbid`, right after `schedule`. A run that
    /// is due while the previous one is still active is then skipped, not started.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy
    pub(crate) CronjobMissingConcurrencyPolicy {
        name: "cronjob-missing-concurrency-policy",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "CronJob has no concurrencyPolicy",
        peers: [],
        default_enabled: false,
    }
}

impl Rule for CronjobMissingConcurrencyPolicy {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["batch"], "CronJob") {
            return;
        }
        let Some(spec) = object.field("spec").and_then(|f| f.as_mapping()) else {
            return;
        };
        if spec.get("concurrencyPolicy").is_some() {
            return;
        }
        let fix = insert_after_schedule(cx, spec)
            .or_else(|| insert_entry(cx.doc(), spec, "concurrencyPolicy", &Value::scalar("Forbid")))
            .map(|e| Fix::unsafe_("Set `concurrencyPolicy: Forbid`", e));
        let name = object.name().unwrap_or("<unnamed>");
        cx.report(
            object.header_range(),
            format!("CronJob `{name}` has no `concurrencyPolicy`: runs may overlap"),
        )
        .fix(fix);
    }
}

/// `concurrencyPolicy: Forbid` on the line after a one-line `schedule` of a block mapping.
fn insert_after_schedule(cx: &Cx<'_>, spec: Mapping<'_>) -> Option<Edit> {
    if spec.node().is_flow() {
        return None;
    }
    let text = cx.doc().text();
    let entry = spec.entry("schedule")?;
    let key_start = usize::from(entry.key.range().start());
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..key_start].trim().is_empty() {
        return None;
    }
    let value_end = usize::from(entry.value.range().end()).max(usize::from(entry.key.range().end()));
    if text[key_start..value_end].contains('\n') {
        return None;
    }
    let line_end = text[value_end..]
        .find('\n')
        .map_or(text.len(), |i| value_end + i);
    let line_end = if line_end > 0 && text.as_bytes()[line_end - 1] == b'\r' {
        line_end - 1
    } else {
        line_end
    };
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let pad = " ".repeat(key_start - line_start);
    Some(Edit::insert(
        line_end,
        format!("{nl}{pad}concurrencyPolicy: Forbid"),
    ))
}
