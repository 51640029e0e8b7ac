//! The analysis façade used by both the `picket` CLI and the language server.
//!
//! An [`AnalysisHost`] holds the parsed files of a run or a workspace and the CRDs they define;
//! [`AnalysisHost::analysis`] hands out an immutable, cheaply cloned [`Analysis`] snapshot that
//! can be queried from any thread while the host moves on.
//!
//! Architecture Invariant: this crate speaks byte ranges and plain Rust types. It knows no LSP
//! and no file system, and JSON only as `picket-policy`'s values (in [`runtime`]); the CLI and
//! the server are its two clients.
//!
//! API Boundary: everything exported here.

mod diagnostics;
mod explain;
mod host;
mod navigation;

// Behaviour profiles and the manifests' workload containers.
pub mod runtime;

// Completion and hover: where the cursor is, what the schema says there.
mod completion;
mod hover;
mod schema_at;
mod snippets;
mod yaml_path;

pub use completion::{CompletionItem, CompletionKind, snippet_to_plain};
pub use hover::{Hover, HoverSection, SectionKind, render_hover};

pub use diagnostics::{Diagnostic, DiagnosticsConfig, Related, Severity, all_codes};
pub use explain::explain_findings;
pub use host::{Analysis, AnalysisHost, FileId, FileKind, FileStats, IndexedFile, is_yaml_path};
pub use navigation::{FileEdit, FileRange, Lens, NavTarget, WorkspaceSymbol};
pub use picket_lint;
pub use picket_syntax::{EditableFile, Limits, LineIndex, ParsedFile, TextRange, TextSize};

// Outline and structure: document symbols, folding ranges, selection ranges, document links.
mod structure;
pub use structure::{DocumentLink, DocumentSymbol, FoldKind, FoldingRange, SymbolKind};

#[cfg(test)]
mod tests;
