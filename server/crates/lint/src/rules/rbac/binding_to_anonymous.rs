//! `binding-to-anonymous`: a binding that grants a role to unauthenticated requests.

use picket_model::Object;

use super::common::{checked_binding, role_ref, subjects};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A RoleBinding or ClusterRoleBinding with the subject `system:anonymous` (the user of
    /// requests without credentials) or `system:unauthenticated` (their group). A binding of
    /// `system:public-info-viewer`, which Kubernetes itself grants to everyone, and bindings
    /// the platform owns (`system:`, `gce:`, `eks:` names) are left alone.
    ///
    /// ## Why it matters
    /// Whatever the role allows, anyone who can reach the API server can do, without a
    /// credential. Clusters with public API endpoints are scanned for this continuously.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: public-status
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: status-reader
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: system:unauthenticated
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: status-readers
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: status-reader
    /// subjects:
    ///   - apiGroup: rbac.authorization.k8s.io
    ///     kind: Group
    ///     name: status-readers
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#hardening
    pub(crate) BindingToAnonymous {
        name: "binding-to-anonymous",
        category: Rbac,
        severity: Error,
        fix: None,
        summary: "Binding grants a role to unauthenticated users",
        peers: [
            Kubescape: "C-0262",
            Trivy: "KSV-0122",
        ],
    }
}

impl Rule for BindingToAnonymous {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_binding(object) else {
            return;
        };
        let Some((role_kind, role, _)) = role_ref(object) else {
            return;
        };
        if role_kind == "ClusterRole" && role == "system:public-info-viewer" {
            return;
        }
        for (_, subject) in subjects(object) {
            let Some(who) = subject.text() else { continue };
            if matches!(who, "system:anonymous" | "system:unauthenticated") {
                cx.report(
                    subject.value_range(),
                    format!(
                        "{kind} `{name}` grants {role_kind} `{role}` to `{who}`: anyone who reaches the API server holds it"
                    ),
                );
            }
        }
    }
}
