//! `removed-api-version`: an `apiVersion` the target Kubernetes version no longer serves.

use picket_model::Object;

use super::common::{lookup, show};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An object whose `apiVersion` was removed in the target Kubernetes version
    /// (`kubernetesVersion` in `.picket.yaml`, the embedded schema's version by default) or
    /// earlier, from the table of every built-in API deprecation since Kubernetes 1.16 that
    /// `deprecated-api-version` describes.
    ///
    /// The schema check also reports these versions as `unknown-api-version` when the target
    /// is the embedded schema's version; this rule adds when the version went away, what
    /// replaces it at the target, and the migration.
    ///
    /// ## Why it matters
    /// The API server rejects the object: `kubectl apply` fails, Helm upgrades abort, GitOps
    /// controllers stop syncing the whole application.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: batch/v1beta1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: busybox:1.36
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: report
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: busybox:1.36
    /// ```
    ///
    /// ## Fix safety
    /// Safe when the new version has the same schema and defaults (`batch/v1beta1` →
    /// `batch/v1` CronJob, the RBAC and storage betas, `autoscaling/v2beta2` → `autoscaling/v2`,
    /// `apps/v1beta2` → `apps/v1` with a selector). Unsafe for the workload, Ingress and
    /// PodDisruptionBudget migrations `deprecated-api-version` describes. No fix where the
    /// migration needs a decision, or where nothing replaces the version (PodSecurityPolicy).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    pub(crate) RemovedApiVersion {
        name: "removed-api-version",
        category: Deprecation,
        severity: Error,
        fix: Some(Unsafe),
        summary: "`apiVersion` is no longer served by the target Kubernetes version",
        peers: [],
    }
}

impl Rule for RemovedApiVersion {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(field) = object.api_version() else {
            return;
        };
        let (Some(api), Some(kind)) = (field.as_str(), object.kind().and_then(|k| k.as_str()))
        else {
            return;
        };
        // The kind itself is gone, not just this version: `pod-security-policy` says so.
        if kind == "PodSecurityPolicy" {
            return;
        }
        let Some(d) = lookup(api, kind) else { return };
        let target = cx.config().kubernetes_version;
        let Some(removed) = d.removed.filter(|_| d.is_removed_at(target)) else {
            return;
        };
        let message = format!(
            "`{api}` `{kind}` was removed in Kubernetes {} (deprecated since {}): {}",
            show(removed),
            show(d.deprecated),
            d.advice(target)
        );
        let fix = d.fix(cx, object, target);
        cx.report(field.value_range(), message).fix(fix);
    }
}
