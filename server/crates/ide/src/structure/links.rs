//! Document links: the web addresses written in comments and scalars.

use picket_syntax::{Document, NodeKind, ParsedFile, ScalarStyle, TextRange, TextSize};

/// A URL in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentLink {
    /// Exactly the URL's characters, without surrounding quotes or trailing punctuation.
    pub range: TextRange,
    /// The URL as written.
    pub target: String,
}

/// Characters that end a URL wherever they appear: white space, quotes and delimiters that
/// RFC 3986 does not allow in a URL.
fn ends_url(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '"' | '<' | '>' | '`' | '{' | '}' | '|' | '\\' | '^')
}

pub(crate) fn document_links(file: &ParsedFile) -> Vec<DocumentLink> {
    let mut out = Vec::new();
    for entry in file.documents() {
        let doc = &entry.doc;
        let text = doc.text();
        let mut from = 0;
        while let Some(found) = text[from..].find("http") {
            let start = from + found;
            from = start + 4;
            let Some(len) = url_len(text, start) else {
                continue;
            };
            let Some(range) = placed(doc, TextRange::at(TextSize::new(start as u32), len)) else {
                continue;
            };
            from = usize::from(range.end()).max(from);
            out.push(DocumentLink {
                range: range + entry.offset,
                target: text[range].to_owned(),
            });
        }
    }
    out
}

/// The length of the URL starting at `start`, if one does: `http://` or `https://` not glued
/// to a word before it, a host, and no trailing punctuation.
fn url_len(text: &str, start: usize) -> Option<TextSize> {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let rest = &text[start..];
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| rest.starts_with(s))?;
    let end = rest.find(ends_url).unwrap_or(rest.len());
    let mut url = &rest[..end];
    // Trailing punctuation belongs to the sentence, not the URL; a `)` stays when it closes
    // a `(` inside the URL (`…/Foo_(bar)`).
    while let Some(last) = url.chars().next_back() {
        let strip = match last {
            '.' | ',' | ';' | ':' | '\'' | '"' => true,
            ')' => url.matches(')').count() > url.matches('(').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        url = &url[..url.len() - 1];
    }
    (url.len() > scheme.len()).then(|| TextSize::of(url))
}

/// `url` if it sits in a scalar (cut at the scalar's end and closing quote) or in a comment;
/// `None` for anything else (a key of a half-typed line, a directive).
fn placed(doc: &Document, url: TextRange) -> Option<TextRange> {
    let text = doc.text();
    if let Some(node) = doc.node_at(url.start())
        && node.kind() == NodeKind::Scalar
        && node.range().contains(url.start())
    {
        let s = node.as_scalar()?;
        let mut end = node.range().end();
        if matches!(
            s.style(),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
        ) {
            end = end.checked_sub(TextSize::new(1))?;
        }
        let end = url.end().min(end);
        return (end > url.start() + TextSize::of("http://"))
            .then(|| TextRange::new(url.start(), end));
    }
    in_comment(doc, text, url.start()).then_some(url)
}

/// Whether `offset` is inside a comment: after a `#` on its line that starts the line or
/// follows white space, and is not part of a scalar.
fn in_comment(doc: &Document, text: &str, offset: TextSize) -> bool {
    let at = usize::from(offset);
    let line_start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &text[line_start..at];
    line.char_indices().any(|(i, c)| {
        let opens = c == '#'
            && line[..i]
                .chars()
                .next_back()
                .is_none_or(|p| p == ' ' || p == '\t');
        opens && {
            let hash = TextSize::new((line_start + i) as u32);
            !doc.node_at(hash)
                .is_some_and(|n| n.kind() == NodeKind::Scalar && n.range().contains(hash))
        }
    })
}
