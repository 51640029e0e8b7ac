//! Custom resource schemas read from CustomResourceDefinition documents.

use std::collections::HashMap;
use std::sync::Arc;

use picket_model::{Object, View};
use picket_syntax::{Node, NodeKind, ScalarValue, TextRange};

use crate::builtin::builtin;
use crate::table::{IntFormat, ObjectShape, Prop, Shape, StrFormat, StringShape};

/// One version of a custom resource.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdVersion {
    pub name: String,
    pub served: bool,
    /// `None` when the version has no schema (anything goes).
    pub schema: Option<Shape>,
}

/// A custom resource kind defined by a CRD.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdDef {
    pub group: String,
    pub kind: String,
    /// `metadata.name` of the CRD (`widgets.example.com`).
    pub name: String,
    pub versions: Vec<CrdVersion>,
    /// Where the CRD was defined (an opaque file label given by the caller) and the range of
    /// its `kind`, for messages and navigation.
    pub origin: String,
    pub origin_range: TextRange,
}

impl CrdDef {
    /// The version called `name`.
    pub fn version(&self, name: &str) -> Option<&CrdVersion> {
        self.versions.iter().find(|v| v.name == name)
    }

    /// The names of the served versions.
    pub fn served_versions(&self) -> Vec<&str> {
        self.versions
            .iter()
            .filter(|v| v.served)
            .map(|v| v.name.as_str())
            .collect()
    }
}

/// Every custom resource kind known in a run or workspace.
#[derive(Clone, Debug, Default)]
pub struct CrdRegistry {
    by_group_kind: HashMap<(String, String), Arc<CrdDef>>,
}

impl CrdRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a definition.
    pub fn insert(&mut self, def: Arc<CrdDef>) {
        self.by_group_kind
            .insert((def.group.clone(), def.kind.clone()), def);
    }

    pub fn get(&self, group: &str, kind: &str) -> Option<&CrdDef> {
        self.by_group_kind
            .get(&(group.to_owned(), kind.to_owned()))
            .map(|d| &**d)
    }

    pub fn len(&self) -> usize {
        self.by_group_kind.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_group_kind.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &CrdDef> {
        self.by_group_kind.values().map(|d| &**d)
    }
}

/// Reads a CustomResourceDefinition object (`apiextensions.k8s.io/v1` or `v1beta1`).
pub fn read_crd(object: Object<'_>, origin: &str) -> Option<CrdDef> {
    let crd = object.as_crd()?;
    let group = crd.group()?.as_str()?.to_owned();
    let kind = crd.names()?.kind()?.as_str()?.to_owned();
    let name = object.name().unwrap_or_default().to_owned();
    let mut versions = Vec::new();
    // v1beta1 kept one schema for all versions in `spec.validation`.
    let shared = crd
        .field("validation")
        .and_then(|f| f.as_mapping())
        .and_then(|m| m.get("openAPIV3Schema"))
        .map(|n| convert(n.resolve(), 0, &mut ConvertBudget::default()));
    for v in crd.versions() {
        let Some(vname) = v.name().and_then(|n| n.as_str()) else {
            continue;
        };
        let served = v.served().and_then(|s| s.as_bool()).unwrap_or(true);
        let schema = v
            .schema()
            .and_then(|s| s.open_api_v3_schema())
            .map(|f| convert(f.value(), 0, &mut ConvertBudget::default()))
            .or_else(|| shared.clone());
        versions.push(CrdVersion {
            name: vname.to_owned(),
            served,
            schema,
        });
    }
    if versions.is_empty() {
        // v1beta1 with a single `spec.version`.
        if let Some(v) = crd.field("version").and_then(|f| f.as_str()) {
            versions.push(CrdVersion {
                name: v.to_owned(),
                served: true,
                schema: shared,
            });
        }
    }
    Some(CrdDef {
        group,
        kind,
        name,
        versions,
        origin: origin.to_owned(),
        origin_range: object.header_range(),
    })
}

fn flag(node: Node<'_>, key: &str) -> bool {
    node.as_mapping()
        .and_then(|m| m.get(key))
        .and_then(|v| v.resolve().as_scalar())
        .is_some_and(|s| s.resolved() == ScalarValue::Bool(true))
}

fn number(node: Node<'_>, key: &str) -> Option<f64> {
    match node
        .as_mapping()?
        .get(key)?
        .resolve()
        .as_scalar()?
        .resolved()
    {
        ScalarValue::Int(i) => Some(i as f64),
        ScalarValue::Float(f) => Some(f),
        _ => None,
    }
}

fn text<'a>(node: Node<'a>, key: &str) -> Option<&'a str> {
    node.as_mapping()?
        .get(key)?
        .resolve()
        .as_scalar()
        .map(|s| s.value())
}

/// Bounds the nodes a schema conversion may visit, so aliases cannot make it explode.
#[derive(Debug)]
pub struct ConvertBudget {
    left: usize,
}

impl Default for ConvertBudget {
    fn default() -> Self {
        ConvertBudget { left: 200_000 }
    }
}

/// Converts an OpenAPI v3 schema (as YAML) into a [`Shape`]. Unknown or unsupported parts
/// become [`Shape::Any`], so a CRD never makes Picket report something the server accepts.
pub fn convert(node: Node<'_>, depth: usize, budget: &mut ConvertBudget) -> Shape {
    let node = node.resolve();
    if depth > 64 || node.kind() != NodeKind::Mapping || budget.left == 0 {
        return Shape::Any;
    }
    budget.left -= 1;
    if flag(node, "x-kubernetes-int-or-string") {
        return Shape::IntOrString;
    }
    let ty = text(node, "type");
    let m = node.as_mapping().expect("checked above");
    let shape = match ty {
        Some("object") | None
            if m.get("properties").is_some() || m.get("additionalProperties").is_some() =>
        {
            let mut obj = ObjectShape {
                preserve_unknown: flag(node, "x-kubernetes-preserve-unknown-fields"),
                embedded_resource: flag(node, "x-kubernetes-embedded-resource"),
                ..ObjectShape::default()
            };
            let required: Vec<&str> = m
                .get("required")
                .map(|r| {
                    r.resolve()
                        .children()
                        .filter_map(|c| c.as_scalar())
                        .map(|s| s.value())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(props) = m.get("properties").and_then(|p| p.resolve().as_mapping()) {
                for e in props.entries() {
                    let Some(name) = e.key_str() else { continue };
                    obj.props.push(Prop {
                        name: name.to_owned(),
                        shape: convert(e.value, depth + 1, budget),
                        required: required.contains(&name),
                        doc: None,
                        description: text(e.value.resolve(), "description")
                            .unwrap_or_default()
                            .to_owned(),
                    });
                }
            }
            match m.get("additionalProperties").map(|a| a.resolve()) {
                Some(a) if a.kind() == NodeKind::Mapping => {
                    obj.additional = Some(Box::new(convert(a, depth + 1, budget)))
                }
                Some(a)
                    if a.as_scalar()
                        .is_some_and(|s| s.resolved() == ScalarValue::Bool(true)) =>
                {
                    obj.additional = Some(Box::new(Shape::Any))
                }
                _ => {}
            }
            if obj.embedded_resource {
                add_embedded_metadata(&mut obj);
            }
            crate::table::sort_props_of(&mut obj);
            Shape::Object(obj)
        }
        Some("object") => {
            // No properties: with preserve-unknown anything goes; without, only an empty object
            // survives pruning, but servers accept (and drop) unknown fields here, so accept.
            Shape::Any
        }
        Some("array") => match m.get("items") {
            Some(items) => Shape::Array {
                items: Box::new(convert(items, depth + 1, budget)),
                min_items: number(node, "minItems").map(|n| n as u64),
                max_items: number(node, "maxItems").map(|n| n as u64),
            },
            None => Shape::Array {
                items: Box::new(Shape::Any),
                min_items: None,
                max_items: None,
            },
        },
        Some("string") => Shape::String(StringShape {
            enum_values: m.get("enum").map(|e| {
                e.resolve()
                    .children()
                    .filter_map(|c| c.as_scalar())
                    .map(|s| s.value().to_owned())
                    .collect()
            }),
            format: match text(node, "format") {
                Some("byte") => Some(StrFormat::Byte),
                Some("date-time") => Some(StrFormat::DateTime),
                _ => None,
            },
            pattern: text(node, "pattern").map(str::to_owned),
            min_length: number(node, "minLength").map(|n| n as u64),
            max_length: number(node, "maxLength").map(|n| n as u64),
        }),
        Some("integer") => Shape::Integer {
            format: match text(node, "format") {
                Some("int32") => Some(IntFormat::Int32),
                _ => Some(IntFormat::Int64),
            },
            minimum: number(node, "minimum"),
            maximum: number(node, "maximum"),
        },
        Some("number") => Shape::Number {
            minimum: number(node, "minimum"),
            maximum: number(node, "maximum"),
        },
        Some("boolean") => Shape::Boolean,
        _ => Shape::Any,
    };
    if flag(node, "x-kubernetes-preserve-unknown-fields")
        && !matches!(shape, Shape::Object(_))
        && ty.is_none()
    {
        return Shape::Any;
    }
    shape
}

/// Embedded resources carry `apiVersion`, `kind` and `metadata` even if the schema omits them.
fn add_embedded_metadata(obj: &mut ObjectShape) {
    let meta = builtin().type_named("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    for (name, shape) in [
        ("apiVersion", Shape::String(StringShape::default())),
        ("kind", Shape::String(StringShape::default())),
        ("metadata", meta.map_or(Shape::Any, |to| Shape::Ref { to })),
    ] {
        if !obj.props.iter().any(|p| p.name == name) {
            obj.props.push(Prop {
                name: name.to_owned(),
                shape,
                required: false,
                doc: None,
                description: String::new(),
            });
        }
    }
}
