//! Where a cursor sits in a YAML document: the path of keys and sequence items that leads to
//! it, whether it is on a key or a value, and the keys already written next to it.
//!
//! The text being edited is half-typed most of the time, and the parser's tree is then partial
//! or misleading (`  - name: x\n    im` may read as the scalar `x im`, a key without a colon
//! blanks its line), so the path is worked out from the lines and their indentation: walking
//! up from the cursor's line, the nearest line that starts further left holds the parent.
//! Dashes count as indentation, and a dash at the column of the key above it (`containers:\n-
//! name:`) is an item of that key's list. Flow collections are followed on the cursor's own
//! line. The tree is used where it is reliable: to tell that a blank line lies inside a block
//! scalar.
//!
//! Everything here is a byte offset into one document's text, and costs a walk over the lines
//! between the cursor and its ancestors (and the cursor's siblings), never the whole file.

use std::ops::Range;

use picket_syntax::{Document, NodeKind, TextRange, TextSize};

/// One step of a path: a mapping key, or any item of a sequence.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Segment {
    Key(String),
    Item,
}

/// What the cursor is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// A key (maybe half-typed) of the mapping at `path`, or a plain item of the sequence
    /// when `path` ends with [`Segment::Item`] (the schema tells which).
    Key,
    /// The scalar value at `path` (whose last segment is its key or item).
    Value,
}

/// The cursor's place in a document. Offsets are relative to the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CursorContext {
    /// From the root: for [`Slot::Key`] the mapping that holds the key, for [`Slot::Value`]
    /// the value itself.
    pub(crate) path: Vec<Segment>,
    pub(crate) slot: Slot,
    /// Keys already written in the mapping at the cursor (other lines only).
    pub(crate) present: Vec<String>,
    /// The key or scalar under the cursor, as written (maybe empty); it contains the cursor.
    pub(crate) token: TextRange,
    /// The column where the cursor's key starts (sibling keys share it).
    pub(crate) column: usize,
    /// Columns one nesting level adds in this document (2 unless the parent says otherwise).
    pub(crate) indent_unit: usize,
    /// The cursor follows `:` or `-` directly: inserted text needs a leading space.
    pub(crate) needs_space: bool,
    /// On a key: a `:` already follows it, so only the key itself should be replaced.
    pub(crate) has_colon: bool,
    /// Inside a flow collection (`{…}`, `[…]`): insert `key: value` on one line.
    pub(crate) flow: bool,
    /// For each [`Segment::Item`] of `path`, where its item starts: the start of its dash's
    /// line and the dash's column (to read a `List` item's own `apiVersion` and `kind`).
    pub(crate) items: Vec<(usize, usize)>,
}

/// The `apiVersion` and `kind` of an object, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) api_version: Option<String>,
    pub(crate) kind: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Lines

/// One line of the document: where it starts, and its text without the line break.
#[derive(Clone, Copy, Debug)]
struct Line<'t> {
    start: usize,
    text: &'t str,
}

impl Line<'_> {
    fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// The line that holds `offset`.
fn line_at(text: &str, offset: usize) -> Line<'_> {
    let b = text.as_bytes();
    let start = memchr::memrchr2(b'\n', b'\r', &b[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr2(b'\n', b'\r', &b[offset..]).map_or(b.len(), |i| offset + i);
    Line {
        start,
        text: &text[start..end],
    }
}

fn prev_line<'t>(text: &'t str, line: Line<'t>) -> Option<Line<'t>> {
    if line.start == 0 {
        return None;
    }
    let b = text.as_bytes();
    let mut end = line.start - 1;
    if b[end] == b'\n' && end > 0 && b[end - 1] == b'\r' {
        end -= 1;
    }
    let start = memchr::memrchr2(b'\n', b'\r', &b[..end]).map_or(0, |i| i + 1);
    Some(Line {
        start,
        text: &text[start..end],
    })
}

fn next_line<'t>(text: &'t str, line: Line<'t>) -> Option<Line<'t>> {
    let b = text.as_bytes();
    let mut i = line.end();
    if i >= b.len() {
        return None;
    }
    if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
        i += 2;
    } else {
        i += 1;
    }
    let end = memchr::memchr2(b'\n', b'\r', &b[i..]).map_or(b.len(), |j| i + j);
    Some(Line {
        start: i,
        text: &text[i..end],
    })
}

// ---------------------------------------------------------------------------------------------
// Reading one line

/// How a key's value starts on its own line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueStart {
    /// Nothing (or only an anchor, a tag or a comment): a block collection may follow.
    Empty,
    /// `|` or `>`: a block scalar follows.
    Block,
    /// A scalar or a flow collection on the same line.
    Inline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokKind<'t> {
    Dash,
    Key {
        name: &'t str,
        value: ValueStart,
    },
    /// Anything else: a scalar, a half-typed key, a flow collection.
    Scalar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Tok<'t> {
    col: usize,
    kind: TokKind<'t>,
}

/// The tokens of one line, without allocating: dashes (at most [`Toks::CAP`] - 1 are kept),
/// then at most one key or scalar. Never empty.
#[derive(Clone, Copy, Debug)]
struct Toks<'t> {
    buf: [Tok<'t>; Toks::CAP],
    len: usize,
}

impl<'t> Toks<'t> {
    const CAP: usize = 8;

    fn new() -> Self {
        let none = Tok {
            col: 0,
            kind: TokKind::Scalar,
        };
        Toks {
            buf: [none; Toks::CAP],
            len: 0,
        }
    }

    fn push(&mut self, t: Tok<'t>) {
        if self.len < Toks::CAP {
            self.buf[self.len] = t;
            self.len += 1;
        }
    }
}

impl<'t> std::ops::Deref for Toks<'t> {
    type Target = [Tok<'t>];

    fn deref(&self) -> &[Tok<'t>] {
        &self.buf[..self.len]
    }
}

/// What a line holds, as far as structure goes.
#[derive(Debug)]
// Only ever on the stack, one line at a time: boxing the tokens would cost an allocation per line.
#[allow(clippy::large_enum_variant)]
enum LineKind<'t> {
    /// Blank or a comment: no structure.
    Blank,
    /// A document marker or a directive: the document's edge.
    Boundary,
    /// Dashes (sequence items), then at most one key or scalar.
    Content(Toks<'t>),
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn leading_spaces(s: &str) -> usize {
    s.bytes().take_while(|&b| b == b' ').count()
}

fn is_boundary(line: &str) -> bool {
    let b = line.as_bytes();
    let marker = (line.starts_with("---") || line.starts_with("..."))
        && b.get(3).is_none_or(|&c| is_space(c));
    marker || line.starts_with('%')
}

/// Skips anchors (`&a`) and tags (`!t`) at the start of `s`; returns the offset after them.
fn skip_props(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b'&' || b[i] == b'!') {
        while i < b.len() && !is_space(b[i]) {
            i += 1;
        }
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
    }
    i
}

/// The end of a quoted scalar starting at `b[0]` (the index after the closing quote), or
/// `None` when it does not close on this line.
fn quoted_end(b: &[u8]) -> Option<usize> {
    let q = b[0];
    let mut i = 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// A key at the start of `s`: the name's range (without quotes) and the colon's index.
fn key_of(s: &str) -> Option<(Range<usize>, usize)> {
    let b = s.as_bytes();
    let first = *b.first()?;
    match first {
        b'"' | b'\'' => {
            let end = quoted_end(b)?;
            let mut i = end;
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            (b.get(i) == Some(&b':') && b.get(i + 1).is_none_or(|&c| is_space(c)))
                .then_some((1..end - 1, i))
        }
        b'{' | b'[' | b'#' | b'|' | b'>' | b'*' | b'?' | b'%' | b'@' | b'`' | b',' | b']'
        | b'}' => None,
        _ => {
            for i in 0..b.len() {
                match b[i] {
                    b':' if b.get(i + 1).is_none_or(|&c| is_space(c)) => {
                        let name_end = s[..i].trim_end().len();
                        return Some((0..name_end, i));
                    }
                    b'#' if i > 0 && is_space(b[i - 1]) => return None,
                    _ => {}
                }
            }
            None
        }
    }
}

/// How the value after a key's colon starts (`rest` is the text after the colon).
fn value_start(rest: &str) -> ValueStart {
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let after_props = &trimmed[skip_props(trimmed)..];
    match after_props.as_bytes().first() {
        None | Some(b'#') => ValueStart::Empty,
        Some(b'|' | b'>') => ValueStart::Block,
        _ => ValueStart::Inline,
    }
}

/// The end of a plain scalar's text in `s` (before a comment, without trailing spaces).
fn plain_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut end = b.len();
    for i in 1..b.len() {
        if b[i] == b'#' && is_space(b[i - 1]) {
            end = i;
            break;
        }
    }
    s[..end].trim_end().len()
}

/// The dashes at the start of a line, and where the content after them starts.
fn dashes(line: &str) -> (Vec<usize>, usize) {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = leading_spaces(line);
    while i < b.len() && b[i] == b'-' && b.get(i + 1).is_none_or(|&c| is_space(c)) {
        out.push(i);
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
    }
    (out, i)
}

fn read_line(line: &str) -> LineKind<'_> {
    if is_boundary(line) {
        return LineKind::Boundary;
    }
    let b = line.as_bytes();
    let mut toks = Toks::new();
    let mut content = leading_spaces(line);
    while content < b.len() && b[content] == b'-' && b.get(content + 1).is_none_or(|&c| is_space(c))
    {
        if toks.len + 1 < Toks::CAP {
            toks.push(Tok {
                col: content,
                kind: TokKind::Dash,
            });
        }
        content += 1;
        while content < b.len() && is_space(b[content]) {
            content += 1;
        }
    }
    let rest = &line[content..];
    let props = skip_props(rest);
    let body = &rest[props..];
    if body.is_empty() || body.starts_with('#') {
        if toks.is_empty() {
            return LineKind::Blank;
        }
        return LineKind::Content(toks);
    }
    let col = content + props;
    let kind = match key_of(body) {
        Some((name, colon)) => TokKind::Key {
            name: &body[name],
            value: value_start(&body[colon + 1..]),
        },
        None => TokKind::Scalar,
    };
    toks.push(Tok { col, kind });
    LineKind::Content(toks)
}

// ---------------------------------------------------------------------------------------------
// Walking up

/// The node whose ancestors are being looked for.
#[derive(Clone, Copy, Debug)]
struct Cur {
    col: usize,
    dash: bool,
}

/// What walking up found.
#[derive(Debug, Default)]
struct Ancestry {
    /// Innermost first.
    segments: Vec<Segment>,
    /// Parallel to `segments`: for items, their dash's line start and column.
    items: Vec<Option<(usize, usize)>>,
    /// Keys of the starting node's own mapping, on earlier lines.
    siblings: Vec<String>,
    /// The column of the starting node's parent key, when it is a key.
    parent_key_col: Option<usize>,
    /// The node's column after adopting a sibling that sits further left.
    adopted_col: Option<usize>,
}

/// Pushes the segments for `toks[..=idx]` of one line (innermost first).
fn ascend(line: Line<'_>, toks: &[Tok<'_>], idx: usize, out: &mut Ancestry) {
    for t in toks[..=idx].iter().rev() {
        match t.kind {
            TokKind::Dash => {
                out.segments.push(Segment::Item);
                out.items.push(Some((line.start, t.col)));
            }
            TokKind::Key { name, .. } => {
                out.segments.push(Segment::Key(name.to_owned()));
                out.items.push(None);
            }
            TokKind::Scalar => {}
        }
    }
}

/// Walks up from `from` (the line that holds `start`), collecting ancestors. `Err` when the
/// start turns out to be inside a block scalar.
fn walk_up(text: &str, from: Line<'_>, start: Cur, collect: bool) -> Result<Ancestry, ()> {
    let mut out = Ancestry::default();
    let mut cur = start;
    let mut collecting = collect;
    let mut line = from;
    while let Some(prev) = prev_line(text, line) {
        line = prev;
        // Most lines above a node are deeper than it: skip them before reading them.
        if leading_spaces(prev.text) > cur.col {
            continue;
        }
        let toks = match read_line(prev.text) {
            LineKind::Blank => continue,
            LineKind::Boundary => break,
            LineKind::Content(t) => t,
        };
        // The deepest token at or left of the node's column.
        let Some(idx) = toks.iter().rposition(|t| t.col <= cur.col) else {
            continue;
        };
        let t = toks[idx];
        let parent = if t.col == cur.col {
            match (t.kind, cur.dash) {
                (TokKind::Key { name, .. }, false) => {
                    if collecting {
                        out.siblings.push(name.to_owned());
                    }
                    idx.checked_sub(1)
                }
                (TokKind::Scalar, false) | (TokKind::Dash, true) => idx.checked_sub(1),
                // `key:` with a list written at its own column below it.
                (
                    TokKind::Key {
                        value: ValueStart::Empty,
                        ..
                    },
                    true,
                ) => Some(idx),
                // A sibling key's list, or something malformed: not an ancestor.
                _ => continue,
            }
        } else {
            match t.kind {
                // The node is part of a block scalar's text.
                TokKind::Key {
                    value: ValueStart::Block,
                    ..
                } => return Err(()),
                TokKind::Key {
                    value: ValueStart::Empty,
                    ..
                }
                | TokKind::Dash => Some(idx),
                // A scalar holds no children: the node is its sibling, badly indented.
                TokKind::Key { .. } | TokKind::Scalar if cur.dash => continue,
                TokKind::Key { name, .. } => {
                    if collecting {
                        out.siblings.push(name.to_owned());
                        out.adopted_col = Some(t.col);
                    }
                    cur.col = t.col;
                    idx.checked_sub(1)
                }
                TokKind::Scalar => {
                    if collecting {
                        out.adopted_col = Some(t.col);
                    }
                    cur.col = t.col;
                    idx.checked_sub(1)
                }
            }
        };
        let Some(p) = parent else {
            // A sibling that starts its line: keep looking further up. At the root, only
            // siblings are left to find.
            if cur.col == 0 && !cur.dash && !collecting {
                break;
            }
            continue;
        };
        if out.segments.is_empty()
            && let TokKind::Key { .. } = toks[p].kind
        {
            out.parent_key_col = Some(toks[p].col);
        }
        ascend(prev, &toks, p, &mut out);
        collecting = false;
        cur = Cur {
            col: toks[0].col,
            dash: matches!(toks[0].kind, TokKind::Dash),
        };
        if cur.col == 0 && !cur.dash {
            break;
        }
    }
    Ok(out)
}

/// Keys of the mapping at `col` on the lines after `from`, up to the mapping's end.
fn siblings_after(text: &str, from: Line<'_>, col: usize, out: &mut Vec<String>) {
    let mut line = from;
    while let Some(next) = next_line(text, line) {
        line = next;
        if leading_spaces(next.text) > col {
            continue;
        }
        let toks = match read_line(next.text) {
            LineKind::Blank => continue,
            LineKind::Boundary => break,
            LineKind::Content(t) => t,
        };
        let first = toks[0];
        if first.col < col {
            break;
        }
        if first.col == col
            && let TokKind::Key { name, .. } = first.kind
        {
            out.push(name.to_owned());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Flow collections on the cursor's line

#[derive(Debug)]
enum Frame {
    Map {
        keys: Vec<String>,
        key: Option<String>,
        in_value: bool,
    },
    Seq,
}

/// The cursor inside a flow collection that starts at `s[0]`.
struct FlowPlace {
    /// Segments below the collection's own path.
    segments: Vec<Segment>,
    slot: Slot,
    present: Vec<String>,
    token: Range<usize>,
    has_colon: bool,
    needs_space: bool,
}

fn flow_colon(b: &[u8], i: usize) -> bool {
    b[i] == b':'
        && b.get(i + 1)
            .is_none_or(|&c| is_space(c) || b",}]".contains(&c))
}

fn flow_place(s: &str, cursor: usize) -> Option<FlowPlace> {
    let b = s.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut tok: Option<usize> = None;
    let mut i = 0;
    while i < cursor {
        let c = b[i];
        match c {
            b'{' => {
                stack.push(Frame::Map {
                    keys: Vec::new(),
                    key: None,
                    in_value: false,
                });
                tok = None;
            }
            b'[' => {
                stack.push(Frame::Seq);
                tok = None;
            }
            b'}' | b']' => {
                stack.pop();
                if stack.is_empty() {
                    return None;
                }
                tok = None;
            }
            b',' => {
                if let Some(Frame::Map { key, in_value, .. }) = stack.last_mut() {
                    *in_value = false;
                    *key = None;
                }
                tok = None;
            }
            b':' if flow_colon(b, i) => {
                if let Some(Frame::Map {
                    keys,
                    key,
                    in_value: in_value @ false,
                }) = stack.last_mut()
                {
                    let name = s[tok.unwrap_or(i)..i].trim();
                    let name = name.trim_matches(['"', '\'']).to_owned();
                    keys.push(name.clone());
                    *key = Some(name);
                    *in_value = true;
                }
                tok = None;
            }
            b'"' | b'\'' if tok.is_none() => {
                tok = Some(i);
                match quoted_end(&b[i..]) {
                    Some(end) if i + end <= cursor => i += end - 1,
                    // The cursor is inside the quotes.
                    _ => break,
                }
            }
            b'#' if i > 0 && is_space(b[i - 1]) => return None,
            b' ' | b'\t' => {}
            _ => {
                if tok.is_none() {
                    tok = Some(i);
                }
            }
        }
        i += 1;
    }
    if stack.is_empty() {
        return None;
    }
    let start = tok.unwrap_or(cursor);
    // The token runs on to a separator.
    let top_is_key = matches!(
        stack.last(),
        Some(Frame::Map {
            in_value: false,
            ..
        })
    );
    let mut end = cursor;
    let mut has_colon = false;
    while end < b.len() {
        if b",{}[]".contains(&b[end]) || (b[end] == b'#' && end > 0 && is_space(b[end - 1])) {
            break;
        }
        if top_is_key && flow_colon(b, end) {
            has_colon = true;
            break;
        }
        end += 1;
    }
    let end = start + s[start..end].trim_end().len().max(cursor - start);
    let mut segments = Vec::new();
    let depth = stack.len();
    for (n, frame) in stack.iter().enumerate() {
        let top = n + 1 == depth;
        match frame {
            Frame::Seq => segments.push(Segment::Item),
            Frame::Map { key, in_value, .. } => {
                if top && !in_value {
                    break;
                }
                segments.push(Segment::Key(key.clone()?));
            }
        }
    }
    let (slot, present) = match stack.pop() {
        Some(Frame::Map {
            in_value: false,
            mut keys,
            ..
        }) => {
            flow_keys_after(s, end, &mut keys);
            (Slot::Key, keys)
        }
        Some(Frame::Map { .. }) => (Slot::Value, Vec::new()),
        _ => (Slot::Key, Vec::new()),
    };
    let needs_space = start == cursor && cursor > 0 && matches!(b[cursor - 1], b':' | b',');
    Some(FlowPlace {
        segments,
        slot,
        present,
        token: start..end,
        has_colon,
        needs_space: needs_space && slot == Slot::Value,
    })
}

/// Keys of the innermost flow mapping written after `from`, up to its closing brace.
fn flow_keys_after(s: &str, from: usize, keys: &mut Vec<String>) {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut in_value = true;
    let mut tok: Option<usize> = None;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return,
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => {
                in_value = false;
                tok = None;
            }
            b':' if depth == 0 && !in_value && flow_colon(b, i) => {
                let name = s[tok.unwrap_or(i)..i].trim().trim_matches(['"', '\'']);
                keys.push(name.to_owned());
                in_value = true;
            }
            b'"' | b'\'' => {
                if depth == 0 && !in_value && tok.is_none() {
                    tok = Some(i);
                }
                match quoted_end(&b[i..]) {
                    Some(end) => i += end - 1,
                    None => return,
                }
            }
            b'#' if i > 0 && is_space(b[i - 1]) => return,
            c if depth == 0 && !in_value && tok.is_none() && !is_space(c) => tok = Some(i),
            _ => {}
        }
        i += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// The cursor

/// Where a comment starts in `before` (the start of a line up to the cursor), if it does.
fn in_comment(before: &str) -> bool {
    let b = before.as_bytes();
    let mut i = 0;
    // Quotes open a quoted scalar only where a scalar may start.
    let mut scalar_may_start = true;
    while i < b.len() {
        match b[i] {
            b'#' if i == 0 || is_space(b[i - 1]) => return true,
            b'"' | b'\'' if scalar_may_start => match quoted_end(&b[i..]) {
                Some(end) => {
                    i += end;
                    scalar_may_start = false;
                    continue;
                }
                None => return false,
            },
            b' ' | b'\t' => {}
            b':' | b'-' | b'[' | b'{' | b',' | b'?' => {
                scalar_may_start =
                    b.get(i + 1).is_none_or(|&c| is_space(c)) || matches!(b[i], b'[' | b'{' | b',');
                i += 1;
                continue;
            }
            _ => scalar_may_start = false,
        }
        i += 1;
    }
    false
}

/// Whether `offset` lies inside a block scalar that started on an earlier line (a blank line
/// of a literal block says nothing about it by itself).
fn in_block_scalar(doc: &Document, line: Line<'_>, offset: usize) -> bool {
    let Some(node) = doc.node_at(TextSize::new(offset as u32)) else {
        return false;
    };
    if node.kind() != NodeKind::Scalar {
        return false;
    }
    let block = node.as_scalar().is_some_and(|s| s.style().is_block());
    let r = node.range();
    if !(block && usize::from(r.start()) < line.start && offset < usize::from(r.end())) {
        return false;
    }
    // The scalar's range runs over the blank lines after it (and lines that error recovery
    // blanked): a line is the scalar's only as deep as its content, which its first non-blank
    // line after the header sets.
    let text = doc.text();
    let body = &text[usize::from(r.start())..usize::from(r.end())];
    let indent = body
        .split('\n')
        .skip(1)
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len());
    let Some(indent) = indent else {
        // No content yet: nothing tells how deep it goes.
        return false;
    };
    let here = line.text.len() - line.text.trim_start_matches(' ').len();
    let col = offset - line.start;
    if !line.text.trim().is_empty() {
        return here >= indent;
    }
    // A blank line: the scalar's when more of it follows, or when the cursor is as deep as
    // its content.
    let rest = &text[line.end().min(usize::from(r.end()))..usize::from(r.end())];
    col >= indent || !rest.trim().is_empty()
}

/// The cursor's place in `doc` at `offset` (relative to the document). `None` inside a
/// comment, a block scalar, a document marker, or in the indentation before a line's content.
pub(crate) fn cursor_context(doc: &Document, offset: usize) -> Option<CursorContext> {
    let text = doc.text();
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let line = line_at(text, offset);
    let col = offset - line.start;
    let before = &line.text[..col];
    if is_boundary(line.text) || in_comment(before) || in_block_scalar(doc, line, offset) {
        return None;
    }
    let (dash_cols, content_col) = dashes(line.text);
    let rest = &line.text[content_col..];
    let last_dash = dash_cols.last().copied();
    if last_dash.is_some_and(|d| col <= d) {
        return None;
    }
    // The node on the cursor's line, and what the cursor is on. Ranges are line columns.
    let mut needs_space = false;
    let mut has_colon = false;
    let mut slot = Slot::Key;
    let mut key_name: Option<String> = None;
    let mut flow: Option<(usize, FlowPlace)> = None;
    let node_col;
    let token: Range<usize>;
    if rest.trim_end_matches([' ', '\t']).is_empty() {
        // Nothing written yet (maybe a dash): a key or an item goes at the cursor.
        node_col = match last_dash {
            Some(d) if col == d + 1 => {
                needs_space = true;
                d + 2
            }
            _ => col,
        };
        token = col..col;
    } else {
        let body_col = content_col + skip_props(rest);
        if col < body_col {
            return None;
        }
        let body = &line.text[body_col..];
        // Only an anchor or a tag on the line (`- &base`, `  !!map`): what follows belongs to
        // the lines below, and a key typed after it would be the property's, not the node's.
        if body.trim_end_matches([' ', '\t', '\r']).is_empty() {
            return None;
        }
        node_col = body_col;
        match key_of(body) {
            Some((name, colon)) if col <= body_col + colon => {
                has_colon = true;
                let quoted = usize::from(matches!(body.as_bytes()[0], b'"' | b'\''));
                token = body_col..(body_col + name.end + quoted).max(col);
            }
            Some((name, colon)) => {
                slot = Slot::Value;
                key_name = Some(body[name].to_owned());
                let after = body_col + colon + 1;
                let gap = line.text[after..].len()
                    - line.text[after..].trim_start_matches([' ', '\t']).len();
                let vstart = after + gap + skip_props(&line.text[after + gap..]);
                let value = &line.text[vstart..];
                if col < vstart {
                    // Between the colon and the value: fine only when there is no value.
                    if !value.is_empty() && !value.starts_with('#') {
                        return None;
                    }
                    needs_space = col == after;
                    token = col..col;
                } else {
                    match value.as_bytes().first() {
                        Some(b'|' | b'>') => return None,
                        Some(b'{' | b'[') => {
                            flow = Some((vstart, flow_place(value, col - vstart)?));
                            token = col..col;
                        }
                        _ => {
                            let end = vstart + plain_end(value);
                            if col > end {
                                return None;
                            }
                            needs_space = col == after && end == col;
                            token = vstart..end;
                        }
                    }
                }
            }
            None => match body.as_bytes()[0] {
                b'|' | b'>' => return None,
                b'{' | b'[' => {
                    flow = Some((body_col, flow_place(body, col - body_col)?));
                    token = col..col;
                }
                _ => {
                    let end = body_col + plain_end(body);
                    if col > end {
                        return None;
                    }
                    token = body_col..end;
                }
            },
        }
    }
    // Ancestors of the first node on the line.
    let start = match dash_cols.first() {
        Some(&d) => Cur { col: d, dash: true },
        None => Cur {
            col: node_col,
            dash: false,
        },
    };
    let collect = dash_cols.is_empty() && slot == Slot::Key && flow.is_none();
    let ancestry = walk_up(text, line, start, collect).ok()?;
    let mut path: Vec<Segment> = ancestry.segments.iter().rev().cloned().collect();
    let mut items: Vec<(usize, usize)> = ancestry.items.iter().rev().flatten().copied().collect();
    for &d in &dash_cols {
        path.push(Segment::Item);
        items.push((line.start, d));
    }
    let indent_unit = match (dash_cols.is_empty(), ancestry.parent_key_col) {
        (true, Some(p)) if node_col > p => node_col - p,
        _ => 2,
    };
    let column = ancestry.adopted_col.unwrap_or(node_col);
    if let Some(k) = key_name {
        path.push(Segment::Key(k));
    }
    let mut cx = CursorContext {
        path,
        slot,
        present: ancestry.siblings,
        token: to_range(line.start + token.start..line.start + token.end),
        column,
        indent_unit,
        needs_space,
        has_colon,
        flow: false,
        items,
    };
    match flow {
        Some((base, place)) => {
            let at = line.start + base;
            cx.path.extend(place.segments);
            cx.slot = place.slot;
            cx.present = place.present;
            cx.token = to_range(at + place.token.start..at + place.token.end);
            cx.has_colon = place.has_colon;
            cx.needs_space = place.needs_space;
            cx.flow = true;
        }
        None if cx.slot == Slot::Key => siblings_after(text, line, column, &mut cx.present),
        None => {}
    }
    Some(cx)
}

fn to_range(r: Range<usize>) -> TextRange {
    TextRange::new(TextSize::new(r.start as u32), TextSize::new(r.end as u32))
}

// ---------------------------------------------------------------------------------------------
// apiVersion and kind

/// The inline value of a `key: value` line, unquoted, without its comment.
fn inline_value(line: &str) -> Option<String> {
    let (_, content) = dashes(line);
    let body = &line[content..];
    let (_, colon) = key_of(body)?;
    let rest = body[colon + 1..].trim_start_matches([' ', '\t']);
    let rest = &rest[skip_props(rest)..];
    let value = match rest.as_bytes().first()? {
        b'"' | b'\'' => {
            let end = quoted_end(rest.as_bytes())?;
            &rest[1..end - 1]
        }
        b'#' | b'|' | b'>' | b'{' | b'[' => return None,
        _ => &rest[..plain_end(rest)],
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// Reads `apiVersion` and `kind` among the keys at column `col` of the mapping whose first
/// line is `first`, until a line starts at or left of `stop` (or the document ends).
fn header_from(text: &str, first: Line<'_>, col: usize, stop: Option<usize>) -> Header {
    let mut h = Header::default();
    let mut line = Some(first);
    let mut is_first = true;
    while let Some(l) = line {
        if let LineKind::Content(toks) = read_line(l.text) {
            if !is_first && stop.is_some_and(|s| toks[0].col <= s) {
                break;
            }
            if let Some(t) = toks.last()
                && t.col == col
                && let TokKind::Key { name, .. } = t.kind
            {
                match name {
                    "apiVersion" if h.api_version.is_none() => h.api_version = inline_value(l.text),
                    "kind" if h.kind.is_none() => h.kind = inline_value(l.text),
                    _ => {}
                }
                if h.api_version.is_some() && h.kind.is_some() {
                    break;
                }
            }
        } else if matches!(read_line(l.text), LineKind::Boundary) && !is_first {
            break;
        }
        is_first = false;
        line = next_line(text, l);
    }
    h
}

/// The document's `apiVersion` and `kind`, read from its lines (the tree may have folded a
/// half-typed line into them).
pub(crate) fn document_header(text: &str) -> Header {
    header_from(text, line_at(text, 0), 0, None)
}

/// The `apiVersion` and `kind` of the sequence item whose dash is at `dash_col` of the line
/// starting at `line_start` (a `List` item).
pub(crate) fn item_header(text: &str, line_start: usize, dash_col: usize) -> Header {
    if line_start > text.len() {
        return Header::default();
    }
    let first = line_at(text, line_start);
    // The item's keys sit at the column of the first thing after its dash.
    let col = match read_line(first.text) {
        LineKind::Content(toks) => match toks.iter().position(|t| t.col == dash_col) {
            Some(i) => match toks.get(i + 1) {
                Some(t) => t.col,
                None => {
                    let mut next = next_line(text, first);
                    let mut found = None;
                    while let Some(l) = next {
                        if let LineKind::Content(t) = read_line(l.text) {
                            found = Some(t[0].col);
                            break;
                        }
                        next = next_line(text, l);
                    }
                    match found {
                        Some(c) if c > dash_col => c,
                        _ => return Header::default(),
                    }
                }
            },
            None => return Header::default(),
        },
        _ => return Header::default(),
    };
    header_from(text, first, col, Some(dash_col))
}

/// Whether every line of the document but the one holding `offset` is blank, a comment or a
/// document marker: an empty document, apart from what is being typed.
pub(crate) fn empty_but_line(text: &str, offset: usize) -> bool {
    let cursor = line_at(text, offset.min(text.len()));
    let mut line = Some(line_at(text, 0));
    while let Some(l) = line {
        if l.start != cursor.start && matches!(read_line(l.text), LineKind::Content(_)) {
            return false;
        }
        line = next_line(text, l);
    }
    true
}

/// Whether the document's lists are written with dashes at their key's column
/// (`containers:\n- name:`); the first list found decides, compact when none is found.
pub(crate) fn compact_lists(text: &str) -> bool {
    let mut prev: Option<Tok<'_>> = None;
    let mut line = Some(line_at(text, 0));
    let mut budget = 2_000;
    while let Some(l) = line {
        budget -= 1;
        if budget == 0 {
            break;
        }
        if let LineKind::Content(toks) = read_line(l.text) {
            if let Some(p) = prev
                && let TokKind::Key {
                    value: ValueStart::Empty,
                    ..
                } = p.kind
                && toks[0].kind == TokKind::Dash
            {
                return toks[0].col == p.col;
            }
            prev = toks.last().copied();
        }
        line = next_line(text, l);
    }
    true
}

#[cfg(test)]
mod tests;
