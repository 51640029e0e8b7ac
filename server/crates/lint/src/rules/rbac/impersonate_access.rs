//! `impersonate-access`: a Role or ClusterRole that can impersonate users, groups or service
//! accounts.

use picket_model::Object;

use super::common::{Target, checked_role, grant};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

/// What can be impersonated.
const TARGETS: &[Target<'static>] = &[
    Target::new("", "users"),
    Target::new("", "groups"),
    Target::new("", "serviceaccounts"),
    Target::new("authentication.k8s.io", "uids"),
];

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting the `impersonate` verb (or `*`) on `users`,
    /// `groups` or `serviceaccounts` (or `uids` of `authentication.k8s.io`), `*` included. The
    /// finding points at the verb. Roles the platform owns (`system:`, `gce:`, `eks:` names)
    /// and the default ClusterRoles are left alone.
    ///
    /// ## Why it matters
    /// Impersonation makes every request count as another identity's: whoever may impersonate
    /// a group such as `system:masters`, or a service account bound to an admin role, holds
    /// those permissions too. It is a privilege escalation path that audit logs attribute to
    /// the impersonated user.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: support
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["users", "groups"]
    ///     verbs: ["impersonate"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: support
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods", "events"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#impersonate-verb
    pub(crate) ImpersonateAccess {
        name: "impersonate-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can impersonate other identities",
        peers: [
            Kubescape: "C-0065",
            Checkov: "CKV2_K8S_3",
            Trivy: "KSV-0043",
        ],
    }
}

impl Rule for ImpersonateAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_role(object) else {
            return;
        };
        for rule in object.policy_rules() {
            let Some(g) = grant(rule, TARGETS, &["impersonate"], true) else {
                continue;
            };
            let Some(&(verb, range)) = g.verbs.first() else {
                continue;
            };
            cx.report(
                range,
                format!(
                    "{kind} `{name}` can impersonate other identities: `{verb}` on `{}`",
                    g.resource.0
                ),
            );
        }
    }
}
