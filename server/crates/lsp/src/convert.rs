//! The only place where byte offsets meet LSP positions, and Picket's diagnostics meet the
//! protocol's.
//!
//! Positions are converted with the document's rope, so each conversion costs O(log n). Out of
//! range positions are clamped as the specification says: a line past the end means the end of
//! the document; a character past the end of its line means the end of the line.

use picket_ide::{Diagnostic, Severity};
use picket_syntax::{Rope, TextRange, TextSize};
use tower_lsp_server::ls_types::{self as lsp, ClientCapabilities, PositionEncodingKind};

/// A position encoding, ordered by preference (the best is the greatest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum PositionEncoding {
    /// UTF-16 code units: the protocol's default, and what VS Code speaks.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
    /// Bytes: Picket's own coordinate, so conversions are cheapest.
    Utf8,
}

impl PositionEncoding {
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
            PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    fn from_kind(kind: &PositionEncodingKind) -> Option<Self> {
        match kind.as_str() {
            "utf-8" => Some(PositionEncoding::Utf8),
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        }
    }
}

/// The best encoding the client offers (UTF-16 when it offers none).
pub fn negotiate(caps: &ClientCapabilities) -> PositionEncoding {
    caps.general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .and_then(|encs| encs.iter().filter_map(PositionEncoding::from_kind).max())
        .unwrap_or_default()
}

/// Length in bytes of the line break at the end of `line` (0, 1 or 2).
fn line_break_len(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let n = slice.len_bytes();
    if n == 0 {
        return 0;
    }
    let last = slice.byte(n - 1);
    if last == b'\n' {
        if n >= 2 && slice.byte(n - 2) == b'\r' {
            2
        } else {
            1
        }
    } else if last == b'\r' {
        1
    } else {
        0
    }
}

/// The byte offset of an LSP position, clamped to the document.
pub fn offset(rope: &Rope, pos: lsp::Position, enc: PositionEncoding) -> TextSize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return TextSize::new(rope.len_bytes() as u32);
    }
    let line_start = rope.line_to_byte(line);
    let content_end =
        rope.line_to_byte(line) + rope.line(line).len_bytes() - line_break_len(rope, line);
    let byte = match enc {
        PositionEncoding::Utf8 => {
            let b = (line_start + pos.character as usize).min(content_end);
            // Round down to a character boundary.
            rope.char_to_byte(rope.byte_to_char(b))
        }
        PositionEncoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(rope.byte_to_char(line_start));
            let end_cu = rope.char_to_utf16_cu(rope.byte_to_char(content_end));
            let cu = (start_cu + pos.character as usize).min(end_cu);
            rope.char_to_byte(rope.utf16_cu_to_char(cu))
        }
        PositionEncoding::Utf32 => {
            let start_ch = rope.byte_to_char(line_start);
            let end_ch = rope.byte_to_char(content_end);
            rope.char_to_byte((start_ch + pos.character as usize).min(end_ch))
        }
    };
    TextSize::new(byte as u32)
}

/// The LSP position of a byte offset (clamped to the document, rounded down to a character).
pub fn position(rope: &Rope, offset: TextSize, enc: PositionEncoding) -> lsp::Position {
    let byte = (u32::from(offset) as usize).min(rope.len_bytes());
    let ch = rope.byte_to_char(byte);
    let line = rope.char_to_line(ch);
    let line_start_ch = rope.line_to_char(line);
    let character = match enc {
        PositionEncoding::Utf8 => rope.char_to_byte(ch) - rope.line_to_byte(line),
        PositionEncoding::Utf16 => rope.char_to_utf16_cu(ch) - rope.char_to_utf16_cu(line_start_ch),
        PositionEncoding::Utf32 => ch - line_start_ch,
    };
    lsp::Position::new(line as u32, character as u32)
}

pub fn range(rope: &Rope, range: TextRange, enc: PositionEncoding) -> lsp::Range {
    lsp::Range::new(
        position(rope, range.start(), enc),
        position(rope, range.end(), enc),
    )
}

pub fn text_range(rope: &Rope, range: lsp::Range, enc: PositionEncoding) -> TextRange {
    let start = offset(rope, range.start, enc);
    let end = offset(rope, range.end, enc).max(start);
    TextRange::new(start, end)
}

/// A Picket diagnostic in protocol terms.
pub fn diagnostic(
    rope: &Rope,
    uri: &lsp::Uri,
    d: &Diagnostic,
    enc: PositionEncoding,
) -> lsp::Diagnostic {
    let severity = match d.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    };
    let related = (!d.related.is_empty()).then(|| {
        d.related
            .iter()
            .map(|r| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri.clone(), range(rope, r.range, enc)),
                message: r.message.clone(),
            })
            .collect()
    });
    lsp::Diagnostic {
        range: range(rope, d.range, enc),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.code.to_owned())),
        code_description: None,
        source: Some("picket".to_owned()),
        message: d.message.clone(),
        related_information: related,
        tags: None,
        data: None,
    }
}

/// Turns file ids and byte ranges of any workspace file into protocol locations: open
/// documents through their ropes, files kept in the index only through their text on disk
/// (read once per request).
pub(crate) struct Locator<'a> {
    analysis: &'a picket_ide::Analysis,
    open: &'a [(picket_ide::FileId, lsp::Uri, Rope)],
    encoding: PositionEncoding,
    read: std::collections::HashMap<picket_ide::FileId, Option<(lsp::Uri, Rope)>>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(
        analysis: &'a picket_ide::Analysis,
        open: &'a [(picket_ide::FileId, lsp::Uri, Rope)],
        encoding: PositionEncoding,
    ) -> Self {
        Locator {
            analysis,
            open,
            encoding,
            read: std::collections::HashMap::new(),
        }
    }

    /// The URI and text of `file`.
    fn file(&mut self, file: picket_ide::FileId) -> Option<(lsp::Uri, Rope)> {
        if let Some((_, uri, rope)) = self.open.iter().find(|(id, _, _)| *id == file) {
            return Some((uri.clone(), rope.clone()));
        }
        let analysis = self.analysis;
        self.read
            .entry(file)
            .or_insert_with(|| {
                let path = std::path::PathBuf::from(analysis.path(file)?);
                let uri = lsp::Uri::from_file_path(&path)?;
                let text = std::fs::read_to_string(&path).ok()?;
                Some((uri, Rope::from_str(&text)))
            })
            .clone()
    }

    /// The protocol range of `range` in `file`, with the file's URI.
    pub(crate) fn range(
        &mut self,
        file: picket_ide::FileId,
        range: TextRange,
    ) -> Option<(lsp::Uri, lsp::Range)> {
        let (uri, rope) = self.file(file)?;
        // A file changed on disk since it was indexed: its ranges may no longer fit.
        if u32::from(range.end()) as usize > rope.len_bytes() {
            return None;
        }
        Some((uri, self::range(&rope, range, self.encoding)))
    }

    /// The text of `range` in `file`, if the file has that many bytes.
    pub(crate) fn text(&mut self, file: picket_ide::FileId, range: TextRange) -> Option<String> {
        let (_, rope) = self.file(file)?;
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        let boundary = |b: usize| rope.char_to_byte(rope.byte_to_char(b)) == b;
        if start > end || end > rope.len_bytes() || !boundary(start) || !boundary(end) {
            return None;
        }
        Some(rope.byte_slice(start..end).to_string())
    }

    pub(crate) fn location(
        &mut self,
        file: picket_ide::FileId,
        range: TextRange,
    ) -> Option<lsp::Location> {
        self.range(file, range)
            .map(|(uri, range)| lsp::Location::new(uri, range))
    }
}

// Outline and structure: document symbols, folding ranges, selection ranges and links.

/// The protocol's kind of a symbol, which picks the icon an editor shows.
pub fn symbol_kind(kind: picket_ide::SymbolKind) -> lsp::SymbolKind {
    use picket_ide::SymbolKind as K;
    match kind {
        K::Namespace => lsp::SymbolKind::NAMESPACE,
        K::Workload => lsp::SymbolKind::CLASS,
        K::Network => lsp::SymbolKind::INTERFACE,
        K::Config => lsp::SymbolKind::STRUCT,
        K::Definition => lsp::SymbolKind::TYPE_PARAMETER,
        K::List => lsp::SymbolKind::ARRAY,
        K::Object => lsp::SymbolKind::OBJECT,
        K::Container => lsp::SymbolKind::METHOD,
        K::Port => lsp::SymbolKind::PROPERTY,
        K::DataKey | K::Key => lsp::SymbolKind::KEY,
        K::Version => lsp::SymbolKind::ENUM_MEMBER,
    }
}

/// A symbol and its children, for clients that show the outline as a tree.
pub fn document_symbol(
    rope: &Rope,
    s: &picket_ide::DocumentSymbol,
    enc: PositionEncoding,
) -> lsp::DocumentSymbol {
    let children: Vec<_> = s
        .children
        .iter()
        .map(|c| document_symbol(rope, c, enc))
        .collect();
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: range(rope, s.range, enc),
        selection_range: range(rope, s.selection_range, enc),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The outline flattened in text order, each symbol naming its parent, for clients that do
/// not show trees.
pub fn symbol_information(
    rope: &Rope,
    uri: &lsp::Uri,
    symbols: &[picket_ide::DocumentSymbol],
    enc: PositionEncoding,
) -> Vec<lsp::SymbolInformation> {
    fn go(
        out: &mut Vec<lsp::SymbolInformation>,
        rope: &Rope,
        uri: &lsp::Uri,
        s: &picket_ide::DocumentSymbol,
        parent: Option<&str>,
        enc: PositionEncoding,
    ) {
        #[allow(deprecated)]
        out.push(lsp::SymbolInformation {
            name: s.name.clone(),
            kind: symbol_kind(s.kind),
            tags: None,
            deprecated: None,
            location: lsp::Location::new(uri.clone(), range(rope, s.range, enc)),
            container_name: parent.map(str::to_owned),
        });
        for c in &s.children {
            go(out, rope, uri, c, Some(&s.name), enc);
        }
    }
    let mut out = Vec::new();
    for s in symbols {
        go(&mut out, rope, uri, s, None, enc);
    }
    out
}

/// Folding ranges in lines. The first line stays visible (no start character); the end
/// character goes only to clients that fold parts of lines. A range that starts and ends on
/// one line folds nothing and is dropped, and so is a repeat of the same lines.
pub fn folding_ranges(
    rope: &Rope,
    folds: &[picket_ide::FoldingRange],
    enc: PositionEncoding,
    line_folding_only: bool,
) -> Vec<lsp::FoldingRange> {
    let mut seen = std::collections::HashSet::new();
    folds
        .iter()
        .filter_map(|f| {
            let start = position(rope, f.range.start(), enc);
            let end = position(rope, f.range.end(), enc);
            if end.line <= start.line || !seen.insert((start.line, end.line)) {
                return None;
            }
            let kind = match f.kind {
                picket_ide::FoldKind::Block => None,
                picket_ide::FoldKind::Comment => Some(lsp::FoldingRangeKind::Comment),
                picket_ide::FoldKind::Region => Some(lsp::FoldingRangeKind::Region),
            };
            Some(lsp::FoldingRange {
                start_line: start.line,
                start_character: None,
                end_line: end.line,
                end_character: (!line_folding_only).then_some(end.character),
                kind,
                collapsed_text: None,
            })
        })
        .collect()
}

/// A chain of selections (innermost first) as the protocol's list linked to the outside; an
/// empty chain selects nothing at `at`.
pub fn selection_range(
    rope: &Rope,
    at: TextSize,
    chain: &[TextRange],
    enc: PositionEncoding,
) -> lsp::SelectionRange {
    let mut outer: Option<Box<lsp::SelectionRange>> = None;
    for r in chain.iter().rev() {
        outer = Some(Box::new(lsp::SelectionRange {
            range: range(rope, *r, enc),
            parent: outer,
        }));
    }
    match outer {
        Some(innermost) => *innermost,
        None => lsp::SelectionRange {
            range: range(rope, TextRange::empty(at), enc),
            parent: None,
        },
    }
}

/// A link, if its target reads as a URI once characters outside ASCII are percent-encoded
/// (the protocol carries URIs, not the IRIs people write).
pub fn document_link(
    rope: &Rope,
    link: &picket_ide::DocumentLink,
    enc: PositionEncoding,
) -> Option<lsp::DocumentLink> {
    use std::fmt::Write;
    let mut uri = String::with_capacity(link.target.len());
    for c in link.target.chars() {
        if c.is_ascii() {
            uri.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(uri, "%{b:02X}");
            }
        }
    }
    let target = uri.parse::<lsp::Uri>().ok()?;
    Some(lsp::DocumentLink {
        range: range(rope, link.range, enc),
        target: Some(target),
        tooltip: None,
        data: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Completion and hover

/// What the client accepts in completions and hovers, read once at `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarkupCaps {
    /// Completions may use snippet syntax (`${1:name}`); otherwise plain text.
    pub snippets: bool,
    /// Completion documentation may be markdown.
    pub completion_markdown: bool,
    /// Hover contents may be markdown.
    pub hover_markdown: bool,
}

/// Reads [`MarkupCaps`] from the client's capabilities.
pub fn markup_caps(caps: &ClientCapabilities) -> MarkupCaps {
    let text = caps.text_document.as_ref();
    let item = text
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref());
    let markdown = |formats: Option<&Vec<lsp::MarkupKind>>| {
        formats.is_some_and(|f| f.contains(&lsp::MarkupKind::Markdown))
    };
    MarkupCaps {
        snippets: item.and_then(|i| i.snippet_support).unwrap_or(false),
        completion_markdown: markdown(item.and_then(|i| i.documentation_format.as_ref())),
        hover_markdown: markdown(
            text.and_then(|t| t.hover.as_ref())
                .and_then(|h| h.content_format.as_ref()),
        ),
    }
}

/// Markdown as readable plain text: no emphasis, code marks, fences or rules.
pub fn markdown_to_plain(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            continue;
        }
        // A rule between sections becomes the blank line around it; blank lines never pile up.
        if trimmed == "---" || (trimmed.is_empty() && (out.is_empty() || out.ends_with("\n\n"))) {
            continue;
        }
        out.push_str(&line.replace("**", "").replace('`', ""));
        out.push('\n');
    }
    out.trim_end().to_owned()
}

fn markup(value: &str, markdown: bool) -> lsp::MarkupContent {
    if markdown {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: value.to_owned(),
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: markdown_to_plain(value),
        }
    }
}

/// A completion in protocol terms: a text edit over the item's range, a snippet only when the
/// client takes snippets, inserted as is (the text carries its own indentation).
pub fn completion_item(
    rope: &Rope,
    item: &picket_ide::CompletionItem,
    enc: PositionEncoding,
    caps: MarkupCaps,
) -> lsp::CompletionItem {
    use picket_ide::CompletionKind;
    let kind = match item.kind {
        CompletionKind::Key => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Kind => lsp::CompletionItemKind::CLASS,
        CompletionKind::Reference => lsp::CompletionItemKind::REFERENCE,
        CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
    };
    let snippet = item.is_snippet && caps.snippets;
    let new_text = if snippet {
        item.insert_text.clone()
    } else {
        item.plain_text()
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: item.detail.clone(),
        documentation: item
            .documentation
            .as_deref()
            .map(|d| lsp::Documentation::MarkupContent(markup(d, caps.completion_markdown))),
        sort_text: Some(item.sort_text.clone()),
        insert_text_format: Some(if snippet {
            lsp::InsertTextFormat::SNIPPET
        } else {
            lsp::InsertTextFormat::PLAIN_TEXT
        }),
        insert_text_mode: Some(lsp::InsertTextMode::AS_IS),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
            range(rope, item.range, enc),
            new_text,
        ))),
        ..lsp::CompletionItem::default()
    }
}

/// A hover in protocol terms.
pub fn hover(
    rope: &Rope,
    h: &picket_ide::Hover,
    enc: PositionEncoding,
    caps: MarkupCaps,
) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markup(&h.markdown, caps.hover_markdown)),
        range: Some(range(rope, h.range, enc)),
    }
}

#[cfg(test)]
mod markup_tests {
    use super::*;

    #[test]
    fn plain_text_for_clients_without_markdown() {
        let md = "**image**: string\n\nAllowed: `A`.\n\n```yaml\nkind: Pod\n```\n\n---\n\nKubernetes 1.37";
        assert_eq!(
            markdown_to_plain(md),
            "image: string\n\nAllowed: A.\n\nkind: Pod\n\nKubernetes 1.37"
        );
    }

    #[test]
    fn snippets_only_for_clients_that_take_them() {
        let rope = Rope::from_str("a:\n  b\n");
        let item = picket_ide::CompletionItem {
            label: "key".into(),
            kind: picket_ide::CompletionKind::Key,
            detail: None,
            documentation: Some("**doc**".into()),
            insert_text: "key:\n  - name: ${1}\n    image: ${2:nginx}".into(),
            is_snippet: true,
            sort_text: "0001".into(),
            range: TextRange::new(5.into(), 6.into()),
        };
        let text_of = |c: &lsp::CompletionItem| match &c.text_edit {
            Some(lsp::CompletionTextEdit::Edit(e)) => (e.range, e.new_text.clone()),
            _ => panic!("a plain edit"),
        };
        let full = MarkupCaps {
            snippets: true,
            completion_markdown: true,
            hover_markdown: true,
        };
        let c = completion_item(&rope, &item, PositionEncoding::Utf16, full);
        assert_eq!(c.insert_text_format, Some(lsp::InsertTextFormat::SNIPPET));
        let (r, t) = text_of(&c);
        assert_eq!(
            (r.start, r.end),
            (lsp::Position::new(1, 2), lsp::Position::new(1, 3))
        );
        assert_eq!(t, item.insert_text);
        let c = completion_item(&rope, &item, PositionEncoding::Utf16, MarkupCaps::default());
        assert_eq!(
            c.insert_text_format,
            Some(lsp::InsertTextFormat::PLAIN_TEXT)
        );
        assert_eq!(text_of(&c).1, "key:\n  - name: \n    image: nginx");
        match c.documentation {
            Some(lsp::Documentation::MarkupContent(m)) => {
                assert_eq!(
                    (m.kind, m.value.as_str()),
                    (lsp::MarkupKind::PlainText, "doc")
                )
            }
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: u32, character: u32) -> lsp::Position {
        lsp::Position::new(line, character)
    }

    /// Offsets ↔ positions in every encoding over the classic hard cases.
    #[test]
    fn table() {
        // Line 0: "a" + "é" (2 bytes) + "€" (3 bytes) + "🦀" (4 bytes, 2 UTF-16 units) + "z"
        let text = "aé€🦀z\r\nx\ry\n\n";
        let rope = Rope::from_str(text);
        let z = text.find('z').unwrap() as u32;
        let cases: &[(u32, PositionEncoding, lsp::Position)] = &[
            (0, PositionEncoding::Utf8, p(0, 0)),
            (z, PositionEncoding::Utf8, p(0, z)),
            (z, PositionEncoding::Utf16, p(0, 5)),
            (z, PositionEncoding::Utf32, p(0, 4)),
            (z + 1, PositionEncoding::Utf16, p(0, 6)),
            (z + 3, PositionEncoding::Utf16, p(1, 0)),
            (z + 4, PositionEncoding::Utf16, p(1, 1)),
            (z + 5, PositionEncoding::Utf16, p(2, 0)),
            (text.len() as u32, PositionEncoding::Utf16, p(4, 0)),
        ];
        for &(off, enc, pos) in cases {
            assert_eq!(
                position(&rope, off.into(), enc),
                pos,
                "position of {off} in {enc:?}"
            );
            assert_eq!(
                offset(&rope, pos, enc),
                TextSize::new(off),
                "offset of {pos:?} in {enc:?}"
            );
        }
    }

    #[test]
    fn clamping() {
        let text = "ab\r\ncd\n";
        let rope = Rope::from_str(text);
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            // Past the end of the line: the line end, before the CRLF.
            assert_eq!(offset(&rope, p(0, 99), enc), TextSize::new(2));
            // Past the last line: the end of the document.
            assert_eq!(
                offset(&rope, p(99, 0), enc),
                TextSize::new(text.len() as u32)
            );
            // An empty file.
            assert_eq!(offset(&Rope::from_str(""), p(3, 3), enc), TextSize::new(0));
            assert_eq!(position(&Rope::from_str(""), 5.into(), enc), p(0, 0));
        }
        // Inside a surrogate pair (UTF-16) or a multi-byte character (UTF-8): round down.
        let rope = Rope::from_str("🦀x");
        assert_eq!(
            offset(&rope, p(0, 1), PositionEncoding::Utf16),
            TextSize::new(0)
        );
        assert_eq!(
            offset(&rope, p(0, 2), PositionEncoding::Utf16),
            TextSize::new(4)
        );
        assert_eq!(
            offset(&rope, p(0, 2), PositionEncoding::Utf8),
            TextSize::new(0)
        );
        assert_eq!(position(&rope, 2.into(), PositionEncoding::Utf16), p(0, 0));
        // A lone CR ends a line.
        let rope = Rope::from_str("a\rb");
        assert_eq!(position(&rope, 2.into(), PositionEncoding::Utf16), p(1, 0));
        // A Unicode line separator does not (LSP knows only CR, LF and CRLF).
        let rope = Rope::from_str("a\u{2028}b\n");
        assert_eq!(position(&rope, 4.into(), PositionEncoding::Utf16), p(0, 2));
    }

    #[test]
    fn round_trip_everywhere() {
        let text = "k: é€🦀\r\n- 'x\ty'\n\r\n# 中文\rend";
        let rope = Rope::from_str(text);
        for enc in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            for (off, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // The offset between CR and LF is not a position of its own.
                if off > 0
                    && text.as_bytes()[off - 1] == b'\r'
                    && text.as_bytes().get(off) == Some(&b'\n')
                {
                    continue;
                }
                let pos = position(&rope, TextSize::new(off as u32), enc);
                assert_eq!(
                    offset(&rope, pos, enc),
                    TextSize::new(off as u32),
                    "{enc:?} {off}"
                );
            }
        }
    }

    #[test]
    fn negotiation_prefers_utf8() {
        let caps = |encs: Option<Vec<PositionEncodingKind>>| ClientCapabilities {
            general: Some(lsp::GeneralClientCapabilities {
                position_encodings: encs,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            negotiate(&ClientCapabilities::default()),
            PositionEncoding::Utf16
        );
        assert_eq!(
            negotiate(&caps(Some(vec![PositionEncodingKind::UTF16]))),
            PositionEncoding::Utf16
        );
        assert_eq!(
            negotiate(&caps(Some(vec![
                PositionEncodingKind::UTF16,
                PositionEncodingKind::UTF8
            ]))),
            PositionEncoding::Utf8
        );
        assert_eq!(
            negotiate(&caps(Some(vec![
                PositionEncodingKind::UTF32,
                PositionEncodingKind::UTF16
            ]))),
            PositionEncoding::Utf32
        );
        assert_eq!(
            negotiate(&caps(Some(vec![PositionEncodingKind::new("utf-7")]))),
            PositionEncoding::Utf16
        );
    }
}
