//! The schema at a path of an object: built-in kinds (typed `*List`s and the items of a
//! `v1 List` too) and custom resources defined by the workspace's CRDs.

use std::collections::HashMap;
use std::sync::LazyLock;

use picket_schema::table::{IntFormat, KindEntry, ObjectShape, Prop, Scope, Shape, StrFormat};
use picket_schema::{CrdDef, CrdRegistry, CrdVersion, builtin, group_of};

use crate::yaml_path::{Header, Segment};

/// Where an object's schema comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Root<'a> {
    /// A built-in kind.
    Kind(&'static KindEntry),
    /// A custom resource, at the version its `apiVersion` names.
    Crd(&'a CrdDef, &'a CrdVersion),
    /// `v1 List` (no element kind) or a typed list such as `ConfigMapList`.
    List {
        api_version: &'static str,
        kind: &'static str,
        shape: &'static Shape,
        element: Option<&'static KindEntry>,
    },
}

impl Root<'_> {
    /// `apps/v1` `Deployment`, for messages.
    pub(crate) fn api_version_and_kind(&self) -> (String, &str) {
        match self {
            Root::Kind(k) => (k.api_version.clone(), &k.kind),
            Root::Crd(def, v) => (format!("{}/{}", def.group, v.name), &def.kind),
            Root::List {
                api_version, kind, ..
            } => ((*api_version).to_owned(), kind),
        }
    }
}

/// What the schema says at a path.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found<'a> {
    /// The shape there, as declared (a `Ref` is not followed).
    pub(crate) shape: &'a Shape,
    /// The property the last segment names, when it is a named property (not a map entry or
    /// a list item).
    pub(crate) prop: Option<&'a Prop>,
    /// The last named property on the path (for a list item: the list's property).
    pub(crate) owner: Option<&'a Prop>,
    /// The object the path ends in (a `List` item has its own).
    pub(crate) root: Root<'a>,
    /// At the root of a custom resource, whose schema may leave out `apiVersion`, `kind` and
    /// `metadata`.
    pub(crate) crd_root: bool,
}

static ANY: Shape = Shape::Any;

/// `apiVersion`, `kind` and `metadata` as every built-in kind declares them (Pod's, with
/// their docs): what a custom resource's root holds even when its schema does not say so.
static OBJECT_HEADER: LazyLock<Vec<&'static Prop>> = LazyLock::new(|| {
    let b = builtin();
    let Some(pod) = b.kind("v1", "Pod") else {
        return Vec::new();
    };
    let Shape::Object(o) = &b.type_def(pod.ty).shape else {
        return Vec::new();
    };
    ["apiVersion", "kind", "metadata"]
        .iter()
        .filter_map(|k| o.prop(k))
        .collect()
});

/// The root shapes of lists: `(apiVersion, kind)` to the list's shape and its element kind.
type ListShapes = HashMap<(String, String), (Shape, Option<&'static KindEntry>)>;

static LISTS: LazyLock<ListShapes> = LazyLock::new(|| {
    let b = builtin();
    let meta = b
        .type_named("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta")
        .map_or(Shape::Any, |to| Shape::Ref { to });
    let header = |name: &str| {
        OBJECT_HEADER
            .iter()
            .find(|p| p.name == name)
            .map(|p| (*p).clone())
    };
    let shape = |items: Shape| {
        let mut props: Vec<Prop> = ["apiVersion", "kind"]
            .iter()
            .filter_map(|n| header(n))
            .collect();
        props.push(Prop {
            name: "items".to_owned(),
            shape: Shape::Array {
                items: Box::new(items),
                min_items: None,
                max_items: None,
            },
            required: true,
            doc: None,
            description: "The objects of the list.".to_owned(),
        });
        props.push(Prop {
            name: "metadata".to_owned(),
            shape: meta.clone(),
            required: false,
            doc: None,
            description: String::new(),
        });
        let mut obj = ObjectShape {
            props,
            ..ObjectShape::default()
        };
        picket_schema::table::sort_props_of(&mut obj);
        Shape::Object(obj)
    };
    let mut out = HashMap::new();
    out.insert(
        ("v1".to_owned(), "List".to_owned()),
        (shape(Shape::Any), None),
    );
    for k in b.kinds() {
        if k.scope == Scope::Subresource || k.kind.ends_with("List") {
            continue;
        }
        let key = (k.api_version.clone(), format!("{}List", k.kind));
        out.entry(key)
            .or_insert_with(|| (shape(Shape::Ref { to: k.ty }), Some(k)));
    }
    out
});

fn list_root(api_version: &str, kind: &str) -> Option<Root<'static>> {
    let ((api, k), (shape, element)) =
        LISTS.get_key_value(&(api_version.to_owned(), kind.to_owned()))?;
    Some(Root::List {
        api_version: api,
        kind: k,
        shape,
        element: *element,
    })
}

/// Whether an apiVersion is generally available (`v1`, `apps/v1`), not alpha or beta.
pub(crate) fn is_stable(api_version: &str) -> bool {
    let version = api_version.rsplit('/').next().unwrap_or(api_version);
    !version.contains("alpha") && !version.contains("beta")
}

/// The schema of an object with this `apiVersion` and `kind`. Without an `apiVersion`, the
/// kind's stable built-in version (or a CRD's first served version) stands in.
pub(crate) fn root_of<'a>(header: &Header, crds: &'a CrdRegistry) -> Option<Root<'a>> {
    let b = builtin();
    let kind = header.kind.as_deref()?;
    let Some(api) = header.api_version.as_deref() else {
        let mut versions = b.api_versions_of(kind);
        versions.sort_by_key(|v| !is_stable(v));
        if let Some(v) = versions.first() {
            return b.kind(v, kind).map(Root::Kind);
        }
        let mut defs: Vec<&CrdDef> = crds.iter().filter(|d| d.kind == kind).collect();
        defs.sort_by(|a, b| a.group.cmp(&b.group));
        let def = defs.first()?;
        let version = def.versions.iter().find(|v| v.served)?;
        return Some(Root::Crd(def, version));
    };
    if let Some(entry) = b.kind(api, kind) {
        return Some(Root::Kind(entry));
    }
    if let Some(list) = list_root(api, kind) {
        return Some(list);
    }
    let def = crds.get(group_of(api), kind)?;
    let version = def.version(api.rsplit('/').next().unwrap_or(api))?;
    Some(Root::Crd(def, version))
}

/// Follows `Ref`s to the shape itself, with the name of the last type it went through.
pub(crate) fn resolve(shape: &Shape) -> (&Shape, Option<&'static str>) {
    let b = builtin();
    let mut cur = shape;
    let mut name = None;
    // Refs point at types, never at other refs; the bound only guards a malformed table.
    for _ in 0..8 {
        match cur {
            Shape::Ref { to } if (*to as usize) < b.types().len() => {
                let def = b.type_def(*to);
                name = Some(def.name.as_str());
                cur = &def.shape;
            }
            _ => break,
        }
    }
    (cur, name)
}

/// One step down from `shape`; the property it names, if any.
fn step<'a>(shape: &'a Shape, seg: &Segment) -> Option<(&'a Shape, Option<&'a Prop>)> {
    match (resolve(shape).0, seg) {
        (Shape::Object(o), Segment::Key(k)) => match o.prop(k) {
            Some(p) => Some((&p.shape, Some(p))),
            None => match &o.additional {
                Some(a) => Some((a, None)),
                None if o.preserve_unknown => Some((&ANY, None)),
                None => None,
            },
        },
        (Shape::Array { items, .. }, Segment::Item) => Some((items, None)),
        (Shape::AnyOf { of }, _) => of.iter().find_map(|s| step(s, seg)),
        (Shape::Any, _) => Some((&ANY, None)),
        _ => None,
    }
}

/// The schema at `path` below `root`. `item_header(n)` reads the header of the `n`-th list
/// item on the path, for the items of a `v1 List`.
pub(crate) fn walk<'a>(
    root: Root<'a>,
    path: &[Segment],
    crds: &'a CrdRegistry,
    item_header: &dyn Fn(usize) -> Header,
) -> Option<Found<'a>> {
    walk_from(root, path, crds, item_header, 0, 0)
}

fn walk_from<'a>(
    root: Root<'a>,
    path: &[Segment],
    crds: &'a CrdRegistry,
    item_header: &dyn Fn(usize) -> Header,
    items_before: usize,
    depth: usize,
) -> Option<Found<'a>> {
    let (start, crd_root): (&'a Shape, bool) = match root {
        Root::Kind(k) => (&builtin().type_def(k.ty).shape, false),
        Root::Crd(_, v) => (v.schema.as_ref().unwrap_or(&ANY), true),
        Root::List { shape, element, .. } => {
            if let [Segment::Key(items), Segment::Item, rest @ ..] = path
                && items == "items"
                && depth < 4
            {
                let inner = match element {
                    Some(e) => Root::Kind(e),
                    None => root_of(&item_header(items_before), crds)?,
                };
                return walk_from(inner, rest, crds, item_header, items_before + 1, depth + 1);
            }
            (shape, false)
        }
    };
    let mut found = Found {
        shape: start,
        prop: None,
        owner: None,
        root,
        crd_root: crd_root && path.is_empty(),
    };
    for (i, seg) in path.iter().enumerate() {
        let header_prop = match (i, seg) {
            (0, Segment::Key(k)) if crd_root => OBJECT_HEADER
                .iter()
                .copied()
                .find(|p| p.name == *k)
                .filter(|_| step(start, seg).is_none_or(|(_, p)| p.is_none())),
            _ => None,
        };
        let (shape, prop) = match header_prop {
            Some(p) => (&p.shape, Some(p)),
            None => step(found.shape, seg)?,
        };
        found.shape = shape;
        found.prop = prop;
        if prop.is_some() {
            found.owner = prop;
        }
    }
    Some(found)
}

/// The properties of the object at `found`, by name (none when it is not an object).
pub(crate) fn props<'a>(found: &Found<'a>) -> Vec<&'a Prop> {
    let mut out: Vec<&'a Prop> = match resolve(found.shape).0 {
        Shape::Object(o) => o.props.iter().collect(),
        Shape::AnyOf { of } => of
            .iter()
            .find_map(|s| match resolve(s).0 {
                Shape::Object(o) => Some(o.props.iter().collect()),
                _ => None,
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if found.crd_root {
        for p in OBJECT_HEADER.iter() {
            if !out.iter().any(|o| o.name == p.name) {
                out.push(p);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
    }
    out
}

/// Whether the shape is a map (an object with no named properties, any keys).
pub(crate) fn is_map(shape: &Shape) -> bool {
    matches!(resolve(shape).0, Shape::Object(o) if o.props.is_empty() && o.additional.is_some())
}

/// Whether the shape is a scalar (not an object, a list or anything).
pub(crate) fn is_scalar(shape: &Shape) -> bool {
    matches!(
        resolve(shape).0,
        Shape::String(_)
            | Shape::Integer { .. }
            | Shape::Number { .. }
            | Shape::Boolean
            | Shape::IntOrString
            | Shape::Quantity
    )
}

fn short(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The short type name of a `Ref` to an object type (`Container`).
pub(crate) fn type_name(shape: &Shape) -> Option<&'static str> {
    match shape {
        Shape::Ref { .. } => resolve(shape).1.map(short),
        _ => None,
    }
}

/// How a shape reads in prose: `string`, `integer (int32)`, `list of Container`,
/// `map of string`, `object (SecurityContext)`, `quantity`, `int or string`.
pub(crate) fn type_label(shape: &Shape) -> String {
    let (resolved, name) = resolve(shape);
    match resolved {
        Shape::Object(o) if o.props.is_empty() && o.additional.is_some() => {
            let a = o.additional.as_deref().unwrap_or(&ANY);
            format!("map of {}", item_label(a))
        }
        Shape::Object(_) => match name {
            Some(n) => format!("object ({})", short(n)),
            None => "object".to_owned(),
        },
        Shape::Array { items, .. } => format!("list of {}", item_label(items)),
        Shape::String(s) => match s.format {
            Some(StrFormat::DateTime) => "string (date-time)".to_owned(),
            Some(StrFormat::Byte) => "string (base64)".to_owned(),
            _ => "string".to_owned(),
        },
        Shape::Integer { format, .. } => match format {
            Some(IntFormat::Int32) => "integer (int32)".to_owned(),
            Some(IntFormat::Int64) => "integer (int64)".to_owned(),
            None => "integer".to_owned(),
        },
        Shape::Number { .. } => "number".to_owned(),
        Shape::Boolean => "boolean".to_owned(),
        Shape::IntOrString => "int or string".to_owned(),
        Shape::Quantity => "quantity".to_owned(),
        Shape::Any => "any".to_owned(),
        Shape::AnyOf { of } => {
            let labels: Vec<String> = of.iter().map(type_label).collect();
            format!("one of {}", labels.join(", "))
        }
        Shape::Ref { .. } => "object".to_owned(),
    }
}

/// An item's type inside `list of …`/`map of …`: the type's own name for named objects.
fn item_label(shape: &Shape) -> String {
    match (resolve(shape).0, type_name(shape)) {
        (Shape::Object(o), Some(n)) if !o.props.is_empty() => n.to_owned(),
        _ => type_label(shape),
    }
}

/// The values a string shape allows, when it lists them.
pub(crate) fn enum_values(shape: &Shape) -> &[String] {
    match resolve(shape).0 {
        Shape::String(s) => s.enum_values.as_deref().unwrap_or_default(),
        _ => &[],
    }
}

/// A property's description: from the generated docs, or carried by the property (CRDs).
pub(crate) fn description(prop: &Prop) -> Option<&str> {
    if let Some(d) = prop.doc.and_then(|i| builtin().doc(i)) {
        return Some(d);
    }
    (!prop.description.is_empty()).then_some(prop.description.as_str())
}

/// The description of the type a shape refers to.
pub(crate) fn type_description(shape: &Shape) -> Option<&'static str> {
    let b = builtin();
    match shape {
        Shape::Ref { to } if (*to as usize) < b.types().len() => {
            b.type_def(*to).doc.and_then(|d| b.doc(d))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(api: &str, kind: &str) -> Header {
        Header {
            api_version: Some(api.to_owned()),
            kind: Some(kind.to_owned()),
        }
    }

    fn seg(p: &str) -> Vec<Segment> {
        p.split('.')
            .filter(|s| !s.is_empty())
            .map(|s| match s {
                "[]" => Segment::Item,
                k => Segment::Key(k.to_owned()),
            })
            .collect()
    }

    fn names(found: &Found<'_>) -> Vec<String> {
        props(found).iter().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn built_in_paths() {
        let crds = CrdRegistry::new();
        let none = |_: usize| Header::default();
        let root = root_of(&header("apps/v1", "Deployment"), &crds).unwrap();
        let f = walk(root, &seg("spec.template.spec.containers.[]"), &crds, &none).unwrap();
        assert!(names(&f).contains(&"image".to_owned()));
        assert_eq!(f.owner.unwrap().name, "containers");
        let f = walk(
            root,
            &seg("spec.template.spec.containers.[].imagePullPolicy"),
            &crds,
            &none,
        )
        .unwrap();
        assert_eq!(enum_values(f.shape), ["Always", "IfNotPresent", "Never"]);
        assert_eq!(f.prop.unwrap().name, "imagePullPolicy");
        assert!(walk(root, &seg("spec.nope"), &crds, &none).is_none());
        let f = walk(root, &seg("metadata.labels.app"), &crds, &none).unwrap();
        assert!(f.prop.is_none());
        assert_eq!(type_label(f.shape), "string");
        // Without an apiVersion, the stable one.
        let root = root_of(
            &Header {
                api_version: None,
                kind: Some("CronJob".into()),
            },
            &crds,
        )
        .unwrap();
        assert_eq!(root.api_version_and_kind().0, "batch/v1");
    }

    #[test]
    fn lists() {
        let crds = CrdRegistry::new();
        let item = |_: usize| header("v1", "Service");
        let root = root_of(&header("v1", "List"), &crds).unwrap();
        assert_eq!(
            names(&walk(root, &[], &crds, &item).unwrap()),
            ["apiVersion", "items", "kind", "metadata"]
        );
        let f = walk(root, &seg("items.[].spec"), &crds, &item).unwrap();
        assert!(names(&f).contains(&"selector".to_owned()));
        assert_eq!(f.root.api_version_and_kind().1, "Service");
        let root = root_of(&header("apps/v1", "DeploymentList"), &crds).unwrap();
        let f = walk(root, &seg("items.[].spec"), &crds, &item).unwrap();
        assert!(names(&f).contains(&"template".to_owned()));
        assert_eq!(f.root.api_version_and_kind().1, "Deployment");
        let f = walk(root, &seg("items"), &crds, &item).unwrap();
        assert_eq!(type_label(f.shape), "list of Deployment");
    }

    #[test]
    fn labels_of_types() {
        let crds = CrdRegistry::new();
        let none = |_: usize| Header::default();
        let root = root_of(&header("v1", "Pod"), &crds).unwrap();
        let at = |p: &str| type_label(walk(root, &seg(p), &crds, &none).unwrap().shape);
        assert_eq!(at("spec.containers"), "list of Container");
        assert_eq!(at("spec.nodeSelector"), "map of string");
        assert_eq!(
            at("spec.containers.[].securityContext"),
            "object (SecurityContext)"
        );
        assert_eq!(
            at("spec.containers.[].ports.[].containerPort"),
            "integer (int32)"
        );
        assert_eq!(at("spec.containers.[].resources.limits.cpu"), "quantity");
        assert_eq!(
            at("spec.containers.[].livenessProbe.httpGet.port"),
            "int or string"
        );
        assert_eq!(at("spec.hostNetwork"), "boolean");
        assert_eq!(at("metadata.creationTimestamp"), "string (date-time)");
    }
}
