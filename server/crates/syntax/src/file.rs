//! A whole YAML file: its documents, each parsed on its own, and re-parsing after edits.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;
use text_size::{TextRange, TextSize};

use crate::parse::{Limits, parse_document};
use crate::split::{self, SplitState, document_starts};
use crate::tree::Document;

/// One document of a file and where it starts.
#[derive(Clone, Debug)]
pub struct DocEntry {
    /// Byte offset of the document's first byte in the file.
    pub offset: TextSize,
    pub doc: Arc<Document>,
}

impl DocEntry {
    /// The document's range in the file.
    pub fn range(&self) -> TextRange {
        TextRange::at(self.offset, TextSize::of(self.doc.text()))
    }

    /// Moves a document-relative range into file coordinates.
    pub fn to_file(&self, range: TextRange) -> TextRange {
        range + self.offset
    }
}

/// Anything that can hand out slices of a text by byte range.
pub trait TextSource {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn slice(&self, range: Range<usize>) -> Cow<'_, str>;
}

impl TextSource for str {
    fn len(&self) -> usize {
        str::len(self)
    }
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        Cow::Borrowed(&self[range])
    }
}

impl TextSource for Rope {
    fn len(&self) -> usize {
        self.len_bytes()
    }
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        self.byte_slice(range).into()
    }
}

/// A parsed file: its documents in order. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    docs: Arc<[DocEntry]>,
    len: TextSize,
}

impl ParsedFile {
    /// Parses a whole file with the default limits.
    pub fn parse(text: &str) -> ParsedFile {
        ParsedFile::parse_with(text, &Limits::default())
    }

    pub fn parse_with(text: &str, limits: &Limits) -> ParsedFile {
        let docs = parse_region(text, 0, limits);
        ParsedFile {
            docs: docs.into(),
            len: TextSize::of(text),
        }
    }

    pub fn documents(&self) -> &[DocEntry] {
        &self.docs
    }

    /// Length of the whole file in bytes.
    pub fn len(&self) -> TextSize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == TextSize::new(0)
    }

    /// The index of the document that holds `offset` (the last one for the end of the file).
    pub fn document_index_at(&self, offset: TextSize) -> usize {
        match self.docs.binary_search_by(|d| d.offset.cmp(&offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The document that holds `offset`.
    pub fn document_at(&self, offset: TextSize) -> Option<&DocEntry> {
        self.docs.get(self.document_index_at(offset))
    }

    /// The file after replacing `old_range` (in this file's coordinates) with `inserted_len`
    /// bytes; `new_text` is the whole new text. Only the documents the edit touches are parsed
    /// again; the others are shared and shifted.
    pub fn edit(
        &self,
        old_range: TextRange,
        inserted_len: usize,
        new_text: &dyn TextSource,
        limits: &Limits,
    ) -> ParsedFile {
        let new_len = new_text.len();
        if self.docs.is_empty() {
            let text = new_text.slice(0..new_len);
            return ParsedFile::parse_with(&text, limits);
        }
        let delta = inserted_len as i64 - i64::from(u32::from(old_range.len()));
        let s = old_range.start();
        let e = old_range.end();
        let mut first = self.document_index_at(s);
        // A document starts where it does because of its first line (a `---`), so an edit on
        // that line may merge it into the previous document.
        let first_line_end =
            self.docs[first].offset + TextSize::of(split::first_line(self.docs[first].doc.text()));
        if first > 0 && s < first_line_end {
            first -= 1;
        }
        let mut last = self.document_index_at(e);
        let region_start = u32::from(self.docs[first].offset) as usize;
        let (fresh, last) = loop {
            let old_region_end = u32::from(self.docs[last].range().end()) as usize;
            let region_end =
                (old_region_end as i64 + delta).clamp(region_start as i64, new_len as i64) as usize;
            let region = new_text.slice(region_start..region_end);
            let (starts, mut state) = split::document_starts_from(&region, SplitState::default());
            // Does the next, untouched document still start where it did? It depends on how
            // the region ends (after `...`, with or without content).
            let next_still_starts = match self.docs.get(last + 1) {
                None => true,
                Some(next) => {
                    state.line_starts_document(split::first_line(next.doc.text()).as_bytes())
                }
            };
            if next_still_starts {
                break (parse_chunks(&region, &starts, region_start, limits), last);
            }
            last += 1;
        };
        let mut docs = Vec::with_capacity(self.docs.len() + fresh.len());
        docs.extend_from_slice(&self.docs[..first]);
        docs.extend(fresh);
        for d in &self.docs[last + 1..] {
            let offset = (i64::from(u32::from(d.offset)) + delta) as u32;
            docs.push(DocEntry {
                offset: TextSize::new(offset),
                doc: d.doc.clone(),
            });
        }
        ParsedFile {
            docs: docs.into(),
            len: TextSize::new(new_len as u32),
        }
    }
}

fn parse_region(text: &str, base: usize, limits: &Limits) -> Vec<DocEntry> {
    parse_chunks(text, &document_starts(text), base, limits)
}

fn parse_chunks(text: &str, starts: &[usize], base: usize, limits: &Limits) -> Vec<DocEntry> {
    let mut docs = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let doc = parse_document(&text[start..end], limits);
        docs.push(DocEntry {
            offset: TextSize::new((base + start) as u32),
            doc: Arc::new(doc),
        });
    }
    docs
}

/// An open file being edited: the text in a rope plus its parsed documents.
#[derive(Clone, Debug)]
pub struct EditableFile {
    rope: Rope,
    parsed: ParsedFile,
    limits: Limits,
}

impl EditableFile {
    pub fn new(text: &str) -> EditableFile {
        EditableFile::with_limits(text, Limits::default())
    }

    pub fn with_limits(text: &str, limits: Limits) -> EditableFile {
        EditableFile {
            rope: Rope::from_str(text),
            parsed: ParsedFile::parse_with(text, &limits),
            limits,
        }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn parsed(&self) -> &ParsedFile {
        &self.parsed
    }

    /// Replaces `range` (byte offsets, clamped to the text and to character boundaries) with
    /// `text`, and re-parses the documents it touches.
    pub fn replace(&mut self, range: TextRange, text: &str) {
        let len = self.rope.len_bytes();
        let start = self.snap(usize::from(range.start()).min(len));
        let end = self.snap(usize::from(range.end()).min(len)).max(start);
        let cs = self.rope.byte_to_char(start);
        let ce = self.rope.byte_to_char(end);
        self.rope.remove(cs..ce);
        self.rope.insert(cs, text);
        let old = TextRange::new(TextSize::new(start as u32), TextSize::new(end as u32));
        self.parsed = self.parsed.edit(old, text.len(), &self.rope, &self.limits);
    }

    /// Replaces the whole text.
    pub fn set_text(&mut self, text: &str) {
        *self = EditableFile::with_limits(text, self.limits);
    }

    fn snap(&self, offset: usize) -> usize {
        // Round down to a character boundary.
        let c = self.rope.byte_to_char(offset);
        self.rope.char_to_byte(c)
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_texts(f: &ParsedFile) -> Vec<String> {
        f.documents()
            .iter()
            .map(|d| d.doc.text().to_owned())
            .collect()
    }

    fn check_same_as_fresh(file: &EditableFile) {
        let fresh = ParsedFile::parse(&file.text());
        let got: Vec<_> = file
            .parsed()
            .documents()
            .iter()
            .map(|d| (d.offset, d.doc.text().to_owned()))
            .collect();
        let want: Vec<_> = fresh
            .documents()
            .iter()
            .map(|d| (d.offset, d.doc.text().to_owned()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(file.parsed().len(), fresh.len());
    }

    #[test]
    fn edit_reparses_only_the_touched_document() {
        let mut f = EditableFile::new("a: 1\n---\nb: 2\n---\nc: 3\n");
        let before: Vec<_> = f
            .parsed()
            .documents()
            .iter()
            .map(|d| d.doc.clone())
            .collect();
        f.replace(TextRange::new(12.into(), 13.into()), "20");
        assert_eq!(
            doc_texts(f.parsed()),
            vec!["a: 1\n", "---\nb: 20\n", "---\nc: 3\n"]
        );
        let after: Vec<_> = f
            .parsed()
            .documents()
            .iter()
            .map(|d| d.doc.clone())
            .collect();
        assert!(Arc::ptr_eq(&before[0], &after[0]));
        assert!(!Arc::ptr_eq(&before[1], &after[1]));
        assert!(Arc::ptr_eq(&before[2], &after[2]));
        assert_eq!(f.parsed().documents()[2].offset, TextSize::new(15));
        check_same_as_fresh(&f);
    }

    #[test]
    fn edits_that_add_or_remove_markers() {
        let mut f = EditableFile::new("a: 1\nb: 2\nc: 3\n");
        f.replace(TextRange::new(5.into(), 5.into()), "---\n");
        assert_eq!(doc_texts(f.parsed()), vec!["a: 1\n", "---\nb: 2\nc: 3\n"]);
        check_same_as_fresh(&f);
        // Break the marker: the documents merge again.
        f.replace(TextRange::new(5.into(), 6.into()), "");
        check_same_as_fresh(&f);
        assert_eq!(f.parsed().documents().len(), 1);
        // Delete the newline before a marker.
        let mut f = EditableFile::new("a: 1\n---\nb: 2\n");
        f.replace(TextRange::new(4.into(), 5.into()), "");
        check_same_as_fresh(&f);
        // Insert right before a marker.
        let mut f = EditableFile::new("a: 1\n---\nb: 2\n");
        f.replace(TextRange::new(5.into(), 5.into()), "x");
        check_same_as_fresh(&f);
    }

    #[test]
    fn many_random_edits_match_a_fresh_parse() {
        let base = "apiVersion: v1\nkind: Pod\n---\n# c\nkind: X\n...\n---\nx: [1, 2]\n---\n";
        let inserts = ["---\n", "\n", "-", "a: b\n", "...\n", "é", "🦀", "\r\n", ""];
        let mut f = EditableFile::new(base);
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = f.rope().len_bytes();
            let a = (seed % (len as u64 + 1)) as usize;
            let b = (a + ((seed >> 20) % 6) as usize).min(len);
            let ins = inserts[((seed >> 40) % inserts.len() as u64) as usize];
            f.replace(
                TextRange::new(TextSize::new(a as u32), TextSize::new(b as u32)),
                ins,
            );
            check_same_as_fresh(&f);
            if f.rope().len_bytes() > 400 {
                f.set_text(base);
            }
        }
    }
}
