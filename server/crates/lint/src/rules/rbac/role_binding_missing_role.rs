//! `role-binding-missing-role`: a RoleBinding or ClusterRoleBinding whose role the run does
//! not define.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A RoleBinding or ClusterRoleBinding whose `roleRef` names a Role (in the binding's
    /// namespace) or a ClusterRole that the files checked together do not define.
    ///
    /// The ClusterRoles every cluster has are never flagged: `cluster-admin`, `admin`,
    /// `edit`, `view` and every `system:…` role. The rule stays quiet when the files define
    /// no object of the referenced kind at all: roles then evidently come from elsewhere.
    ///
    /// ## Why it matters
    /// A binding to a role that does not exist grants nothing: the subjects get `forbidden`
    /// errors at run time. Worse, whoever later creates a role of that name, for another
    /// purpose, silently grants it to these subjects.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: config-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [configmaps]
    ///     verbs: [get, list, watch]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: web-config-reader
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: configmap-reader
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: web
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: config-reader
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [configmaps]
    ///     verbs: [get, list, watch]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: web-config-reader
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-reader
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: web
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding
    /// - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings
    pub(crate) RoleBindingMissingRole {
        name: "role-binding-missing-role",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role binding refers to a role that is not defined",
        peers: [],
    }
}

const GROUPS: &[&str] = &["rbac.authorization.k8s.io"];

impl Rule for RoleBindingMissingRole {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let Some(role_ref) = object.role_ref() else {
            return;
        };
        let (Some(kind), Some(name_field)) = (role_ref.kind().and_then(|f| f.text()), role_ref.name())
        else {
            return;
        };
        let Some(name) = name_field.text().filter(|n| !n.is_empty()) else {
            return;
        };
        let namespace = match kind {
            "Role" => object.namespace(),
            "ClusterRole" => {
                if matches!(name, "cluster-admin" | "admin" | "edit" | "view")
                    || name.starts_with("system:")
                {
                    return;
                }
                None
            }
            _ => return,
        };
        let index = cx.index();
        if !index.has_kind(GROUPS, kind) {
            return;
        }
        let found = index.of_kind(kind).any(|(_, s)| {
            s.is(GROUPS, kind)
                && s.name == name
                && (kind == "ClusterRole" || s.same_namespace(namespace))
        });
        if found {
            return;
        }
        let binding = object.kind().and_then(|f| f.text()).unwrap_or("RoleBinding");
        let where_ = match namespace {
            Some(ns) => format!(" in namespace `{ns}`"),
            None => " in the files checked".to_owned(),
        };
        cx.report(
            name_field.value_range(),
            format!(
                "{binding} `{}` refers to {kind} `{name}`, which is not defined{where_}",
                object.name().unwrap_or("<unnamed>")
            ),
        );
    }
}
