//! `default-namespace`: objects placed in the `default` namespace on purpose.

use picket_model::Object;
use picket_schema::table::Scope;

use super::common::describe;
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A namespaced object whose `metadata.namespace` is written as `default`. Objects with
    /// no namespace are left alone (the namespace is then chosen at apply time, by
    /// `kubectl -n`, kustomize or Helm), and so are cluster-scoped kinds.
    ///
    /// ## Why it matters
    /// The `default` namespace is where everything lands that nobody placed: workloads there
    /// share it with stray test pods, cannot get their own RBAC, quotas, LimitRanges or
    /// Pod Security level without affecting everything else, and are hard to attribute to a
    /// team. Give each application its own namespace.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   namespace: default
    /// data:
    ///   LOG_LEVEL: info
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   namespace: shop
    /// data:
    ///   LOG_LEVEL: info
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
    /// - https://kubernetes.io/docs/concepts/security/multi-tenancy/#namespaces
    pub(crate) DefaultNamespace {
        name: "default-namespace",
        category: Reliability,
        severity: Info,
        fix: None,
        summary: "Object is placed in the default namespace",
        peers: [
            KubeLinter: "use-namespace",
            Kubescape: "C-0061",
            Kubescape: "C-0212",
            Checkov: "CKV_K8S_21",
            Trivy: "KSV-0110",
        ],
    }
}

/// Whether the kind is cluster-scoped, as far as the built-in schema knows (its own version,
/// or any version of the kind in the same group).
pub(crate) fn cluster_scoped(object: Object<'_>) -> bool {
    let (Some(api), Some(kind)) = (
        object.api_version().and_then(|f| f.as_str()),
        object.kind().and_then(|f| f.as_str()),
    ) else {
        return false;
    };
    let builtin = picket_schema::builtin();
    if let Some(scope) = builtin.scope(api, kind) {
        return scope == Scope::Cluster;
    }
    let group = picket_schema::group_of(api);
    builtin
        .api_versions_of(kind)
        .into_iter()
        .filter(|v| picket_schema::group_of(v) == group)
        .any(|v| builtin.scope(v, kind) == Some(Scope::Cluster))
}

impl Rule for DefaultNamespace {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(ns) = object.metadata().and_then(|m| m.namespace()) else {
            return;
        };
        if ns.text() != Some("default") || cluster_scoped(object) {
            return;
        }
        cx.report(
            ns.range(),
            format!("{} is placed in the `default` namespace", describe(object)),
        );
    }
}
