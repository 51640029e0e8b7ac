//! `pdb-missing-unhealthy-pod-eviction-policy`: PodDisruptionBudgets that let unhealthy pods
//! block node drains.

use picket_model::{Object, View};

use super::common::{describe, is_kind};
use crate::edit::{Fix, Value, insert_entry};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `policy/v1` PodDisruptionBudget without `spec.unhealthyPodEvictionPolicy`, when the
    /// target Kubernetes version (`kubernetesVersion` in `.picket.yaml`) is 1.27 or later
    /// (the field is on by default from 1.27, GA in 1.31).
    ///
    /// Off by default: the default policy is the safe choice for applications whose
    /// not-ready pods may still be doing useful work.
    ///
    /// ## Why it matters
    /// The default, `IfHealthyBudget`, lets a running but not ready pod be evicted only while
    /// the application has enough healthy pods. When an application is already broken (pods
    /// crash-looping or never ready), its budget blocks `kubectl drain` and node upgrades
    /// until someone intervenes, although evicting those pods would harm nothing.
    /// `AlwaysAllow` lets such pods be evicted.
    ///
    /// ## Example
    /// ```yaml,bad
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
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: web}
    ///   unhealthyPodEvictionPolicy: AlwaysAllow
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `unhealthyPodEvictionPolicy: AlwaysAllow`. A pod that is not
    /// ready but still serves some work (a slow-starting replica of a database, say) can then
    /// be evicted even when the budget is not met.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
    pub(crate) PdbMissingUnhealthyPodEvictionPolicy {
        name: "pdb-missing-unhealthy-pod-eviction-policy",
        category: Reliability,
        severity: Info,
        fix: Some(Unsafe),
        summary: "PodDisruptionBudget does not set unhealthyPodEvictionPolicy",
        peers: [
            KubeLinter: "pdb-unhealthy-pod-eviction-policy",
        ],
        default_enabled: false,
    }
}

impl Rule for PdbMissingUnhealthyPodEvictionPolicy {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !is_kind(object, &["policy"], "PodDisruptionBudget")
            || object.gvk().is_some_and(|g| g.version != "v1")
            || !cx.config().targets_at_least((1, 27))
        {
            return;
        }
        let Some(spec) = object.field("spec").and_then(|f| f.as_mapping()) else {
            return;
        };
        let set = spec
            .get("unhealthyPodEvictionPolicy")
            .is_some_and(|n| !n.resolve().is_null());
        if set {
            return;
        }
        let fix = (!spec.has_merge() && spec.entry("unhealthyPodEvictionPolicy").is_none())
            .then(|| {
                insert_entry(
                    cx.doc(),
                    spec,
                    "unhealthyPodEvictionPolicy",
                    &Value::scalar("AlwaysAllow"),
                )
            })
            .flatten()
            .map(|e| Fix::unsafe_("Set `unhealthyPodEvictionPolicy: AlwaysAllow`", e));
        let what = describe(object);
        cx.report(
            object.header_range(),
            format!("{what} does not set `unhealthyPodEvictionPolicy`: pods that run but are not ready can block node drains"),
        )
        .fix(fix);
    }
}
