//! `recreate-update-strategy`: workloads that do not roll out gradually.

use picket_model::{Field, Object, View};

use super::common::{describe, is_kind};
use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Deployment with `strategy.type: Recreate`, or a StatefulSet or DaemonSet with
    /// `updateStrategy.type: OnDelete`.
    ///
    /// Off by default: both strategies exist for good reasons (an application that cannot run
    /// two versions side by side, a `ReadWriteOnce` volume, a database upgraded by hand).
    ///
    /// ## Why it matters
    /// `Recreate` stops every old pod before starting a new one: each rollout is an outage,
    /// and a broken new version leaves nothing running. `OnDelete` never replaces pods at
    /// all until someone deletes them, so a changed template silently does not roll out.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    /// spec:
    ///   strategy:
    ///     type: Recreate
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
    ///   strategy:
    ///     type: RollingUpdate
    ///     rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
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
    /// ## Fix safety
    /// Unsafe: the fix sets `type: RollingUpdate`. Old and new pods then run side by side
    /// during a rollout: an application that cannot (schema migrations, a singleton, a
    /// `ReadWriteOnce` volume that only one pod can mount) breaks or hangs the rollout.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy
    /// - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#update-strategies
    /// - https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/#daemonset-update-strategy
    pub(crate) RecreateUpdateStrategy {
        name: "recreate-update-strategy",
        category: Reliability,
        severity: Info,
        fix: Some(Unsafe),
        summary: "Workload does not use a rolling update",
        peers: [
            KubeLinter: "no-rolling-update-strategy",
            KubeScore: "deployment-strategy",
            Kubescape: "C-0305",
        ],
        default_enabled: false,
    }
}

impl Rule for RecreateUpdateStrategy {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let (key, bad) = if is_kind(object, &["apps", "extensions"], "Deployment") {
            ("strategy", "Recreate")
        } else if is_kind(object, &["apps"], "StatefulSet")
            || is_kind(object, &["apps", "extensions"], "DaemonSet")
        {
            ("updateStrategy", "OnDelete")
        } else {
            return;
        };
        let Some(strategy) = object
            .field("spec")
            .and_then(|f| f.as_mapping())
            .and_then(|m| m.get(key))
            .and_then(|n| n.resolve().as_mapping())
        else {
            return;
        };
        let Some(ty) = strategy.get_entry("type").map(Field::new) else {
            return;
        };
        if ty.text() != Some(bad) {
            return;
        }
        let what = describe(object);
        let message = if bad == "Recreate" {
            format!("{what} stops every pod before starting new ones (`Recreate`)")
        } else {
            format!("{what} only replaces pods when they are deleted (`OnDelete`)")
        };
        // Only edit a value written in this object, never one merged from an anchor.
        let fix = strategy
            .entry("type")
            .map(|_| set_scalar(ty, "RollingUpdate").map(|e| Fix::unsafe_("Set `type: RollingUpdate`", e)));
        cx.report(ty.range(), message).fix(fix.flatten());
    }
}
