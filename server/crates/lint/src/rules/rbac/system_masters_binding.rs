//! `system-masters-binding`: a binding whose subject is the `system:masters` group.

use picket_model::Object;

use super::common::{checked_binding, role_ref, subjects};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A RoleBinding or ClusterRoleBinding with the group `system:masters` as a subject.
    /// Bindings the platform owns (`system:`, `gce:`, `eks:` names) are left alone.
    ///
    /// ## Why it matters
    /// Members of `system:masters` bypass RBAC and every authorization webhook: the binding
    /// grants nothing they lack, and signals that credentials carrying the group are in use
    /// or planned. Such credentials (client certificates, mostly) cannot be revoked through
    /// RBAC; removing a binding never takes their power away. Use a dedicated group bound
    /// to `cluster-admin` instead, which RBAC can revoke.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ops-admins
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: system:masters
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ops-admins
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: ops
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
    pub(crate) SystemMastersBinding {
        name: "system-masters-binding",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Binding names the `system:masters` group",
        peers: [
            Kubescape: "C-0246",
            Trivy: "KSV-0123",
        ],
    }
}

impl Rule for SystemMastersBinding {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_binding(object) else {
            return;
        };
        let Some((role_kind, role, _)) = role_ref(object) else {
            return;
        };
        for (subject_kind, subject) in subjects(object) {
            if subject_kind == "Group" && subject.text() == Some("system:masters") {
                cx.report(
                    subject.value_range(),
                    format!(
                        "{kind} `{name}` binds {role_kind} `{role}` to `system:masters`, a group that bypasses RBAC and cannot be revoked"
                    ),
                );
            }
        }
    }
}
