//! The schema table format: what `cargo xtask codegen` writes and the validator reads.
//!
//! One table holds every built-in kind of one Kubernetes version: the kinds with their
//! apiVersion, scope and root type, and the types as [`Shape`]s that refer to each other by
//! index. Field descriptions live in a second file, loaded only for hover.

use serde::{Deserialize, Serialize};

/// The whole table.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Table {
    /// Kubernetes minor version, like `1.37`.
    pub kubernetes: String,
    /// What produced the table.
    pub generator: String,
    pub kinds: Vec<KindEntry>,
    pub types: Vec<TypeDef>,
}

/// A kind served by the API: `apps/v1` `Deployment`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KindEntry {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub scope: Scope,
    /// Index of the root type in [`Table::types`].
    #[serde(rename = "type")]
    pub ty: u32,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Namespaced,
    Cluster,
    /// Kinds that only exist as request or response bodies (`Eviction`, `TokenReview`).
    Subresource,
}

/// A named type, like `io.k8s.api.core.v1.Container`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TypeDef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<u32>,
    pub shape: Shape,
}

/// What a value must look like.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "t", rename_all = "kebab-case")]
pub enum Shape {
    /// The named type at this index of [`Table::types`].
    Ref {
        to: u32,
    },
    Object(ObjectShape),
    Array {
        items: Box<Shape>,
        #[serde(default, skip_serializing_if = "Option::is_none", rename = "minItems")]
        min_items: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none", rename = "maxItems")]
        max_items: Option<u64>,
    },
    String(StringShape),
    Integer {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<IntFormat>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minimum: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        maximum: Option<f64>,
    },
    Number {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minimum: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        maximum: Option<f64>,
    },
    Boolean,
    /// An integer or a string (`targetPort: 8080` or `targetPort: http`).
    IntOrString,
    /// A resource quantity: `500m`, `1Gi`, `2`, `0.5`.
    Quantity,
    /// Anything at all (`RawExtension`, `x-kubernetes-preserve-unknown-fields`).
    Any,
    /// Any of these shapes.
    AnyOf {
        of: Vec<Shape>,
    },
}

/// An object with known properties, or a map (`additional`), or both.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ObjectShape {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Prop>,
    /// The shape of every value not named in `props` (a map); `None` means no other keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<Box<Shape>>,
    /// The format map keys must have (label keys for `labels`).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "keyFormat")]
    pub key_format: Option<StrFormat>,
    /// Unknown keys are kept, not rejected.
    #[serde(default, skip_serializing_if = "is_false", rename = "preserveUnknown")]
    pub preserve_unknown: bool,
    /// An embedded Kubernetes object (`x-kubernetes-embedded-resource`).
    #[serde(default, skip_serializing_if = "is_false", rename = "embeddedResource")]
    pub embedded_resource: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One property of an object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Prop {
    pub name: String,
    pub shape: Shape,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<u32>,
    /// The description carried by the property itself, for schemas that are not in the
    /// generated docs file (workspace CRDs). Never written to the table, so it stays as it is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StringShape {
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StrFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "minLength")]
    pub min_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "maxLength")]
    pub max_length: Option<u64>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum IntFormat {
    Int32,
    Int64,
}

/// Formats a string must follow.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum StrFormat {
    /// Base64 (`Secret.data` values).
    Byte,
    /// RFC 3339 time.
    DateTime,
    /// A label or annotation key: an optional DNS subdomain prefix and a name.
    LabelKey,
    /// A label value: at most 63 characters, alphanumeric at both ends.
    LabelValue,
    /// An RFC 1123 DNS label (container names, volume names).
    DnsLabel,
    /// An RFC 1123 DNS subdomain.
    DnsSubdomain,
    /// `metadata.name`: the rule depends on the kind.
    ObjectName,
    /// A named port: an IANA service name.
    PortName,
}

/// Sorts every object's properties by name, so lookups can binary-search.
pub fn sort_props(shape: &mut Shape) {
    match shape {
        Shape::Object(o) => {
            o.props.sort_by(|a, b| a.name.cmp(&b.name));
            for p in &mut o.props {
                sort_props(&mut p.shape);
            }
            if let Some(a) = &mut o.additional {
                sort_props(a);
            }
        }
        Shape::Array { items, .. } => sort_props(items),
        Shape::AnyOf { of } => of.iter_mut().for_each(sort_props),
        _ => {}
    }
}

/// Sorts one object's properties by name (not recursively).
pub fn sort_props_of(obj: &mut ObjectShape) {
    obj.props.sort_by(|a, b| a.name.cmp(&b.name));
}

impl ObjectShape {
    /// The property called `name`.
    pub fn prop(&self, name: &str) -> Option<&Prop> {
        self.props
            .binary_search_by(|p| p.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.props[i])
    }
}
