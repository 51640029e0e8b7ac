//! `secrets-access`: a Role or ClusterRole that can read Secrets.

use picket_model::Object;

use super::common::{Target, report_grants};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting `get`, `list` or `watch` (or `*`) on `secrets`
    /// of the core API group, `*` included. A rule limited to named Secrets (`resourceNames`)
    /// is the least-privilege way to hand out one credential and is not flagged. Roles the
    /// platform owns (`system:`, `gce:`, `eks:` names) and the default ClusterRoles are left
    /// alone.
    ///
    /// ## Why it matters
    /// `list` and `watch` return the Secrets' contents, not only their names. Whoever holds the
    /// role reads every credential in its scope, service account tokens included, and can act
    /// as any service account whose token it finds.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: config-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["configmaps", "secrets"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: config-reader
    ///   namespace: web
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["configmaps"]
    ///     verbs: ["get", "list", "watch"]
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     resourceNames: ["web-tls"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets
    pub(crate) SecretsAccess {
        name: "secrets-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can read Secrets",
        peers: [
            KubeLinter: "access-to-secrets",
            Kubescape: "C-0015",
            Kubescape: "C-0186",
            Checkov: "CKV2_K8S_5",
            Trivy: "KSV-0041",
            Trivy: "KSV-0113",
        ],
    }
}

impl Rule for SecretsAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        report_grants(
            cx,
            object,
            &[Target::new("", "secrets")],
            &["get", "list", "watch"],
            false,
            |kind, name, g| {
                format!(
                    "{kind} `{name}` can read Secrets: {} on `{}`",
                    g.verb_list(),
                    g.resource.0
                )
            },
        );
    }
}
