//! Text edits that change a manifest the way a careful person would: new keys go at the
//! indentation of their siblings, flow collections stay flow, comments and quoting stay put.
//!
//! Every helper works on one document's text with document-relative ranges, and returns
//! `None` when it cannot edit safely (an alias in the way, a scalar where a mapping should be).

use picket_model::Field;
use picket_syntax::{Document, Mapping, Node, NodeKind, TextRange, TextSize};

use crate::rule::Applicability;

thread_local! {
    /// Whether fixes are being built. Diagnostics for an editor's keystroke skip them (only
    /// code actions need them); see [`without_fixes`].
    static BUILD_FIXES: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Runs `f` with fix building off: the edit helpers return `None` at once and
/// [`crate::Violation::fix`] drops what it is given. Rules run synchronously on one thread,
/// so the flag covers exactly their run.
pub fn without_fixes<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BUILD_FIXES.with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BUILD_FIXES.with(|b| b.replace(false)));
    f()
}

/// Whether fixes are being built (see [`without_fixes`]).
pub(crate) fn building_fixes() -> bool {
    BUILD_FIXES.with(|b| b.get())
}

/// Replace `range` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub text: String,
}

impl Edit {
    pub fn replace(range: TextRange, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(TextRange::empty(size(at)), text)
    }

    pub fn delete(range: TextRange) -> Edit {
        Edit::replace(range, "")
    }
}

/// A proposed change: a title in the imperative, its applicability and its edits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    /// Non-overlapping, in any order.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, applicability: Applicability, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }

    pub fn safe(title: impl Into<String>, edit: Edit) -> Fix {
        Fix::new(title, Applicability::Safe, vec![edit])
    }

    pub fn unsafe_(title: impl Into<String>, edit: Edit) -> Fix {
        Fix::new(title, Applicability::Unsafe, vec![edit])
    }
}

/// A YAML value to insert. Scalars are written as given, so callers quote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Scalar(String),
    Map(Vec<(String, Value)>),
    Seq(Vec<Value>),
}

impl Value {
    pub fn scalar(s: impl Into<String>) -> Value {
        Value::Scalar(s.into())
    }

    /// `[a, b]` of plain scalars.
    pub fn list(items: &[&str]) -> Value {
        Value::Seq(items.iter().map(|s| Value::scalar(*s)).collect())
    }

    /// A mapping of one key.
    pub fn map1(key: &str, value: Value) -> Value {
        Value::Map(vec![(key.to_owned(), value)])
    }

    /// `{k: v}` / `[a, b]` on one line.
    pub fn flow(&self) -> String {
        match self {
            Value::Scalar(s) => s.clone(),
            Value::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.flow()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            Value::Seq(items) => {
                let inner: Vec<String> = items.iter().map(Value::flow).collect();
                format!("[{}]", inner.join(", "))
            }
        }
    }

    /// `key: value` in block style; continuation lines are indented from `indent`.
    fn block_entry(&self, key: &str, indent: usize, step: usize, nl: &str) -> String {
        match self {
            Value::Scalar(s) => format!("{key}: {s}"),
            Value::Map(e) if e.is_empty() => format!("{key}: {{}}"),
            Value::Seq(i) if i.is_empty() => format!("{key}: []"),
            Value::Map(_) | Value::Seq(_) => {
                format!("{key}:{}", self.block_body(indent + step, step, nl))
            }
        }
    }

    /// The lines of a block collection, each starting with a newline and `indent` spaces.
    fn block_body(&self, indent: usize, step: usize, nl: &str) -> String {
        let pad = " ".repeat(indent);
        let mut out = String::new();
        match self {
            Value::Scalar(s) => {
                out.push(' ');
                out.push_str(s);
            }
            Value::Map(entries) => {
                for (k, v) in entries {
                    out.push_str(nl);
                    out.push_str(&pad);
                    out.push_str(&v.block_entry(k, indent, step, nl));
                }
            }
            Value::Seq(items) => {
                for item in items {
                    out.push_str(nl);
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&item.seq_item(indent + 2, step, nl));
                }
            }
        }
        out
    }

    /// A sequence item after its `- `: scalars and flow inline, mappings with their first
    /// entry on the dash's line.
    fn seq_item(&self, indent: usize, step: usize, nl: &str) -> String {
        match self {
            Value::Map(entries) if !entries.is_empty() => {
                let pad = " ".repeat(indent);
                let mut out = String::new();
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(nl);
                        out.push_str(&pad);
                    }
                    out.push_str(&v.block_entry(k, indent, step, nl));
                }
                out
            }
            _ => self.flow(),
        }
    }
}

pub(crate) fn size(n: usize) -> TextSize {
    TextSize::from(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(size(start), size(end))
}

/// The document's newline: `\r\n` if its first line ends so, else `\n`. (Only the first
/// line is read: edits are built for every finding, and a whole-text scan each time would
/// cost more than the rules.)
pub(crate) fn newline(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, before its `\r\n` or `\n`.
pub(crate) fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > 0 && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

pub(crate) fn column(text: &str, offset: usize) -> usize {
    offset - line_start(text, offset)
}

/// Where a node's content ends, ignoring the trailing line breaks block scalars own.
fn content_end(text: &str, node: Node<'_>) -> usize {
    let r = node.range();
    let start = usize::from(r.start());
    let mut end = usize::from(r.end());
    while end > start && matches!(text.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    end
}

/// The indentation step the document uses, guessed from a mapping and its parent key.
fn indent_step(text: &str, mapping: Mapping<'_>) -> usize {
    // A nested block mapping tells: its column minus its parent entry's key column.
    let node = mapping.node();
    if let Some(parent) = node.parent()
        && parent.kind() == NodeKind::Mapping
        && let Some(pm) = parent.as_mapping()
        && let Some(entry) = pm.entries().find(|e| e.value == node)
    {
        let child = column(text, usize::from(node.range().start()));
        let key = column(text, usize::from(entry.key.range().start()));
        if child > key && child - key <= 8 {
            return child - key;
        }
    }
    2
}

/// Whether a mapping node is written `{…}`.
fn is_flow(node: Node<'_>) -> bool {
    node.is_flow()
}

/// Where an entry ends: after its value, or after its colon when the value is empty
/// (`{runAsUser: }`), never between the key and the colon.
fn entry_end(text: &str, entry: picket_syntax::Entry<'_>) -> usize {
    let key_end = usize::from(entry.key.range().end());
    if entry.value.range().is_empty() {
        return text[key_end..]
            .find(':')
            .map_or(key_end, |i| key_end + i + 1);
    }
    content_end(text, entry.value).max(key_end)
}

/// Inserts `key: value` into `mapping`, after its last entry.
pub fn insert_entry(
    doc: &Document,
    mapping: Mapping<'_>,
    key: &str,
    value: &Value,
) -> Option<Edit> {
    if !building_fixes() {
        return None;
    }
    let text = doc.text();
    let node = mapping.node();
    let nl = newline(text);
    if is_flow(node) {
        let r = node.range();
        return Some(match mapping.entries().last() {
            None => Edit::replace(r, format!("{{{key}: {}}}", value.flow())),
            Some(last) => Edit::insert(entry_end(text, last), format!(", {key}: {}", value.flow())),
        });
    }
    let last = mapping.entries().last()?;
    let indent = column(text, usize::from(last.key.range().start()));
    let first_indent = column(text, usize::from(node.range().start()));
    // Entries of one block mapping share a column; refuse anything stranger.
    if indent != first_indent {
        return None;
    }
    let step = indent_step(text, mapping);
    let end = content_end(text, last.value).max(usize::from(last.key.range().end()));
    let at = line_end(text, end);
    Some(Edit::insert(
        at,
        format!(
            "{nl}{}{}",
            " ".repeat(indent),
            value.block_entry(key, indent, step, nl)
        ),
    ))
}

/// Makes `path` (keys below `mapping`) hold `leaf`, creating the missing mappings on the way.
/// Returns `None` if the path already exists or runs into something that is not a mapping.
pub fn ensure_path(
    doc: &Document,
    mapping: Mapping<'_>,
    path: &[&str],
    leaf: Value,
) -> Option<Edit> {
    if !building_fixes() {
        return None;
    }
    let (first, rest) = path.split_first()?;
    let nested = |rest: &[&str]| {
        rest.iter()
            .rev()
            .fold(leaf.clone(), |v, k| Value::map1(k, v))
    };
    match mapping.entry(first) {
        // A key merged from an anchor (`<<: *base`): a mapping written here would shadow the
        // merged one and drop its other keys, so only a leaf may override it.
        None if !rest.is_empty() && mapping.get_entry(first).is_some() => None,
        None => insert_entry(doc, mapping, first, &nested(rest)),
        Some(entry) => {
            let value = entry.value;
            if value.kind() == NodeKind::Alias {
                return None;
            }
            if let Some(m) = value.as_mapping() {
                if rest.is_empty() {
                    return None;
                }
                if m.is_empty() {
                    return set_value(doc, entry.key, value, &nested(rest));
                }
                return ensure_path(doc, m, rest, leaf);
            }
            if value.is_null() {
                return set_value(doc, entry.key, value, &nested(rest));
            }
            None
        }
    }
}

/// Replaces a value that is null or an empty flow collection with `value`.
fn set_value(doc: &Document, key: Node<'_>, value: Node<'_>, new: &Value) -> Option<Edit> {
    let text = doc.text();
    let nl = newline(text);
    let r = value.range();
    if !r.is_empty() {
        // `~`, `null`, `{}` or `[]`: replace in place, on one line.
        return Some(Edit::replace(r, new.flow()));
    }
    // `key:` with nothing after it: a scalar goes after the colon, a block on the lines
    // that follow (after any comment on the key's line).
    let key_end = usize::from(key.range().end());
    if let Value::Scalar(s) = new {
        let colon = key_end + text[key_end..].find(':')? + 1;
        return Some(Edit::insert(colon, format!(" {s}")));
    }
    let key_col = column(text, usize::from(key.range().start()));
    let at = line_end(text, key_end);
    Some(Edit::insert(at, new.block_body(key_col + 2, 2, nl)))
}

/// Sets a scalar field's value, keeping the rest of the line. `None` when the value carries
/// an anchor (`&on true`): other nodes alias it, and they would change too.
pub fn set_scalar(field: Field<'_>, text: &str) -> Option<Edit> {
    if !building_fixes() {
        return None;
    }
    let value = field.value_as_written();
    if value.anchor().is_some() || value.kind() == NodeKind::Alias {
        return None;
    }
    Some(Edit::replace(value.range(), text))
}

/// Appends `item` to the sequence `field` holds.
pub fn append_item(doc: &Document, field: Field<'_>, item: &Value) -> Option<Edit> {
    if !building_fixes() {
        return None;
    }
    let text = doc.text();
    let value = field.value_as_written();
    if value.is_null() {
        return set_value(doc, field.key(), value, &Value::Seq(vec![item.clone()]));
    }
    let seq = value.as_sequence()?;
    let r = value.range();
    if value.is_flow() {
        return Some(match seq.items().last() {
            None => Edit::replace(r, format!("[{}]", item.flow())),
            Some(last) => Edit::insert(content_end(text, last), format!(", {}", item.flow())),
        });
    }
    let last = seq.items().last()?;
    let dash = column(text, usize::from(r.start()));
    let nl = newline(text);
    let at = line_end(text, content_end(text, last));
    Some(Edit::insert(
        at,
        format!(
            "{nl}{}- {}",
            " ".repeat(dash),
            item.seq_item(dash + 2, 2, nl)
        ),
    ))
}

/// Removes one item of the sequence `field` holds. The last item leaves `[]` behind.
pub fn remove_item(doc: &Document, field: Field<'_>, item: Node<'_>) -> Option<Edit> {
    if !building_fixes() {
        return None;
    }
    let text = doc.text();
    let value = field.value_as_written();
    let seq = value.as_sequence()?;
    let items: Vec<Node<'_>> = seq.items().collect();
    let idx = items.iter().position(|n| *n == item)?;
    if items.len() == 1 {
        return Some(remove_whole_value(text, field));
    }
    if value.is_flow() {
        let (start, end) = if idx + 1 < items.len() {
            (
                usize::from(item.range().start()),
                usize::from(items[idx + 1].range().start()),
            )
        } else {
            (content_end(text, items[idx - 1]), content_end(text, item))
        };
        return Some(Edit::delete(range(start, end)));
    }
    // Block: the item's lines, from the dash's line to the end of its last line.
    let start = line_start(text, usize::from(item.range().start()));
    let prefix = &text[start..usize::from(item.range().start())];
    if !prefix.trim_start().starts_with('-') || prefix.trim() != "-" {
        return None;
    }
    let lines = whole_lines(text, start, content_end(text, item));
    // Keep comments that sat on the removed lines, as `remove_entry` does.
    let removed = &text[usize::from(lines.start())..usize::from(lines.end())];
    Some(Edit::replace(lines, kept_comments(removed, newline(text))))
}

/// The comments of `removed` lines, each on a line of its own at its line's indentation.
fn kept_comments(removed: &str, nl: &str) -> String {
    removed
        .lines()
        .filter_map(|l| comment_of(l).map(|c| format!("{}{c}{nl}", " ".repeat(column_of_key(l)))))
        .collect()
}

/// `key: <anything>` becomes `key: []`, keeping a comment on the key's line.
fn remove_whole_value(text: &str, field: Field<'_>) -> Edit {
    let value = field.value_as_written();
    if value.is_flow() {
        return Edit::replace(value.range(), "[]");
    }
    let key_end = usize::from(field.key().range().end());
    let colon = key_end + text[key_end..].find(':').unwrap_or(0) + 1;
    let key_line_end = line_end(text, key_end);
    let comment = text[colon..key_line_end].trim();
    let end = line_end(text, content_end(text, value));
    let mut tail = if comment.starts_with('#') {
        format!(" [] {comment}")
    } else {
        " []".to_owned()
    };
    // Comments on the item lines stay, each on a line of its own.
    let nl = newline(text);
    if key_line_end < end {
        let kept = kept_comments(&text[key_line_end..end], nl);
        if let Some(kept) = kept.strip_suffix(nl) {
            tail.push_str(nl);
            tail.push_str(kept);
        }
    }
    Edit::replace(range(colon, end), tail)
}

/// From `start` (a line start) through the line break after `end`.
fn whole_lines(text: &str, start: usize, end: usize) -> TextRange {
    let end = line_end(text, end);
    let end = if text[end..].starts_with("\r\n") {
        end + 2
    } else if text[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    range(start, end)
}

/// Removes the entry `field` from `mapping`. A comment on the removed lines is kept on a line
/// of its own. Refuses the only entry of a mapping that starts a sequence item.
pub fn remove_entry(doc: &Document, mapping: Mapping<'_>, field: Field<'_>) -> Option<Edit> {
    if !building_fixes() {
        return None;
    }
    let text = doc.text();
    let entry = field.entry();
    let entries: Vec<_> = mapping.entries().collect();
    let idx = entries.iter().position(|e| e.key == entry.key)?;
    if mapping.node().is_flow() {
        let (start, end) = if idx + 1 < entries.len() {
            (
                usize::from(entry.key.range().start()),
                usize::from(entries[idx + 1].key.range().start()),
            )
        } else if idx > 0 {
            (
                content_end(text, entries[idx - 1].value),
                content_end(text, entry.value).max(usize::from(entry.key.range().end())),
            )
        } else {
            return Some(Edit::replace(mapping.range(), "{}"));
        };
        return Some(Edit::delete(range(start, end)));
    }
    let key_start = usize::from(entry.key.range().start());
    let start = line_start(text, key_start);
    let value_end = content_end(text, entry.value).max(usize::from(entry.key.range().end()));
    if text[start..key_start].trim().is_empty() {
        let lines = whole_lines(text, start, value_end);
        // Keep comments that sat on the removed lines.
        let removed = &text[usize::from(lines.start())..usize::from(lines.end())];
        return Some(Edit::replace(lines, kept_comments(removed, newline(text))));
    }
    // The entry starts a sequence item (`- name: x`): the next entry moves up after the dash.
    let next = entries.get(idx + 1)?;
    let next_start = usize::from(next.key.range().start());
    let removed = &text[key_start..next_start];
    if removed.contains('#') {
        return None;
    }
    Some(Edit::delete(range(key_start, next_start)))
}

fn column_of_key(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The comment at the end of a line (`# …`), if any, outside quotes.
pub(crate) fn comment_of(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"'
                    if i == 0
                        || matches!(
                            bytes[i - 1],
                            b' ' | b'\t' | b':' | b'-' | b'[' | b'{' | b','
                        ) =>
                {
                    quote = Some(b)
                }
                b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => {
                    return Some(line[i..].trim_end_matches(['\r', '\n']));
                }
                _ => {}
            },
        }
    }
    None
}

/// Appends a new document after `doc` (at the document's end).
pub fn append_document(doc: &Document, yaml: &str) -> Edit {
    let text = doc.text();
    let nl = newline(text);
    let mut body = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        body.push_str(nl);
    }
    body.push_str("---");
    body.push_str(nl);
    body.push_str(&yaml.replace('\n', nl));
    if !yaml.ends_with('\n') {
        body.push_str(nl);
    }
    Edit::insert(text.len(), body)
}

/// Applies edits to a text; `None` if two edits overlap.
pub fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0usize;
    for e in sorted {
        let s = usize::from(e.range.start());
        let t = usize::from(e.range.end());
        if s < pos || t > text.len() {
            return None;
        }
        out.push_str(&text[pos..s]);
        out.push_str(&e.text);
        pos = t;
    }
    out.push_str(&text[pos..]);
    Some(out)
}
