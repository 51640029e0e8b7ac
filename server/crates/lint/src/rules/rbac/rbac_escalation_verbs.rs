//! `rbac-escalation-verbs`: a Role or ClusterRole that can grant permissions it does not hold.

use picket_model::Object;

use super::common::{Target, checked_role, grant};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

const RBAC: &str = "rbac.authorization.k8s.io";

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting:
    /// - `bind` or `escalate` (or `*`) on `roles` or `clusterroles`: the two verbs that lift
    ///   RBAC's escalation check;
    /// - `create`, `update` or `patch` (or `*`) on `rolebindings` or `clusterrolebindings`.
    ///
    /// `*` resources and groups included. Roles the platform owns (`system:`, `gce:`, `eks:`
    /// names) and the default ClusterRoles are left alone.
    ///
    /// ## Why it matters
    /// RBAC normally refuses to let a subject grant permissions it does not hold. `escalate`
    /// lets it edit a role to add anything; `bind` lets it bind any role, `cluster-admin`
    /// included. Creating bindings hands the subject's permissions (and, with `bind`, any
    /// role's) to identities it controls. Each is a path to cluster-admin.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: team-onboarding
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     verbs: ["bind", "escalate"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: team-onboarding
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles", "clusterrolebindings"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#bind-verb
    pub(crate) RbacEscalationVerbs {
        name: "rbac-escalation-verbs",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can bind, escalate or create role bindings",
        peers: [
            Kubescape: "C-0191",
            Checkov: "CKV_K8S_157",
            Checkov: "CKV_K8S_158",
            Checkov: "CKV2_K8S_1",
            Trivy: "KSV-0050",
            Trivy: "KSV-0051",
            Trivy: "KSV-0052",
            Trivy: "KSV-0055",
        ],
    }
}

impl Rule for RbacEscalationVerbs {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_role(object) else {
            return;
        };
        let roles = [
            Target::new(RBAC, "roles"),
            Target::new(RBAC, "clusterroles"),
        ];
        let bindings = [
            Target::new(RBAC, "rolebindings"),
            Target::new(RBAC, "clusterrolebindings"),
        ];
        for rule in object.policy_rules() {
            let bind = grant(rule, &roles, &["bind", "escalate"], true);
            let create = grant(rule, &bindings, &["create", "update", "patch"], true);
            match (bind, create) {
                // `*` on `*`: one finding for both.
                (Some(b), Some(c)) if b.resource.1 == c.resource.1 => {
                    cx.report(
                        b.resource.1,
                        format!(
                            "{kind} `{name}` can grant permissions it does not hold and change role bindings: {} on `{}`",
                            b.verb_list(),
                            b.resource.0
                        ),
                    );
                }
                (bind, create) => {
                    if let Some(g) = bind {
                        cx.report(
                            g.resource.1,
                            format!(
                                "{kind} `{name}` can grant permissions it does not hold: {} on `{}`",
                                g.verb_list(),
                                g.resource.0
                            ),
                        );
                    }
                    if let Some(g) = create {
                        cx.report(
                            g.resource.1,
                            format!(
                                "{kind} `{name}` can create or change role bindings: {} on `{}`",
                                g.verb_list(),
                                g.resource.0
                            ),
                        );
                    }
                }
            }
        }
    }
}
