//! Behaviour profiles in the editor: reading them from the profiles folders, and turning
//! `picket_ide::runtime`'s lenses, findings and suggestions into protocol answers.
//!
//! A profile file that cannot be read is skipped with a warning naming it; it never stops the
//! others or the server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use picket_ide::ParsedFile;
use picket_ide::runtime::{self, NetworkReview, RuntimeAction, RuntimeDiagnostic, RuntimeWorkload};
use picket_profile::Profile;
use serde_json::Value;
use tower_lsp_server::ls_types::*;

use crate::convert;
use crate::state::Snapshot;

/// The command of a workload's profile lens: offers the workload's suggestions and applies the
/// one chosen. Arguments: the document's URI and the lens's position.
pub(crate) const RUNTIME_ACTIONS: &str = "picket.runtimeActions";

/// The profiles read from `dirs`, and a warning for each file (or folder) that could not be
/// read. A folder that does not exist is no problem: most workspaces have none.
pub(crate) fn load(dirs: &[PathBuf]) -> (Vec<Profile>, Vec<String>) {
    let mut profiles = Vec::new();
    let mut warnings = Vec::new();
    for dir in dirs {
        if !dir.exists() {
            continue;
        }
        match picket_profile::io::read_dir_each(dir) {
            Ok(files) => {
                for (path, read) in files {
                    match read {
                        Ok(p) => profiles.push(p),
                        Err(e) => warnings.push(format!(
                            "Picket: skipped the behaviour profile {}: {e:#}",
                            path.display()
                        )),
                    }
                }
            }
            Err(e) => warnings.push(format!(
                "Picket: cannot read the behaviour profiles in {}: {e:#}",
                dir.display()
            )),
        }
    }
    (profiles, warnings)
}

/// Whether a watched-file change at `path` may change the profiles read from `dirs`: a file or
/// folder inside one, or a folder holding one (created, moved or deleted whole).
pub(crate) fn concerns(dirs: &[PathBuf], path: &Path) -> bool {
    dirs.iter()
        .any(|d| path.starts_with(d) || d.starts_with(path))
}

/// The glob patterns to watch for `dirs`: their JSON files, and the folders themselves.
pub(crate) fn watch_globs(dirs: &[PathBuf]) -> Vec<String> {
    let mut globs = Vec::new();
    for d in dirs {
        let d = d.to_string_lossy().replace('\\', "/");
        globs.push(format!("{d}/**/*.json"));
        globs.push(d);
    }
    globs
}

/// What the profile features derive, kept between requests:
///
/// - the objects of workspace files no editor has open, as JSON, for network reviews: read
///   when first needed and again when a file's size or modification time changes (only files
///   with Services, NetworkPolicies, Namespaces or workloads, and only when a document with
///   profiled workloads is analysed);
/// - each document's analysis (its profiled workloads and their network reviews), made once
///   per document version, set of files and set of profiles, and shared by its diagnostics,
///   code lenses and code actions, which each ask for it on every edit.
#[derive(Debug, Default)]
pub(crate) struct RuntimeCache {
    cache: Mutex<HashMap<PathBuf, Cached>>,
    analysed: Mutex<HashMap<Uri, AnalysedDoc>>,
}

/// A document's analysis, with what it was made from.
#[derive(Debug)]
struct AnalysedDoc {
    version: i32,
    /// The snapshot it was made from (held, so that "the same files" is a pointer comparison
    /// that cannot be fooled by a freed and reused allocation).
    analysis: picket_ide::Analysis,
    profiles: Arc<[Profile]>,
    analysed: Arc<[Analysed]>,
}

/// At most this many documents' analyses are kept (the open ones an editor shows at once).
const ANALYSED_KEPT: usize = 8;

#[derive(Debug)]
struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    objects: Arc<[Value]>,
}

impl RuntimeCache {
    fn objects(&self, path: &Path) -> Arc<[Value]> {
        let Ok(meta) = std::fs::metadata(path) else {
            return Arc::from(Vec::new());
        };
        let (len, modified) = (meta.len(), meta.modified().ok());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(path)
            && c.len == len
            && c.modified == modified
        {
            return c.objects.clone();
        }
        let objects: Arc<[Value]> = if len > crate::state::MAX_FILE_SIZE as u64 {
            Arc::from(Vec::new())
        } else {
            std::fs::read_to_string(path)
                .map(|text| runtime::objects_json(&ParsedFile::parse(&text)))
                .unwrap_or_default()
                .into()
        };
        cache.insert(
            path.to_owned(),
            Cached {
                len,
                modified,
                objects: objects.clone(),
            },
        );
        objects
    }
}

/// A workload of the document with profiles, and its network review.
#[derive(Debug)]
struct Analysed {
    workload: RuntimeWorkload,
    network: Option<NetworkReview>,
}

/// The workload objects of the snapshot's document that its profiles are about, each with its
/// network review against every object of the workspace; from the cache when nothing it
/// depends on changed.
fn analyse(snap: &Snapshot, parsed: &ParsedFile) -> Arc<[Analysed]> {
    if snap.profiles.is_empty() {
        return Arc::from(Vec::new());
    }
    let cache = &snap.runtime_cache.analysed;
    if let Some(c) = cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&snap.uri)
        && c.version == snap.version
        && c.analysis.same_files(&snap.analysis)
        && Arc::ptr_eq(&c.profiles, &snap.profiles)
    {
        return c.analysed.clone();
    }
    let analysed: Arc<[Analysed]> = analyse_now(snap, parsed).into();
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= ANALYSED_KEPT && !cache.contains_key(&snap.uri) {
        cache.clear();
    }
    cache.insert(
        snap.uri.clone(),
        AnalysedDoc {
            version: snap.version,
            analysis: snap.analysis.clone(),
            profiles: snap.profiles.clone(),
            analysed: analysed.clone(),
        },
    );
    analysed
}

fn analyse_now(snap: &Snapshot, parsed: &ParsedFile) -> Vec<Analysed> {
    let workloads = runtime::workloads(parsed, &snap.profiles);
    if workloads.is_empty() {
        return Vec::new();
    }
    let mut objects: Vec<Value> = Vec::new();
    for id in runtime::network_files(&snap.analysis) {
        if let Some(p) = snap.analysis.parsed(id) {
            objects.extend(runtime::objects_json(p));
        } else if let Some(path) = snap.analysis.path(id) {
            objects.extend(snap.runtime_cache.objects(Path::new(path)).iter().cloned());
        }
    }
    workloads
        .into_iter()
        .map(|w| Analysed {
            network: runtime::network_review(parsed, &w, objects.clone()),
            workload: w,
        })
        .collect()
}

/// Every action for `a`'s workload: the containers' (those `only` meets, or all) and the
/// network policies'.
fn actions_of(
    snap: &Snapshot,
    parsed: &ParsedFile,
    a: &Analysed,
    only: Option<picket_ide::TextRange>,
) -> Vec<RuntimeAction> {
    let mut out = runtime::actions(parsed, &a.workload, &snap.profiles, only);
    if let Some(review) = &a.network {
        out.extend(runtime::network_actions(parsed, &a.workload, review));
    }
    out
}

/// A lens on each workload with profiles: what was observed, and "tighten" when there is
/// something to suggest, which offers the suggestions on click.
pub(crate) fn code_lenses(snap: &Snapshot) -> Vec<CodeLens> {
    let Some(parsed) = snap.analysis.parsed(snap.id) else {
        return Vec::new();
    };
    analyse(snap, parsed)
        .iter()
        .map(|a| {
            let range = convert::range(&snap.rope, a.workload.header, snap.encoding);
            let any = !actions_of(snap, parsed, a, None).is_empty();
            let summary = a.workload.observed.summary();
            CodeLens {
                range,
                command: Some(Command {
                    title: if any {
                        format!("{summary} — tighten")
                    } else {
                        summary
                    },
                    command: RUNTIME_ACTIONS.to_owned(),
                    arguments: Some(vec![
                        serde_json::json!(snap.uri),
                        serde_json::json!(range.start),
                    ]),
                }),
                data: None,
            }
        })
        .collect()
}

/// The findings about the document's workloads, as protocol diagnostics.
pub(crate) fn diagnostics(snap: &Snapshot) -> Vec<Diagnostic> {
    let Some(parsed) = snap.analysis.parsed(snap.id) else {
        return Vec::new();
    };
    analyse(snap, parsed)
        .iter()
        .flat_map(|a| {
            let drift = a.network.as_ref().map_or(&[][..], |n| &n.drift[..]);
            runtime::diagnostics(parsed, &a.workload, drift)
        })
        .map(|d| diagnostic(snap, &d))
        .collect()
}

fn diagnostic(snap: &Snapshot, d: &RuntimeDiagnostic) -> Diagnostic {
    Diagnostic {
        range: convert::range(&snap.rope, d.range, snap.encoding),
        severity: Some(if d.drift {
            DiagnosticSeverity::WARNING
        } else {
            DiagnosticSeverity::INFORMATION
        }),
        code: Some(NumberOrString::String(d.code.to_owned())),
        source: Some("picket".to_owned()),
        message: d.message.clone(),
        ..Diagnostic::default()
    }
}

/// What the client can do with workspace edits.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EditCaps {
    /// `documentChanges` with the `create` resource operation: the server can create files.
    pub(crate) create_files: bool,
    /// `documentChanges`: edits can name the document version they were made for, so that a
    /// client refuses them once the text has changed.
    pub(crate) versioned: bool,
}

impl EditCaps {
    pub(crate) fn of(caps: &ClientCapabilities) -> EditCaps {
        let edit = caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref());
        let create_files = edit.is_some_and(|e| {
            e.document_changes == Some(true)
                && e.resource_operations
                    .as_ref()
                    .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create))
        });
        let versioned = edit.is_some_and(|e| e.document_changes == Some(true));
        EditCaps {
            create_files,
            versioned,
        }
    }
}

/// The suggestions for the workloads that `range` meets, as quick-fixes. One that creates a
/// file is offered only when the client can create files and the file does not exist yet;
/// `context` diagnostics it resolves are attached to it.
pub(crate) fn code_actions(
    snap: &Snapshot,
    range: Range,
    caps: EditCaps,
    context: &[Diagnostic],
) -> Vec<(CodeAction, String)> {
    let Some(parsed) = snap.analysis.parsed(snap.id) else {
        return Vec::new();
    };
    let wanted = convert::text_range(&snap.rope, range, snap.encoding);
    let dir = snap
        .uri
        .to_file_path()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    let mut out = Vec::new();
    for analysed in analyse(snap, parsed).iter() {
        if analysed.workload.range.intersect(wanted).is_none() {
            continue;
        }
        for a in actions_of(snap, parsed, analysed, Some(wanted)) {
            let Some(edit) = workspace_edit(snap, &a, caps, dir.as_deref()) else {
                continue;
            };
            let diagnostics: Vec<Diagnostic> = context
                .iter()
                .filter(|d| {
                    d.source.as_deref() == Some("picket")
                        && matches!(&d.code, Some(NumberOrString::String(c)) if a.resolves.contains(&c.as_str()))
                })
                .cloned()
                .collect();
            let action = CodeAction {
                title: a.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: Some(edit),
                is_preferred: Some(false),
                ..CodeAction::default()
            };
            out.push((action, a.title));
        }
    }
    out
}

/// The edit of an action: when it only edits the manifest, `documentChanges` naming the
/// version the edits were made for (plain `changes` for clients without them); else
/// `documentChanges`: create each file (failing if it exists: never overwrite the user's work),
/// fill it, then edit the manifest.
fn workspace_edit(
    snap: &Snapshot,
    a: &RuntimeAction,
    caps: EditCaps,
    dir: Option<&Path>,
) -> Option<WorkspaceEdit> {
    let manifest_edits: Vec<TextEdit> = a
        .edits
        .iter()
        .map(|(r, text)| TextEdit::new(convert::range(&snap.rope, *r, snap.encoding), text.clone()))
        .collect();
    if a.create.is_empty() {
        if caps.versioned {
            return Some(WorkspaceEdit {
                document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                    text_document: OptionalVersionedTextDocumentIdentifier {
                        uri: snap.uri.clone(),
                        version: Some(snap.version),
                    },
                    edits: manifest_edits.into_iter().map(OneOf::Left).collect(),
                }])),
                ..WorkspaceEdit::default()
            });
        }
        return Some(WorkspaceEdit {
            changes: Some([(snap.uri.clone(), manifest_edits)].into_iter().collect()),
            ..WorkspaceEdit::default()
        });
    }
    if !caps.create_files {
        return None;
    }
    let dir = dir?;
    let mut ops = Vec::new();
    for (name, content) in &a.create {
        let path = dir.join(name);
        if path.exists() {
            return None;
        }
        let uri = Uri::from_file_path(&path)?;
        ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
            CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
        let start = Position::new(0, 0);
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit::new(
                Range::new(start, start),
                content.clone(),
            ))],
        }));
    }
    if !manifest_edits.is_empty() {
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: snap.uri.clone(),
                version: Some(snap.version),
            },
            edits: manifest_edits.into_iter().map(OneOf::Left).collect(),
        }));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(ops)),
        ..WorkspaceEdit::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_inside_or_above_the_folders_concern_them() {
        let dirs = [PathBuf::from("/w/.picket/profiles")];
        assert!(concerns(&dirs, Path::new("/w/.picket/profiles/a.json")));
        assert!(concerns(&dirs, Path::new("/w/.picket/profiles/ns/b.json")));
        assert!(concerns(&dirs, Path::new("/w/.picket")));
        assert!(!concerns(&dirs, Path::new("/w/deploy.yaml")));
        assert!(!concerns(&dirs, Path::new("/w/.picket/other/a.json")));
        assert_eq!(
            watch_globs(&dirs),
            ["/w/.picket/profiles/**/*.json", "/w/.picket/profiles"]
        );
    }

    #[test]
    fn a_bad_file_is_skipped_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let good = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../fixtures/profiles/shop_Deployment-api_api.json"
        );
        std::fs::copy(good, dir.path().join("api.json")).unwrap();
        std::fs::write(dir.path().join("broken.json"), "{").unwrap();
        let missing = dir.path().join("none");
        let (profiles, warnings) = load(&[dir.path().to_owned(), missing]);
        assert_eq!(profiles.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("broken.json"), "{warnings:?}");
    }
}
