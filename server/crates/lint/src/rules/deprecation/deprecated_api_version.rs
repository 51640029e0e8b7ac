//! `deprecated-api-version`: an `apiVersion` the target Kubernetes version still serves but
//! will remove.

use picket_model::Object;

use super::common::{lookup, show};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An object whose `apiVersion` is deprecated in the target Kubernetes version
    /// (`kubernetesVersion` in `.picket.yaml`, the embedded schema's version by default):
    /// deprecated in it or earlier, and not yet removed. The table covers every built-in API
    /// deprecation since Kubernetes 1.16: the `extensions` and `apps` beta workloads, Ingress
    /// and IngressClass betas, `batch/v1beta1` CronJob, `policy/v1beta1`, the HPA betas,
    /// `rbac.authorization.k8s.io/v1beta1`, the `storage.k8s.io`, `apiextensions.k8s.io`,
    /// `admissionregistration.k8s.io`, `scheduling.k8s.io`, `coordination.k8s.io`,
    /// `certificates.k8s.io`, `discovery.k8s.io`, `events.k8s.io` and `node.k8s.io` betas,
    /// the `flowcontrol.apiserver.k8s.io` betas, and `v1` Endpoints (deprecated in 1.33 in
    /// favour of EndpointSlices). Once the target removes the version,
    /// `removed-api-version` reports it instead.
    ///
    /// ## Why it matters
    /// The API server warns on every request, and the next upgrades remove the version: the
    /// manifest then fails to apply, and tools that render it (Helm, Argo CD) stop syncing.
    /// Migrating while both versions are served is the painless moment.
    ///
    /// ## Example
    /// With `kubernetesVersion: "1.24"`:
    ///
    /// ```yaml,bad
    /// apiVersion: policy/v1beta1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels:
    ///       app: web
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: web
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels:
    ///       app: web
    /// ```
    ///
    /// ## Fix safety
    /// Safe when the new version has the same schema and defaults (`batch/v1beta1` →
    /// `batch/v1` CronJob, the RBAC and storage betas, `autoscaling/v2beta2` → `autoscaling/v2`,
    /// `apps/v1beta2` → `apps/v1` with a selector). Unsafe otherwise:
    /// - `extensions/v1beta1` and `apps/v1beta1` workloads move to `apps/v1` with
    ///   `spec.selector` copied from the template labels when missing; the defaults of
    ///   `apps/v1` differ (rolling update surge, revision history, DaemonSet and StatefulSet
    ///   update strategies);
    /// - Ingresses move to `networking.k8s.io/v1`: `serviceName`/`servicePort` become
    ///   `service: {name, port: {number | name}}`, `spec.backend` becomes
    ///   `spec.defaultBackend`, and paths without `pathType` get `ImplementationSpecific`,
    ///   which the controller interprets as it did before;
    /// - `policy/v1beta1` → `policy/v1` PodDisruptionBudget: an empty selector selects no pod
    ///   in v1beta1 and every pod in v1.
    ///
    /// No fix is offered where the migration needs a decision: CRDs, admission webhooks,
    /// CSRs, `autoscaling/v2beta1` metrics, EndpointSlice topology, FlowSchemas, Endpoints,
    /// and PodSecurityPolicies, which have no replacement.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
    /// - https://kubernetes.io/docs/reference/using-api/deprecation-policy/
    pub(crate) DeprecatedApiVersion {
        name: "deprecated-api-version",
        category: Deprecation,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "`apiVersion` is deprecated in the target Kubernetes version",
        peers: [
            KubeLinter: "no-extensions-v1beta",
            KubeScore: "stable-version",
            Trivy: "KSV-0107",
        ],
    }
}

impl Rule for DeprecatedApiVersion {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(field) = object.api_version() else {
            return;
        };
        let (Some(api), Some(kind)) = (field.as_str(), object.kind().and_then(|k| k.as_str()))
        else {
            return;
        };
        let Some(d) = lookup(api, kind) else { return };
        let target = cx.config().kubernetes_version;
        if !d.is_deprecated_at(target) {
            return;
        }
        let when = match d.removed {
            Some(r) => format!(
                "deprecated since Kubernetes {} and removed in {}",
                show(d.deprecated),
                show(r)
            ),
            None => format!("deprecated since Kubernetes {}", show(d.deprecated)),
        };
        let message = format!("`{api}` `{kind}` is {when}: {}", d.advice(target));
        let fix = d.fix(cx, object, target);
        cx.report(field.value_range(), message).fix(fix);
    }
}
