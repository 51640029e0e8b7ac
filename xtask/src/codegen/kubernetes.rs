//! Generates the Kubernetes schema tables of `picket-schema` from `k8s-openapi`'s JSON Schemas.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use picket_schema::table::{
    IntFormat, KindEntry, ObjectShape, Prop, Scope, Shape, StrFormat, StringShape, Table, TypeDef,
};
use serde_json::Value;

use super::kubernetes_refinements::{REFINEMENTS, Refine, type_name};
use super::kubernetes_resources::for_each_resource;

/// A resource type as `k8s-openapi` describes it.
struct Root {
    api_version: &'static str,
    kind: &'static str,
    scope: Scope,
    rust_path: &'static str,
    schema: Value,
}

fn scope_of<T: k8s_openapi::Resource>() -> Scope {
    let name = std::any::type_name::<T::Scope>();
    if name.ends_with("NamespaceResourceScope") {
        Scope::Namespaced
    } else if name.ends_with("ClusterResourceScope") {
        Scope::Cluster
    } else {
        Scope::Subresource
    }
}

fn roots(generator: &mut schemars::SchemaGenerator) -> Vec<Root> {
    let mut out = Vec::new();
    macro_rules! collect {
        ($($t:ty,)*) => {
            $(
                out.push(Root {
                    api_version: <$t as k8s_openapi::Resource>::API_VERSION,
                    kind: <$t as k8s_openapi::Resource>::KIND,
                    scope: scope_of::<$t>(),
                    rust_path: std::any::type_name::<$t>(),
                    schema: serde_json::to_value(generator.subschema_for::<$t>()).expect("schema is JSON"),
                });
            )*
        };
    }
    for_each_resource!(collect);
    out
}

/// The generated files: the table and the documentation strings.
pub(crate) struct Generated {
    pub(crate) table: String,
    pub(crate) docs: String,
    pub(crate) rust_paths: Vec<&'static str>,
}

pub(crate) fn generate() -> anyhow::Result<Generated> {
    let mut generator = schemars::generate::SchemaSettings::openapi3().into_generator();
    let roots = roots(&mut generator);
    let defs: BTreeMap<String, Value> = generator.take_definitions(true).into_iter().collect();

    let index: HashMap<&str, u32> = defs
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let mut docs = Docs::default();
    let mut types = Vec::with_capacity(defs.len());
    for (name, schema) in &defs {
        let doc = schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| docs.add(d));
        let shape = convert_def(name, schema, &index, &mut docs)
            .with_context(|| format!("converting {name}"))?;
        types.push(TypeDef {
            name: name.clone(),
            doc,
            shape,
        });
    }
    apply_refinements(&mut types, &docs)?;
    for t in &mut types {
        picket_schema::table::sort_props(&mut t.shape);
    }

    let mut kinds = Vec::new();
    for root in &roots {
        let reference = root
            .schema
            .get("$ref")
            .and_then(Value::as_str)
            .context("root schema is a $ref")?;
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let ty = *index
            .get(name)
            .with_context(|| format!("no definition {name}"))?;
        kinds.push(KindEntry {
            api_version: root.api_version.to_owned(),
            kind: root.kind.to_owned(),
            scope: root.scope,
            ty,
        });
    }
    kinds.sort_by(|a, b| (&a.api_version, &a.kind).cmp(&(&b.api_version, &b.kind)));

    let table = Table {
        kubernetes: kubernetes_version(&roots)?,
        generator: "cargo xtask codegen from k8s-openapi 0.29 (schemars 1)".to_owned(),
        kinds,
        types,
    };
    Ok(Generated {
        table: render_table(&table)?,
        docs: render_docs(&docs.list)?,
        rust_paths: roots.iter().map(|r| r.rust_path).collect(),
    })
}

/// The Kubernetes version of the generated types: `k8s_openapi::v1_37::…` gives `1.37`.
fn kubernetes_version(roots: &[Root]) -> anyhow::Result<String> {
    let path = roots.first().context("no resources")?.rust_path;
    let module = path.split("::").nth(1).context("unexpected type path")?;
    let rest = module
        .strip_prefix("v1_")
        .with_context(|| format!("unexpected module {module}"))?;
    Ok(format!("1.{rest}"))
}

#[derive(Default)]
struct Docs {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Docs {
    fn add(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(text.to_owned());
        self.index.insert(text.to_owned(), i);
        i
    }

    fn get(&self, i: Option<u32>) -> &str {
        i.map_or("", |i| self.list[i as usize].as_str())
    }
}

fn ref_target(schema: &Value) -> Option<&str> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return Some(r.rsplit('/').next().unwrap_or(r));
    }
    // `{ "description": …, "allOf": [ { "$ref": … } ] }`
    let all = schema.get("allOf")?.as_array()?;
    if all.len() == 1 {
        ref_target(&all[0])
    } else {
        None
    }
}

fn convert_def(
    name: &str,
    schema: &Value,
    index: &HashMap<&str, u32>,
    docs: &mut Docs,
) -> anyhow::Result<Shape> {
    match name {
        "io.k8s.apimachinery.pkg.api.resource.Quantity" => return Ok(Shape::Quantity),
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString" => return Ok(Shape::IntOrString),
        _ => {}
    }
    convert(schema, index, docs)
}

fn convert(schema: &Value, index: &HashMap<&str, u32>, docs: &mut Docs) -> anyhow::Result<Shape> {
    if let Some(target) = ref_target(schema) {
        let to = *index
            .get(target)
            .with_context(|| format!("unknown $ref {target}"))?;
        return Ok(Shape::Ref { to });
    }
    if let Some(of) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let of = of
            .iter()
            .map(|s| convert(s, index, docs))
            .collect::<anyhow::Result<_>>()?;
        return Ok(Shape::AnyOf { of });
    }
    if schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
    {
        return Ok(Shape::IntOrString);
    }
    let format = schema.get("format").and_then(Value::as_str);
    let ty = schema.get("type").and_then(Value::as_str);
    Ok(match ty {
        Some("string") => Shape::String(StringShape {
            format: match format {
                Some("byte") => Some(StrFormat::Byte),
                Some("date-time") => Some(StrFormat::DateTime),
                _ => None,
            },
            ..StringShape::default()
        }),
        Some("integer") => Shape::Integer {
            format: match format {
                Some("int32") => Some(IntFormat::Int32),
                _ => Some(IntFormat::Int64),
            },
            minimum: None,
            maximum: None,
        },
        Some("number") => Shape::Number {
            minimum: None,
            maximum: None,
        },
        Some("boolean") => Shape::Boolean,
        Some("array") => {
            let items = schema.get("items").context("array without items")?;
            Shape::Array {
                items: Box::new(convert(items, index, docs)?),
                min_items: None,
                max_items: None,
            }
        }
        Some("object") | None => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            if props.is_none() && additional.is_none() {
                return Ok(Shape::Any);
            }
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut out = ObjectShape::default();
            for (pname, pschema) in props.into_iter().flatten() {
                let doc = pschema
                    .get("description")
                    .and_then(Value::as_str)
                    .map(|d| docs.add(d));
                out.props.push(Prop {
                    name: pname.clone(),
                    shape: convert(pschema, index, docs)
                        .with_context(|| format!("property {pname}"))?,
                    required: required.contains(&pname.as_str()),
                    doc,
                    description: String::new(),
                });
            }
            if let Some(a) = additional {
                out.additional = Some(Box::new(convert(a, index, docs)?));
            }
            Shape::Object(out)
        }
        Some(other) => bail!("unexpected type {other}"),
    })
}

fn apply_refinements(types: &mut [TypeDef], docs: &Docs) -> anyhow::Result<()> {
    let by_name: HashMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let mut problems = Vec::new();
    for (row_type, prop_name, refine) in REFINEMENTS {
        let full = type_name(row_type);
        let Some(&i) = by_name.get(&full) else {
            problems.push(format!("refinement names unknown type {full}"));
            continue;
        };
        let Shape::Object(obj) = &mut types[i].shape else {
            problems.push(format!("refinement type {full} is not an object"));
            continue;
        };
        let Some(prop) = obj.props.iter_mut().find(|p| p.name == *prop_name) else {
            problems.push(format!(
                "refinement names unknown property {full}.{prop_name}"
            ));
            continue;
        };
        let description = docs.get(prop.doc);
        match (refine, &mut prop.shape) {
            (Refine::Enum(values), Shape::String(s)) => {
                check_mentioned(&full, prop_name, values, description, &mut problems);
                s.enum_values = Some(values.iter().map(|v| (*v).to_owned()).collect());
            }
            (Refine::Validated(values), Shape::String(s)) => {
                s.enum_values = Some(values.iter().map(|v| (*v).to_owned()).collect());
            }
            (Refine::ItemsEnum(values), Shape::Array { items, .. }) => match items.as_mut() {
                Shape::String(s) => {
                    s.enum_values = Some(values.iter().map(|v| (*v).to_owned()).collect());
                }
                _ => problems.push(format!("{full}.{prop_name}: items are not strings")),
            },
            (Refine::Format(f), Shape::String(s)) => s.format = Some(*f),
            (Refine::Map(key, value), Shape::Object(o)) => {
                o.key_format = *key;
                match (value, o.additional.as_deref_mut()) {
                    (Some(v), Some(Shape::String(s))) => s.format = Some(*v),
                    (None, _) => {}
                    _ => problems.push(format!("{full}.{prop_name}: map values are not strings")),
                }
            }
            _ => problems.push(format!(
                "{full}.{prop_name}: refinement does not fit the property's shape"
            )),
        }
    }
    if !problems.is_empty() {
        bail!(
            "schema refinements are out of date:\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// Enum values must appear in the property's description, where the API documents them.
fn check_mentioned(
    ty: &str,
    prop: &str,
    values: &[&str],
    description: &str,
    problems: &mut Vec<String>,
) {
    for v in values {
        if v.is_empty() {
            continue;
        }
        if !description.contains(v) {
            problems.push(format!(
                "{ty}.{prop}: enum value {v:?} is not mentioned in its description"
            ));
        }
    }
}

/// One kind or type per line: diffs stay readable.
fn render_table(table: &Table) -> anyhow::Result<String> {
    let mut out = String::new();
    out.push_str("{\n");
    out.push_str(&format!(
        "\"kubernetes\": {},\n",
        serde_json::to_string(&table.kubernetes)?
    ));
    out.push_str(&format!(
        "\"generator\": {},\n",
        serde_json::to_string(&table.generator)?
    ));
    out.push_str("\"kinds\": [\n");
    for (i, k) in table.kinds.iter().enumerate() {
        out.push_str(&serde_json::to_string(k)?);
        out.push_str(if i + 1 < table.kinds.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    out.push_str("],\n\"types\": [\n");
    for (i, t) in table.types.iter().enumerate() {
        out.push_str(&serde_json::to_string(t)?);
        out.push_str(if i + 1 < table.types.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    out.push_str("]\n}\n");
    // The rendering must read back as the same table.
    let back: Table = serde_json::from_str(&out)?;
    if &back != table {
        bail!("rendered table does not read back identically");
    }
    Ok(out)
}

fn render_docs(docs: &[String]) -> anyhow::Result<String> {
    let mut out = String::from("[\n");
    for (i, d) in docs.iter().enumerate() {
        out.push_str(&serde_json::to_string(d)?);
        out.push_str(if i + 1 < docs.len() { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    Ok(out)
}
