//! The shape of one file for an editor: its outline (document symbols), what folds, how a
//! selection grows, and which URLs are links.
//!
//! Everything here walks one file's trees and text, so it costs time in proportion to the file
//! and nothing else; ranges are bytes in file coordinates, like every other answer of this
//! crate. Half-typed YAML is the normal case: each feature gives what the tree holds and never
//! fails.

mod folding;
mod links;
mod selection;
mod symbols;

#[cfg(test)]
mod tests;

pub use folding::{FoldKind, FoldingRange};
pub use links::DocumentLink;
pub use symbols::{DocumentSymbol, SymbolKind};

use picket_syntax::{TextRange, TextSize};

use crate::{Analysis, FileId};

impl Analysis {
    /// The outline of `file`: one symbol per Kubernetes object (the items of a `List` under
    /// it), with the parts worth jumping to as children; the top-level keys of other YAML
    /// documents. `None` if the file is unknown.
    pub fn document_symbols(&self, file: FileId) -> Option<Vec<DocumentSymbol>> {
        Some(symbols::document_symbols(self.parsed(file)?))
    }

    /// What can fold in `file`, in text order: multi-line collections and block scalars (from
    /// their key's line), runs of comment lines, and each document of a multi-document file.
    /// Every range spans at least two lines. `None` if the file is unknown.
    pub fn folding_ranges(&self, file: FileId) -> Option<Vec<FoldingRange>> {
        Some(folding::folding_ranges(self.parsed(file)?))
    }

    /// For each offset, the ranges a selection grows through, innermost first: the word, the
    /// scalar, its `key: value` entry, the enclosing collection, … the object, its document and
    /// the whole file. Each range contains the offset and strictly contains the one before.
    /// `None` if the file is unknown.
    pub fn selection_ranges(
        &self,
        file: FileId,
        offsets: &[TextSize],
    ) -> Option<Vec<Vec<TextRange>>> {
        let parsed = self.parsed(file)?;
        Some(
            offsets
                .iter()
                .map(|&o| selection::selection_ranges(parsed, o))
                .collect(),
        )
    }

    /// The `http://` and `https://` URLs written in `file`'s comments and scalars, in text
    /// order. `None` if the file is unknown.
    pub fn document_links(&self, file: FileId) -> Option<Vec<DocumentLink>> {
        Some(links::document_links(self.parsed(file)?))
    }
}

/// `range` without the white space (line breaks included) at its end, so that a range ends on
/// the line of its last character rather than at the start of the next line.
fn trim_end(text: &str, range: TextRange) -> TextRange {
    let start = usize::from(range.start()).min(text.len());
    let end = usize::from(range.end()).clamp(start, text.len());
    let Some(slice) = text.get(start..end) else {
        return range;
    };
    let trimmed = slice.trim_end_matches([' ', '\t', '\r', '\n']);
    TextRange::at(range.start(), TextSize::of(trimmed))
}

/// Whether the text in `range` holds a line break.
fn spans_lines(text: &str, range: TextRange) -> bool {
    text.as_bytes()
        .get(usize::from(range.start())..usize::from(range.end()))
        .is_some_and(|s| s.iter().any(|&b| b == b'\n' || b == b'\r'))
}
