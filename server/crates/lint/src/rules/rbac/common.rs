//! RBAC matching shared by the rbac rules: which roles and bindings to leave alone, and whether
//! a rule of a Role or ClusterRole grants a verb on a resource the way the API server's
//! authorizer decides it (`*` in `apiGroups`, `resources` and `verbs`, `*/subresource`).

use picket_model::{Field, Object, PolicyRule};
use picket_syntax::TextRange;

use crate::engine::Cx;
use crate::index::Summary;

/// Names the platform creates and reconciles itself: `system:` is reserved for Kubernetes
/// components, `gce:` and `eks:` for the managed control planes of GKE and EKS.
pub(crate) fn is_platform_name(name: &str) -> bool {
    ["system:", "gce:", "eks:"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The user-facing ClusterRoles every cluster ships (`cluster-admin`, `admin`, `edit`, `view`):
/// a manifest that declares them restates the defaults.
pub(crate) fn is_default_cluster_role(kind: &str, name: &str) -> bool {
    kind == "ClusterRole" && matches!(name, "cluster-admin" | "admin" | "edit" | "view")
}

/// A Role or ClusterRole worth checking: its kind and name, unless the platform owns it.
pub(crate) fn checked_role<'a>(object: Object<'a>) -> Option<(&'a str, &'a str)> {
    let gvk = object.gvk()?;
    if gvk.group != "rbac.authorization.k8s.io" || !matches!(gvk.kind, "Role" | "ClusterRole") {
        return None;
    }
    let name = object.name().unwrap_or("<unnamed>");
    if is_platform_name(name) || is_default_cluster_role(gvk.kind, name) {
        return None;
    }
    Some((gvk.kind, name))
}

/// A RoleBinding or ClusterRoleBinding worth checking: its kind and name, unless the platform
/// owns it.
pub(crate) fn checked_binding<'a>(object: Object<'a>) -> Option<(&'a str, &'a str)> {
    object.role_ref()?;
    let kind = object.gvk()?.kind;
    let name = object.name().unwrap_or("<unnamed>");
    if is_platform_name(name) {
        return None;
    }
    Some((kind, name))
}

/// The string items of a list field with their ranges.
pub(crate) fn items<'a>(field: Option<Field<'a>>) -> Vec<(&'a str, TextRange)> {
    field
        .into_iter()
        .flat_map(|f| f.items())
        .filter_map(|n| n.as_scalar().map(|s| (s.value(), n.range())))
        .collect()
}

/// A resource as the authorizer names it: `pods`, or `pods/exec` for a subresource.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'t> {
    pub(crate) group: &'t str,
    pub(crate) resource: &'t str,
}

impl<'t> Target<'t> {
    pub(crate) const fn new(group: &'t str, resource: &'t str) -> Self {
        Target { group, resource }
    }
}

/// What one policy rule grants on a set of targets.
#[derive(Clone, Debug)]
pub(crate) struct Grant<'a> {
    /// The item of `resources` that matched (`secrets`, `*`, `*/exec`), with its range.
    pub(crate) resource: (&'a str, TextRange),
    /// The items of `verbs` that matched (`get`, `*`), with their ranges.
    pub(crate) verbs: Vec<(&'a str, TextRange)>,
}

impl Grant<'_> {
    /// `` `get`, `list` ``.
    pub(crate) fn verb_list(&self) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for (v, _) in &self.verbs {
            if !seen.contains(v) {
                seen.push(v);
            }
        }
        seen.iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whether a `resources` item covers `resource`, the authorizer's way: `*` covers everything,
/// `*/exec` covers every `…/exec` subresource.
fn resource_matches(item: &str, resource: &str) -> bool {
    if item == "*" || item == resource {
        return true;
    }
    match (item.strip_prefix("*/"), resource.split_once('/')) {
        (Some(sub), Some((_, wanted))) => sub == wanted,
        _ => false,
    }
}

/// What `rule` grants of `verbs` on any of `targets`: the first matching resource item and the
/// matching verb items. `None` when it grants none of them. Rules restricted by
/// `resourceNames` count only when `named` is true.
pub(crate) fn grant<'a>(
    rule: PolicyRule<'a>,
    targets: &[Target<'_>],
    verbs: &[&str],
    named: bool,
) -> Option<Grant<'a>> {
    if !named && !items(rule.resource_names()).is_empty() {
        return None;
    }
    let groups = items(rule.api_groups());
    let resources = items(rule.resources());
    let verb_items: Vec<(&str, TextRange)> = items(rule.verbs())
        .into_iter()
        .filter(|(v, _)| *v == "*" || verbs.contains(v))
        .collect();
    if verb_items.is_empty() {
        return None;
    }
    let resource = resources.iter().copied().find(|(item, _)| {
        targets.iter().any(|t| {
            resource_matches(item, t.resource)
                && groups.iter().any(|(g, _)| *g == "*" || *g == t.group)
        })
    })?;
    Some(Grant {
        resource,
        verbs: verb_items,
    })
}

/// Reports every rule of a checked Role or ClusterRole that grants `verbs` on `targets`, at the
/// matching resource item. `describe(kind, name, grant)` writes the message.
pub(crate) fn report_grants(
    cx: &mut Cx<'_>,
    object: Object<'_>,
    targets: &[Target<'_>],
    verbs: &[&str],
    named: bool,
    describe: impl Fn(&str, &str, &Grant<'_>) -> String,
) {
    let Some((kind, name)) = checked_role(object) else {
        return;
    };
    for rule in object.policy_rules() {
        if let Some(g) = grant(rule, targets, verbs, named) {
            let message = describe(kind, name, &g);
            cx.report(g.resource.1, message);
        }
    }
}

/// The roleRef of a binding: `(kind, name, range of the name's value)`.
pub(crate) fn role_ref<'a>(object: Object<'a>) -> Option<(&'a str, &'a str, TextRange)> {
    let r = object.role_ref()?;
    let kind = r.kind()?.text()?;
    let name = r.name()?;
    Some((kind, name.text()?, name.value_range()))
}

/// The role a binding refers to, if the run or workspace defines it: a ClusterRole by name, a
/// Role by name in the binding's namespace.
pub(crate) fn referenced_role<'i>(
    cx: &Cx<'i>,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
) -> Option<&'i Summary> {
    let index = cx.index();
    let rbac = ["rbac.authorization.k8s.io"];
    index
        .of_kind(kind)
        .map(|(_, s)| s)
        .find(|s| match kind {
            "ClusterRole" => s.is(&rbac, "ClusterRole") && s.name == name,
            "Role" => s.is(&rbac, "Role") && s.name == name && s.same_namespace(namespace),
            _ => false,
        })
}

/// The subjects of a binding: `(kind, name field)`.
pub(crate) fn subjects<'a>(object: Object<'a>) -> impl Iterator<Item = (&'a str, Field<'a>)> {
    object.subjects().filter_map(|s| {
        let kind = s.kind().and_then(|f| f.text()).unwrap_or("");
        Some((kind, s.name()?))
    })
}
