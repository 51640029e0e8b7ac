//! `wildcard-in-rbac-rules`: `*` in the verbs, resources or API groups of a Role or ClusterRole.

use picket_model::Object;

use super::common::{checked_role, items};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole with `*` in `verbs`, `resources` or `apiGroups`: one
    /// finding per wildcard. Roles the platform owns (`system:`, `gce:`, `eks:` names) and the
    /// default ClusterRoles (`cluster-admin`, `admin`, `edit`, `view`) are left alone.
    ///
    /// ## Why it matters
    /// A wildcard grants everything that exists today and everything added later: every
    /// subresource (`pods/exec`, `nodes/proxy`), verbs such as `escalate`, `bind` and
    /// `impersonate`, and the resources of every CRD installed after the role was written.
    /// Least privilege means listing what the subject needs.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: deployer
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: deployer
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "watch", "update", "patch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
    pub(crate) WildcardInRbacRules {
        name: "wildcard-in-rbac-rules",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole grants `*` verbs, resources or API groups",
        peers: [
            KubeLinter: "wildcard-in-rules",
            Kubescape: "C-0187",
            Checkov: "CKV_K8S_49",
            Trivy: "KSV-0044",
            Trivy: "KSV-0045",
            Trivy: "KSV-0046",
            Trivy: "KSV-0112",
        ],
    }
}

impl Rule for WildcardInRbacRules {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_role(object) else {
            return;
        };
        for rule in object.policy_rules() {
            let fields = [
                (rule.api_groups(), "every API group"),
                (rule.resources(), "every resource"),
                (rule.verbs(), "every verb"),
            ];
            for (field, what) in fields {
                for (_, range) in items(field).into_iter().filter(|(v, _)| *v == "*") {
                    cx.report(range, format!("{kind} `{name}` grants {what} (`*`)"));
                }
            }
        }
    }
}
