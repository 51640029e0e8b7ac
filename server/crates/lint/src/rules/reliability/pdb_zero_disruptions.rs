//! `pdb-zero-disruptions`: PodDisruptionBudgets that forbid every voluntary eviction.

use picket_model::{Field, Object, View};

use super::common::{describe, is_kind};
use crate::edit::{Edit, Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A PodDisruptionBudget with `maxUnavailable: 0` (or `"0%"`) or `minAvailable: "100%"`,
    /// also when written with the mistaken `apiVersion: v1` (which schema validation reports).
    ///
    /// A `minAvailable` number equal to the replica count of the workload it covers blocks
    /// evictions too; this rule cannot see replica counts across objects and leaves that case
    /// alone.
    ///
    /// ## Why it matters
    /// Such a budget never allows a voluntary eviction. `kubectl drain`, node upgrades and
    /// the cluster autoscaler wait on it forever (or until someone deletes the budget), so
    /// node maintenance stalls. A budget should allow at least one pod to be evicted at a
    /// time.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   maxUnavailable: 0
    ///   selector:
    ///     matchLabels: {app: web}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
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
    /// ## Fix safety
    /// Unsafe: the fix allows one pod at a time to be evicted (`maxUnavailable: 1`). A
    /// workload with a single replica is then unavailable while its pod moves.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
    /// - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets
    pub(crate) PdbZeroDisruptions {
        name: "pdb-zero-disruptions",
        category: Reliability,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "PodDisruptionBudget allows no voluntary evictions",
        peers: [
            KubeLinter: "pdb-max-unavailable",
            KubeLinter: "pdb-min-available",
            Polaris: "pdbDisruptionsIsZero",
        ],
    }
}

/// A percentage (`"10%"`) as a number.
fn percent(f: &Field<'_>) -> Option<f64> {
    f.as_str()?.trim().strip_suffix('%')?.trim().parse().ok()
}

impl Rule for PdbZeroDisruptions {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !is_kind(object, &["policy"], "PodDisruptionBudget") {
            return;
        }
        let Some(spec) = object.field("spec").and_then(|f| f.as_mapping()) else {
            return;
        };
        let what = describe(object);
        let max = spec.get_entry("maxUnavailable").map(Field::new);
        if let Some(f) = max
            && (f.as_int() == Some(0) || percent(&f) == Some(0.0))
        {
            let value = f.text().unwrap_or_default();
            let fix = spec
                .entry("maxUnavailable")
                .map(|_| set_scalar(f, "1").map(|e| Fix::unsafe_("Set `maxUnavailable: 1`", e)));
            cx.report(
                f.range(),
                format!("{what} allows no voluntary evictions (`maxUnavailable: {value}`), so node drains hang"),
            )
            .fix(fix.flatten());
        }
        if let Some(f) = spec.get_entry("minAvailable").map(Field::new)
            && percent(&f) == Some(100.0)
        {
            let value = f.text().unwrap_or_default();
            // `minAvailable: 100%` becomes `maxUnavailable: 1` when the budget has no
            // `maxUnavailable` (a budget may hold only one of the two).
            let fix = (max.is_none() && spec.entry("minAvailable").is_some())
                .then(|| set_scalar(f, "1"))
                .flatten()
                .map(|value| {
                    Fix::new(
                        "Replace with `maxUnavailable: 1`",
                        crate::rule::Applicability::Unsafe,
                        vec![Edit::replace(f.key_range(), "maxUnavailable"), value],
                    )
                });
            cx.report(
                f.range(),
                format!("{what} allows no voluntary evictions (`minAvailable: {value}`), so node drains hang"),
            )
            .fix(fix);
        }
    }
}
