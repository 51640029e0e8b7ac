//! Diagnostics of one file: YAML syntax, then schema validation of every Kubernetes object.

use picket_model::{DocumentClass, classify};
use picket_schema::{CrdRegistry, validate_document};
use picket_syntax::{DocEntry, Document, ErrorKind, TextRange};

pub use picket_schema::Severity;

/// A second location that explains a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub range: TextRange,
    pub message: String,
}

/// A finding, with a byte range in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case code, like `unknown-field` or `yaml-syntax`.
    pub code: &'static str,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    pub related: Vec<Related>,
    /// Fixes, in file coordinates (rules only).
    pub fixes: Vec<picket_lint::Fix>,
}

/// What to compute. There is deliberately no `Default`: callers say what they want.
#[derive(Clone, Debug)]
pub struct DiagnosticsConfig {
    /// Validate objects against the Kubernetes schema and workspace CRDs.
    pub schema: bool,
    /// Run the rules, under this configuration (the file's `.picket.yaml`).
    pub rules: Option<std::sync::Arc<picket_lint::Config>>,
    /// Build the rules' fixes (code actions, `picket check` output); an editor's diagnostics
    /// after a keystroke do not need them.
    pub fixes: bool,
}

/// Every diagnostic code with a one-line description, for `--format sarif` rule lists and docs.
pub fn all_codes() -> Vec<(&'static str, &'static str)> {
    let mut codes = vec![
        ("yaml-syntax", "The text is not valid YAML"),
        (
            "duplicate-key",
            "The same key appears twice in one mapping; Kubernetes rejects it",
        ),
        (
            "recursive-alias",
            "A YAML alias refers to a node that contains it",
        ),
        (
            "nesting-too-deep",
            "Collections nest deeper than Picket analyses",
        ),
        (
            "document-too-large",
            "A document has more nodes than Picket analyses",
        ),
        (
            "invalid-suppression",
            "A `# picket:ignore` comment names an unknown rule or is malformed",
        ),
        (
            "invalid-config",
            "A `.picket.yaml` setting is unknown or has an invalid value",
        ),
    ];
    codes.extend(picket_schema::CODES.iter().copied());
    codes
}

/// Diagnostics of one document, relative to the document.
pub(crate) fn document_diagnostics(
    doc: &Document,
    crds: &CrdRegistry,
    config: &DiagnosticsConfig,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = doc
        .errors()
        .iter()
        .map(|e| Diagnostic {
            code: e.kind.code(),
            severity: match e.kind {
                ErrorKind::Syntax | ErrorKind::DuplicateKey | ErrorKind::RecursiveAlias => {
                    Severity::Error
                }
                ErrorKind::TooDeep | ErrorKind::TooLarge => Severity::Warning,
            },
            range: e.range,
            message: e.message.clone(),
            fixes: Vec::new(),
            related: e
                .related
                .iter()
                .map(|(r, m)| Related {
                    range: *r,
                    message: m.clone(),
                })
                .collect(),
        })
        .collect();
    // A document cut short by a limit is incomplete in arbitrary places: its limit diagnostic
    // says so, and schema findings on the rest would be noise.
    let over_limit = doc
        .errors()
        .iter()
        .any(|e| matches!(e.kind, ErrorKind::TooDeep | ErrorKind::TooLarge));
    if config.schema && !over_limit && matches!(classify(doc), DocumentClass::Object(_)) {
        out.extend(validate_document(doc, crds).into_iter().map(|f| {
            Diagnostic {
                code: f.code,
                severity: f.severity,
                range: f.range,
                message: f.message,
                fixes: Vec::new(),
                related: f
                    .related
                    .map(|(r, m)| Related {
                        range: r,
                        message: m,
                    })
                    .into_iter()
                    .collect(),
            }
        }));
    }
    out
}

/// A rule's finding as a diagnostic (already in file coordinates).
pub(crate) fn from_violation(v: picket_lint::Violation) -> Diagnostic {
    Diagnostic {
        code: v.rule.name,
        severity: v.severity,
        range: v.range,
        message: v.full_message(),
        related: v
            .related
            .into_iter()
            .map(|(range, message)| Related { range, message })
            .collect(),
        fixes: v.fixes,
    }
}

/// Moves document-relative diagnostics into file coordinates.
pub(crate) fn shift(entry: &DocEntry, diags: &[Diagnostic]) -> impl Iterator<Item = Diagnostic> {
    diags.iter().map(move |d| Diagnostic {
        range: entry.to_file(d.range),
        related: d
            .related
            .iter()
            .map(|r| Related {
                range: entry.to_file(r.range),
                message: r.message.clone(),
            })
            .collect(),
        ..d.clone()
    })
}
