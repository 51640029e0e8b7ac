//! `webhook-modify-access`: a Role or ClusterRole that can change admission webhooks.

use picket_model::Object;

use super::common::{Target, report_grants};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

const ADMISSION: &str = "admissionregistration.k8s.io";

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting `create`, `update`, `patch`, `delete` or
    /// `deletecollection` (or `*`) on `mutatingwebhookconfigurations` or
    /// `validatingwebhookconfigurations` of `admissionregistration.k8s.io`, `*` included.
    /// Roles the platform owns (`system:`, `gce:`, `eks:` names) and the default ClusterRoles
    /// are left alone.
    ///
    /// ## Why it matters
    /// Admission webhooks see, and mutating ones rewrite, every object they match. Whoever can
    /// change them can switch off policy enforcement, or register a webhook of their own that
    /// injects containers into pods and reads every Secret written to the cluster.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: cert-injector
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     verbs: ["get", "list", "watch", "update", "patch"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: webhook-viewer
    /// rules:
    ///   - apiGroups: ["admissionregistration.k8s.io"]
    ///     resources: ["mutatingwebhookconfigurations"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks
    pub(crate) WebhookModifyAccess {
        name: "webhook-modify-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can change admission webhooks",
        peers: [
            Kubescape: "C-0281",
            Checkov: "CKV_K8S_155",
            Trivy: "KSV-0114",
        ],
    }
}

impl Rule for WebhookModifyAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        report_grants(
            cx,
            object,
            &[
                Target::new(ADMISSION, "mutatingwebhookconfigurations"),
                Target::new(ADMISSION, "validatingwebhookconfigurations"),
            ],
            &["create", "update", "patch", "delete", "deletecollection"],
            true,
            |kind, name, g| {
                format!(
                    "{kind} `{name}` can change admission webhooks: {} on `{}`",
                    g.verb_list(),
                    g.resource.0
                )
            },
        );
    }
}
