//! Builds a [`Document`] from one document's text, recovering from syntax errors.
//!
//! The events come from `saphyr-parser`, a YAML 1.2 event parser that passes the YAML test suite
//! and reads 60–100 MB/s here (DESIGN.md, "Parser facts"). It stops at the first error, so
//! recovery is ours: the line that caused the error is blanked out (same byte length, so every
//! range stays valid) and the document is parsed again, a bounded number of times. The first
//! error is reported; the tree then holds everything that could be read.

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span};
use text_size::{TextRange, TextSize};

use crate::tree::{
    Document, ErrorKind, NodeData, NodeId, NodeKind, Props, ScalarStyle, SyntaxError,
};

/// Bounds on what one document may cost.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of collections accepted.
    pub max_depth: usize,
    /// Most nodes accepted in one document.
    pub max_nodes: usize,
    /// Most re-parses spent recovering from syntax errors in one document.
    pub max_recoveries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 200,
            max_nodes: 2_000_000,
            max_recoveries: 24,
        }
    }
}

/// Parses one YAML document (a chunk from [`crate::split::document_starts`]).
pub fn parse_document(text: &str, limits: &Limits) -> Document {
    if let Some(built) = crate::fast::parse(text, limits) {
        return built.finish(text, Vec::new(), false);
    }
    parse_with_saphyr(text, limits)
}

/// Parses with the fast path only (`None` where it declines). For differential tests.
#[doc(hidden)]
pub fn parse_document_fast(text: &str, limits: &Limits) -> Option<Document> {
    crate::fast::parse(text, limits).map(|b| b.finish(text, Vec::new(), false))
}

/// The spec-complete path: saphyr events, leniency, and recovery from syntax errors.
#[doc(hidden)]
pub fn parse_with_saphyr(text: &str, limits: &Limits) -> Document {
    let budget_by_size = (32 * 1024 * 1024 / text.len().max(1)).max(1);
    let mut first = build(text, limits);
    let mut scratch: Vec<u8> = Vec::new();

    // Leniency first: Kubernetes reads YAML with a libyaml port, which ignores indentation
    // inside flow collections (`args: [` … `]` with the `]` under the key is common). saphyr
    // follows the spec and rejects it; join such a line to the previous one (same bytes, so
    // every offset holds) and read again.
    let mut joins = 0;
    while let Some(f) = &first.failure {
        if joins >= 256.min(budget_by_size * 4)
            || !is_flow_indentation(
                f,
                if scratch.is_empty() {
                    text.as_bytes()
                } else {
                    &scratch
                },
            )
        {
            break;
        }
        if scratch.is_empty() {
            scratch = text.as_bytes().to_vec();
        }
        if !join_to_previous_line(&mut scratch, f.pos) {
            break;
        }
        joins += 1;
        let Ok(s) = std::str::from_utf8(&scratch) else {
            break;
        };
        first = build(s, limits);
    }

    let Some(first_error) = first.failure.clone() else {
        return first.finish(text, Vec::new(), false);
    };
    let mut errors = vec![describe(text, &first_error)];
    if let Some(limit_error) = first.limit_error.clone() {
        errors.push(limit_error);
    }

    // Recovery: blank the culprit line and try again, within a budget of work.
    let max_tries = limits.max_recoveries.min(budget_by_size);
    if scratch.is_empty() {
        scratch = text.as_bytes().to_vec();
    }
    let mut blanked: Vec<(usize, usize)> = Vec::new();
    let mut failure = first_error;
    let mut last = first;
    for _ in 0..max_tries {
        let (start, end) = choose_blank(&scratch, &failure, &blanked);
        blank(&mut scratch, start, end);
        blanked.push((start, end));
        let Ok(s) = std::str::from_utf8(&scratch) else {
            break;
        };
        // The repaired text is often plain YAML again: the fast path reads it in a fraction
        // of saphyr's time (and builds the same tree).
        if let Some(fast) = crate::fast::parse(s, limits) {
            return fast.finish(text, errors, true);
        }
        let attempt = build(s, limits);
        match attempt.failure.clone() {
            None => return attempt.finish(text, errors, true),
            Some(f) => {
                failure = f;
                last = attempt;
            }
        }
    }
    // Give up: drop everything from the culprit line on.
    let (start, _) = choose_blank(&scratch, &failure, &blanked);
    let len = scratch.len();
    blank(&mut scratch, start, len);
    if let Ok(s) = std::str::from_utf8(&scratch) {
        let attempt = build(s, limits);
        if attempt.failure.is_none() {
            return attempt.finish(text, errors, true);
        }
        last = attempt;
    }
    last.finish(text, errors, true)
}

fn is_flow_indentation(f: &Failure, text: &[u8]) -> bool {
    // The parser may not have opened the collection yet when its scanner, reading ahead, trips
    // on a closing bracket; such a bracket first on its line is a flow collection's end anyway.
    let closing = matches!(text.get(f.pos), Some(b']' | b'}'));
    f.message.starts_with("invalid indentation")
        && !f.message.contains("quoted")
        && (f.open_flow_start.is_some() || closing || inside_flow(text, f.pos))
}

/// Whether `pos` follows an unclosed `[` or `{` on the lines before it (quotes and comments
/// skipped): the parser's scanner can fail inside a flow collection before the parser has
/// opened it.
fn inside_flow(text: &[u8], pos: usize) -> bool {
    let mut depth: i64 = 0;
    let mut end = pos.min(text.len());
    for _ in 0..500 {
        let start = text[..end]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let mut quote: Option<u8> = None;
        let mut line_depth: i64 = 0;
        for (k, &c) in text[start..end].iter().enumerate() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    b'"' | b'\'' => quote = Some(c),
                    b'#' if k == 0 || matches!(text[start + k - 1], b' ' | b'\t') => break,
                    b'[' | b'{' => line_depth += 1,
                    b']' | b'}' => line_depth -= 1,
                    _ => {}
                },
            }
        }
        depth += line_depth;
        if depth > 0 {
            return true;
        }
        if start == 0 {
            return false;
        }
        end = start - 1;
    }
    false
}

/// Joins the line holding `pos` to the previous line: the line break becomes spaces and a
/// comment at the end of the previous line is blanked. Returns false if there is no previous
/// line or `pos` is not the first token of its line.
fn join_to_previous_line(bytes: &mut [u8], pos: usize) -> bool {
    let (line_start, _) = line_bounds(bytes, pos);
    if line_start == 0 || first_non_space(bytes, line_start) != pos.min(bytes.len()) {
        return false;
    }
    let (prev_start, mut prev_end) = line_bounds(bytes, line_start - 1);
    if prev_end > prev_start && bytes[prev_end - 1] == b'\r' {
        prev_end -= 1;
    }
    if let Some(hash) = comment_start(&bytes[prev_start..prev_end]) {
        blank(bytes, prev_start + hash, prev_end);
    }
    for b in &mut bytes[prev_end..line_start] {
        *b = b' ';
    }
    true
}

/// Where a `#` comment starts in a line, skipping quoted text.
fn comment_start(line: &[u8]) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &c) in line.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'#' && (i == 0 || matches!(line[i - 1], b' ' | b'\t')) => return Some(i),
            None => {}
        }
    }
    None
}

/// Replaces the bytes of lines in `start..end` with spaces, keeping line breaks. Whole lines
/// are replaced, so the result is still UTF-8 and every byte offset is unchanged.
fn blank(bytes: &mut [u8], start: usize, end: usize) {
    for b in &mut bytes[start..end] {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

fn line_bounds(bytes: &[u8], pos: usize) -> (usize, usize) {
    let pos = pos.min(bytes.len());
    let start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
    (start, end)
}

fn only_blank_or_comments(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
    true
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn first_non_space(bytes: &[u8], line_start: usize) -> usize {
    let mut i = line_start;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Which bytes to blank after `failure`.
fn choose_blank(bytes: &[u8], failure: &Failure, blanked: &[(usize, usize)]) -> (usize, usize) {
    let culprit = culprit_pos(bytes, failure);
    let (mut start, mut end) = line_bounds(bytes, culprit);
    // Junk after a block scalar header (`|-x`): drop the junk, keep the scalar.
    if failure.message.contains("block scalar") && culprit > start && culprit < end {
        // The error points at the header: keep `|` or `>` and its indicators.
        let mut junk = culprit;
        if matches!(bytes[junk], b'|' | b'>') {
            junk += 1;
            while junk < end && matches!(bytes[junk], b'+' | b'-' | b'1'..=b'9') {
                junk += 1;
            }
        }
        let already = blanked.iter().any(|&(s, e)| s <= junk && end <= e);
        if !already && junk < end && !is_blank(&bytes[junk..end]) {
            return (junk, end);
        }
    }
    // A flow collection left open on an earlier line: drop it from its bracket to its line end.
    if let Some(fs) = failure.open_flow_start {
        let (_, fs_line_end) = line_bounds(bytes, fs);
        let already = blanked.iter().any(|&(s, e)| s <= fs && fs_line_end <= e);
        if fs_line_end < start && !already {
            return (fs, fs_line_end);
        }
    }
    let stuck =
        is_blank(&bytes[start..end]) || blanked.iter().any(|&(s, e)| s <= start && end <= e);
    if stuck {
        // No progress on this line: blank from the innermost open flow collection, or give up
        // on everything from here to the end.
        if let Some(fs) = failure.open_flow_start
            && fs < start
        {
            return (fs, end);
        }
        start = line_bounds(bytes, start.min(culprit)).0;
        end = bytes.len();
    }
    (start, end)
}

/// Where the error really is. A plain scalar that starts a line and runs on into the line
/// where the parser gave up is a key that lost its `:` (`  contai` typed above `  x: 1`).
fn culprit_pos(bytes: &[u8], failure: &Failure) -> usize {
    if let Some(lead) = failure.leading_plain_key(bytes) {
        return lead;
    }
    failure.pos
}

#[derive(Clone, Debug)]
pub(crate) struct Failure {
    pos: usize,
    message: String,
    /// The last plain scalar read before the error: its start and end.
    last_plain: Option<(usize, usize)>,
    open_flow_start: Option<usize>,
}

impl Failure {
    fn leading_plain_key(&self, bytes: &[u8]) -> Option<usize> {
        if self.message.contains("expect ':'") || self.message.contains("expected ':'") {
            // The parser gave up on a key without its `:`, maybe after comments: the key is the
            // first token of the last line with content.
            let (mut line_start, _) = line_bounds(bytes, self.pos);
            if first_non_space(bytes, line_start) < self.pos.min(bytes.len()) {
                return Some(first_non_space(bytes, line_start));
            }
            while line_start > 0 {
                let (prev, _) = line_bounds(bytes, line_start - 1);
                let first = first_non_space(bytes, prev);
                if first < line_start - 1 && !matches!(bytes[first], b'#' | b'\r' | b'\n') {
                    return Some(first);
                }
                line_start = prev;
            }
            return None;
        }
        let (start, end) = self.last_plain?;
        let (err_line_start, _) = line_bounds(bytes, self.pos);
        // The scalar runs on into the line where the parser gave up, or only blank lines and
        // comments separate them.
        if start >= err_line_start
            || end > self.pos
            || !only_blank_or_comments(&bytes[end..self.pos.min(bytes.len())])
        {
            return None;
        }
        let (line_start, _) = line_bounds(bytes, start);
        (first_non_space(bytes, line_start) == start).then_some(start)
    }
}

/// Turns the first failure into the reported error, with a range and a clearer message.
fn describe(text: &str, failure: &Failure) -> SyntaxError {
    let bytes = text.as_bytes();
    if let Some(start) = failure.leading_plain_key(bytes) {
        let (_, line_end) = line_bounds(bytes, start);
        let end = start + text[start..line_end].trim_end().len();
        let word = &text[start..end];
        return SyntaxError {
            kind: ErrorKind::Syntax,
            range: range(start, end.max(start)),
            message: format!(
                "Expected `key: value`, found `{}` (is a `:` missing?)",
                shorten(word)
            ),
            related: None,
        };
    }
    let pos = failure.pos.min(text.len());
    let (_, line_end) = line_bounds(bytes, pos);
    let mut end = pos;
    while end < line_end && !matches!(bytes[end], b' ' | b'\t' | b'\r') {
        end += 1;
    }
    if end == pos && pos < line_end {
        end = pos + text[pos..].chars().next().map_or(0, char::len_utf8);
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let info = failure.message.as_str();
    let message = if info.contains("mapping values are not allowed") {
        "Unexpected `:`: a mapping cannot start here (check the indentation, or quote a value that contains `: `)".to_owned()
    } else if info.contains("did not find expected key") {
        "Expected a `key: value` line here (check the indentation)".to_owned()
    } else if info.contains("tabs disallowed") {
        // Point at the tabs of the indentation, not at what follows them.
        let (line_start, _) = line_bounds(bytes, pos);
        let indent_end = first_non_space(bytes, line_start);
        if let Some(tab) = bytes[line_start..indent_end]
            .iter()
            .position(|&b| b == b'\t')
        {
            let tab = line_start + tab;
            let end = tab
                + bytes[tab..indent_end]
                    .iter()
                    .take_while(|&&b| b == b'\t')
                    .count();
            return SyntaxError {
                kind: ErrorKind::Syntax,
                range: range(tab, end),
                message: "Tabs cannot indent YAML; use spaces".to_owned(),
                related: None,
            };
        }
        "Tabs cannot indent YAML; use spaces".to_owned()
    } else if info.contains("unknown anchor") {
        format!(
            "Alias `{}` refers to no anchor defined before it",
            &text[pos..end]
        )
    } else if info.contains("recursion limit exceeded") {
        return SyntaxError {
            kind: ErrorKind::TooDeep,
            range: range(pos, pos + usize::from(pos < text.len())),
            message: "Flow collections nest deeper than 255 levels; the rest of the document is not analysed".to_owned(),
            related: None,
        };
    } else if info.contains("did not find expected '-' indicator") {
        "Expected a `- ` sequence item here (check the indentation)".to_owned()
    } else {
        let mut chars = info.chars();
        match chars.next() {
            Some(c) => format!("{}{}", c.to_uppercase(), chars.as_str()),
            None => "Invalid YAML".to_owned(),
        }
    };
    SyntaxError {
        kind: ErrorKind::Syntax,
        range: range(pos, end),
        message,
        related: None,
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_owned()
    }
}

pub(crate) fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32))
}

/// Converts saphyr's character indexes into byte offsets, cheaply for mostly-forward access.
struct CharCursor<'t> {
    text: &'t [u8],
    ascii: bool,
    ch: usize,
    byte: usize,
}

impl<'t> CharCursor<'t> {
    fn new(text: &'t str) -> Self {
        CharCursor {
            text: text.as_bytes(),
            ascii: text.is_ascii(),
            ch: 0,
            byte: 0,
        }
    }

    fn byte(&mut self, ch: usize) -> usize {
        if self.ascii {
            return ch.min(self.text.len());
        }
        while self.ch < ch && self.byte < self.text.len() {
            self.byte += utf8_len(self.text[self.byte]);
            self.ch += 1;
        }
        while self.ch > ch && self.byte > 0 {
            self.byte -= 1;
            while self.byte > 0 && (self.text[self.byte] & 0xC0) == 0x80 {
                self.byte -= 1;
            }
            self.ch -= 1;
        }
        self.byte.min(self.text.len())
    }
}

pub(crate) fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

pub(crate) struct Frame {
    node: u32,
    child_start: usize,
}

/// The result of one parse attempt.
pub(crate) struct Built {
    nodes: Vec<NodeData>,
    children: Vec<NodeId>,
    values: Vec<Box<str>>,
    props: Vec<Props>,
    root: Option<NodeId>,
    errors: Vec<SyntaxError>,
    failure: Option<Failure>,
    limit_error: Option<SyntaxError>,
    stopped: bool,
}

impl Built {
    fn finish(self, text: &str, mut errors: Vec<SyntaxError>, recovered: bool) -> Document {
        let partial = recovered || self.stopped;
        for e in self.errors {
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        if let Some(l) = self.limit_error
            && !errors.contains(&l)
        {
            errors.push(l);
        }
        errors.sort_by_key(|e| (e.range.start(), e.range.end()));
        Document {
            text: text.into(),
            nodes: self.nodes,
            children: self.children,
            values: self.values,
            props: self.props,
            root: self.root,
            errors,
            partial,
        }
    }
}

pub(crate) struct Builder<'t> {
    text: &'t str,
    cursor: CharCursor<'t>,
    limits: Limits,
    nodes: Vec<NodeData>,
    children: Vec<NodeId>,
    values: Vec<Box<str>>,
    props: Vec<Props>,
    stack: Vec<Frame>,
    pending: Vec<NodeId>,
    anchors: Vec<u32>,
    root: Option<NodeId>,
    prev_end: usize,
    errors: Vec<SyntaxError>,
    last_plain: Option<(usize, usize)>,
    documents: usize,
    limit_error: Option<SyntaxError>,
}

fn build(text: &str, limits: &Limits) -> Built {
    let mut b = Builder::new(text, limits);
    let mut failure = None;
    let mut stopped = false;
    for item in Parser::new_from_str(text) {
        match item {
            Ok((event, span)) => {
                if !b.event(event, span) {
                    stopped = true;
                    break;
                }
            }
            Err(e) => {
                let pos = b.cursor.byte(e.marker().index());
                let open_flow_start = b
                    .stack
                    .iter()
                    .rev()
                    .find(|f| b.nodes[f.node as usize].flow)
                    .map(|f| b.nodes[f.node as usize].range.start().into());
                failure = Some(Failure {
                    pos,
                    message: e.info().to_owned(),
                    last_plain: b.last_plain,
                    open_flow_start,
                });
                break;
            }
        }
    }
    b.close_all();
    b.into_built(failure, stopped)
}

impl<'t> Builder<'t> {
    pub(crate) fn new(text: &'t str, limits: &Limits) -> Self {
        Builder {
            text,
            cursor: CharCursor::new(text),
            limits: *limits,
            nodes: Vec::with_capacity(text.len() / 16),
            children: Vec::with_capacity(text.len() / 16),
            values: Vec::new(),
            props: Vec::new(),
            stack: Vec::new(),
            pending: Vec::new(),
            anchors: vec![NodeId::NONE],
            root: None,
            prev_end: 0,
            errors: Vec::new(),
            last_plain: None,
            documents: 0,
            limit_error: None,
        }
    }

    pub(crate) fn into_built(self, failure: Option<Failure>, stopped: bool) -> Built {
        Built {
            nodes: self.nodes,
            children: self.children,
            values: self.values,
            props: self.props,
            root: self.root,
            errors: self.errors,
            failure,
            limit_error: self.limit_error,
            stopped,
        }
    }

    /// Adds a scalar at `start..end`; `value` is `None` when it equals the source text (inside
    /// the quotes for quoted styles). Returns `None` at the node limit.
    pub(crate) fn add_scalar(
        &mut self,
        start: usize,
        end: usize,
        style: ScalarStyle,
        value: Option<String>,
        anchor: Option<TextRange>,
        tag: Option<TextRange>,
    ) -> Option<u32> {
        let a = match value {
            None => NodeId::NONE,
            Some(v) => {
                self.values.push(v.into());
                (self.values.len() - 1) as u32
            }
        };
        let props = self.props_index(anchor, tag);
        self.add(NodeData {
            kind: NodeKind::Scalar,
            style,
            flow: false,
            range: range(start, end),
            parent: NodeId::NONE,
            a,
            b: 0,
            props,
        })
    }

    /// Opens a collection starting at `start`. Returns `None` at a limit.
    pub(crate) fn open_at(
        &mut self,
        kind: NodeKind,
        flow: bool,
        start: usize,
        anchor: Option<TextRange>,
        tag: Option<TextRange>,
    ) -> Option<u32> {
        if self.stack.len() >= self.limits.max_depth {
            return None;
        }
        let props = self.props_index(anchor, tag);
        let id = self.add(NodeData {
            kind,
            style: ScalarStyle::Plain,
            flow,
            range: range(start, start),
            parent: NodeId::NONE,
            a: 0,
            b: 0,
            props,
        })?;
        self.stack.push(Frame {
            node: id,
            child_start: self.pending.len(),
        });
        Some(id)
    }

    /// Adds an alias to `target`.
    pub(crate) fn add_alias(&mut self, start: usize, end: usize, target: u32) -> Option<u32> {
        self.add(NodeData {
            kind: NodeKind::Alias,
            style: ScalarStyle::Plain,
            flow: false,
            range: range(start, end),
            parent: NodeId::NONE,
            a: target,
            b: 0,
            props: NodeId::NONE,
        })
    }

    /// Whether `node` is a collection still being built (an alias to it would be recursive).
    pub(crate) fn is_open(&self, node: u32) -> bool {
        self.stack.iter().any(|f| f.node == node)
    }

    fn span(&mut self, span: Span) -> (usize, usize) {
        let s = self.cursor.byte(span.start.index());
        let e = self.cursor.byte(span.end.index());
        (s, e.max(s))
    }

    /// Returns false to stop reading events.
    fn event(&mut self, event: Event<'_>, span: Span) -> bool {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => true,
            Event::DocumentStart(_) => {
                self.documents += 1;
                // A chunk holds one document; the splitter makes sure of it.
                self.documents == 1
            }
            Event::Scalar(value, style, anchor_id, tag) => {
                let (s, e) = self.span(span);
                self.scalar(&value, style, anchor_id, tag.is_some(), s, e)
            }
            Event::Alias(anchor_id) => {
                let (s, e) = self.span(span);
                self.prev_end = e;
                let target = self.anchors.get(anchor_id).copied().unwrap_or(NodeId::NONE);
                let mut a = target;
                if target != NodeId::NONE && self.stack.iter().any(|f| f.node == target) {
                    self.errors.push(SyntaxError {
                        kind: ErrorKind::RecursiveAlias,
                        range: range(s, e),
                        message: format!(
                            "Alias `{}` refers to a node that contains it",
                            &self.text[s..e]
                        ),
                        related: None,
                    });
                    a = NodeId::NONE;
                }
                self.add(NodeData {
                    kind: NodeKind::Alias,
                    style: ScalarStyle::Plain,
                    flow: false,
                    range: range(s, e),
                    parent: NodeId::NONE,
                    a,
                    b: 0,
                    props: NodeId::NONE,
                })
                .is_some()
            }
            Event::SequenceStart(anchor_id, tag) => {
                self.open(NodeKind::Sequence, anchor_id, tag.is_some(), span, b'[')
            }
            Event::MappingStart(anchor_id, tag) => {
                self.open(NodeKind::Mapping, anchor_id, tag.is_some(), span, b'{')
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (s, e) = self.span(span);
                // The end event tells flow from block for sure: a flow collection ends on its
                // bracket, a block one on nothing.
                let flow = e > s && matches!(self.text.as_bytes().get(s), Some(b']' | b'}'));
                if let Some(top) = self.stack.last() {
                    self.nodes[top.node as usize].flow = flow;
                }
                self.close(e);
                true
            }
        }
    }

    fn add(&mut self, mut data: NodeData) -> Option<u32> {
        if self.nodes.len() >= self.limits.max_nodes {
            if self.limit_error.is_none() {
                self.limit_error = Some(SyntaxError {
                    kind: ErrorKind::TooLarge,
                    range: data.range,
                    message: format!(
                        "Document has more than {} nodes; the rest of it is not analysed",
                        self.limits.max_nodes
                    ),
                    related: None,
                });
            }
            return None;
        }
        let id = self.nodes.len() as u32;
        match self.stack.last() {
            Some(f) => {
                data.parent = f.node;
                self.pending.push(NodeId(id));
            }
            None => {
                if self.root.is_none() {
                    self.root = Some(NodeId(id));
                }
            }
        }
        self.nodes.push(data);
        Some(id)
    }

    fn register_anchor(&mut self, anchor_id: usize, node: u32) {
        if anchor_id == 0 {
            return;
        }
        if self.anchors.len() <= anchor_id {
            self.anchors.resize(anchor_id + 1, NodeId::NONE);
        }
        self.anchors[anchor_id] = node;
    }

    fn props_index(&mut self, anchor: Option<TextRange>, tag: Option<TextRange>) -> u32 {
        if anchor.is_none() && tag.is_none() {
            return NodeId::NONE;
        }
        self.props.push(Props { anchor, tag });
        (self.props.len() - 1) as u32
    }

    fn scalar(
        &mut self,
        value: &str,
        style: SaphyrStyle,
        anchor_id: usize,
        tagged: bool,
        s: usize,
        e: usize,
    ) -> bool {
        let style = match style {
            SaphyrStyle::Plain => ScalarStyle::Plain,
            SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            SaphyrStyle::Literal => ScalarStyle::Literal,
            SaphyrStyle::Folded => ScalarStyle::Folded,
        };
        let (start, end, anchor, tag) = if style.is_block() {
            let p = scan_props(self.text, self.prev_end, s);
            // The `|` or `>` header, wherever saphyr's span starts (at properties, or after
            // the header).
            let header = if matches!(self.text.as_bytes().get(p.content), Some(b'|' | b'>')) {
                p.content
            } else {
                p.content.min(s)
            };
            (
                header,
                block_scalar_end(self.text, header, e),
                p.anchor,
                p.tag,
            )
        } else {
            let p = scan_props(self.text, s, s);
            let start = p.content.min(e);
            // saphyr's span of a quoted scalar may run on over a trailing comment.
            let end = if style.is_quoted() {
                quoted_end(self.text, start).unwrap_or(e)
            } else {
                e
            };
            (start, end, p.anchor, p.tag)
        };
        self.prev_end = e.max(self.prev_end);
        if style == ScalarStyle::Plain && !value.is_empty() {
            self.last_plain = Some((start, end));
        }
        let own = match style {
            ScalarStyle::Plain => self.text.get(start..end),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if end >= start + 2 => {
                self.text.get(start + 1..end - 1)
            }
            _ => None,
        };
        let stored = (own != Some(value)).then(|| value.to_owned());
        let anchor = anchor.filter(|_| anchor_id != 0);
        let tag = tag.filter(|_| tagged);
        let Some(id) = self.add_scalar(start, end, style, stored, anchor, tag) else {
            return false;
        };
        self.register_anchor(anchor_id, id);
        true
    }

    fn open(
        &mut self,
        kind: NodeKind,
        anchor_id: usize,
        tagged: bool,
        span: Span,
        flow_char: u8,
    ) -> bool {
        let (s, e) = self.span(span);
        let p = scan_props(self.text, self.prev_end, s);
        // A flow collection's span covers its bracket; a block collection's is empty (and
        // may sit on a bracket: `-   []` starts a block sequence whose item is flow).
        let s = p.content.max(s).min(self.text.len());
        let e = e.max(s);
        // A first guess; the end event settles it (`-   []` starts a block sequence on a `[`).
        let flow = self.text.as_bytes().get(s) == Some(&flow_char);
        if flow {
            self.prev_end = e;
        }
        if self.stack.len() >= self.limits.max_depth {
            if self.limit_error.is_none() {
                self.limit_error = Some(SyntaxError {
                    kind: ErrorKind::TooDeep,
                    range: range(s, e.max(s + usize::from(s < self.text.len()))),
                    message: format!(
                        "Collections nest deeper than {} levels; the rest of the document is not analysed",
                        self.limits.max_depth
                    ),
                    related: None,
                });
            }
            return false;
        }
        let anchor = p.anchor.filter(|_| anchor_id != 0);
        let tag = p.tag.filter(|_| tagged);
        let props = self.props_index(anchor, tag);
        let Some(id) = self.add(NodeData {
            kind,
            style: ScalarStyle::Plain,
            flow,
            range: range(s, s),
            parent: NodeId::NONE,
            a: 0,
            b: 0,
            props,
        }) else {
            return false;
        };
        self.register_anchor(anchor_id, id);
        self.stack.push(Frame {
            node: id,
            child_start: self.pending.len(),
        });
        true
    }

    /// Closes the innermost open collection (`end` is used for flow collections).
    pub(crate) fn close(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let kind = self.nodes[frame.node as usize].kind;
        if kind == NodeKind::Mapping && (self.pending.len() - frame.child_start) % 2 == 1 {
            // A key without a value (the parse stopped after it): give it an empty value.
            let key_end = self
                .pending
                .last()
                .map_or(TextSize::new(0), |k| self.nodes[k.idx()].range.end());
            let id = self.nodes.len() as u32;
            self.nodes.push(NodeData {
                kind: NodeKind::Scalar,
                style: ScalarStyle::Plain,
                flow: false,
                range: TextRange::empty(key_end),
                parent: frame.node,
                a: NodeId::NONE,
                b: 0,
                props: NodeId::NONE,
            });
            self.pending.push(NodeId(id));
        }
        let start = self.children.len() as u32;
        let count = (self.pending.len() - frame.child_start) as u32;
        self.children
            .extend(self.pending.drain(frame.child_start..));
        let first_start = self.children[start as usize..]
            .first()
            .map(|c| self.nodes[c.idx()].range.start());
        let last_end = self.children[start as usize..]
            .last()
            .map(|c| self.nodes[c.idx()].range.end());
        let first_block_seq_start = self.children[start as usize..].first().and_then(|c| {
            let n = &self.nodes[c.idx()];
            (n.kind == NodeKind::Sequence && !n.flow).then_some(n.range.start())
        });
        let node = &mut self.nodes[frame.node as usize];
        node.a = start;
        node.b = count;
        if node.flow {
            // saphyr's span of a closing bracket may run on over white space and a comment
            // after it: find the bracket itself.
            let from = last_end.map_or(usize::from(node.range.start()) + 1, usize::from);
            let end = flow_close_end(self.text, from).unwrap_or(end);
            let end = TextSize::new(end.max(u32::from(node.range.start()) as usize) as u32);
            node.range = TextRange::new(node.range.start(), end);
        } else {
            // A block mapping starts at its first key (saphyr's mark may sit on a comment
            // before it); a block sequence is settled below.
            let mut s = match (kind, first_start) {
                (NodeKind::Mapping, Some(first)) => first,
                _ => node
                    .range
                    .start()
                    .min(first_start.unwrap_or(node.range.start())),
            };
            if kind == NodeKind::Sequence {
                // An indentless sequence (`key:\n- a`) reports its start at the first item.
                s = block_sequence_start(self.text, s, first_block_seq_start == Some(s));
            }
            let e = last_end.unwrap_or(s).max(s);
            node.range = TextRange::new(s, e);
        }
        if kind == NodeKind::Mapping {
            self.check_duplicates(frame.node);
        }
    }

    fn close_all(&mut self) {
        while let Some(top) = self.stack.last() {
            let node = &self.nodes[top.node as usize];
            let end = if node.flow {
                self.pending
                    .last()
                    .map_or(node.range.end(), |c| self.nodes[c.idx()].range.end())
                    .into()
            } else {
                0
            };
            self.close(end);
        }
    }

    fn key_text(&self, id: NodeId) -> Option<&str> {
        let data = &self.nodes[id.idx()];
        if data.kind != NodeKind::Scalar {
            return None;
        }
        if data.a != NodeId::NONE {
            return Some(&self.values[data.a as usize]);
        }
        let raw = &self.text[data.range];
        Some(if data.style.is_quoted() && raw.len() >= 2 {
            &raw[1..raw.len() - 1]
        } else {
            raw
        })
    }

    fn check_duplicates(&mut self, mapping: u32) {
        let data = &self.nodes[mapping as usize];
        let kids = &self.children[data.a as usize..(data.a + data.b) as usize];
        let keys: Vec<NodeId> = kids.iter().step_by(2).copied().collect();
        if keys.len() < 2 {
            return;
        }
        let mut found = Vec::new();
        if keys.len() <= 16 {
            for (i, &k) in keys.iter().enumerate() {
                let Some(kt) = self.key_text(k) else { continue };
                if kt == "<<" {
                    continue;
                }
                if let Some(&first) = keys[..i].iter().find(|&&p| self.key_text(p) == Some(kt)) {
                    found.push((first, k));
                }
            }
        } else {
            let mut seen: std::collections::HashMap<&str, NodeId> =
                std::collections::HashMap::with_capacity(keys.len());
            for &k in &keys {
                let Some(kt) = self.key_text(k) else { continue };
                if kt == "<<" {
                    continue;
                }
                if let Some(&first) = seen.get(kt) {
                    found.push((first, k));
                } else {
                    seen.insert(kt, k);
                }
            }
        }
        for (first, dup) in found {
            let name = self.key_text(dup).unwrap_or_default();
            let name = shorten(name);
            self.errors.push(SyntaxError {
                kind: ErrorKind::DuplicateKey,
                range: self.nodes[dup.idx()].range,
                message: format!("Duplicate key `{name}`"),
                related: Some((
                    self.nodes[first.idx()].range,
                    format!("`{name}` first set here"),
                )),
            });
        }
    }
}

struct PropScan {
    anchor: Option<TextRange>,
    tag: Option<TextRange>,
    content: usize,
}

/// Reads the anchor and tag written before a node. Between `from` and `node_start` (the gap
/// after the previous event) it also steps over the `:`, `-`, `?` and `,` that separate nodes,
/// and over comments; from `node_start` on, only over properties and white space. `content`
/// is where the node itself starts (`|` or `>` for block scalars, `-` for block sequences).
fn scan_props(text: &str, from: usize, node_start: usize) -> PropScan {
    let b = text.as_bytes();
    let mut i = from.min(b.len());
    let mut anchor = None;
    let mut tag = None;
    while i < b.len() {
        let gap = i < node_start;
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' if gap => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b':' | b'-' | b'?' | b',' if gap => i += 1,
            b'&' | b'!' => {
                let is_anchor = b[i] == b'&';
                let start = i + usize::from(is_anchor);
                let mut j = i + 1;
                while j < b.len()
                    && !matches!(
                        b[j],
                        b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                    )
                {
                    j += 1;
                }
                if is_anchor {
                    anchor = Some(range(start.min(j), j));
                } else {
                    tag = Some(range(i, j));
                }
                i = j;
            }
            _ => break,
        }
    }
    PropScan {
        anchor,
        tag,
        content: i,
    }
}

/// The end of a block scalar: the end of its last content line (saphyr's span runs on to the
/// next token, over trailing blank lines and comments).
/// Where a block sequence really starts, given the start saphyr reported (which can be its
/// first item's content, or the dash of a nested first item). `nested_here` says that the first
/// item is a block sequence starting at `s`.
fn block_sequence_start(text: &str, s: TextSize, nested_here: bool) -> TextSize {
    let b = text.as_bytes();
    let at = usize::from(s).min(b.len());
    let is_dash = |i: usize| {
        b.get(i) == Some(&b'-')
            && b.get(i + 1)
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    };
    if is_dash(at) && !nested_here {
        return s;
    }
    // The previous token, skipping white space, line breaks and comment lines.
    let mut end = at;
    loop {
        let line_start = b[..end]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let mut line = &b[line_start..end];
        // Drop a comment (a `#` after white space or at the start).
        if let Some(h) = (0..line.len())
            .find(|&k| line[k] == b'#' && (k == 0 || matches!(line[k - 1], b' ' | b'\t')))
        {
            line = &line[..h];
        }
        // Drop properties (`&anchor`, `!tag`) written before the first item.
        while let Some(len) = line
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r'))
            .map(|p| p + 1)
        {
            let token_start = line[..len]
                .iter()
                .rposition(|c| matches!(c, b' ' | b'\t'))
                .map_or(0, |p| p + 1);
            if matches!(line[token_start], b'&' | b'!') {
                line = &line[..token_start];
            } else {
                break;
            }
        }
        let trimmed = line
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r'))
            .map(|p| p + 1);
        match trimmed {
            Some(len) => {
                let last = line_start + len - 1;
                return if is_dash(last) {
                    TextSize::new(last as u32)
                } else {
                    s
                };
            }
            None if line_start == 0 => return s,
            None => end = line_start - 1,
        }
    }
}

/// The end (after the bracket) of the flow collection whose last item ends at `from`.
fn flow_close_end(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b']' | b'}' => return Some(i + 1),
            _ => return None,
        }
    }
    None
}

/// The end (after the closing quote) of the quoted scalar that starts at `start`.
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let q = *b.get(start)?;
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            c if c == q => {
                if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

pub(crate) fn block_scalar_end(text: &str, header: usize, span_end: usize) -> usize {
    let b = text.as_bytes();
    let span_end = span_end.min(b.len());
    let header_line_end = memchr::memchr(b'\n', &b[header..]).map_or(b.len(), |i| header + i);
    // The header line without a trailing comment.
    let mut end = header;
    while end < header_line_end && !matches!(b[end], b' ' | b'\t' | b'\r' | b'#') {
        end += 1;
    }
    let mut indent: Option<usize> = None;
    let mut pos = header_line_end + 1;
    while pos < span_end {
        let line_end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        let line = &b[pos..line_end];
        let spaces = line.iter().take_while(|&&c| c == b' ').count();
        let blank = line[spaces..]
            .iter()
            .all(|c| matches!(c, b' ' | b'\t' | b'\r'));
        if !blank && pos + spaces >= span_end {
            // The next token's line, not content.
            break;
        }
        if !blank {
            match indent {
                None => indent = Some(spaces),
                Some(n) if spaces < n => break,
                Some(_) => {}
            }
            let trimmed = line
                .iter()
                .rposition(|c| !matches!(c, b' ' | b'\t' | b'\r'))
                .map_or(0, |i| i + 1);
            end = (pos + trimmed).min(span_end.max(end));
        }
        pos = line_end + 1;
    }
    end
}
