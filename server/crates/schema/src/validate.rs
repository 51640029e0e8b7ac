//! Validation of Kubernetes objects against the built-in schema and workspace CRDs.
//!
//! The rules follow what the API server does with `kubectl apply` (strict field validation):
//! unknown fields, wrong types, missing required fields, values outside an enum, bad quantities,
//! names and labels. Values are read the way Kubernetes' YAML decoder reads them, so `yes` is a
//! boolean and `"3"` is a string.

use picket_model::{DocumentClass, Object, View, classify};
use picket_syntax::{
    Document, Mapping, MergeBudget, Node, NodeKind, ScalarStyle, ScalarValue, TextRange,
};

use crate::builtin::{Builtin, builtin, group_of};
use crate::crd::CrdRegistry;
use crate::formats;
use crate::table::{IntFormat, ObjectShape, Shape, StrFormat, StringShape};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    /// The lowercase name used in output, configuration and fixture annotations.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// A problem found by validation. Ranges are relative to the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Stable kebab-case code, like `unknown-field`.
    pub code: &'static str,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    pub related: Option<(TextRange, String)>,
}

/// Every code validation can produce, with a one-line description.
pub const CODES: &[(&str, &str)] = &[
    (
        "unknown-field",
        "A field that the object's schema does not define",
    ),
    (
        "wrong-type",
        "A value of the wrong type (a string where an integer belongs, a map where a list belongs)",
    ),
    (
        "missing-required-field",
        "A field the API server requires is missing",
    ),
    (
        "bad-enum-value",
        "A value outside the closed set a field accepts",
    ),
    (
        "invalid-quantity",
        "A resource quantity that does not parse (`1GB`, `500 m`)",
    ),
    (
        "invalid-label",
        "A label or annotation key or value that the API server rejects",
    ),
    (
        "invalid-name",
        "An object, container, port or volume name that the API server rejects",
    ),
    (
        "invalid-value",
        "A value out of range or in the wrong format (int32 overflow, base64, time)",
    ),
    (
        "unknown-kind",
        "A kind that no built-in API group or workspace CRD defines",
    ),
    (
        "unknown-api-version",
        "An apiVersion that does not serve the kind",
    ),
    (
        "excessive-aliasing",
        "YAML aliases that expand to far more nodes than the document holds",
    ),
];

/// Validates every Kubernetes object of a document.
pub fn validate_document(doc: &Document, crds: &CrdRegistry) -> Vec<Finding> {
    let mut v = Validator::new(doc, crds);
    if let DocumentClass::Object(obj) = classify(doc) {
        v.object(obj, 0);
    }
    v.finish()
}

struct Ctx<'c> {
    /// The type being checked, for messages (`PodSpec`).
    type_name: &'c str,
    /// The field whose value is being checked (`containers`).
    field: &'c str,
    /// Where to point when something is missing: the key of this value.
    anchor: TextRange,
}

struct Validator<'s> {
    builtin: &'static Builtin,
    crds: &'s CrdRegistry,
    findings: Vec<Finding>,
    partial: bool,
    alias_depth: usize,
    alias_budget: usize,
    aliasing_reported: bool,
    /// `(group, kind)` of the object being checked, for `metadata.name` rules.
    object_kind: (String, String),
}

fn short_type_name(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

fn describe_found(node: Node<'_>) -> String {
    match node.kind() {
        NodeKind::Mapping => "it is an object".to_owned(),
        NodeKind::Sequence => "it is a list".to_owned(),
        NodeKind::Alias => "it is an alias".to_owned(),
        NodeKind::Scalar => {
            let s = node.as_scalar().expect("scalar");
            let raw = shorten(s.raw());
            let what = match s.resolved() {
                ScalarValue::Null => "null",
                ScalarValue::Bool(_) => "a boolean",
                ScalarValue::Int(_) => "an integer",
                ScalarValue::Float(_) => "a number",
                ScalarValue::Str(_) if s.style().is_quoted() => "a quoted string",
                ScalarValue::Str(_) => "a string",
            };
            format!("`{raw}` is {what}")
        }
    }
}

fn shorten(s: &str) -> String {
    let first_line = s.lines().next().unwrap_or("");
    if first_line.chars().count() > 40 || first_line.len() < s.len() {
        format!("{}…", first_line.chars().take(40).collect::<String>())
    } else {
        first_line.to_owned()
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(word) {
            return Some(c);
        }
        let score = strsim::jaro_winkler(&lower, &c.to_ascii_lowercase());
        let distance = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        let close = distance <= 2 || (score > 0.88 && distance <= c.len() / 3 + 1);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

impl<'s> Validator<'s> {
    fn new(doc: &Document, crds: &'s CrdRegistry) -> Self {
        Validator {
            builtin: builtin(),
            crds,
            findings: Vec::new(),
            partial: doc.is_partial(),
            alias_depth: 0,
            alias_budget: 10_000 + 4 * doc.node_count(),
            aliasing_reported: false,
            object_kind: (String::new(), String::new()),
        }
    }

    fn finish(mut self) -> Vec<Finding> {
        self.findings.sort_by(|a, b| {
            (a.range.start(), a.range.end(), a.code).cmp(&(b.range.start(), b.range.end(), b.code))
        });
        self.findings
            .dedup_by(|a, b| a.range == b.range && a.code == b.code && a.message == b.message);
        self.findings
    }

    fn push(&mut self, code: &'static str, range: TextRange, message: String) {
        self.findings.push(Finding {
            code,
            severity: Severity::Error,
            range,
            message,
            related: None,
        });
    }

    fn object(&mut self, obj: Object<'_>, depth: usize) {
        let (api, kind) = (obj.api_version(), obj.kind());
        let (api, kind) = match (api, kind) {
            (Some(a), Some(k)) => (a, k),
            (Some(a), None) => {
                if !self.partial {
                    self.push(
                        "missing-required-field",
                        a.key_range(),
                        "Missing required field `kind`".to_owned(),
                    );
                }
                return;
            }
            (None, Some(k)) => {
                if !self.partial {
                    self.push(
                        "missing-required-field",
                        k.key_range(),
                        "Missing required field `apiVersion`".to_owned(),
                    );
                }
                return;
            }
            (None, None) => return,
        };
        let Some(api_str) = api.as_str() else {
            let found = describe_found(api.value());
            self.push(
                "wrong-type",
                api.value_range(),
                format!("`apiVersion` must be a string, but {found}"),
            );
            return;
        };
        let Some(kind_str) = kind.as_str() else {
            let found = describe_found(kind.value());
            self.push(
                "wrong-type",
                kind.value_range(),
                format!("`kind` must be a string, but {found}"),
            );
            return;
        };
        let group = group_of(api_str);
        let version = api_str.rsplit('/').next().unwrap_or(api_str);
        self.object_kind = (group.to_owned(), kind_str.to_owned());
        let root = obj.node();
        let anchor = kind.range();

        if api_str == "v1" && kind_str == "List" {
            if depth > 8 {
                return;
            }
            if let Some(items) = obj.field("items")
                && items.value().kind() != NodeKind::Sequence
                && !items.value().is_null()
            {
                let found = describe_found(items.value());
                self.push(
                    "wrong-type",
                    items.value_range(),
                    format!("`items` must be a list, but {found}"),
                );
            }
            for item in obj.list_items() {
                self.object(item, depth + 1);
            }
            return;
        }

        // Typed lists (`ConfigMapList`): items of the element kind.
        if let Some(element) = kind_str
            .strip_suffix("List")
            .and_then(|k| self.builtin.kind(api_str, k))
        {
            let list_shape = Shape::Object(ObjectShape {
                props: vec![
                    prop("apiVersion", Shape::String(StringShape::default())),
                    prop(
                        "items",
                        Shape::Array {
                            items: Box::new(Shape::Ref { to: element.ty }),
                            min_items: None,
                            max_items: None,
                        },
                    ),
                    prop("kind", Shape::String(StringShape::default())),
                    prop("metadata", Shape::Any),
                ],
                ..ObjectShape::default()
            });
            self.check(
                root,
                &list_shape,
                &Ctx {
                    type_name: kind_str,
                    field: kind_str,
                    anchor,
                },
            );
            return;
        }

        if let Some(entry) = self.builtin.kind(api_str, kind_str) {
            let shape = self.builtin.root_shape(entry);
            self.check(
                root,
                &shape,
                &Ctx {
                    type_name: kind_str,
                    field: kind_str,
                    anchor,
                },
            );
            self.check_object_name(obj);
            return;
        }
        if let Some(crd) = self.crds.get(group, kind_str) {
            match crd.version(version) {
                Some(v) if v.served => {
                    if let Some(schema) = v.schema.clone() {
                        self.custom_root(root, &schema, kind_str, anchor);
                    }
                    self.check_object_name(obj);
                }
                _ => {
                    let served = crd
                        .served_versions()
                        .iter()
                        .map(|v| format!("`{group}/{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.push(
                        "unknown-api-version",
                        api.value_range(),
                        format!("`{api_str}` is not a served version of `{kind_str}` (CRD `{}` serves {served})", crd.name),
                    );
                }
            }
            return;
        }
        let builtin_versions = self.builtin.api_versions_of(kind_str);
        let near_builtin_group = builtin_versions.iter().any(|av| {
            let g = group_of(av);
            g == group
                || (!group.is_empty()
                    && strsim::damerau_levenshtein(g, group) <= 2
                    && !group.contains(".example"))
        });
        // `extensions` served Deployments, Ingresses and more until Kubernetes 1.22.
        let historic_group = group == "extensions";
        if self.builtin.has_group(group)
            || near_builtin_group
            || (historic_group && !builtin_versions.is_empty())
        {
            if !builtin_versions.is_empty()
                && (self.builtin.has_group(group) || near_builtin_group || historic_group)
            {
                let list = builtin_versions
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.push(
                    "unknown-api-version",
                    api.value_range(),
                    format!("`{api_str}` does not serve `{kind_str}`; use {list}"),
                );
            } else if self.builtin.has_group(group) {
                let in_version: Vec<&str> = self.builtin.kinds_in(api_str).collect();
                let all: Vec<&str> = self
                    .builtin
                    .kinds()
                    .iter()
                    .map(|k| k.kind.as_str())
                    .collect();
                let suggestion = did_you_mean(kind_str, in_version.iter().copied())
                    .or_else(|| did_you_mean(kind_str, all.iter().copied()));
                let mut message = format!("Unknown kind `{kind_str}` in `{api_str}`");
                if let Some(s) = suggestion {
                    message.push_str(&format!("; did you mean `{s}`?"));
                }
                self.push("unknown-kind", kind.value_range(), message);
            }
        }
        // Otherwise: a custom resource whose CRD is not in sight. Nothing to check against.
    }

    /// `metadata.name` (or `generateName`) must be present.
    fn check_object_name(&mut self, obj: Object<'_>) {
        if self.partial {
            return;
        }
        if let Some(meta) = obj.metadata()
            && meta.name().is_none()
            && meta.generate_name().is_none()
        {
            let anchor = obj
                .field("metadata")
                .map_or(obj.header_range(), |f| f.key_range());
            self.push(
                "missing-required-field",
                anchor,
                "Missing required field `name` in `metadata`".to_owned(),
            );
        }
    }

    /// The root of a custom resource: `apiVersion`, `kind` and `metadata` are always allowed.
    fn custom_root(&mut self, root: Node<'_>, schema: &Shape, kind: &str, anchor: TextRange) {
        let Shape::Object(obj) = schema else {
            return;
        };
        let Some(mapping) = root.as_mapping() else {
            return;
        };
        let meta = self
            .builtin
            .type_named("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        let mut budget = MergeBudget::default();
        for e in mapping.effective_entries(&mut budget) {
            let Some(key) = e.key_str() else { continue };
            match key {
                "apiVersion" | "kind" => {}
                "metadata" if obj.prop("metadata").is_none() => {
                    if let Some(to) = meta {
                        self.check(
                            e.value,
                            &Shape::Ref { to },
                            &Ctx {
                                type_name: kind,
                                field: "metadata",
                                anchor: e.key.range(),
                            },
                        );
                    }
                }
                _ => self.entry(
                    e.key,
                    e.value,
                    key,
                    obj,
                    &Ctx {
                        type_name: kind,
                        field: kind,
                        anchor,
                    },
                ),
            }
        }
        if !self.partial {
            for p in obj.props.iter().filter(|p| p.required) {
                if !matches!(p.name.as_str(), "apiVersion" | "kind" | "metadata")
                    && mapping.get(&p.name).is_none_or(|n| n.is_null())
                {
                    self.push(
                        "missing-required-field",
                        anchor,
                        format!("Missing required field `{}` in `{kind}`", p.name),
                    );
                }
            }
        }
    }

    fn check(&mut self, node: Node<'_>, shape: &Shape, ctx: &Ctx<'_>) {
        if node.kind() == NodeKind::Alias {
            let Some(target) = node.alias_target() else {
                return;
            };
            if self.alias_budget == 0 {
                self.report_aliasing(node.range());
                return;
            }
            self.alias_depth += 1;
            self.check(target, shape, ctx);
            self.alias_depth -= 1;
            return;
        }
        if self.alias_depth > 0 {
            if self.alias_budget == 0 {
                self.report_aliasing(node.range());
                return;
            }
            self.alias_budget -= 1;
        }
        match shape {
            Shape::Ref { to } => {
                let def = self.builtin.type_def(*to);
                let name = short_type_name(&def.name);
                self.check(
                    node,
                    &def.shape,
                    &Ctx {
                        type_name: name,
                        field: ctx.field,
                        anchor: ctx.anchor,
                    },
                );
            }
            Shape::Any => {}
            Shape::AnyOf { of } => self.any_of(node, of, ctx),
            _ if node.is_null() => {}
            Shape::Object(obj) => self.object_value(node, obj, ctx),
            Shape::Array {
                items,
                min_items,
                max_items,
            } => {
                let Some(seq) = node.as_sequence() else {
                    let hint = if node.kind() == NodeKind::Mapping {
                        "; start each item with `- `"
                    } else {
                        ""
                    };
                    self.wrong_type(node, "a list", ctx, hint);
                    return;
                };
                for item in seq.items() {
                    let anchor = first_key_range(item).unwrap_or(item.range());
                    self.check(
                        item,
                        items,
                        &Ctx {
                            type_name: ctx.type_name,
                            field: ctx.field,
                            anchor,
                        },
                    );
                }
                let n = seq.len() as u64;
                if min_items.is_some_and(|m| n < m) {
                    self.push(
                        "invalid-value",
                        node.range(),
                        format!(
                            "`{}` needs at least {} items",
                            ctx.field,
                            min_items.unwrap_or(0)
                        ),
                    );
                }
                if max_items.is_some_and(|m| n > m) {
                    self.push(
                        "invalid-value",
                        node.range(),
                        format!(
                            "`{}` allows at most {} items",
                            ctx.field,
                            max_items.unwrap_or(0)
                        ),
                    );
                }
            }
            Shape::String(s) => self.string(node, s, ctx),
            Shape::Integer {
                format,
                minimum,
                maximum,
            } => {
                let Some(n) = integer_value(node) else {
                    let hint = quoted_number_hint(node);
                    self.wrong_type(node, "an integer", ctx, &hint);
                    return;
                };
                let (lo, hi) = match format {
                    Some(IntFormat::Int32) => (i128::from(i32::MIN), i128::from(i32::MAX)),
                    _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
                };
                if n < lo || n > hi {
                    self.push(
                        "invalid-value",
                        node.range(),
                        format!(
                            "`{}` is out of range for a {}-bit integer",
                            ctx.field,
                            if lo == i128::from(i32::MIN) { 32 } else { 64 }
                        ),
                    );
                }
                self.bounds(node, n as f64, *minimum, *maximum, ctx);
            }
            Shape::Number { minimum, maximum } => match node.as_scalar().map(|s| s.resolved()) {
                Some(ScalarValue::Int(i)) => self.bounds(node, i as f64, *minimum, *maximum, ctx),
                Some(ScalarValue::Float(f)) => self.bounds(node, f, *minimum, *maximum, ctx),
                _ => {
                    let hint = quoted_number_hint(node);
                    self.wrong_type(node, "a number", ctx, &hint);
                }
            },
            Shape::Boolean => {
                if !matches!(
                    node.as_scalar().map(|s| s.resolved()),
                    Some(ScalarValue::Bool(_))
                ) {
                    let hint = match node.as_scalar() {
                        Some(s)
                            if s.style().is_quoted() && matches!(s.value(), "true" | "false") =>
                        {
                            "; remove the quotes"
                        }
                        _ => "",
                    };
                    self.wrong_type(node, "a boolean (`true` or `false`)", ctx, hint);
                }
            }
            Shape::IntOrString => match node.as_scalar().map(|s| s.resolved()) {
                Some(ScalarValue::Int(_) | ScalarValue::Str(_)) => {}
                Some(ScalarValue::Float(f)) if f.fract() == 0.0 => {}
                _ => self.wrong_type(node, "an integer or a string", ctx, ""),
            },
            Shape::Quantity => match node.as_scalar().map(|s| s.resolved()) {
                Some(ScalarValue::Int(_) | ScalarValue::Float(_)) => {}
                Some(ScalarValue::Str(s)) => {
                    if let Err(reason) = formats::quantity(s) {
                        self.push(
                            "invalid-quantity",
                            node.range(),
                            format!(
                                "Invalid quantity `{}` for `{}`: {reason}",
                                shorten(s),
                                ctx.field
                            ),
                        );
                    }
                }
                _ => self.wrong_type(node, "a quantity (like `500m` or `1Gi`)", ctx, ""),
            },
        }
    }

    fn report_aliasing(&mut self, range: TextRange) {
        if !self.aliasing_reported {
            self.aliasing_reported = true;
            self.push(
                "excessive-aliasing",
                range,
                "YAML aliases expand to far more nodes than the document holds (an alias bomb?); validation of aliased values stopped".to_owned(),
            );
        }
    }

    fn any_of(&mut self, node: Node<'_>, of: &[Shape], ctx: &Ctx<'_>) {
        let saved = std::mem::take(&mut self.findings);
        let mut best: Option<Vec<Finding>> = None;
        for alt in of {
            self.check(node, alt, ctx);
            let found = std::mem::take(&mut self.findings);
            if found.is_empty() {
                self.findings = saved;
                return;
            }
            if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        self.findings = saved;
        self.findings.extend(best.unwrap_or_default());
    }

    fn bounds(
        &mut self,
        node: Node<'_>,
        n: f64,
        minimum: Option<f64>,
        maximum: Option<f64>,
        ctx: &Ctx<'_>,
    ) {
        if let Some(min) = minimum.filter(|&m| n < m) {
            self.push(
                "invalid-value",
                node.range(),
                format!("`{}` must be at least {min}", ctx.field),
            );
        }
        if let Some(max) = maximum.filter(|&m| n > m) {
            self.push(
                "invalid-value",
                node.range(),
                format!("`{}` must be at most {max}", ctx.field),
            );
        }
    }

    fn wrong_type(&mut self, node: Node<'_>, expected: &str, ctx: &Ctx<'_>, hint: &str) {
        let found = describe_found(node);
        self.push(
            "wrong-type",
            node.range(),
            format!("`{}` must be {expected}, but {found}{hint}", ctx.field),
        );
    }

    fn string(&mut self, node: Node<'_>, shape: &StringShape, ctx: &Ctx<'_>) {
        let Some(scalar) = node.as_scalar() else {
            self.wrong_type(node, "a string", ctx, "");
            return;
        };
        let value = match scalar.resolved() {
            ScalarValue::Str(s) => s,
            other => {
                let hint = if scalar.style() == ScalarStyle::Plain {
                    match other {
                        ScalarValue::Bool(_) => {
                            format!(" in Kubernetes YAML; quote it: `\"{}\"`", scalar.value())
                        }
                        _ => format!("; quote it: `\"{}\"`", scalar.value()),
                    }
                } else {
                    String::new()
                };
                self.wrong_type(node, "a string", ctx, &hint);
                return;
            }
        };
        if let Some(values) = &shape.enum_values
            && !values.iter().any(|v| v == value)
        {
            let list = values
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut message = format!(
                "`{}` must be one of {list}, not `{}`",
                ctx.field,
                shorten(value)
            );
            if let Some(s) = did_you_mean(value, values.iter().map(String::as_str)) {
                message.push_str(&format!("; did you mean `{s}`?"));
            }
            self.push("bad-enum-value", node.range(), message);
        }
        // An empty string reads as "not set" for optional fields, which is what the API does.
        if let Some(format) = shape.format.filter(|_| !value.is_empty()) {
            self.format(node, value, format, ctx);
        }
        let len = value.chars().count() as u64;
        if shape.min_length.is_some_and(|m| len < m) {
            self.push(
                "invalid-value",
                node.range(),
                format!(
                    "`{}` must be at least {} characters long",
                    ctx.field,
                    shape.min_length.unwrap_or(0)
                ),
            );
        }
        if shape.max_length.is_some_and(|m| len > m) {
            self.push(
                "invalid-value",
                node.range(),
                format!(
                    "`{}` must be at most {} characters long",
                    ctx.field,
                    shape.max_length.unwrap_or(0)
                ),
            );
        }
    }

    fn format(&mut self, node: Node<'_>, value: &str, format: StrFormat, ctx: &Ctx<'_>) {
        let (code, result) = match format {
            StrFormat::Byte => ("invalid-value", formats::base64(value)),
            StrFormat::DateTime => ("invalid-value", formats::date_time(value)),
            StrFormat::LabelKey => ("invalid-label", formats::label_key(value)),
            StrFormat::LabelValue => ("invalid-label", formats::label_value(value)),
            StrFormat::DnsLabel => ("invalid-name", formats::dns_label(value)),
            StrFormat::DnsSubdomain => ("invalid-name", formats::dns_subdomain(value)),
            StrFormat::PortName => ("invalid-name", formats::port_name(value)),
            StrFormat::ObjectName => ("invalid-name", self.object_name(value)),
        };
        if let Err(reason) = result {
            let what = match code {
                "invalid-label" => "label value",
                "invalid-name" => "name",
                _ => "value",
            };
            self.push(
                code,
                node.range(),
                format!(
                    "Invalid {what} `{}` for `{}`: {reason}",
                    shorten(value),
                    ctx.field
                ),
            );
        }
    }

    fn object_name(&self, value: &str) -> Result<(), String> {
        let (group, kind) = (&self.object_kind.0, &self.object_kind.1);
        match (group.as_str(), kind.as_str()) {
            ("", "Namespace") => formats::dns_label(value),
            ("", "Service") => formats::dns1035_label(value),
            ("rbac.authorization.k8s.io", _) => formats::path_segment(value),
            _ => formats::dns_subdomain(value),
        }
    }

    fn object_value(&mut self, node: Node<'_>, obj: &ObjectShape, ctx: &Ctx<'_>) {
        let Some(mapping) = node.as_mapping() else {
            let hint = if node.kind() == NodeKind::Sequence && obj.additional.is_none() {
                "; remove the `- `"
            } else {
                ""
            };
            self.wrong_type(node, "an object", ctx, hint);
            return;
        };
        let mut budget = MergeBudget::default();
        for e in mapping.effective_entries(&mut budget) {
            let key = match e.key.as_scalar() {
                Some(k) => k.value(),
                None => {
                    self.push(
                        "wrong-type",
                        e.key.range(),
                        "A key must be a string".to_owned(),
                    );
                    continue;
                }
            };
            self.entry(e.key, e.value, key, obj, ctx);
        }
        if !self.partial {
            self.required(mapping, obj, ctx);
        }
    }

    fn entry(
        &mut self,
        key_node: Node<'_>,
        value: Node<'_>,
        key: &str,
        obj: &ObjectShape,
        ctx: &Ctx<'_>,
    ) {
        if let Some(prop) = obj.prop(key) {
            let field_ctx = Ctx {
                type_name: ctx.type_name,
                field: key,
                anchor: key_node.range(),
            };
            self.check(value, &prop.shape, &field_ctx);
            return;
        }
        if let Some(additional) = &obj.additional {
            if let Some(format) = obj.key_format
                && let Err(reason) = match format {
                    StrFormat::LabelKey => formats::label_key(key),
                    _ => Ok(()),
                }
            {
                self.push(
                    "invalid-label",
                    key_node.range(),
                    format!(
                        "Invalid key `{}` in `{}`: {reason}",
                        shorten(key),
                        ctx.field
                    ),
                );
            }
            let field_ctx = Ctx {
                type_name: ctx.type_name,
                field: key,
                anchor: key_node.range(),
            };
            self.check(value, additional, &field_ctx);
            return;
        }
        if obj.preserve_unknown {
            return;
        }
        let mut message = format!("Unknown field `{}` in {}", shorten(key), ctx.type_name);
        if let Some(s) = did_you_mean(key, obj.props.iter().map(|p| p.name.as_str())) {
            message.push_str(&format!("; did you mean `{s}`?"));
        }
        self.push("unknown-field", key_node.range(), message);
    }

    fn required(&mut self, mapping: Mapping<'_>, obj: &ObjectShape, ctx: &Ctx<'_>) {
        for p in obj.props.iter().filter(|p| p.required) {
            let present = mapping.get(&p.name).is_some_and(|n| !n.resolve().is_null());
            if !present {
                self.push(
                    "missing-required-field",
                    ctx.anchor,
                    format!("Missing required field `{}` in {}", p.name, ctx.type_name),
                );
            }
        }
    }
}

fn prop(name: &str, shape: Shape) -> crate::table::Prop {
    crate::table::Prop {
        name: name.to_owned(),
        shape,
        required: false,
        doc: None,
        description: String::new(),
    }
}

fn first_key_range(node: Node<'_>) -> Option<TextRange> {
    node.as_mapping()?.entries().next().map(|e| e.key.range())
}

fn integer_value(node: Node<'_>) -> Option<i128> {
    match node.as_scalar()?.resolved() {
        ScalarValue::Int(i) => Some(i),
        ScalarValue::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(f as i128),
        _ => None,
    }
}

fn quoted_number_hint(node: Node<'_>) -> String {
    match node.as_scalar() {
        Some(s)
            if s.style().is_quoted()
                && picket_syntax::scalar::resolve_plain(s.value())
                    != ScalarValue::Str(s.value()) =>
        {
            "; remove the quotes".to_owned()
        }
        _ => String::new(),
    }
}
