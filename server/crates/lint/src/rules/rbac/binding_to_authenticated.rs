//! `binding-to-authenticated`: a binding that grants a role to every authenticated identity.

use picket_model::Object;

use super::common::{checked_binding, role_ref, subjects};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

/// The ClusterRoles Kubernetes binds to `system:authenticated` itself.
const BUILT_IN: &[&str] = &[
    "system:basic-user",
    "system:discovery",
    "system:public-info-viewer",
];

declare_rule! {
    /// ## What it flags
    /// A RoleBinding or ClusterRoleBinding with the group `system:authenticated` as a subject.
    /// Bindings of the ClusterRoles Kubernetes grants to that group by default
    /// (`system:basic-user`, `system:discovery`, `system:public-info-viewer`) and bindings the
    /// platform owns (`system:`, `gce:`, `eks:` names) are left alone.
    ///
    /// ## Why it matters
    /// `system:authenticated` is every identity the API server accepts: every service account
    /// of every namespace, every node, and on managed clusters often every account of the
    /// cloud provider (any Google account, on GKE). The role is as good as public.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: everyone-can-view
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: system:authenticated
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: developers-can-view
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: developers
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#hardening
    pub(crate) BindingToAuthenticated {
        name: "binding-to-authenticated",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Binding grants a role to every authenticated identity",
        peers: [
            Kubescape: "C-0265",
            Trivy: "KSV-01011",
        ],
    }
}

impl Rule for BindingToAuthenticated {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_binding(object) else {
            return;
        };
        let Some((role_kind, role, _)) = role_ref(object) else {
            return;
        };
        if role_kind == "ClusterRole" && BUILT_IN.contains(&role) {
            return;
        }
        for (subject_kind, subject) in subjects(object) {
            if subject_kind == "Group" && subject.text() == Some("system:authenticated") {
                cx.report(
                    subject.value_range(),
                    format!(
                        "{kind} `{name}` grants {role_kind} `{role}` to `system:authenticated`: every identity the API server accepts holds it"
                    ),
                );
            }
        }
    }
}
