//! The YAML tree of one document: an arena of nodes with byte ranges into the document's own text.
//!
//! Nodes are mappings, sequences, scalars and aliases. A mapping stores its entries as alternating
//! key and value children. Aliases are kept as nodes that point at their anchor; nothing is ever
//! expanded while building, so an alias bomb costs no more memory than its text.

use std::fmt;

use text_size::{TextRange, TextSize};

use crate::scalar::{self, ScalarValue};

/// Index of a node inside its [`Document`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub(crate) const NONE: u32 = u32::MAX;

    pub(crate) fn idx(self) -> usize {
        self.0 as usize
    }
}

/// What a node is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum NodeKind {
    Mapping,
    Sequence,
    Scalar,
    Alias,
}

/// How a scalar is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }

    pub fn is_block(self) -> bool {
        matches!(self, ScalarStyle::Literal | ScalarStyle::Folded)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct NodeData {
    pub(crate) kind: NodeKind,
    pub(crate) style: ScalarStyle,
    pub(crate) flow: bool,
    pub(crate) range: TextRange,
    pub(crate) parent: u32,
    /// Collections: start of the children in `Document::children`. Scalars: index into
    /// `Document::values` or `NodeId::NONE` when the value is the node's own text.
    /// Aliases: the target node or `NodeId::NONE` when it could not be resolved.
    pub(crate) a: u32,
    /// Collections: number of children.
    pub(crate) b: u32,
    /// Index into `Document::props` or `NodeId::NONE`.
    pub(crate) props: u32,
}

/// The anchor and tag written before a node.
#[derive(Clone, Debug, Default)]
pub(crate) struct Props {
    pub(crate) anchor: Option<TextRange>,
    pub(crate) tag: Option<TextRange>,
}

/// Severity of a problem found while reading YAML.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ErrorKind {
    /// The text is not valid YAML.
    Syntax,
    /// The same key appears twice in one mapping.
    DuplicateKey,
    /// An alias refers to a node that contains the alias.
    RecursiveAlias,
    /// Nesting deeper than [`crate::Limits::max_depth`].
    TooDeep,
    /// More nodes than [`crate::Limits::max_nodes`].
    TooLarge,
}

impl ErrorKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "yaml-syntax",
            ErrorKind::DuplicateKey => "duplicate-key",
            ErrorKind::RecursiveAlias => "recursive-alias",
            ErrorKind::TooDeep => "nesting-too-deep",
            ErrorKind::TooLarge => "document-too-large",
        }
    }
}

/// A problem found while reading one document. Ranges are relative to the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: ErrorKind,
    pub range: TextRange,
    pub message: String,
    /// A second place that explains the error, such as the first occurrence of a duplicate key.
    pub related: Option<(TextRange, String)>,
}

/// One YAML document: its text, its tree and what went wrong while reading it.
pub struct Document {
    pub(crate) text: Box<str>,
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) values: Vec<Box<str>>,
    pub(crate) props: Vec<Props>,
    pub(crate) root: Option<NodeId>,
    pub(crate) errors: Vec<SyntaxError>,
    pub(crate) partial: bool,
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("len", &self.text.len())
            .field("nodes", &self.nodes.len())
            .field("errors", &self.errors)
            .field("partial", &self.partial)
            .finish()
    }
}

impl Document {
    /// The document's own text; every range of this document indexes into it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The top-level node, if the document has content.
    pub fn root(&self) -> Option<Node<'_>> {
        self.root.map(|id| Node { doc: self, id })
    }

    /// Problems found while reading, in text order.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// Whether a part of the text could not be read into the tree (after a syntax error or a
    /// limit). Checks that rely on the absence of something should stay quiet on such a tree.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// Number of nodes in the tree.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> Node<'_> {
        Node { doc: self, id }
    }

    /// The innermost node whose range contains `offset`, preferring the deepest one.
    pub fn node_at(&self, offset: TextSize) -> Option<Node<'_>> {
        let mut cur = self.root()?;
        if !cur.range().contains_inclusive(offset) {
            return None;
        }
        'descend: loop {
            for child in cur.children() {
                if child.range().contains_inclusive(offset) {
                    cur = child;
                    continue 'descend;
                }
            }
            return Some(cur);
        }
    }
}

/// A handle to a node of a [`Document`].
#[derive(Clone, Copy)]
pub struct Node<'a> {
    doc: &'a Document,
    id: NodeId,
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}

impl Eq for Node<'_> {}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{:?}", self.kind(), self.range())
    }
}

impl<'a> Node<'a> {
    fn data(&self) -> &'a NodeData {
        &self.doc.nodes[self.id.idx()]
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    pub fn document(&self) -> &'a Document {
        self.doc
    }

    pub fn kind(&self) -> NodeKind {
        self.data().kind
    }

    /// The node's range, without its anchor and tag. Block collections span from their first
    /// child to their last; an empty value has an empty range.
    pub fn range(&self) -> TextRange {
        self.data().range
    }

    /// The source text of the node.
    pub fn text(&self) -> &'a str {
        &self.doc.text[self.range()]
    }

    /// Whether the collection is written in flow style (`{}` or `[]`).
    pub fn is_flow(&self) -> bool {
        self.data().flow
    }

    pub fn parent(&self) -> Option<Node<'a>> {
        let p = self.data().parent;
        (p != NodeId::NONE).then_some(Node {
            doc: self.doc,
            id: NodeId(p),
        })
    }

    /// Depth from the root (the root has depth 0).
    pub fn depth(&self) -> usize {
        let mut d = 0;
        let mut cur = *self;
        while let Some(p) = cur.parent() {
            d += 1;
            cur = p;
        }
        d
    }

    /// All direct children; for a mapping, keys and values alternate.
    pub fn children(&self) -> impl Iterator<Item = Node<'a>> + use<'a> {
        let data = self.data();
        let doc = self.doc;
        let slice: &'a [NodeId] = match data.kind {
            NodeKind::Mapping | NodeKind::Sequence => {
                &doc.children[data.a as usize..(data.a + data.b) as usize]
            }
            _ => &[],
        };
        slice.iter().map(move |&id| Node { doc, id })
    }

    fn props(&self) -> Option<&'a Props> {
        let p = self.data().props;
        (p != NodeId::NONE).then(|| &self.doc.props[p as usize])
    }

    /// The anchor name written on this node (`&name` gives `name`).
    pub fn anchor(&self) -> Option<&'a str> {
        self.props()?.anchor.map(|r| &self.doc.text[r])
    }

    /// The range of `&name`, including the `&`.
    pub fn anchor_range(&self) -> Option<TextRange> {
        self.props()?
            .anchor
            .map(|r| TextRange::new(r.start() - TextSize::from(1), r.end()))
    }

    /// The tag written on this node, as written (`!!str`, `!custom`).
    pub fn tag(&self) -> Option<&'a str> {
        self.props()?.tag.map(|r| &self.doc.text[r])
    }

    /// For an alias, the anchored node it refers to.
    pub fn alias_target(&self) -> Option<Node<'a>> {
        let data = self.data();
        (data.kind == NodeKind::Alias && data.a != NodeId::NONE).then_some(Node {
            doc: self.doc,
            id: NodeId(data.a),
        })
    }

    /// The node itself, or the target of an alias. Never more than one hop: YAML anchors sit
    /// on nodes, never on aliases.
    pub fn resolve(&self) -> Node<'a> {
        self.alias_target().unwrap_or(*self)
    }

    pub fn as_scalar(&self) -> Option<Scalar<'a>> {
        (self.kind() == NodeKind::Scalar).then_some(Scalar { node: *self })
    }

    pub fn as_mapping(&self) -> Option<Mapping<'a>> {
        (self.kind() == NodeKind::Mapping).then_some(Mapping { node: *self })
    }

    pub fn as_sequence(&self) -> Option<Sequence<'a>> {
        (self.kind() == NodeKind::Sequence).then_some(Sequence { node: *self })
    }

    /// Whether the node reads as null (`~`, `null`, nothing at all).
    pub fn is_null(&self) -> bool {
        self.as_scalar()
            .is_some_and(|s| matches!(s.resolved(), ScalarValue::Null))
    }
}

/// A scalar node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar<'a> {
    node: Node<'a>,
}

impl<'a> Scalar<'a> {
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    pub fn range(&self) -> TextRange {
        self.node.range()
    }

    pub fn style(&self) -> ScalarStyle {
        self.node.data().style
    }

    /// The scalar as written, including quotes and block headers.
    pub fn raw(&self) -> &'a str {
        self.node.text()
    }

    /// The scalar's content after unquoting, unescaping and line folding.
    pub fn value(&self) -> &'a str {
        let data = self.node.data();
        if data.a != NodeId::NONE {
            return &self.node.doc.values[data.a as usize];
        }
        let raw = self.raw();
        if self.style().is_quoted() && raw.len() >= 2 {
            &raw[1..raw.len() - 1]
        } else {
            raw
        }
    }

    /// The value the way Kubernetes' YAML decoder reads it: YAML 1.1 booleans (`yes`, `off`),
    /// octal `0644`, hex, `~` for null, and so on. Quoted and block scalars are strings.
    pub fn resolved(&self) -> ScalarValue<'a> {
        scalar::resolve(self.value(), self.style(), self.node.tag())
    }
}

/// A mapping node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping<'a> {
    node: Node<'a>,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub key: Node<'a>,
    pub value: Node<'a>,
}

impl<'a> Entry<'a> {
    /// The key's string content when the key is a scalar.
    pub fn key_str(&self) -> Option<&'a str> {
        self.key.as_scalar().map(|s| s.value())
    }

    /// Whether this is a YAML merge key (`<<: *base`).
    pub fn is_merge(&self) -> bool {
        self.key
            .as_scalar()
            .is_some_and(|s| s.style() == ScalarStyle::Plain && s.raw() == "<<")
    }
}

impl<'a> Mapping<'a> {
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    pub fn range(&self) -> TextRange {
        self.node.range()
    }

    pub fn len(&self) -> usize {
        self.node.data().b as usize / 2
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries as written, merge keys included.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + use<'a> {
        let data = self.node.data();
        let doc = self.node.doc;
        let slice = &doc.children[data.a as usize..(data.a + data.b) as usize];
        slice.chunks_exact(2).map(move |kv| Entry {
            key: Node { doc, id: kv[0] },
            value: Node { doc, id: kv[1] },
        })
    }

    /// The entry whose scalar key equals `key`, as written (merge keys not followed).
    pub fn entry(&self, key: &str) -> Option<Entry<'a>> {
        self.entries().find(|e| e.key_str() == Some(key))
    }

    /// The value for `key`, following merge keys (`<<: *base`) the way Kubernetes' decoder
    /// does: keys written in the mapping win over merged ones, earlier merge sources win over
    /// later ones.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        let mut budget = MergeBudget::default();
        self.get_merged(key, &mut budget).map(|e| e.value)
    }

    /// Like [`Mapping::get`], returning the whole entry.
    pub fn get_entry(&self, key: &str) -> Option<Entry<'a>> {
        let mut budget = MergeBudget::default();
        self.get_merged(key, &mut budget)
    }

    fn get_merged(&self, key: &str, budget: &mut MergeBudget) -> Option<Entry<'a>> {
        if let Some(e) = self.entry(key) {
            return Some(e);
        }
        for source in self.merge_sources() {
            if !budget.spend() {
                return None;
            }
            if let Some(e) = source.get_merged(key, budget) {
                return Some(e);
            }
        }
        None
    }

    /// The mappings named by this mapping's merge keys, in priority order.
    pub fn merge_sources(&self) -> impl Iterator<Item = Mapping<'a>> + use<'a> {
        self.entries().filter(Entry::is_merge).flat_map(|e| {
            let value = e.value.resolve();
            let items: Vec<Mapping<'a>> = match value.kind() {
                NodeKind::Mapping => value.as_mapping().into_iter().collect(),
                NodeKind::Sequence => value
                    .children()
                    .filter_map(|item| item.resolve().as_mapping())
                    .collect(),
                _ => Vec::new(),
            };
            items
        })
    }

    /// Whether any entry is a merge key.
    pub fn has_merge(&self) -> bool {
        self.entries().any(|e| e.is_merge())
    }

    /// The effective entries: written ones (without merge keys), then merged ones whose key
    /// was not written. `budget` bounds the work spent following merges.
    pub fn effective_entries(&self, budget: &mut MergeBudget) -> Vec<Entry<'a>> {
        let mut out: Vec<Entry<'a>> = self.entries().filter(|e| !e.is_merge()).collect();
        if !self.has_merge() {
            return out;
        }
        let mut stack: Vec<Mapping<'a>> = self.merge_sources().collect();
        stack.reverse();
        while let Some(source) = stack.pop() {
            if !budget.spend() {
                break;
            }
            let mut nested: Vec<Mapping<'a>> = source.merge_sources().collect();
            for e in source.entries().filter(|e| !e.is_merge()) {
                let k = e.key_str();
                if !out.iter().any(|o| o.key_str() == k && k.is_some()) {
                    out.push(e);
                }
                if !budget.spend() {
                    return out;
                }
            }
            nested.reverse();
            stack.extend(nested);
        }
        out
    }
}

/// Bounds the work spent following merge keys, so a crafted chain of merges stays cheap.
#[derive(Debug)]
pub struct MergeBudget {
    left: usize,
}

impl Default for MergeBudget {
    fn default() -> Self {
        MergeBudget { left: 10_000 }
    }
}

impl MergeBudget {
    fn spend(&mut self) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        true
    }
}

/// A sequence node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sequence<'a> {
    node: Node<'a>,
}

impl<'a> Sequence<'a> {
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    pub fn range(&self) -> TextRange {
        self.node.range()
    }

    pub fn len(&self) -> usize {
        self.node.data().b as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn items(&self) -> impl Iterator<Item = Node<'a>> + use<'a> {
        self.node.children()
    }
}

impl Document {
    /// An indented dump of the tree, for tests and `cargo xtask print-tree`.
    pub fn debug_tree(&self) -> String {
        fn go(out: &mut String, node: Node<'_>, indent: usize, label: &str) {
            use std::fmt::Write;
            let r = node.range();
            let _ = write!(out, "{:indent$}{label}", "");
            match node.kind() {
                NodeKind::Mapping => {
                    let _ = writeln!(
                        out,
                        "{}mapping {}..{}",
                        if node.is_flow() { "flow " } else { "" },
                        u32::from(r.start()),
                        u32::from(r.end())
                    );
                }
                NodeKind::Sequence => {
                    let _ = writeln!(
                        out,
                        "{}sequence {}..{}",
                        if node.is_flow() { "flow " } else { "" },
                        u32::from(r.start()),
                        u32::from(r.end())
                    );
                }
                NodeKind::Scalar => {
                    let s = node.as_scalar().expect("scalar");
                    let _ = writeln!(
                        out,
                        "{:?} {:?} {}..{}",
                        s.style(),
                        s.value(),
                        u32::from(r.start()),
                        u32::from(r.end())
                    );
                }
                NodeKind::Alias => {
                    let _ = writeln!(
                        out,
                        "alias {} -> {:?}",
                        node.text(),
                        node.alias_target().map(|t| t.range())
                    );
                }
            }
            if let Some(a) = node.anchor() {
                let _ = writeln!(out, "{:w$}  anchor {a}", "", w = indent);
            }
            if let Some(t) = node.tag() {
                let _ = writeln!(out, "{:w$}  tag {t}", "", w = indent);
            }
            if let Some(m) = node.as_mapping() {
                for e in m.entries() {
                    go(out, e.key, indent + 2, "key: ");
                    go(out, e.value, indent + 4, "");
                }
            } else {
                for c in node.children() {
                    go(out, c, indent + 2, "- ");
                }
            }
        }
        let mut out = String::new();
        if let Some(root) = self.root() {
            go(&mut out, root, 0, "");
        }
        for e in &self.errors {
            use std::fmt::Write;
            let _ = writeln!(
                out,
                "error[{}] {}..{}: {}",
                e.kind.code(),
                u32::from(e.range.start()),
                u32::from(e.range.end()),
                e.message
            );
        }
        if self.partial {
            out.push_str("(partial)\n");
        }
        out
    }
}
