//! Picket's YAML syntax layer.
//!
//! A file is split into its YAML documents by a line scanner ([`split`]); each document is parsed
//! on its own into a [`Document`]: an arena of nodes with byte ranges into the document's text.
//! An edit re-parses only the documents it touches ([`ParsedFile::edit`]).
//!
//! Architecture Invariant: parsing never fails and never panics. Any input gives a tree (maybe
//! partial) plus a list of [`SyntaxError`]s with exact ranges.
//!
//! Architecture Invariant: this crate knows nothing of Kubernetes or of the Language Server
//! Protocol. Offsets are bytes; conversion to lines and columns lives with the callers.
//!
//! Architecture Invariant: the parser's own types do not leak out of this crate, so it can be
//! replaced without touching the rest.
//!
//! API Boundary: everything re-exported here.

mod fast;
mod file;
mod line_index;
mod parse;
pub mod scalar;
pub mod split;
mod tree;

pub use file::{DocEntry, EditableFile, ParsedFile, TextSource};
pub use line_index::{LineCol, LineIndex};
pub use parse::{Limits, parse_document, parse_document_fast, parse_with_saphyr};
pub use ropey::Rope;
pub use scalar::ScalarValue;
pub use text_size::{TextRange, TextSize};
pub use tree::{
    Document, Entry, ErrorKind, Mapping, MergeBudget, Node, NodeId, NodeKind, Scalar, ScalarStyle,
    Sequence, SyntaxError,
};

#[cfg(test)]
mod tests;
