//! Document symbols: the outline of a file, one symbol per Kubernetes object.

use picket_model::{ContainerKind, DocumentClass, Field, Object, View, classify};
use picket_syntax::{
    Document, Mapping, Node, NodeKind, ParsedFile, ScalarStyle, TextRange, TextSize,
};

use super::trim_end;

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// What the outline shows: `Deployment web`, a container's name, a data key. Never empty.
    pub name: String,
    /// Shown next to the name: the namespace of an object, the image of a container.
    pub detail: Option<String>,
    /// What the symbol stands for, which picks its icon.
    pub kind: SymbolKind,
    /// Everything the symbol covers.
    pub range: TextRange,
    /// What to select when the symbol is picked: the name, or the `kind` value without one.
    /// Always inside `range`.
    pub selection_range: TextRange,
    /// Symbols inside this one, each within its `range`.
    pub children: Vec<DocumentSymbol>,
}

/// What a symbol stands for; clients pick an icon from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A `Namespace`.
    Namespace,
    /// An object that runs pods (Pod, Deployment, CronJob, …).
    Workload,
    /// An object that routes or filters traffic (Service, Ingress, NetworkPolicy, …).
    Network,
    /// A ConfigMap or a Secret.
    Config,
    /// A CustomResourceDefinition: it defines a type.
    Definition,
    /// A `List` (or `…List`) of objects.
    List,
    /// Any other object.
    Object,
    /// A container of a workload (regular, init or ephemeral).
    Container,
    /// A port of a Service.
    Port,
    /// A key of a ConfigMap's or Secret's data.
    DataKey,
    /// A version of a CRD.
    Version,
    /// A top-level key of a document that is not a Kubernetes object.
    Key,
}

/// The most children an object's symbol lists.
const MAX_CHILDREN: usize = 2_000;

/// Longest value preview shown as a detail, in characters.
const PREVIEW_CHARS: usize = 40;

pub(crate) fn document_symbols(file: &ParsedFile) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for entry in file.documents() {
        let doc = &entry.doc;
        let start = out.len();
        match classify(doc) {
            DocumentClass::Object(o) => out.push(object_symbol(doc, o)),
            DocumentClass::Other => {
                if let Some(m) = doc.root().and_then(|r| r.as_mapping()) {
                    out.extend(top_level_keys(doc, m));
                }
            }
            DocumentClass::Empty => {}
        }
        for sym in &mut out[start..] {
            shift(sym, entry.offset);
        }
    }
    out
}

fn shift(sym: &mut DocumentSymbol, by: TextSize) {
    sym.range += by;
    sym.selection_range += by;
    for c in &mut sym.children {
        shift(c, by);
    }
}

fn object_symbol(doc: &Document, o: Object<'_>) -> DocumentSymbol {
    let range = trim_end(doc.text(), o.range());
    let kind_text = o.kind().and_then(|k| text_of(&k)).map(first_line);
    let is_list = kind_text.is_some_and(|k| k.ends_with("List")) && o.field("items").is_some();
    if is_list {
        let items: Vec<Object<'_>> = o.list_items().collect();
        let n = items.len();
        let children: Vec<_> = items
            .into_iter()
            .map(|item| object_symbol(doc, item))
            .filter(|c| range.contains_range(c.range))
            .collect();
        return DocumentSymbol {
            name: kind_text.unwrap_or("List").to_owned(),
            detail: Some(format!("{n} item{}", if n == 1 { "" } else { "s" })),
            kind: SymbolKind::List,
            range,
            selection_range: within(range, header_range(&o)),
            children,
        };
    }
    let metadata = o.metadata();
    let name_field = metadata
        .and_then(|m| m.name())
        .filter(|f| text_of(f).is_some());
    let generated = metadata
        .and_then(|m| m.generate_name())
        .filter(|f| text_of(f).is_some());
    let kind_label = kind_text.unwrap_or("(no kind)");
    let (name, selection) = match (name_field, generated) {
        (Some(f), _) => (
            format!(
                "{kind_label} {}",
                first_line(text_of(&f).unwrap_or_default())
            ),
            f.value_range(),
        ),
        (None, Some(f)) => (
            format!(
                "{kind_label} {}…",
                first_line(text_of(&f).unwrap_or_default())
            ),
            f.value_range(),
        ),
        (None, None) => (format!("{kind_label} (no name)"), header_range(&o)),
    };
    let detail = metadata
        .and_then(|m| m.namespace())
        .and_then(|f| text_of(&f))
        .map(|ns| first_line(ns).to_owned());
    let mut children = Vec::new();
    if o.workload_kind().is_some() {
        children.extend(containers(doc, &o));
    } else if let Some(spec) = o.as_service() {
        children.extend(spec.ports().map(|p| service_port(doc, p)));
    } else if o.is(&[""], "ConfigMap") || o.is(&[""], "Secret") {
        children.extend(data_keys(doc, &o));
    } else if let Some(crd) = o.as_crd() {
        children.extend(crd.versions().map(|v| crd_version(doc, v)));
    }
    children.retain(|c| range.contains_range(c.range));
    children.sort_by_key(|c| c.range.start());
    let mut detail = detail;
    if children.len() > MAX_CHILDREN {
        // An outline of a huge ConfigMap is unreadable and slow for the editor to draw.
        let note = format!("first {MAX_CHILDREN} of {} entries", children.len());
        children.truncate(MAX_CHILDREN);
        detail = Some(match detail {
            Some(d) => format!("{d} · {note}"),
            None => note,
        });
    }
    DocumentSymbol {
        name,
        detail,
        kind: object_kind(&o, kind_text),
        range,
        selection_range: within(range, selection),
        children,
    }
}

/// Where to point when an object has no name: its `kind` value, else its `kind` entry, else
/// its first line.
fn header_range(o: &Object<'_>) -> TextRange {
    match o.kind() {
        Some(k) if !k.value_range().is_empty() => k.value_range(),
        Some(k) => k.range(),
        None => o
            .mapping()
            .entries()
            .next()
            .map_or_else(|| o.range(), |e| e.key.range()),
    }
}

/// `selection` if it lies inside `range` (a value reached through an alias may not), else
/// the start of `range`.
fn within(range: TextRange, selection: TextRange) -> TextRange {
    if range.contains_range(selection) {
        selection
    } else {
        TextRange::empty(range.start())
    }
}

fn object_kind(o: &Object<'_>, kind: Option<&str>) -> SymbolKind {
    if o.workload_kind().is_some() {
        return SymbolKind::Workload;
    }
    SymbolKind::of_kind(kind.unwrap_or_default())
}

impl SymbolKind {
    /// The symbol kind of an object of `group` and `kind` (workspace symbols use it too).
    pub fn of_object(group: &str, kind: &str) -> SymbolKind {
        if picket_model::WorkloadKind::of(group, kind).is_some() {
            return SymbolKind::Workload;
        }
        SymbolKind::of_kind(kind)
    }

    fn of_kind(kind: &str) -> SymbolKind {
        match kind {
            "Namespace" => SymbolKind::Namespace,
            "Service" | "Ingress" | "IngressClass" | "NetworkPolicy" | "Endpoints"
            | "EndpointSlice" | "Gateway" | "GatewayClass" | "HTTPRoute" | "GRPCRoute"
            | "TCPRoute" | "TLSRoute" | "UDPRoute" => SymbolKind::Network,
            "ConfigMap" | "Secret" => SymbolKind::Config,
            "CustomResourceDefinition" => SymbolKind::Definition,
            _ => SymbolKind::Object,
        }
    }
}

/// The text of a scalar value, unless it is empty or null (`name:` still being typed).
fn text_of<'a>(f: &Field<'a>) -> Option<&'a str> {
    let value = f.value();
    if value.is_null() {
        return None;
    }
    f.text().filter(|t| !t.trim().is_empty())
}

fn containers(doc: &Document, o: &Object<'_>) -> Vec<DocumentSymbol> {
    let Some(pod) = o.pod_spec() else {
        return Vec::new();
    };
    pod.all_containers()
        .map(|(kind, c)| {
            let range = trim_end(doc.text(), c.range());
            let name = c.name().filter(|f| text_of(f).is_some());
            let image = c.image().and_then(|f| text_of(&f));
            let suffix = match kind {
                ContainerKind::Regular => "",
                ContainerKind::Init => " (init)",
                ContainerKind::Ephemeral => " (ephemeral)",
            };
            let detail = match image {
                Some(i) => Some(format!("{}{suffix}", first_line(i))),
                None if suffix.is_empty() => None,
                None => Some(suffix.trim_start().to_owned()),
            };
            let selection = name
                .map(|f| f.value_range())
                .or_else(|| c.image().map(|f| f.range()))
                .unwrap_or(TextRange::empty(range.start()));
            DocumentSymbol {
                name: name
                    .and_then(|f| text_of(&f))
                    .map_or_else(|| "(no name)".to_owned(), |n| first_line(n).to_owned()),
                detail,
                kind: SymbolKind::Container,
                range,
                selection_range: within(range, selection),
                children: Vec::new(),
            }
        })
        .collect()
}

fn service_port(doc: &Document, p: picket_model::ServicePort<'_>) -> DocumentSymbol {
    let range = trim_end(doc.text(), p.range());
    let name = p.name().filter(|f| text_of(f).is_some());
    let port = p.port().filter(|f| text_of(f).is_some());
    let label = name.or(port);
    let mut detail = port.and_then(|f| text_of(&f)).unwrap_or("?").to_owned();
    if let Some(target) = p.target_port().and_then(|f| text_of(&f)) {
        detail.push_str(" → ");
        detail.push_str(target);
    }
    if let Some(protocol) = p.protocol().and_then(|f| text_of(&f)) {
        detail.push('/');
        detail.push_str(protocol);
    }
    DocumentSymbol {
        name: label
            .and_then(|f| text_of(&f))
            .map_or_else(|| "(no port)".to_owned(), |n| first_line(n).to_owned()),
        detail: Some(detail),
        kind: SymbolKind::Port,
        range,
        selection_range: within(
            range,
            label.map_or(TextRange::empty(range.start()), |f| f.value_range()),
        ),
        children: Vec::new(),
    }
}

/// The keys of `data` and `binaryData` (ConfigMap) or `data` and `stringData` (Secret), as
/// written. A ConfigMap's value is previewed; a Secret's never is, in any form.
fn data_keys(doc: &Document, o: &Object<'_>) -> Vec<DocumentSymbol> {
    let secret = o.is(&[""], "Secret");
    let fields: &[&str] = if secret {
        &["data", "stringData"]
    } else {
        &["data", "binaryData"]
    };
    let mut out = Vec::new();
    for &field in fields {
        let Some(m) = o.field(field).and_then(|f| f.as_mapping()) else {
            continue;
        };
        for e in m.entries().filter(|e| !e.is_merge()) {
            let detail = match (secret, field) {
                (true, _) => None,
                (false, "binaryData") => Some("binary".to_owned()),
                (false, _) => preview(e.value),
            };
            out.push(DocumentSymbol {
                name: key_name(e.key),
                detail,
                kind: SymbolKind::DataKey,
                range: trim_end(doc.text(), e.key.range().cover(e.value.range())),
                selection_range: e.key.range(),
                children: Vec::new(),
            });
        }
    }
    out
}

fn crd_version(doc: &Document, v: picket_model::CrdVersion<'_>) -> DocumentSymbol {
    let range = trim_end(doc.text(), v.range());
    let name = v.name().filter(|f| text_of(f).is_some());
    let flags: Vec<&str> = [
        (v.served(), "served"),
        (v.storage(), "storage"),
        (v.deprecated(), "deprecated"),
    ]
    .into_iter()
    .filter(|(f, _)| f.and_then(|f| f.as_bool()) == Some(true))
    .map(|(_, label)| label)
    .collect();
    DocumentSymbol {
        name: name
            .and_then(|f| text_of(&f))
            .map_or_else(|| "(no name)".to_owned(), |n| first_line(n).to_owned()),
        detail: (!flags.is_empty()).then(|| flags.join(", ")),
        kind: SymbolKind::Version,
        range,
        selection_range: within(
            range,
            name.map_or(TextRange::empty(range.start()), |f| f.value_range()),
        ),
        children: Vec::new(),
    }
}

/// The top-level keys of a document that is not a Kubernetes object (a values file, a CI
/// configuration), with a preview of scalar values.
fn top_level_keys(doc: &Document, m: Mapping<'_>) -> Vec<DocumentSymbol> {
    m.entries()
        .map(|e| DocumentSymbol {
            name: key_name(e.key),
            detail: preview(e.value),
            kind: SymbolKind::Key,
            range: trim_end(doc.text(), e.key.range().cover(e.value.range())),
            selection_range: e.key.range(),
            children: Vec::new(),
        })
        .collect()
}

/// A key as the outline names it: its first line, never empty.
fn key_name(key: Node<'_>) -> String {
    let text = match key.as_scalar() {
        Some(s) => first_line(s.value()),
        None => first_line(key.text()),
    };
    if text.trim().is_empty() {
        "\"\"".to_owned()
    } else {
        text.to_owned()
    }
}

/// A short preview of a scalar value: a one-line value itself (cut to [`PREVIEW_CHARS`]), the
/// line count of a block scalar.
fn preview(value: Node<'_>) -> Option<String> {
    if value.kind() != NodeKind::Scalar || value.is_null() {
        return None;
    }
    let s = value.as_scalar()?;
    let v = s.value();
    if matches!(s.style(), ScalarStyle::Literal | ScalarStyle::Folded) {
        let lines = v.lines().count();
        return Some(format!("{lines} line{}", if lines == 1 { "" } else { "s" }));
    }
    let line = first_line(v);
    if line.chars().count() > PREVIEW_CHARS {
        let cut: String = line.chars().take(PREVIEW_CHARS).collect();
        return Some(format!("{cut}…"));
    }
    (!line.is_empty()).then(|| line.to_owned())
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}
