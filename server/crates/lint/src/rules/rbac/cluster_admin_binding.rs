//! `cluster-admin-binding`: a binding to `cluster-admin` or to a role that grants every verb on
//! every resource.

use picket_model::Object;

use super::common::{checked_binding, referenced_role, role_ref};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A RoleBinding or ClusterRoleBinding whose `roleRef` is the ClusterRole `cluster-admin`,
    /// or a Role or ClusterRole of the files checked together that grants every verb (`*`, or
    /// all of `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`) on every resource
    /// (`*`) of every API group (`*`). Bindings the platform owns (`system:`, `gce:`, `eks:`
    /// names) are left alone.
    ///
    /// ## Why it matters
    /// Whoever holds such a binding controls the cluster (or the whole namespace, for a
    /// RoleBinding): they can read every Secret, run any pod on any node and grant themselves
    /// anything else. A stolen token of a bound service account is a cluster takeover.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-admin
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: ci
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: ci-deployer
    ///   namespace: web
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: ci
    ///     namespace: ci
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles
    pub(crate) ClusterAdminBinding {
        name: "cluster-admin-binding",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Binding grants cluster-admin or an equivalent role",
        peers: [
            KubeLinter: "cluster-admin-role-binding",
            Polaris: "clusterrolebindingClusterAdmin",
            Polaris: "rolebindingClusterAdminClusterRole",
            Polaris: "rolebindingClusterAdminRole",
            Kubescape: "C-0035",
            Kubescape: "C-0185",
            Trivy: "KSV-0111",
        ],
    }
}

impl Rule for ClusterAdminBinding {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some((kind, name)) = checked_binding(object) else {
            return;
        };
        let Some((role_kind, role, range)) = role_ref(object) else {
            return;
        };
        let scope = if kind == "ClusterRoleBinding" {
            "the whole cluster"
        } else {
            "its namespace"
        };
        if role_kind == "ClusterRole" && role == "cluster-admin" {
            cx.report(
                range,
                format!("{kind} `{name}` grants `cluster-admin`: full control of {scope}"),
            );
            return;
        }
        if referenced_role(cx, role_kind, role, object.namespace()).is_some_and(|r| r.admin_role) {
            cx.report(
                range,
                format!(
                    "{kind} `{name}` binds {role_kind} `{role}`, which grants every verb on every resource: full control of {scope}"
                ),
            );
        }
    }
}
