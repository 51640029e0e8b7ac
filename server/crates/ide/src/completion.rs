//! Completion: the keys valid at the cursor, values from the schema (enums, booleans),
//! `apiVersion` and `kind` that fit each other, whole-resource snippets on an empty document,
//! and the names and labels that the workspace defines.
//!
//! Each request reads one document's lines around the cursor (see [`crate::yaml_path`]) and
//! walks the schema along the path it found; it never parses or walks the whole file.

use std::collections::{BTreeMap, BTreeSet};

use picket_schema::table::{Prop, Scope, Shape};
use picket_schema::{builtin, group_of};
use picket_syntax::{ScalarStyle, ScalarValue, TextRange, TextSize};

use crate::schema_at::{self, Found, Root, is_stable, resolve};
use crate::snippets::RESOURCE_SNIPPETS;
use crate::yaml_path::{self, CursorContext, Header, Segment, Slot};
use crate::{Analysis, FileId};

/// What a completion is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A key of the mapping at the cursor.
    Key,
    /// A value from a closed set: an enum value, a boolean.
    Value,
    /// An `apiVersion` or a `kind`, or both at once.
    Kind,
    /// Something the workspace defines: an object's name, a label key or value.
    Reference,
    /// A whole resource.
    Snippet,
}

/// One completion, in byte terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (and what the typed text is matched against).
    pub label: String,
    /// What the item is, for the editor's icon.
    pub kind: CompletionKind,
    /// A short line next to the label: a type, an apiVersion, a namespace.
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// What replaces `range`; snippet syntax (`${1:default}`, `$0`) when `is_snippet`.
    pub insert_text: String,
    /// Whether `insert_text` uses snippet syntax; [`CompletionItem::plain_text`] drops it.
    pub is_snippet: bool,
    /// Orders the list (the client sorts by it).
    pub sort_text: String,
    /// The text the completion replaces, in the file: the key or value being typed (empty
    /// at a fresh position). It is on the cursor's line and contains the cursor.
    pub range: TextRange,
}

impl CompletionItem {
    /// The insert text without snippet syntax, for clients that take plain text: tab stops
    /// removed, placeholders replaced by their default text, choices left empty.
    pub fn plain_text(&self) -> String {
        if self.is_snippet {
            snippet_to_plain(&self.insert_text)
        } else {
            self.insert_text.clone()
        }
    }
}

/// Snippet syntax to plain text: `$1` and `$0` go, `${1:web}` becomes `web`, `${1|a,b|}`
/// becomes nothing, `\$` becomes `$`.
pub fn snippet_to_plain(snippet: &str) -> String {
    fn go(c: &[char], i: &mut usize, out: &mut String, nested: bool) {
        while *i < c.len() {
            match c[*i] {
                '\\' if *i + 1 < c.len() && matches!(c[*i + 1], '$' | '}' | '\\' | ',' | '|') => {
                    out.push(c[*i + 1]);
                    *i += 2;
                }
                '}' if nested => {
                    *i += 1;
                    return;
                }
                '$' if c.get(*i + 1).is_some_and(char::is_ascii_digit) => {
                    *i += 1;
                    while *i < c.len() && c[*i].is_ascii_digit() {
                        *i += 1;
                    }
                }
                '$' if c.get(*i + 1) == Some(&'{') => {
                    *i += 2;
                    while *i < c.len() && c[*i].is_ascii_digit() {
                        *i += 1;
                    }
                    match c.get(*i) {
                        Some(':') => {
                            *i += 1;
                            go(c, i, out, true);
                        }
                        Some('|') => {
                            // Skip the choices up to `|}`.
                            while *i < c.len() && !(c[*i] == '|' && c.get(*i + 1) == Some(&'}')) {
                                *i += if c[*i] == '\\' { 2 } else { 1 };
                            }
                            *i += 2;
                        }
                        Some('}') => *i += 1,
                        _ => {}
                    }
                }
                ch => {
                    out.push(ch);
                    *i += 1;
                }
            }
        }
    }
    let chars: Vec<char> = snippet.chars().collect();
    let mut out = String::with_capacity(snippet.len());
    let mut i = 0;
    go(&chars, &mut i, &mut out, false);
    out
}

/// Escapes text for a snippet's literal part.
fn snippet_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Escapes text for a snippet choice (`${1|a,b|}`).
fn choice_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '$' | '}' | '\\' | ',' | '|') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// A string as a YAML scalar: plain when Kubernetes' decoder would read it back as this
/// string, double-quoted otherwise (`"true"`, `"1.0"`, `"a: b"`).
pub(crate) fn yaml_scalar(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && matches!(
            picket_syntax::scalar::resolve(s, ScalarStyle::Plain, None),
            ScalarValue::Str(_)
        )
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\r', '\t']);
    if plain_ok {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// Where label keys and values come from, by the map being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LabelSource {
    /// `metadata.labels`: any label in the workspace.
    Any,
    /// A selector of pods (`matchLabels`, a Service's `selector`): the labels pods carry.
    Pods,
    /// `nodeSelector`: node labels.
    Nodes,
    /// `namespaceSelector.matchLabels`: namespace labels.
    Namespaces,
}

/// Well-known labels worth offering even when the workspace does not use them yet.
fn well_known_labels(source: LabelSource) -> &'static [(&'static str, &'static [&'static str])] {
    match source {
        LabelSource::Any => &[
            ("app.kubernetes.io/name", &[]),
            ("app.kubernetes.io/instance", &[]),
            ("app.kubernetes.io/version", &[]),
            ("app.kubernetes.io/component", &[]),
            ("app.kubernetes.io/part-of", &[]),
            ("app.kubernetes.io/managed-by", &[]),
        ],
        LabelSource::Nodes => &[
            ("kubernetes.io/os", &["linux", "windows"]),
            ("kubernetes.io/arch", &["amd64", "arm64"]),
            ("kubernetes.io/hostname", &[]),
            ("topology.kubernetes.io/zone", &[]),
            ("topology.kubernetes.io/region", &[]),
            ("node.kubernetes.io/instance-type", &[]),
        ],
        LabelSource::Namespaces => &[("kubernetes.io/metadata.name", &[])],
        LabelSource::Pods => &[],
    }
}

/// The kind of object whose name a field holds, by its key (and its parent's).
fn reference_kind(path: &[Segment]) -> Option<&'static str> {
    let mut keys = path.iter().rev().filter_map(|s| match s {
        Segment::Key(k) => Some(k.as_str()),
        Segment::Item => None,
    });
    let last = keys.next()?;
    let parent = keys.next().unwrap_or("");
    Some(match (parent, last) {
        (_, "serviceAccountName") => "ServiceAccount",
        (_, "priorityClassName") => "PriorityClass",
        ("configMapRef" | "configMapKeyRef" | "configMap", "name") => "ConfigMap",
        ("secretRef" | "secretKeyRef" | "imagePullSecrets", "name") | ("secret", "secretName") => {
            "Secret"
        }
        ("persistentVolumeClaim", "claimName") => "PersistentVolumeClaim",
        _ => return None,
    })
}

/// Everything a request needs.
struct Request<'a> {
    analysis: &'a Analysis,
    /// The document's text; ranges here are relative to it.
    text: &'a str,
    cursor: CursorContext,
    /// The document's own `apiVersion` and `kind`.
    doc_header: Header,
    /// The object the cursor is in (a `List` item has its own) and the path's length to it.
    object: Header,
    object_depth: usize,
    /// The document's root schema.
    root: Option<Root<'a>>,
    /// `metadata.namespace` of the document's object.
    namespace: Option<String>,
    /// Whether the document writes its lists compactly (read once, when first needed).
    compact: std::cell::OnceCell<bool>,
}

impl Analysis {
    /// Completions at `offset` in `file`, in file coordinates. Empty inside comments and
    /// block scalars, in Helm templates, and where nothing is known.
    pub fn completions(&self, file: FileId, offset: TextSize) -> Vec<CompletionItem> {
        if self.stats(file).is_none_or(|s| s.template) {
            return Vec::new();
        }
        let Some(parsed) = self.parsed(file) else {
            return Vec::new();
        };
        let Some(entry) = parsed.document_at(offset) else {
            return Vec::new();
        };
        let Some(rel) = offset.checked_sub(entry.offset) else {
            return Vec::new();
        };
        let doc = &entry.doc;
        let Some(cursor) = yaml_path::cursor_context(doc, usize::from(rel)) else {
            return Vec::new();
        };
        let text = doc.text();
        let doc_header = yaml_path::document_header(text);
        let root = schema_at::root_of(&doc_header, self.crds());
        let (object, object_depth) = match (&root, cursor.path.as_slice()) {
            (Some(Root::List { element, .. }), [Segment::Key(items), Segment::Item, ..])
                if items == "items" =>
            {
                let (line, col) = cursor.items.first().copied().unwrap_or_default();
                let mut h = yaml_path::item_header(text, line, col);
                if let Some(e) = element {
                    h.api_version.get_or_insert_with(|| e.api_version.clone());
                    h.kind.get_or_insert_with(|| e.kind.clone());
                }
                (h, 2)
            }
            _ => (doc_header.clone(), 0),
        };
        // The object at the cursor: the document's, or a `List` item's.
        let object_node = match object_depth {
            0 => doc.root(),
            _ => doc
                .root()
                .and_then(|r| r.as_mapping()?.get("items"))
                .and_then(|i| {
                    i.as_sequence()?
                        .items()
                        .find(|item| item.range().contains_inclusive(rel))
                }),
        };
        let namespace = object_node
            .and_then(|r| r.as_mapping()?.get("metadata"))
            .and_then(|m| m.as_mapping()?.get("namespace"))
            .and_then(|n| n.as_scalar())
            .map(|s| s.value().to_owned());
        let request = Request {
            analysis: self,
            text,
            cursor,
            doc_header,
            object,
            object_depth,
            root,
            namespace,
            compact: std::cell::OnceCell::new(),
        };
        let mut items = request.run();
        for item in &mut items {
            item.range += entry.offset;
        }
        items
    }
}

impl<'a> Request<'a> {
    fn run(&self) -> Vec<CompletionItem> {
        let c = &self.cursor;
        let at_object_root = c.path.len() == self.object_depth;
        match c.slot {
            Slot::Key if at_object_root => self.object_root_keys(),
            Slot::Key => {
                let Some(found) = self.walk(&c.path) else {
                    return Vec::new();
                };
                if c.path.last() == Some(&Segment::Item) && schema_at::is_scalar(found.shape) {
                    return self.values(&found);
                }
                let props = schema_at::props(&found);
                if !props.is_empty() {
                    return self.keys(&props);
                }
                match self.label_source(&c.path, &found) {
                    Some(source) => self.label_keys(source),
                    None => Vec::new(),
                }
            }
            Slot::Value => {
                let last = match c.path.last() {
                    Some(Segment::Key(k)) => k.as_str(),
                    _ => "",
                };
                if c.path.len() == self.object_depth + 1 && last == "apiVersion" {
                    return self.api_versions();
                }
                if c.path.len() == self.object_depth + 1 && last == "kind" {
                    return self.kinds();
                }
                match self.walk(&c.path) {
                    Some(found) => self.values(&found),
                    None => Vec::new(),
                }
            }
        }
    }

    fn walk(&self, path: &[Segment]) -> Option<Found<'a>> {
        let text = self.text;
        let items = &self.cursor.items;
        let item_header = |n: usize| {
            items
                .get(n)
                .map(|&(line, col)| yaml_path::item_header(text, line, col))
                .unwrap_or_default()
        };
        schema_at::walk(self.root?, path, self.analysis.crds(), &item_header)
    }

    fn item(&self, label: String, kind: CompletionKind, insert_text: String) -> CompletionItem {
        CompletionItem {
            label,
            kind,
            detail: None,
            documentation: None,
            insert_text,
            is_snippet: false,
            sort_text: String::new(),
            range: self.cursor.token,
        }
    }

    /// Text before an inserted value: a space after a bare `:` or `-`.
    fn lead(&self) -> &'static str {
        if self.cursor.needs_space { " " } else { "" }
    }

    // -----------------------------------------------------------------------------------------
    // Keys

    /// Keys of an object, required first then by name, without those already written.
    fn keys(&self, props: &[&Prop]) -> Vec<CompletionItem> {
        let mut props: Vec<&Prop> = props
            .iter()
            .copied()
            .filter(|p| !self.cursor.present.contains(&p.name))
            .collect();
        props.sort_by(|a, b| {
            (!a.required, a.name.to_ascii_lowercase())
                .cmp(&(!b.required, b.name.to_ascii_lowercase()))
        });
        props
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (insert, snippet) = self.key_insert(p);
                let mut item = self.item(p.name.clone(), CompletionKind::Key, insert);
                item.is_snippet = snippet;
                let ty = schema_at::type_label(&p.shape);
                item.detail = Some(if p.required {
                    format!("{ty} · required")
                } else {
                    ty
                });
                item.documentation = schema_at::description(p).map(str::to_owned);
                item.sort_text = format!("{i:04}");
                item
            })
            .collect()
    }

    /// What choosing key `p` inserts: the key, and the start of its value with the
    /// indentation right (`key:\n  ` for objects, `key:\n- name: ${1}` for lists of objects).
    fn key_insert(&self, p: &Prop) -> (String, bool) {
        let c = &self.cursor;
        let name = yaml_scalar(&p.name);
        if c.has_colon {
            return (name, false);
        }
        if c.flow {
            return (format!("{name}: "), false);
        }
        let sp = self.lead();
        let name = snippet_escape(&name);
        let unit = c.indent_unit;
        match resolve(&p.shape).0 {
            Shape::Object(_) => (format!("{sp}{name}:\n{}$0", spaces(c.column + unit)), true),
            Shape::Array { items, .. } => {
                let compact = *self
                    .compact
                    .get_or_init(|| yaml_path::compact_lists(self.text));
                let dash = if compact { c.column } else { c.column + unit };
                let mut s = format!("{sp}{name}:\n{}- ", spaces(dash));
                let fill = fill_keys(items);
                if fill.is_empty() {
                    s.push_str("$0");
                }
                for (i, f) in fill.iter().enumerate() {
                    if i > 0 {
                        s.push('\n');
                        s.push_str(&spaces(dash + 2));
                    }
                    let key = snippet_escape(&yaml_scalar(&f.name));
                    let n = i + 1;
                    if schema_at::is_scalar(&f.shape) {
                        s.push_str(&format!("{key}: ${{{n}}}"));
                    } else {
                        s.push_str(&format!("{key}:\n{}${{{n}}}", spaces(dash + 2 + unit)));
                    }
                }
                (s, true)
            }
            Shape::Boolean => (format!("{sp}{name}: ${{1|true,false|}}"), true),
            shape => {
                let values = schema_at::enum_values(shape);
                if values.is_empty() {
                    return (format!("{}{}: ", sp, yaml_scalar(&p.name)), false);
                }
                let choices: Vec<String> = values
                    .iter()
                    .map(|v| choice_escape(&yaml_scalar(v)))
                    .collect();
                (format!("{sp}{name}: ${{1|{}|}}", choices.join(",")), true)
            }
        }
    }

    /// Keys at the root of an object: its schema's, or (when its kind is not known yet)
    /// `apiVersion` and `kind`, the pairs that fill both, and on an empty document whole
    /// resources.
    fn object_root_keys(&self) -> Vec<CompletionItem> {
        let c = &self.cursor;
        if self.object.kind.is_some()
            && let Some(found) = self.walk(&c.path)
        {
            let props = schema_at::props(&found);
            if !props.is_empty() {
                return self.keys(&props);
            }
        }
        // Some other YAML (a CI configuration, a values file): nothing to offer.
        let k8s_like = c.present.is_empty()
            || c.present
                .iter()
                .any(|k| matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "spec"));
        if !k8s_like {
            return Vec::new();
        }
        let mut out = Vec::new();
        let empty_doc = self.object_depth == 0
            && self.doc_header == Header::default()
            && yaml_path::empty_but_line(self.text, usize::from(c.token.start()));
        if empty_doc && !c.has_colon && !c.flow && c.column == 0 {
            out.extend(self.resource_snippets());
        }
        if self.object.api_version.is_none()
            && self.object.kind.is_none()
            && !c.has_colon
            && !c.flow
        {
            out.extend(self.pairs());
        }
        for key in ["apiVersion", "kind"] {
            if !c.present.iter().any(|p| p == key) {
                let insert = if c.has_colon {
                    key.to_owned()
                } else {
                    format!("{}{key}: ", self.lead())
                };
                let mut item = self.item(key.to_owned(), CompletionKind::Key, insert);
                item.detail = Some("string · required".to_owned());
                out.push(item);
            }
        }
        for (i, item) in out.iter_mut().enumerate() {
            item.sort_text = format!("{i:04}");
        }
        out
    }

    /// Whole resources, for an empty document.
    fn resource_snippets(&self) -> Vec<CompletionItem> {
        RESOURCE_SNIPPETS
            .iter()
            .map(|s| {
                let mut item = self.item(
                    format!("{} manifest", s.kind),
                    CompletionKind::Snippet,
                    s.body.to_owned(),
                );
                item.is_snippet = true;
                item.detail = Some(format!("{} {}", s.api_version, s.kind));
                item.documentation = Some(format!(
                    "{}.\n\n```yaml\n{}\n```",
                    s.summary,
                    snippet_to_plain(s.body).trim_end()
                ));
                item
            })
            .collect()
    }

    /// One item per kind that writes both `apiVersion` and `kind`.
    fn pairs(&self) -> Vec<CompletionItem> {
        let ind = spaces(self.cursor.column);
        let sp = self.lead();
        let mut pairs: Vec<(String, String, Option<String>)> = builtin()
            .kinds()
            .iter()
            .filter(|k| k.scope != Scope::Subresource && !k.kind.ends_with("List"))
            .map(|k| (k.api_version.clone(), k.kind.clone(), None))
            .collect();
        for def in self.analysis.crds().iter() {
            for v in def.versions.iter().filter(|v| v.served) {
                pairs.push((
                    format!("{}/{}", def.group, v.name),
                    def.kind.clone(),
                    Some(def.name.clone()),
                ));
            }
        }
        pairs.sort_by(|a, b| (!is_stable(&a.0), &a.1, &a.0).cmp(&(!is_stable(&b.0), &b.1, &b.0)));
        pairs.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        pairs
            .into_iter()
            .map(|(api, kind, crd)| {
                let insert = format!(
                    "{sp}apiVersion: {}\n{ind}kind: {}\n{ind}$0",
                    snippet_escape(&api),
                    snippet_escape(&kind)
                );
                let mut item = self.item(kind.clone(), CompletionKind::Kind, insert);
                item.is_snippet = true;
                item.detail = Some(match crd {
                    Some(name) => format!("{api} · CRD {name}"),
                    None => api.clone(),
                });
                item.documentation = Some(format!("```yaml\napiVersion: {api}\nkind: {kind}\n```"));
                item
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Values

    fn value_item(&self, value: &str, kind: CompletionKind) -> CompletionItem {
        let insert = format!("{}{}", self.lead(), yaml_scalar(value));
        self.item(value.to_owned(), kind, insert)
    }

    /// Values for the scalar at `found`: enum values, booleans, names of objects the field
    /// refers to, label values.
    fn values(&self, found: &Found<'a>) -> Vec<CompletionItem> {
        let mut out: Vec<CompletionItem> = Vec::new();
        for v in schema_at::enum_values(found.shape) {
            out.push(self.value_item(v, CompletionKind::Value));
        }
        if matches!(resolve(found.shape).0, Shape::Boolean) {
            for v in ["true", "false"] {
                let insert = format!("{}{v}", self.lead());
                out.push(self.item(v.to_owned(), CompletionKind::Value, insert));
            }
        }
        let path = &self.cursor.path;
        if schema_at::is_scalar(found.shape)
            && let Some(kind) = reference_kind(path)
        {
            out.extend(self.names(kind));
        }
        if let [parent @ .., Segment::Key(key)] = path.as_slice()
            && let Some(map) = self.walk(parent)
            && let Some(source) = self.label_source(parent, &map)
        {
            let labels = self.labels(source);
            for v in labels.get(key.as_str()).into_iter().flatten() {
                let mut item = self.value_item(v, CompletionKind::Reference);
                item.detail = Some(format!("value of `{key}` in the workspace"));
                out.push(item);
            }
        }
        for (i, item) in out.iter_mut().enumerate() {
            item.sort_text = format!("{i:04}");
        }
        out
    }

    /// Names of `kind` objects in the workspace, those of the same namespace first.
    fn names(&self, kind: &str) -> Vec<CompletionItem> {
        let index = self.analysis.index();
        let ns = self.namespace.as_deref();
        let mut found: BTreeMap<(bool, String), (Option<String>, String)> = BTreeMap::new();
        for (file, s) in index.of_kind(kind) {
            if s.name.is_empty() || s.kind != kind {
                continue;
            }
            let elsewhere = !s.same_namespace(ns);
            found
                .entry((elsewhere, s.name.clone()))
                .or_insert_with(|| (s.namespace.clone(), index.path(file).to_owned()));
        }
        let mut seen = BTreeSet::new();
        found
            .into_iter()
            .filter(|((_, name), _)| seen.insert(name.clone()))
            .map(|((_, name), (namespace, path))| {
                let mut item = self.value_item(&name, CompletionKind::Reference);
                item.detail = Some(match namespace {
                    Some(n) => format!("{kind} in namespace {n}"),
                    None => kind.to_owned(),
                });
                item.documentation = Some(format!("Defined in `{path}`"));
                item
            })
            .collect()
    }

    /// Whether the map at `path` holds labels, and which.
    fn label_source(&self, path: &[Segment], found: &Found<'_>) -> Option<LabelSource> {
        if !schema_at::is_map(found.shape) {
            return None;
        }
        let mut keys = path.iter().rev().filter_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Item => None,
        });
        let last = keys.next()?;
        let parent = keys.next().unwrap_or("");
        match (parent, last) {
            ("namespaceSelector", "matchLabels") => Some(LabelSource::Namespaces),
            ("nodeSelector" | "nodeSelectorTerms", _) | (_, "nodeSelector") => {
                Some(LabelSource::Nodes)
            }
            (_, "matchLabels" | "selector") => Some(LabelSource::Pods),
            ("metadata", "labels") => Some(LabelSource::Any),
            _ => None,
        }
    }

    /// Label keys and their values, from the workspace and the well-known ones.
    fn labels(&self, source: LabelSource) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut add = |k: &str, v: &str| {
            let values = out.entry(k.to_owned()).or_default();
            if !v.is_empty() {
                values.insert(v.to_owned());
            }
        };
        for (_, s) in self.analysis.index().objects() {
            let lists: Vec<&[(String, String)]> = match source {
                LabelSource::Any => {
                    let mut l = vec![s.labels.as_slice()];
                    l.extend(s.pod_labels.as_deref());
                    l
                }
                LabelSource::Pods => s.pod_labels.as_deref().into_iter().collect(),
                LabelSource::Nodes if s.kind == "Node" => vec![s.labels.as_slice()],
                LabelSource::Namespaces if s.kind == "Namespace" => vec![s.labels.as_slice()],
                _ => Vec::new(),
            };
            for (k, v) in lists.into_iter().flatten() {
                add(k, v);
            }
        }
        for (k, values) in well_known_labels(source) {
            add(k, "");
            for v in *values {
                add(k, v);
            }
        }
        out
    }

    fn label_keys(&self, source: LabelSource) -> Vec<CompletionItem> {
        let c = &self.cursor;
        let mut items: Vec<CompletionItem> = self
            .labels(source)
            .into_iter()
            .filter(|(k, _)| !c.present.contains(k))
            .map(|(k, values)| {
                let key = yaml_scalar(&k);
                let insert = if c.has_colon {
                    key
                } else {
                    format!("{}{key}: ", self.lead())
                };
                let mut item = self.item(k, CompletionKind::Reference, insert);
                if !values.is_empty() {
                    let shown: Vec<&str> = values.iter().take(5).map(String::as_str).collect();
                    let more = if values.len() > 5 { ", …" } else { "" };
                    item.detail = Some(format!("label · {}{more}", shown.join(", ")));
                } else {
                    item.detail = Some("label".to_owned());
                }
                item
            })
            .collect();
        for (i, item) in items.iter_mut().enumerate() {
            item.sort_text = format!("{i:04}");
        }
        items
    }

    /// apiVersions that serve the kind written (all of them when none is, or none fits).
    fn api_versions(&self) -> Vec<CompletionItem> {
        let b = builtin();
        let crds = self.analysis.crds();
        let mut found: BTreeMap<String, String> = BTreeMap::new();
        if let Some(kind) = self.object.kind.as_deref() {
            for v in b.api_versions_of(kind) {
                found.insert(v.to_owned(), format!("serves {kind}"));
            }
            for def in crds.iter().filter(|d| d.kind == kind) {
                for v in def.versions.iter().filter(|v| v.served) {
                    found.insert(
                        format!("{}/{}", def.group, v.name),
                        format!("CRD {}", def.name),
                    );
                }
            }
        }
        if found.is_empty() {
            for k in b.kinds().iter().filter(|k| k.scope != Scope::Subresource) {
                found
                    .entry(k.api_version.clone())
                    .or_insert_with(|| format!("Kubernetes {}", b.kubernetes_version()));
            }
            for def in crds.iter() {
                for v in def.versions.iter().filter(|v| v.served) {
                    found.insert(
                        format!("{}/{}", def.group, v.name),
                        format!("CRD {}", def.name),
                    );
                }
            }
        }
        let mut list: Vec<(String, String)> = found.into_iter().collect();
        list.sort_by_key(|(v, _)| !is_stable(v));
        list.into_iter()
            .enumerate()
            .map(|(i, (v, detail))| {
                let mut item = self.value_item(&v, CompletionKind::Kind);
                item.detail = Some(detail);
                item.sort_text = format!("{i:04}");
                item
            })
            .collect()
    }

    /// Kinds served at the apiVersion written (all of them when none is, or none fits).
    fn kinds(&self) -> Vec<CompletionItem> {
        let b = builtin();
        let crds = self.analysis.crds();
        // kind -> (apiVersions, documentation)
        let mut found: BTreeMap<String, (Vec<String>, Option<String>)> = BTreeMap::new();
        let add_builtin = |found: &mut BTreeMap<String, (Vec<String>, Option<String>)>,
                           k: &picket_schema::table::KindEntry| {
            if k.scope == Scope::Subresource || k.kind.ends_with("List") {
                return;
            }
            let e = found.entry(k.kind.clone()).or_default();
            e.0.push(k.api_version.clone());
            if e.1.is_none() {
                e.1 = schema_at::type_description(&Shape::Ref { to: k.ty }).map(str::to_owned);
            }
        };
        if let Some(api) = self.object.api_version.as_deref() {
            for k in b.kinds().iter().filter(|k| k.api_version == api) {
                add_builtin(&mut found, k);
            }
            let (group, version) = (group_of(api), api.rsplit('/').next().unwrap_or(api));
            for def in crds.iter().filter(|d| d.group == group) {
                if def.version(version).is_some_and(|v| v.served) {
                    let e = found.entry(def.kind.clone()).or_default();
                    e.0.push(api.to_owned());
                    e.1 = Some(format!("Custom resource from CRD `{}`", def.name));
                }
            }
        }
        if found.is_empty() {
            for k in b.kinds() {
                add_builtin(&mut found, k);
            }
            for def in crds.iter() {
                for v in def.versions.iter().filter(|v| v.served) {
                    let e = found.entry(def.kind.clone()).or_default();
                    e.0.push(format!("{}/{}", def.group, v.name));
                    e.1 = Some(format!("Custom resource from CRD `{}`", def.name));
                }
            }
        }
        found
            .into_iter()
            .enumerate()
            .map(|(i, (kind, (mut apis, doc)))| {
                apis.sort_by_key(|v| !is_stable(v));
                apis.dedup();
                let mut item = self.value_item(&kind, CompletionKind::Kind);
                item.detail = Some(apis.join(", "));
                item.documentation = doc;
                item.sort_text = format!("{i:04}");
                item
            })
            .collect()
    }
}

/// The keys a new list item of this shape starts with: its required ones (`name` first),
/// and a container's `image`, which the schema leaves optional but no pod runs without.
fn fill_keys(items: &Shape) -> Vec<&Prop> {
    let (shape, type_name) = resolve(items);
    let Shape::Object(o) = shape else {
        return Vec::new();
    };
    let container =
        type_name.is_some_and(|n| n.ends_with(".Container") || n.ends_with(".EphemeralContainer"));
    let mut out: Vec<&Prop> = o
        .props
        .iter()
        .filter(|p| p.required || (container && p.name == "image"))
        .collect();
    out.sort_by_key(|p| p.name != "name");
    out
}

#[cfg(test)]
mod tests;
