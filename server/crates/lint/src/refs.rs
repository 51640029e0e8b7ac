//! What an object refers to by name: the ConfigMaps, Secrets, ServiceAccounts, claims and
//! priority classes its pods use, the Services an Ingress routes to, the role a binding grants,
//! the workload an autoscaler scales. Cross-resource rules check these references; navigation
//! follows and renames them.

use picket_model::{Field, Object, PodSpec, View};
use picket_syntax::{TextRange, TextSize};

use crate::helpers::is_true;

/// A reference from a pod to a ConfigMap or a Secret, as written.
#[derive(Clone, Debug)]
pub(crate) struct PodReference<'a> {
    /// The field holding the referenced object's name.
    pub name: Field<'a>,
    /// The keys of the object the reference reads (`configMapKeyRef.key`, volume `items`).
    pub keys: Vec<Field<'a>>,
    /// `optional: true`: the pod starts without the object.
    pub optional: bool,
}

/// The references of `spec` to objects of `kind` (`ConfigMap` or `Secret`).
pub(crate) fn pod_references<'a>(spec: PodSpec<'a>, kind: &str) -> Vec<PodReference<'a>> {
    let secret = kind == "Secret";
    let mut out = Vec::new();
    let mut push = |name: Option<Field<'a>>, optional: Option<Field<'a>>, keys: Vec<Field<'a>>| {
        if let Some(name) = name {
            out.push(PodReference {
                name,
                keys,
                optional: is_true(optional),
            });
        }
    };
    for (_, c) in spec.all_containers() {
        for env in c.env() {
            let Some(from) = env.value_from() else {
                continue;
            };
            let r = if secret {
                from.secret_key_ref()
            } else {
                from.config_map_key_ref()
            };
            if let Some(r) = r {
                push(r.name(), r.optional(), r.key().into_iter().collect());
            }
        }
        for from in c.env_from() {
            let r = if secret {
                from.secret_ref()
            } else {
                from.config_map_ref()
            };
            if let Some(r) = r {
                push(r.name(), r.optional(), Vec::new());
            }
        }
    }
    for volume in spec.volumes() {
        if secret {
            if let Some(s) = volume.secret() {
                push(s.secret_name(), s.optional(), item_keys(s.field("items")));
            }
            if let Some(csi) = volume.field("csi").and_then(|f| f.as_mapping())
                && let Some(r) = csi.get("nodePublishSecretRef")
                && let Some(r) = r.resolve().as_mapping()
            {
                push(r.get_entry("name").map(Field::new), None, Vec::new());
            }
        } else if let Some(cm) = volume.config_map() {
            push(cm.name(), cm.optional(), item_keys(cm.field("items")));
        }
        let sources = volume
            .projected()
            .and_then(|p| p.as_mapping())
            .and_then(|m| m.get_entry("sources"))
            .map(Field::new);
        let key = if secret { "secret" } else { "configMap" };
        for source in sources.into_iter().flat_map(|f| f.items()) {
            if let Some(m) = source.as_mapping()
                && let Some(r) = m.get(key)
                && let Some(r) = r.resolve().as_mapping()
            {
                push(
                    r.get_entry("name").map(Field::new),
                    r.get_entry("optional").map(Field::new),
                    item_keys(r.get_entry("items").map(Field::new)),
                );
            }
        }
    }
    if secret {
        for r in spec.image_pull_secrets() {
            push(r.name(), None, Vec::new());
        }
    }
    out
}

/// The `key` of each item of a volume's `items`.
fn item_keys(items: Option<Field<'_>>) -> Vec<Field<'_>> {
    items
        .into_iter()
        .flat_map(|f| f.items())
        .filter_map(|n| n.as_mapping()?.get_entry("key").map(Field::new))
        .collect()
}

/// A reference by name from one object to another, owned, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The kind of the object referred to (`ConfigMap`, `ClusterRole`, `Deployment`…).
    pub kind: String,
    pub name: String,
    /// The namespace the reference names explicitly (a binding's ServiceAccount subject);
    /// otherwise the referring object's own namespace applies (or none, for cluster-scoped
    /// kinds).
    pub namespace: Option<String>,
    /// The name as written, relative to the document, inside its quotes if it has them.
    pub range: TextRange,
}

/// The range of a name's text, inside its quotes if it is quoted (on one line), so that a
/// rename replaces the name and keeps the quoting.
pub(crate) fn name_range(f: Field<'_>) -> TextRange {
    let range = f.value_range();
    let quoted = f
        .value()
        .as_scalar()
        .is_some_and(|s| s.style().is_quoted() && !s.raw().contains('\n'));
    let one = TextSize::from(1);
    if quoted && range.len() >= one + one {
        TextRange::new(range.start() + one, range.end() - one)
    } else {
        range
    }
}

/// Kinds that live outside namespaces, so a reference to one ignores the referrer's namespace.
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "ClusterRole" | "PriorityClass" | "IngressClass" | "StorageClass" | "Namespace"
    )
}

/// Every reference `o` makes by name (written, non-empty names only).
pub(crate) fn object_references(o: Object<'_>) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut push = |kind: &str, field: Option<Field<'_>>, namespace: Option<&str>| {
        if let Some(f) = field
            && let Some(name) = f.text().filter(|n| !n.is_empty())
        {
            out.push(Reference {
                kind: kind.to_owned(),
                name: name.to_owned(),
                namespace: namespace.map(str::to_owned),
                range: name_range(f),
            });
        }
    };
    if let Some(spec) = o.pod_spec() {
        for kind in ["ConfigMap", "Secret"] {
            for r in pod_references(spec, kind) {
                push(kind, Some(r.name), None);
            }
        }
        push(
            "ServiceAccount",
            spec.service_account_name()
                .or(spec.deprecated_service_account()),
            None,
        );
        push("PriorityClass", spec.priority_class_name(), None);
        for v in spec.volumes() {
            push(
                "PersistentVolumeClaim",
                v.persistent_volume_claim().and_then(|p| p.claim_name()),
                None,
            );
        }
    }
    if let Some(w) = o.spec::<picket_model::WorkloadSpec>()
        && o.is(&["apps"], "StatefulSet")
    {
        push("Service", w.service_name(), None);
    }
    if let Some(ing) = o.as_ingress() {
        for b in ing.all_backends() {
            push("Service", b.service_name(), None);
        }
        for tls in ing.tls().into_iter().flat_map(|f| f.items()) {
            push(
                "Secret",
                tls.as_mapping()
                    .and_then(|m| m.get_entry("secretName"))
                    .map(Field::new),
                None,
            );
        }
        push("IngressClass", ing.ingress_class_name(), None);
    }
    if let Some(t) = o.as_hpa().and_then(|h| h.scale_target_ref())
        && let Some(kind) = t.kind().and_then(|f| f.text())
    {
        push(kind, t.name(), None);
    }
    if let Some(r) = o.role_ref()
        && let Some(kind) = r.kind().and_then(|f| f.text())
    {
        push(kind, r.name(), None);
        for sub in o.subjects() {
            if sub.kind().and_then(|f| f.text()) == Some("ServiceAccount") {
                let ns = sub.namespace().and_then(|f| f.text());
                push("ServiceAccount", sub.name(), ns);
            }
        }
    }
    out
}
