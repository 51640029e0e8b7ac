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
    let budget_by_size = (32 * 1024 * 1024 / text.len().max(1)).max(1);
    let mut first = build(text, limits);
    let mut scratch: Vec<u8> = Vec::new();

    // Leniency first: Kubernetes reads YAML with a libyaml port, which ignores indentation
    // inside flow collections (`args: [` … `]` with the `]` under the key is common). saphyr
    // follows the spec and rejects it; join such a line to the previous one (same bytes, so
    // every offset holds) and read again.
    let mut joins = 0;
    while let Some(f) = &first.failure {
        if joins >= 256.min(budget_by_size * 4) || !is_flow_indentation(f) {
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

fn is_flow_indentation(f: &Failure) -> bool {
    f.open_flow_start.is_some()
        && f.message.starts_with("invalid indentation")
        && !f.message.contains("quoted")
}

/// Joins the line holding `pos` to the previous line: the line break becomes spaces and a
/// comment at the end of the previous line is blanked. Returns false if there is no previous
/// line or `pos` is not the first token of its line.
fn join_to_previous_line(bytes: &mut [u8], pos: usize) -> bool {
    let (line_start, _) = line_bounds(bytes, pos);
    if line_start == 0 || first_non_space(bytes, line_start) != pos.min(bytes.len()) {
        return false;
    }
    let (prev_start, prev_end) = line_bounds(bytes, line_start - 1);
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
        if let Some(fs) = failure.open_flow_start {
            if fs < start {
                return (fs, end);
            }
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
struct Failure {
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

fn range(start: usize, end: usize) -> TextRange {
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

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

struct Frame {
    node: u32,
    child_start: usize,
}

/// The result of one parse attempt.
struct Built {
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
        if let Some(l) = self.limit_error {
            if !errors.contains(&l) {
                errors.push(l);
            }
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

struct Builder<'t> {
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
    let mut b = Builder {
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
    };
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
    Built {
        nodes: b.nodes,
        children: b.children,
        values: b.values,
        props: b.props,
        root: b.root,
        errors: b.errors,
        failure,
        limit_error: b.limit_error,
        stopped,
    }
}

impl<'t> Builder<'t> {
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
            Event::Scalar(value, style, anchor_id, _tag) => {
                let (s, e) = self.span(span);
                self.scalar(&value, style, anchor_id, s, e)
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
            Event::SequenceStart(anchor_id, _) => {
                self.open(NodeKind::Sequence, anchor_id, span, b'[')
            }
            Event::MappingStart(anchor_id, _) => {
                self.open(NodeKind::Mapping, anchor_id, span, b'{')
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (_, e) = self.span(span);
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
            let header = p.content.min(s);
            (
                header,
                block_scalar_end(self.text, header, e),
                p.anchor,
                p.tag,
            )
        } else {
            let p = scan_props(self.text, s, s);
            (p.content.min(e), e, p.anchor, p.tag)
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
        let a = if own == Some(value) {
            NodeId::NONE
        } else {
            self.values.push(value.into());
            (self.values.len() - 1) as u32
        };
        let props = self.props_index(anchor, tag);
        let Some(id) = self.add(NodeData {
            kind: NodeKind::Scalar,
            style,
            flow: false,
            range: range(start, end),
            parent: NodeId::NONE,
            a,
            b: 0,
            props,
        }) else {
            return false;
        };
        self.register_anchor(anchor_id, id);
        true
    }

    fn open(&mut self, kind: NodeKind, anchor_id: usize, span: Span, flow_char: u8) -> bool {
        let (s, e) = self.span(span);
        let p = scan_props(self.text, self.prev_end, s);
        let s = p.content.max(s).min(self.text.len());
        let e = e.max(s);
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
        let props = self.props_index(p.anchor, p.tag);
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

    fn close(&mut self, end: usize) {
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
        let node = &mut self.nodes[frame.node as usize];
        node.a = start;
        node.b = count;
        if node.flow {
            let end = TextSize::new(end.max(u32::from(node.range.start()) as usize) as u32);
            node.range = TextRange::new(node.range.start(), end);
        } else {
            let mut s = node
                .range
                .start()
                .min(first_start.unwrap_or(node.range.start()));
            if kind == NodeKind::Sequence {
                // An indentless sequence (`key:\n- a`) reports its start at the first item.
                let b = self.text.as_bytes();
                let mut i = usize::from(s);
                while i > 0 && b[i - 1] == b' ' {
                    i -= 1;
                }
                if i > 0 && b[i - 1] == b'-' {
                    s = TextSize::new(i as u32 - 1);
                }
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
fn block_scalar_end(text: &str, header: usize, span_end: usize) -> usize {
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
