//! The fast path: a byte-level parser for the YAML that manifests are made of, building the
//! same tree as the saphyr path in one pass, with no events and no per-scalar allocation.
//!
//! It covers block mappings and sequences (compact and indentless forms included), flow
//! collections, every scalar style, multi-line plain scalars, anchors, aliases, tags and
//! comments. On anything else (`?` keys, directives, explicit indentation indicators, tabs in
//! indentation, syntax errors, limits) it gives up and returns `None`; the saphyr path then
//! parses the document with full YAML 1.2 support, leniency and recovery. So this parser never
//! has to report an error, only to agree with the saphyr path whenever it succeeds: the test
//! `fast_path_agrees_with_saphyr` checks that on every document of the shared corpus and on
//! thousands of mutations of them.

use std::collections::HashMap;

use text_size::TextRange;

use crate::parse::{Builder, Built, Limits, block_scalar_end, range, utf8_len};
use crate::tree::{NodeKind, ScalarStyle};

/// `None` means "not for the fast path".
type R<T> = Option<T>;

/// Parses `text` (one document), or returns `None` to hand it to the saphyr path.
pub(crate) fn parse(text: &str, limits: &Limits) -> Option<Built> {
    // A carriage return that is not part of a CRLF ends a line for YAML but not for the line
    // helpers here: leave such text to saphyr.
    let b = text.as_bytes();
    if memchr::memchr_iter(b'\r', b).any(|i| b.get(i + 1) != Some(&b'\n')) {
        return None;
    }
    let mut p = Fast {
        t: text,
        b: text.as_bytes(),
        pos: 0,
        out: Builder::new(text, limits),
        anchors: HashMap::new(),
    };
    p.document()?;
    Some(p.out.into_built(None, false))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ctx {
    Root,
    MapValue,
    SeqItem,
}

#[derive(Clone, Copy, Default, Debug)]
struct Props {
    anchor: Option<TextRange>,
    tag: Option<TextRange>,
    end: usize,
}

impl Props {
    fn is_empty(&self) -> bool {
        self.anchor.is_none() && self.tag.is_none()
    }
}

/// A scalar read but not added yet (keys are read before their mapping is opened).
struct ScalarInfo {
    start: usize,
    end: usize,
    style: ScalarStyle,
    value: Option<String>,
}

struct Fast<'t> {
    t: &'t str,
    b: &'t [u8],
    pos: usize,
    out: Builder<'t>,
    anchors: HashMap<&'t str, u32>,
}

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'t> Fast<'t> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.at(self.pos)
    }

    /// A line break or the end of the text at `i`.
    fn is_break(&self, i: usize) -> bool {
        i >= self.b.len() || self.b[i] == b'\n' || self.b[i] == b'\r'
    }

    fn is_ws_or_break(&self, i: usize) -> bool {
        self.is_break(i) || is_ws(self.b[i])
    }

    /// Skips spaces. A tab outside a scalar is left to the saphyr path, which knows where
    /// YAML allows one.
    fn skip_ws(&mut self) -> R<()> {
        while self.cur() == b' ' {
            self.pos += 1;
        }
        (self.cur() != b'\t').then_some(())
    }

    /// After white space: a comment or the end of the line.
    fn at_comment_or_break(&self) -> bool {
        self.is_break(self.pos)
            || (self.cur() == b'#' && self.pos > 0 && is_ws(self.b[self.pos - 1]))
    }

    /// Consumes the rest of the line (white space and a comment) and its line break. Anything
    /// else on the line is not for the fast path.
    fn finish_line(&mut self) -> R<()> {
        self.skip_ws()?;
        if self.cur() == b'#' && (self.pos == 0 || self.is_ws_or_break(self.pos - 1)) {
            while !self.is_break(self.pos) {
                self.pos += 1;
            }
        }
        match self.cur() {
            b'\n' => self.pos += 1,
            b'\r' => {
                if self.at(self.pos + 1) != b'\n' {
                    return None;
                }
                self.pos += 2;
            }
            _ if self.pos >= self.b.len() => {}
            _ => return None,
        }
        Some(())
    }

    /// From a line start, skips blank and comment lines; returns the next content line's start
    /// and indentation, `Some(None)` at the end of the text.
    fn next_content_line(&mut self) -> R<Option<(usize, usize)>> {
        loop {
            let ls = self.pos;
            if ls >= self.b.len() {
                return Some(None);
            }
            let mut i = ls;
            while self.at(i) == b' ' {
                i += 1;
            }
            let indent = i - ls;
            let mut j = i;
            while is_ws(self.at(j)) {
                j += 1;
            }
            if self.is_break(j) || self.at(j) == b'#' {
                // Blank or comment line.
                self.pos = j;
                self.finish_line()?;
                continue;
            }
            if j != i {
                // A tab in the indentation of a content line.
                return None;
            }
            return Some(Some((ls, indent)));
        }
    }

    fn is_marker(&self, ls: usize, c: u8) -> bool {
        self.at(ls) == c
            && self.at(ls + 1) == c
            && self.at(ls + 2) == c
            && self.is_ws_or_break(ls + 3)
    }

    fn is_doc_marker(&self, ls: usize) -> bool {
        self.is_marker(ls, b'-') || self.is_marker(ls, b'.')
    }

    fn document(&mut self) -> R<()> {
        if self.b.starts_with("\u{feff}".as_bytes()) {
            self.pos = 3;
        }
        let mut explicit_start = None;
        let Some((mut ls, mut indent)) = self.next_content_line()? else {
            return Some(());
        };
        if self.at(ls) == b'%' {
            return None;
        }
        if indent == 0 && self.is_marker(ls, b'-') {
            self.pos = ls + 3;
            self.skip_ws()?;
            if !self.at_comment_or_break() {
                return None;
            }
            self.finish_line()?;
            explicit_start = Some(self.pos);
            match self.next_content_line()? {
                Some((l, i)) => (ls, indent) = (l, i),
                None => {
                    // `---` and nothing else: a null document, placed at the end.
                    let at = self.pos;
                    self.out
                        .add_scalar(at, at, ScalarStyle::Plain, None, None, None)?;
                    return Some(());
                }
            }
        }
        if self.is_doc_marker(ls) {
            if self.is_marker(ls, b'-') {
                return None;
            }
            // `...` right away.
            if explicit_start.is_some() {
                self.out
                    .add_scalar(ls, ls, ScalarStyle::Plain, None, None, None)?;
            }
            return self.document_end(ls);
        }
        self.pos = ls + indent;
        self.node_here(-1, Props::default(), Ctx::Root, true)?;
        match self.next_content_line()? {
            None => Some(()),
            Some((ls, _)) if self.is_marker(ls, b'.') => self.document_end(ls),
            Some(_) => None,
        }
    }

    fn document_end(&mut self, ls: usize) -> R<()> {
        self.pos = ls + 3;
        self.finish_line()?;
        match self.next_content_line()? {
            None => Some(()),
            Some(_) => None,
        }
    }

    fn column(&self) -> usize {
        let ls = self.b[..self.pos]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        self.pos - ls
    }

    /// Reads `&anchor` and `!tag` (in either order) and the white space after them.
    fn props(&mut self, flow: bool) -> R<Props> {
        let mut p = Props {
            end: self.pos,
            ..Props::default()
        };
        loop {
            match self.cur() {
                b'&' if p.anchor.is_none() => {
                    let start = self.pos + 1;
                    let end = self.name_end(start, true);
                    let _ = flow;
                    // An anchor name with a `:` reads ambiguously; leave it to saphyr.
                    if end == start || self.b[start..end].contains(&b':') {
                        return None;
                    }
                    p.anchor = Some(range(start, end));
                    self.pos = end;
                }
                b'!' if p.tag.is_none() => {
                    let start = self.pos;
                    let end = self.tag_end(start + 1);
                    // `!handle!suffix` needs a %TAG directive: not for the fast path.
                    let body = &self.b[start + 1..end];
                    let body = body.strip_prefix(b"!").unwrap_or(body);
                    // `%` escapes are left to the saphyr path too.
                    if body.contains(&b'!')
                        || body.contains(&b'%')
                        || body.ends_with(b":")
                        || body.is_empty() && end == start + 1
                    {
                        return None;
                    }
                    if self.at(start + 1) == b'<' {
                        return None;
                    }
                    p.tag = Some(range(start, end));
                    self.pos = end;
                }
                _ => return Some(p),
            }
            p.end = self.pos;
            if !self.is_ws_or_break(self.pos) {
                return None;
            }
            self.skip_ws()?;
        }
    }

    /// The end of a tag: URI characters, without the flow indicators.
    fn tag_end(&self, mut i: usize) -> usize {
        while i < self.b.len() {
            let c = self.b[i];
            let uri = c.is_ascii_alphanumeric() || b"-#;/?:@&=+$_.!~*'()%".contains(&c);
            if !uri {
                break;
            }
            i += 1;
        }
        i
    }

    /// The end of an anchor, alias or tag name.
    fn name_end(&self, mut i: usize, flow: bool) -> usize {
        while !(self.is_ws_or_break(i) || flow && is_flow_indicator(self.b[i])) {
            i += 1;
        }
        i
    }

    fn register(&mut self, props: &Props, id: u32) {
        if let Some(a) = props.anchor {
            self.anchors.insert(&self.t[a], id);
        }
    }

    /// Adds a scalar read earlier, with its properties.
    fn emit(&mut self, s: ScalarInfo, props: &Props) -> R<()> {
        let id = self
            .out
            .add_scalar(s.start, s.end, s.style, s.value, props.anchor, props.tag)?;
        self.register(props, id);
        Some(())
    }

    /// An alias at `pos` (`*name`); leaves `pos` after its name.
    fn alias(&mut self, flow: bool) -> R<()> {
        let start = self.pos;
        let end = self.name_end(start + 1, flow);
        let target = *self.anchors.get(&self.t[start + 1..end])?;
        if self.out.is_open(target) {
            return None;
        }
        self.out.add_alias(start, end, target)?;
        self.pos = end;
        Some(())
    }

    fn empty(&mut self, at: usize, props: Props) -> R<()> {
        let id = self
            .out
            .add_scalar(at, at, ScalarStyle::Plain, None, props.anchor, props.tag)?;
        self.register(&props, id);
        Some(())
    }

    /// The value after an indicator (`:` of a key at `indicator`, `-` of an item, or the
    /// document). Returns at the start of a line.
    fn value(&mut self, parent: isize, ctx: Ctx, indicator: usize) -> R<()> {
        self.skip_ws()?;
        let before_props = self.pos;
        let props = self.props(false)?;
        if !self.at_comment_or_break() {
            // Properties on the content's own line belong to what starts there (the first
            // key, if a mapping starts there): let `node_here` read them.
            self.pos = before_props;
            return self.node_here(parent, Props::default(), ctx, false);
        }
        // The value starts on a later line, or is empty.
        let empty_at = if !props.is_empty() {
            props.end
        } else if ctx == Ctx::SeqItem {
            // After a trailing comment, where saphyr's next token starts.
            self.line_end(self.pos)
        } else {
            indicator
        };
        self.finish_line()?;
        let save = self.pos;
        match self.next_content_line()? {
            None => self.empty(empty_at, props),
            Some((ls, indent)) => {
                let indent_i = indent as isize;
                let first = self.at(ls + indent);
                if self.is_doc_marker(ls) && indent == 0 {
                    self.pos = ls;
                    return self.empty(empty_at, props);
                }
                let dash = first == b'-' && self.is_ws_or_break(ls + indent + 1);
                // A tag alone on a line before a block collection: saphyr's reading of whose
                // tag it is differs from case to case; leave it to saphyr.
                if props.tag.is_some() && (indent_i > parent || dash) {
                    return None;
                }
                if ctx == Ctx::MapValue && indent_i == parent && dash {
                    // An indentless sequence: `key:\n- a`.
                    self.pos = ls + indent;
                    return self.block_sequence(indent, props);
                }
                if indent_i > parent {
                    self.pos = ls + indent;
                    return self.node_here(parent, props, ctx, true);
                }
                self.pos = save;
                self.empty(empty_at, props)
            }
        }
    }

    /// A node whose content starts at `pos`. `node_props` were written before it (on an
    /// earlier line when `own_line`). Returns at the start of a line.
    fn node_here(&mut self, parent: isize, node_props: Props, ctx: Ctx, own_line: bool) -> R<()> {
        let col = self.column();
        let inline = self.props(false)?;
        if !inline.is_empty() && self.at_comment_or_break() {
            // Props alone on a line after other props: not for the fast path.
            return None;
        }
        let mapping_allowed = own_line || ctx != Ctx::MapValue;
        let start = self.pos;
        let c = self.cur();
        let single = |a: Props, b: Props| -> R<Props> {
            match (a.is_empty(), b.is_empty()) {
                (_, true) => Some(a),
                (true, false) => Some(b),
                (false, false) => None,
            }
        };
        match c {
            b'-' if self.is_ws_or_break(self.pos + 1) => {
                // Properties and a block sequence on one line are not allowed.
                if !(own_line || ctx == Ctx::SeqItem)
                    || !inline.is_empty()
                    || (!own_line && !node_props.is_empty())
                {
                    return None;
                }
                self.block_sequence(col, node_props)
            }
            b'|' | b'>' => {
                let props = single(node_props, inline)?;
                self.block_scalar(parent, props)
            }
            b'[' | b'{' => {
                let props = single(node_props, inline)?;
                self.flow_node(props, 0)?;
                self.skip_ws()?;
                if self.cur() == b':' {
                    return None;
                }
                self.finish_line()
            }
            b'"' | b'\'' => {
                let s = self.quoted(Some(parent))?;
                let multiline = self.t[s.start..s.end].contains('\n');
                self.skip_ws()?;
                if self.cur() == b':' && self.is_ws_or_break(self.pos + 1) {
                    if !mapping_allowed || multiline {
                        return None;
                    }
                    return self.block_mapping(col, s, inline, node_props);
                }
                let props = single(node_props, inline)?;
                self.emit(s, &props)?;
                self.finish_line()
            }
            b'*' => {
                if !inline.is_empty() || !node_props.is_empty() {
                    return None;
                }
                self.alias(false)?;
                self.skip_ws()?;
                // An alias as a key: left to saphyr (the whole parse is dropped).
                if self.cur() == b':' {
                    return None;
                }
                self.finish_line()
            }
            _ => {
                if !self.plain_may_start(false) {
                    return None;
                }
                let (end, stop) = self.plain_line(start, false);
                match stop {
                    Stop::Key => {
                        if !mapping_allowed {
                            return None;
                        }
                        let key = ScalarInfo {
                            start,
                            end,
                            style: ScalarStyle::Plain,
                            value: None,
                        };
                        self.pos = end;
                        self.skip_ws()?;
                        self.block_mapping(col, key, inline, node_props)
                    }
                    Stop::Comment | Stop::Break => {
                        let props = single(node_props, inline)?;
                        self.plain_scalar_block(start, end, stop, parent, props)
                    }
                    Stop::Flow | Stop::Tab => None,
                }
            }
        }
    }

    fn plain_may_start(&self, flow: bool) -> bool {
        let c = self.cur();
        match c {
            b'-' | b'?' | b':' => {
                let n = self.at(self.pos + 1);
                !(self.is_ws_or_break(self.pos + 1) || (flow && is_flow_indicator(n)))
            }
            b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
            | b'"' | b'%' | b'@' | b'`' => false,
            0 => false,
            _ => !self.is_break(self.pos) && !is_ws(c),
        }
    }

    /// Scans a plain scalar on one line from `start`: its end (trailing white space trimmed)
    /// and what stopped it.
    fn plain_line(&self, start: usize, flow: bool) -> (usize, Stop) {
        let mut i = start;
        let stop = loop {
            if self.is_break(i) {
                break Stop::Break;
            }
            let c = self.b[i];
            if c == b':' {
                let n = self.at(i + 1);
                if self.is_ws_or_break(i + 1) || (flow && is_flow_indicator(n)) {
                    break Stop::Key;
                }
            }
            if c == b'#' && i > start && is_ws(self.b[i - 1]) {
                break Stop::Comment;
            }
            if flow && is_flow_indicator(c) {
                break Stop::Flow;
            }
            if flow && c == b'-' && is_flow_indicator(self.at(i + 1)) {
                // saphyr rejects `-]` inside a flow plain scalar.
                break Stop::Tab;
            }
            if c == b'\t' {
                // saphyr drops tabs inside plain scalars; leave them to it, to agree.
                break Stop::Tab;
            }
            i += 1;
        };
        let mut end = i;
        while end > start && is_ws(self.b[end - 1]) {
            end -= 1;
        }
        (end, stop)
    }

    /// A plain scalar in block context, maybe continued on more indented lines.
    fn plain_scalar_block(
        &mut self,
        start: usize,
        first_end: usize,
        stop: Stop,
        parent: isize,
        props: Props,
    ) -> R<()> {
        let mut end = first_end;
        let mut value: Option<String> = None;
        // Line start of the line after the scalar's last line.
        self.pos = first_end;
        self.finish_line()?;
        if stop == Stop::Break {
            loop {
                let save = self.pos;
                let mut blank_lines = 0;
                let next = loop {
                    match self.line_at(self.pos) {
                        Line::Eof => break None,
                        Line::Blank(next) => {
                            blank_lines += 1;
                            self.pos = next;
                        }
                        Line::Content(indent) => break Some(indent),
                    }
                };
                let Some(indent) = next else {
                    self.pos = save;
                    break;
                };
                let ls = self.pos;
                let c = self.at(ls + indent);
                if (indent as isize) <= parent
                    || c == b'#'
                    || (indent == 0 && self.is_doc_marker(ls))
                {
                    self.pos = save;
                    break;
                }
                if self.b[ls..ls + indent].contains(&b'\t') {
                    return None;
                }
                let cstart = ls + indent;
                let (cend, cstop) = self.plain_line(cstart, false);
                if matches!(cstop, Stop::Key | Stop::Tab) || cend == cstart {
                    return None;
                }
                let v = value.get_or_insert_with(|| self.t[start..first_end].to_owned());
                if blank_lines == 0 {
                    v.push(' ');
                } else {
                    v.extend(std::iter::repeat_n('\n', blank_lines));
                }
                v.push_str(&self.t[cstart..cend]);
                end = cend;
                self.pos = cend;
                self.finish_line()?;
                if cstop == Stop::Comment {
                    break;
                }
            }
        }
        let id = self.out.add_scalar(
            start,
            end,
            ScalarStyle::Plain,
            value,
            props.anchor,
            props.tag,
        )?;
        self.register(&props, id);
        Some(())
    }

    /// What the line at `ls` holds.
    fn line_at(&self, ls: usize) -> Line {
        if ls >= self.b.len() {
            return Line::Eof;
        }
        let mut i = ls;
        while self.at(i) == b' ' {
            i += 1;
        }
        let mut j = i;
        while is_ws(self.at(j)) {
            j += 1;
        }
        if self.is_break(j) {
            let next = match self.at(j) {
                b'\r' if self.at(j + 1) == b'\n' => j + 2,
                0 => j,
                _ => j + 1,
            };
            return Line::Blank(next.max(ls + 1).min(self.b.len()));
        }
        Line::Content(i - ls)
    }

    /// A block mapping at `indent` whose first key has been read; `pos` is at its `:`.
    fn block_mapping(
        &mut self,
        indent: usize,
        first_key: ScalarInfo,
        key_props: Props,
        map_props: Props,
    ) -> R<()> {
        let id = self.out.open_at(
            NodeKind::Mapping,
            false,
            first_key.start,
            map_props.anchor,
            map_props.tag,
        )?;
        self.register(&map_props, id);
        let mut key = first_key;
        let mut kprops = key_props;
        loop {
            let kid = self.out.add_scalar(
                key.start,
                key.end,
                key.style,
                key.value.take(),
                kprops.anchor,
                kprops.tag,
            )?;
            self.register(&kprops, kid);
            let colon = self.pos;
            if self.cur() != b':' {
                return None;
            }
            self.pos += 1;
            self.value(indent as isize, Ctx::MapValue, colon)?;
            // Next key at the same indentation?
            let save = self.pos;
            let Some((ls, ind)) = self.next_content_line()? else {
                break;
            };
            if ind < indent || (ind == 0 && self.is_doc_marker(ls)) {
                self.pos = save;
                break;
            }
            if ind > indent {
                return None;
            }
            self.pos = ls + ind;
            if self.cur() == b'-' && self.is_ws_or_break(self.pos + 1) {
                return None;
            }
            kprops = self.props(false)?;
            key = self.key()?;
        }
        self.out.close(0);
        Some(())
    }

    /// A key of a block mapping: a one-line plain or quoted scalar followed by `:`.
    fn key(&mut self) -> R<ScalarInfo> {
        let start = self.pos;
        match self.cur() {
            b'"' | b'\'' => {
                let s = self.quoted(None)?;
                if self.t[s.start..s.end].contains('\n') {
                    return None;
                }
                self.skip_ws()?;
                (self.cur() == b':' && self.is_ws_or_break(self.pos + 1)).then_some(s)
            }
            _ => {
                if !self.plain_may_start(false) {
                    return None;
                }
                let (end, stop) = self.plain_line(start, false);
                if stop != Stop::Key {
                    return None;
                }
                self.pos = end;
                self.skip_ws()?;
                Some(ScalarInfo {
                    start,
                    end,
                    style: ScalarStyle::Plain,
                    value: None,
                })
            }
        }
    }

    /// A block sequence whose first `-` is at `pos`, in column `indent`.
    fn block_sequence(&mut self, indent: usize, props: Props) -> R<()> {
        let id = self
            .out
            .open_at(NodeKind::Sequence, false, self.pos, props.anchor, props.tag)?;
        self.register(&props, id);
        loop {
            let dash = self.pos;
            self.pos += 1;
            self.value(indent as isize, Ctx::SeqItem, dash)?;
            let save = self.pos;
            let Some((ls, ind)) = self.next_content_line()? else {
                break;
            };
            let dash_next = self.at(ls + ind) == b'-' && self.is_ws_or_break(ls + ind + 1);
            if ind == indent && dash_next && !(ind == 0 && self.is_doc_marker(ls)) {
                self.pos = ls + ind;
                continue;
            }
            if ind > indent {
                return None;
            }
            self.pos = save;
            break;
        }
        self.out.close(0);
        Some(())
    }

    /// A block scalar whose header is at `pos`. Returns at the start of a line.
    fn block_scalar(&mut self, parent: isize, props: Props) -> R<()> {
        if parent < 0 {
            // A whole document that is one block scalar: its content may start in column 0,
            // a case left to saphyr.
            return None;
        }
        let header = self.pos;
        let style = if self.cur() == b'|' {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        self.pos += 1;
        let mut chomp = Chomp::Clip;
        loop {
            match self.cur() {
                b'-' if chomp == Chomp::Clip => chomp = Chomp::Strip,
                b'+' if chomp == Chomp::Clip => chomp = Chomp::Keep,
                b'0'..=b'9' => return None,
                _ => break,
            }
            self.pos += 1;
        }
        if !self.is_ws_or_break(self.pos) {
            return None;
        }
        self.finish_line()?;
        let body_start = self.pos;
        // Find the content indentation and the lines.
        let min_indent = (parent + 1).max(1) as usize;
        let mut lines: Vec<(usize, usize)> = Vec::new(); // (line start, line end) without break
        let mut content_indent: Option<usize> = None;
        let mut max_blank_indent = 0;
        let mut pos = body_start;
        while pos < self.b.len() {
            let le = self.line_end(pos);
            let spaces = self.b[pos..le].iter().take_while(|&&c| c == b' ').count();
            let blank = self.b[pos + spaces..le].iter().all(|&c| is_ws(c));
            match content_indent {
                None if blank => {
                    if self.b[pos + spaces..le].contains(&b'\t') {
                        return None;
                    }
                    max_blank_indent = max_blank_indent.max(spaces);
                }
                None => {
                    if spaces < min_indent {
                        break;
                    }
                    if max_blank_indent > spaces {
                        return None;
                    }
                    content_indent = Some(spaces);
                }
                Some(ci) => {
                    if !blank && spaces < ci {
                        break;
                    }
                }
            }
            if spaces == 0 && self.is_doc_marker(pos) {
                break;
            }
            lines.push((pos, le));
            pos = self.next_line_start(le);
        }
        let ci = content_indent.unwrap_or(usize::MAX);
        // A last line of white space with no line break after it: saphyr's reading of it is
        // its own; leave it to saphyr.
        if pos >= self.b.len()
            && lines.last().is_some_and(|&(s, e)| {
                e == self.b.len() && e > s && self.b[s..e].iter().all(|&c| c == b' ')
            })
        {
            return None;
        }
        // Trailing blank lines belong to chomping; content lines end at the last non-blank.
        // A line is blank when nothing is left of it past the content indentation (spaces
        // beyond it are content).
        let content_count = lines.iter().rposition(|&(s, e)| e - s > ci);
        let mut value = String::new();
        let trailing_breaks;
        match content_count {
            None => {
                // No content: only blank lines.
                trailing_breaks = lines.len();
            }
            Some(last) => {
                let text_of = |(s, e): (usize, usize)| -> &str {
                    if e - s > ci { &self.t[s + ci..e] } else { "" }
                };
                if style == ScalarStyle::Literal {
                    for (i, &l) in lines[..=last].iter().enumerate() {
                        if i > 0 {
                            value.push('\n');
                        }
                        value.push_str(text_of(l));
                    }
                } else {
                    let mut prev_text = false;
                    let mut pending = 0usize;
                    let mut started = false;
                    for &l in &lines[..=last] {
                        let line = text_of(l);
                        if line.is_empty() {
                            pending += 1;
                            continue;
                        }
                        let spaced = line.starts_with(' ') || line.starts_with('\t');
                        if started {
                            if prev_text && !spaced {
                                if pending == 0 {
                                    value.push(' ');
                                } else {
                                    value.extend(std::iter::repeat_n('\n', pending));
                                }
                            } else {
                                value.extend(std::iter::repeat_n('\n', pending + 1));
                            }
                        } else {
                            value.extend(std::iter::repeat_n('\n', pending));
                        }
                        value.push_str(line);
                        prev_text = !spaced;
                        pending = 0;
                        started = true;
                    }
                }
                // The end of the text counts as the last line's break (as in saphyr).
                trailing_breaks = 1 + (lines.len() - 1 - last);
            }
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => {
                if content_count.is_some() && trailing_breaks > 0 {
                    value.push('\n');
                }
            }
            Chomp::Keep => value.extend(std::iter::repeat_n('\n', trailing_breaks)),
        }
        let stop = pos;
        let end = block_scalar_end(self.t, header, stop);
        let id = self
            .out
            .add_scalar(header, end, style, Some(value), props.anchor, props.tag)?;
        self.register(&props, id);
        self.pos = stop;
        Some(())
    }

    /// The end of the line at `pos`, before its break.
    fn line_end(&self, pos: usize) -> usize {
        let mut i = pos;
        while i < self.b.len() && self.b[i] != b'\n' {
            i += 1;
        }
        if i > pos && self.b[i - 1] == b'\r' {
            i - 1
        } else {
            i
        }
    }

    fn next_line_start(&self, line_end: usize) -> usize {
        match self.at(line_end) {
            b'\r' => line_end + 2,
            b'\n' => line_end + 1,
            _ => line_end,
        }
        .min(self.b.len())
    }

    /// A quoted scalar at `pos`; `parent` bounds the indentation of continuation lines in
    /// block context. `None` for `parent` means flow context or a key, where a quoted scalar
    /// spanning lines is left to the saphyr path. Leaves `pos` after the closing quote.
    fn quoted(&mut self, parent: Option<isize>) -> R<ScalarInfo> {
        let start = self.pos;
        let q = self.cur();
        let double = q == b'"';
        let mut i = start + 1;
        // Fast: no escape, no line break.
        while i < self.b.len() {
            let c = self.b[i];
            if c == q {
                if !double && self.at(i + 1) == b'\'' {
                    break;
                }
                self.pos = i + 1;
                let style = if double {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                return Some(ScalarInfo {
                    start,
                    end: i + 1,
                    style,
                    value: None,
                });
            }
            if (double && c == b'\\') || c == b'\n' || c == b'\r' {
                break;
            }
            i += 1;
        }
        // Slow: decode.
        let mut out = String::new();
        let mut keep = 0;
        let mut i = start + 1;
        loop {
            if i >= self.b.len() {
                return None;
            }
            let c = self.b[i];
            if c == q {
                if !double && self.at(i + 1) == b'\'' {
                    out.push('\'');
                    keep = out.len();
                    i += 2;
                    continue;
                }
                break;
            }
            if double && c == b'\\' {
                let e = self.at(i + 1);
                let simple = match e {
                    b'0' => Some('\0'),
                    b'a' => Some('\u{7}'),
                    b'b' => Some('\u{8}'),
                    b't' | b'\t' => Some('\t'),
                    b'n' => Some('\n'),
                    b'v' => Some('\u{b}'),
                    b'f' => Some('\u{c}'),
                    b'r' => Some('\r'),
                    b'e' => Some('\u{1b}'),
                    b' ' => Some(' '),
                    b'"' => Some('"'),
                    b'/' => Some('/'),
                    b'\\' => Some('\\'),
                    b'N' => Some('\u{85}'),
                    b'_' => Some('\u{a0}'),
                    b'L' => Some('\u{2028}'),
                    b'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(ch) = simple {
                    out.push(ch);
                    keep = out.len();
                    i += 2;
                    continue;
                }
                let digits = match e {
                    b'x' => 2,
                    b'u' => 4,
                    b'U' => 8,
                    b'\n' | b'\r' => {
                        // An escaped line break: joins the lines with nothing in between.
                        let parent = parent?;
                        i += 1;
                        i = self.next_line_start(self.line_end(i));
                        self.check_continuation(i, parent)?;
                        while is_ws(self.at(i)) {
                            i += 1;
                        }
                        continue;
                    }
                    _ => return None,
                };
                let hex = self.t.get(i + 2..i + 2 + digits)?;
                let code = u32::from_str_radix(hex, 16).ok()?;
                out.push(char::from_u32(code)?);
                keep = out.len();
                i += 2 + digits;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                let parent = parent?;
                // Line folding: trailing white space goes, blank lines become line feeds, a
                // single break becomes a space.
                out.truncate(keep);
                let mut j = self.next_line_start(self.line_end(i));
                let mut breaks = 0;
                loop {
                    self.check_continuation(j, parent)?;
                    let mut k = j;
                    while is_ws(self.at(k)) {
                        k += 1;
                    }
                    if k < self.b.len() && (self.b[k] == b'\n' || self.b[k] == b'\r') {
                        breaks += 1;
                        j = self.next_line_start(self.line_end(k));
                        continue;
                    }
                    if k >= self.b.len() {
                        return None;
                    }
                    j = k;
                    break;
                }
                if breaks == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', breaks));
                }
                keep = out.len();
                i = j;
                continue;
            }
            // Any other character, copied whole.
            let len = utf8_len(c);
            out.push_str(self.t.get(i..i + len)?);
            if !is_ws(c) {
                keep = out.len();
            }
            i += len;
        }
        self.pos = i + 1;
        let style = if double {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        Some(ScalarInfo {
            start,
            end: i + 1,
            style,
            value: Some(out),
        })
    }

    /// A continuation line of a multi-line quoted scalar must be indented past `parent` (in
    /// block context) and must not be a document marker.
    fn check_continuation(&self, ls: usize, parent: isize) -> R<()> {
        if self.is_doc_marker(ls) {
            return None;
        }
        if parent >= 0 {
            let spaces = self.b[ls..].iter().take_while(|&&c| c == b' ').count();
            let rest_blank = self.is_break(ls + spaces);
            if !rest_blank && (spaces as isize) <= parent {
                return None;
            }
        }
        Some(())
    }

    /// A flow collection at `pos`; leaves `pos` after its closing bracket.
    fn flow_node(&mut self, props: Props, depth: usize) -> R<()> {
        let open = self.cur();
        let (kind, close) = if open == b'[' {
            (NodeKind::Sequence, b']')
        } else {
            (NodeKind::Mapping, b'}')
        };
        let id = self
            .out
            .open_at(kind, true, self.pos, props.anchor, props.tag)?;
        self.register(&props, id);
        self.pos += 1;
        let mut first = true;
        loop {
            self.flow_ws()?;
            if self.cur() == close {
                self.pos += 1;
                self.out.close(self.pos);
                return Some(());
            }
            if !first {
                if self.cur() != b',' {
                    return None;
                }
                self.pos += 1;
                self.flow_ws()?;
                if self.cur() == close {
                    self.pos += 1;
                    self.out.close(self.pos);
                    return Some(());
                }
            }
            first = false;
            if kind == NodeKind::Sequence {
                self.flow_item(depth)?;
                self.flow_ws()?;
                if self.cur() == b':' {
                    return None;
                }
            } else {
                // A key, `:`, and a value (or nothing: `{a: , b: 1}`).
                let key = self.flow_scalar_key()?;
                // After a plain key, `:` must not touch a `[` or `{` (saphyr rejects it).
                let plain_key = key.0.style == ScalarStyle::Plain;
                let kid = self.out.add_scalar(
                    key.0.start,
                    key.0.end,
                    key.0.style,
                    key.0.value,
                    key.1.anchor,
                    key.1.tag,
                )?;
                self.register(&key.1, kid);
                self.flow_ws()?;
                if self.cur() != b':' {
                    return None;
                }
                let colon = self.pos;
                if plain_key && matches!(self.at(colon + 1), b'[' | b'{') {
                    return None;
                }
                self.pos += 1;
                self.flow_ws()?;
                if self.cur() == b',' || self.cur() == close {
                    self.out
                        .add_scalar(colon, colon, ScalarStyle::Plain, None, None, None)?;
                    continue;
                }
                self.flow_item(depth)?;
            }
        }
    }

    /// White space, line breaks and comments inside a flow collection.
    fn flow_ws(&mut self) -> R<()> {
        loop {
            match self.cur() {
                b' ' | b'\t' | b'\n' => self.pos += 1,
                b'\r' => {
                    if self.at(self.pos + 1) != b'\n' {
                        return None;
                    }
                    self.pos += 2;
                }
                b'#' if self.pos > 0 && self.is_ws_or_break(self.pos - 1) => {
                    while !self.is_break(self.pos) {
                        self.pos += 1;
                    }
                }
                _ => return Some(()),
            }
            // A document marker inside a flow collection ends the document: not for us.
            if self.pos > 0 && self.b[self.pos - 1] == b'\n' && self.is_doc_marker(self.pos) {
                return None;
            }
        }
    }

    fn flow_scalar_key(&mut self) -> R<(ScalarInfo, Props)> {
        let props = self.props(true)?;
        match self.cur() {
            b'"' | b'\'' => {
                let s = self.quoted(None)?;
                Some((s, props))
            }
            _ => {
                if !self.plain_may_start(true) {
                    return None;
                }
                let start = self.pos;
                let (end, stop) = self.plain_line(start, true);
                if !matches!(stop, Stop::Key | Stop::Flow) {
                    return None;
                }
                // (A tab stops the scan and is rejected above.)
                self.pos = end;
                Some((
                    ScalarInfo {
                        start,
                        end,
                        style: ScalarStyle::Plain,
                        value: None,
                    },
                    props,
                ))
            }
        }
    }

    /// A value inside a flow collection.
    fn flow_item(&mut self, depth: usize) -> R<()> {
        let props = self.props(true)?;
        match self.cur() {
            b'[' | b'{' => self.flow_node(props, depth + 1),
            b'"' | b'\'' => {
                let s = self.quoted(None)?;
                self.emit(s, &props)
            }
            b'*' => {
                if !props.is_empty() {
                    return None;
                }
                self.alias(true)
            }
            _ => {
                if !self.plain_may_start(true) {
                    return None;
                }
                let start = self.pos;
                let (end, stop) = self.plain_line(start, true);
                // A plain scalar running onto the next line inside a flow collection, or a
                // comment right after it: leave those to the saphyr path.
                if matches!(stop, Stop::Break | Stop::Comment | Stop::Tab) {
                    return None;
                }
                let id = self.out.add_scalar(
                    start,
                    end,
                    ScalarStyle::Plain,
                    None,
                    props.anchor,
                    props.tag,
                )?;
                self.register(&props, id);
                self.pos = end;
                Some(())
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stop {
    /// `: ` ends a key.
    Key,
    /// ` #` starts a comment.
    Comment,
    /// The line ends.
    Break,
    /// A flow indicator (flow context only).
    Flow,
    /// A tab: not for the fast path.
    Tab,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

enum Line {
    Eof,
    Blank(usize),
    Content(usize),
}
