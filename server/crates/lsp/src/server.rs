//! The `LanguageServer` implementation: lifecycle, text sync, push and pull diagnostics.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use picket_ide::DiagnosticsConfig;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::convert;
use crate::navigation;
use crate::runtime;
use crate::state::{MAX_FILE_SIZE, Snapshot, State};
use crate::workspace;

pub(crate) struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Test hook: analysis panics on documents that contain this text (`PICKET_DEBUG_PANIC_ON`).
    panic_marker: Option<String>,
    shutdown: Arc<AtomicBool>,
    /// Held while a workspace scan runs.
    scans: Arc<tokio::sync::Mutex<()>>,
    /// Held while the behaviour profiles are read.
    profile_loads: Arc<tokio::sync::Mutex<()>>,
}

impl Backend {
    pub(crate) fn new(client: Client, shutdown: Arc<AtomicBool>) -> Self {
        let panic_marker = std::env::var("PICKET_DEBUG_PANIC_ON")
            .ok()
            .filter(|s| !s.is_empty());
        Backend {
            client,
            state: Arc::new(Mutex::new(State::default())),
            panic_marker,
            shutdown,
            scans: Arc::default(),
            profile_loads: Arc::default(),
        }
    }

    /// Another handle on the same server, for background tasks.
    fn clone_handle(&self) -> Backend {
        Backend {
            client: self.client.clone(),
            state: self.state.clone(),
            panic_marker: self.panic_marker.clone(),
            shutdown: self.shutdown.clone(),
            scans: self.scans.clone(),
            profile_loads: self.profile_loads.clone(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock would poison it; the state is still consistent
        // (mutations complete or do not start), so keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Computes diagnostics off the async runtime, behind a panic boundary.
    async fn compute(&self, snap: Snapshot) -> Option<Vec<Diagnostic>> {
        let marker = self.panic_marker.clone();
        let state = self.state.clone();
        let result = tokio::task::spawn_blocking(move || {
            // Skip work that a newer edit has already made stale.
            let current = state
                .lock()
                .map(|s| s.is_current(&snap.uri, snap.version))
                .unwrap_or(true);
            if !current {
                return None;
            }
            let (diags, findings) = std::panic::catch_unwind(AssertUnwindSafe(|| {
                diagnostics_of(&snap, marker.as_deref())
            }))
            .ok()?;
            // Kept for hover, which explains the findings under the cursor.
            if let (Some(findings), Ok(mut s)) = (findings, state.lock()) {
                s.findings
                    .insert(snap.uri.clone(), (snap.version, findings));
            }
            Some(diags)
        })
        .await;
        match result {
            Ok(Some(d)) => Some(d),
            Ok(None) => None,
            Err(e) => {
                tracing::error!("diagnostics task failed: {e}");
                None
            }
        }
    }

    /// Answers a request about `uri` from a snapshot, off the async runtime and behind a panic
    /// boundary. `Ok(None)` when the document is not open or too large to analyse; an internal
    /// error (naming `what`) when the analysis panicked.
    async fn query<T: Send + 'static>(
        &self,
        uri: &Uri,
        what: &'static str,
        f: impl FnOnce(&Snapshot) -> Option<T> + Send + 'static,
    ) -> Result<Option<T>> {
        let Some(snap) = self.state().snapshot(uri) else {
            tracing::warn!(
                uri = uri.as_str(),
                "{what} requested for a document that is not open"
            );
            return Ok(None);
        };
        if snap.too_large {
            return Ok(None);
        }
        let answer = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| f(&snap))).ok()
        })
        .await
        .ok()
        .flatten();
        answer.ok_or_else(|| Error {
            code: ErrorCode::InternalError,
            message: format!("{what} failed; see the server log").into(),
            data: None,
        })
    }

    /// Recomputes and pushes the diagnostics of one document, unless it changed meanwhile.
    async fn publish(&self, uri: Uri) {
        let Some(snap) = self.state().snapshot(&uri) else {
            return;
        };
        let version = snap.version;
        let Some(diags) = self.compute(snap).await else {
            return;
        };
        if self.state().is_current(&uri, version) {
            self.client
                .publish_diagnostics(uri, diags, Some(version))
                .await;
        }
    }

    /// After something that may change other documents' diagnostics (CRDs).
    async fn refresh_all(&self) {
        let (pull, refresh, uris) = {
            let s = self.state();
            (s.pull_diagnostics, s.refresh_support, s.open_uris())
        };
        if pull {
            if refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
        } else {
            for uri in uris {
                self.publish(uri).await;
            }
        }
    }

    /// Reads every Kubernetes file of the workspace into the index, with work-done progress,
    /// then refreshes the open documents' diagnostics. Run at start and again when a
    /// `.gitignore` or `.picket.yaml` changes what the workspace holds.
    async fn scan_workspace(&self) {
        // One scan at a time, each applied in the order they started: an older scan must not
        // install its results over a newer one's.
        let _one_at_a_time = self.scans.lock().await;
        let (roots, started) = {
            let s = self.state();
            (s.roots.clone(), s.clock)
        };
        if roots.is_empty() {
            return;
        }
        let token = NumberOrString::String(format!(
            "picket/scan-workspace/{}",
            SCANS.fetch_add(1, Ordering::Relaxed)
        ));
        let supported = self.state().work_done_progress;
        let progress = if supported
            && self
                .client
                .create_work_done_progress(token.clone())
                .await
                .is_ok()
        {
            Some(
                self.client
                    .progress(token, "Picket: indexing the workspace")
                    .with_percentage(0)
                    .with_message("looking for YAML files")
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
        let scan = tokio::task::spawn_blocking(move || {
            // At most one report per percent.
            let last = std::sync::atomic::AtomicUsize::new(usize::MAX);
            workspace::scan(&roots, |done, total| {
                let pct = done * 100 / total.max(1);
                if last.swap(pct, Ordering::Relaxed) != pct {
                    let _ = tx.send((done, total));
                }
            })
        });
        while let Some((done, total)) = rx.recv().await {
            if let Some(p) = &progress {
                p.report_with_message(
                    format!("{done}/{total} YAML files"),
                    (done * 100 / total.max(1)) as u32,
                )
                .await;
            }
        }
        let scan = match scan.await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("workspace scan failed: {e}");
                workspace::Scan::default()
            }
        };
        let (files, objects) = {
            let mut s = self.state();
            let found: std::collections::HashSet<_> =
                scan.files.iter().map(|(p, _)| p.clone()).collect();
            // Files a watched-file event updated while the scan ran are newer than what the
            // scan read: leave them as they are.
            let gone: Vec<_> = s
                .workspace_files
                .keys()
                .filter(|p| !found.contains(*p) && !s.touched_after(p, started))
                .cloned()
                .collect();
            for path in gone {
                s.set_workspace_file(&path, None);
            }
            let objects: usize = scan.files.iter().map(|(_, f)| f.objects()).sum();
            let files = scan.files.len();
            let mut batch = Vec::with_capacity(files);
            for (path, file) in scan.files {
                if s.touched_after(&path, started) {
                    continue;
                }
                let open = s
                    .docs
                    .values()
                    .find(|d| d.path.as_deref() == Some(path.as_path()))
                    .map(|d| d.id);
                if let Some(id) = open {
                    // The editor's text is what counts; remember the path for when it closes.
                    s.workspace_files.insert(path, id);
                    continue;
                }
                let id = match s.workspace_files.get(&path) {
                    Some(&id) => id,
                    None => {
                        let id = s.new_file_id();
                        s.workspace_files.insert(path, id);
                        id
                    }
                };
                batch.push((id, file));
            }
            s.host.set_indexed_files(batch);
            (files, objects)
        };
        let summary = format!(
            "{objects} object{} in {files} file{} ({} YAML file{}, {:.1} MB)",
            plural(objects),
            plural(files),
            scan.yaml_files,
            plural(scan.yaml_files),
            scan.bytes as f64 / 1e6
        );
        if let Some(p) = progress {
            p.finish_with_message(summary.clone()).await;
        }
        tracing::info!("workspace index: {summary}");
        if scan.over_limit > 0 {
            let message = format!(
                "Picket indexed the first {} YAML files of the workspace ({} MB) and left out {}: \
                 cross-resource checks and navigation do not see those. Exclude generated or \
                 vendored manifests with `ignore:` in .picket.yaml or with .gitignore.",
                scan.yaml_files - scan.over_limit,
                scan.bytes / 1_000_000,
                scan.over_limit
            );
            tracing::warn!("{message}");
            self.client
                .show_message(MessageType::WARNING, message)
                .await;
        }
        self.refresh_all().await;
    }

    /// Reads the behaviour profiles again from the folders the settings name (warning, in the
    /// client's log, about each file that cannot be read), then refreshes diagnostics and
    /// code lenses.
    async fn load_profiles(&self) {
        // One load at a time, so an older one cannot install its results over a newer one's.
        let _one_at_a_time = self.profile_loads.lock().await;
        let dirs = {
            let mut s = self.state();
            let dirs = s.settings.profile_dirs(&s.roots);
            s.profile_dirs = dirs.clone();
            dirs
        };
        let read = tokio::task::spawn_blocking(move || runtime::load(&dirs)).await;
        let (profiles, warnings) = match read {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("reading the behaviour profiles failed: {e}");
                return;
            }
        };
        for w in warnings {
            tracing::warn!("{w}");
            self.client.log_message(MessageType::WARNING, w).await;
        }
        tracing::info!(profiles = profiles.len(), "behaviour profiles read");
        let lens_refresh = {
            let mut s = self.state();
            s.profiles = profiles.into();
            s.code_lens_refresh
        };
        self.refresh_all().await;
        if lens_refresh {
            let _ = self.client.code_lens_refresh().await;
        }
    }

    /// Asks the client to tell us when the profiles folders change, if it can (again when
    /// `picket.profiles` changes: the old registration goes first).
    async fn watch_profiles(&self, again: bool) {
        const ID: &str = "picket/watch-profiles";
        let dirs = self.state().profile_dirs.clone();
        if again {
            let gone = Unregistration {
                id: ID.to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
            };
            if let Err(e) = self.client.unregister_capability(vec![gone]).await {
                tracing::debug!("the client would not stop watching the profiles: {e}");
            }
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: runtime::watch_globs(&dirs)
                .into_iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(glob),
                    kind: None,
                })
                .collect(),
        };
        let registration = Registration {
            id: ID.to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            tracing::warn!("the client would not watch the profiles: {e}");
        }
    }

    /// The suggestions for the workload at `position`, computed on the document as it is now.
    async fn runtime_actions_at(
        &self,
        uri: &Uri,
        position: Position,
    ) -> Result<Vec<(CodeAction, String)>> {
        let caps = self.state().edit_caps;
        let range = Range::new(position, position);
        Ok(self
            .query(uri, "profile suggestions", move |snap| {
                Some(runtime::code_actions(snap, range, caps, &[]))
            })
            .await?
            .unwrap_or_default())
    }

    /// Offers the suggestions for the workload at `position` (a profile lens's command) as a
    /// message with one button each, and applies the one chosen. Runs apart from the request
    /// that started it: the server goes on serving while the user decides.
    async fn offer_runtime_actions(&self, uri: Uri, position: Position) -> Result<()> {
        let actions = self.runtime_actions_at(&uri, position).await?;
        if actions.is_empty() {
            self.client
                .show_message(
                    MessageType::INFO,
                    "Picket: the profiles suggest nothing more for this workload",
                )
                .await;
            return Ok(());
        }
        let items: Vec<MessageActionItem> = actions
            .iter()
            .map(|(_, title)| MessageActionItem {
                title: title.clone(),
                properties: Default::default(),
            })
            .collect();
        let chosen = self
            .client
            .show_message_request(
                MessageType::INFO,
                "Picket: tighten this workload from its behaviour profiles",
                Some(items),
            )
            .await;
        let Ok(Some(chosen)) = chosen else {
            return Ok(());
        };
        // The text may have changed while the question was open: the edit is made again on
        // the document as it is now (and names that version, for clients that check it).
        let actions = self.runtime_actions_at(&uri, position).await?;
        let Some((action, _)) = actions.into_iter().find(|(_, t)| *t == chosen.title) else {
            self.client
                .show_message(
                    MessageType::INFO,
                    "Picket: that suggestion no longer applies to the document as it is now",
                )
                .await;
            return Ok(());
        };
        if let Some(edit) = action.edit {
            match self.client.apply_edit(edit).await {
                Ok(r) if !r.applied => tracing::info!(
                    reason = r.failure_reason.as_deref().unwrap_or(""),
                    "the client did not apply the suggestion"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!("applying the suggestion failed: {e}"),
            }
        }
        Ok(())
    }

    /// Asks the client to tell us when YAML files, `.picket.yaml` or `.gitignore` change on
    /// disk, if it can.
    async fn watch_files(&self) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: [
                "**/*.yaml",
                "**/*.yml",
                "**/.picket.yaml",
                "**/.gitignore",
                "**/.ignore",
            ]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_owned()),
                kind: None,
            })
            .collect(),
        };
        let registration = Registration {
            id: "picket/watch-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        match self.client.register_capability(vec![registration]).await {
            Ok(()) => tracing::debug!("watching workspace files"),
            Err(e) => tracing::warn!("the client would not watch files: {e}"),
        }
    }
}

/// Tells scans apart in their progress tokens.
static SCANS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The protocol diagnostics of a document, and Picket's own (for hover) when it analysed it.
fn diagnostics_of(
    snap: &Snapshot,
    panic_marker: Option<&str>,
) -> (Vec<Diagnostic>, Option<Arc<[picket_ide::Diagnostic]>>) {
    if snap.too_large {
        let len = snap.rope.len_bytes();
        let too_large = vec![Diagnostic {
            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String("file-too-large".to_owned())),
            source: Some("picket".to_owned()),
            message: format!(
                "File is {:.1} MiB, over the {} MiB analysis limit; Picket does not analyse it",
                len as f64 / f64::from(1 << 20),
                MAX_FILE_SIZE >> 20
            ),
            ..Diagnostic::default()
        }];
        return (too_large, None);
    }
    if let Some(marker) = panic_marker
        && snap.rope.to_string().contains(marker)
    {
        panic!("test panic requested by PICKET_DEBUG_PANIC_ON");
    }
    // `.picket.yaml` itself: its problems, where the user edits it.
    if let Some(path) = snap.uri.to_file_path()
        && path
            .file_name()
            .is_some_and(|n| n == picket_ide::picket_lint::CONFIG_FILE)
    {
        let dir = path.parent().unwrap_or(std::path::Path::new("/"));
        let config = picket_ide::picket_lint::Config::parse(&snap.rope.to_string(), dir);
        let problems = config
            .problems
            .iter()
            .map(|p| {
                let d = picket_ide::Diagnostic {
                    code: "invalid-config",
                    severity: picket_ide::Severity::Error,
                    range: p.range,
                    message: p.message.clone(),
                    related: Vec::new(),
                    fixes: Vec::new(),
                };
                convert::diagnostic(&snap.rope, &snap.uri, &d, snap.encoding)
            })
            .collect();
        return (problems, None);
    }
    let config = config_of(snap, false);
    let diags = snap
        .analysis
        .diagnostics(snap.id, &config)
        .unwrap_or_default();
    let mut out: Vec<Diagnostic> = diags
        .iter()
        .map(|d| convert::diagnostic(&snap.rope, &snap.uri, d, snap.encoding))
        .collect();
    // What the behaviour profiles say about the manifest.
    out.extend(runtime::diagnostics(snap));
    (out, Some(diags.into()))
}

/// What to compute for a document: schema always; the rules under the document's
/// `.picket.yaml`, unless that file ignores the document; fixes when code actions ask.
fn config_of(snap: &Snapshot, fixes: bool) -> DiagnosticsConfig {
    let path = snap.uri.to_file_path();
    let rules = match path.as_deref() {
        Some(p) => workspace::config_for(p),
        None => Arc::new(picket_ide::picket_lint::Config::default()),
    };
    let ignored = path.as_deref().is_some_and(|p| rules.is_ignored(p));
    // The editor's settings win over the file's (their problems were reported on arrival).
    let rules = if snap.settings.is_empty() {
        rules
    } else {
        let s = &snap.settings;
        Arc::new(
            rules
                .overridden(&s.rules, s.kubernetes_version.as_deref())
                .0,
        )
    };
    DiagnosticsConfig {
        schema: true,
        rules: (!ignored).then_some(rules),
        fixes,
    }
}

/// The largest document whose findings a hover computes itself when the last diagnostics run
/// is of an older version.
const HOVER_FINDINGS_MAX_BYTES: usize = 256 << 10;

/// The code action kind of "apply every safe fix".
const FIX_ALL_KIND: &str = "source.fixAll.picket";

/// Quick-fixes for the findings in `range`, a suppression comment for each, and the fix-all
/// action, filtered by the client's `only`.
fn code_actions(
    snap: &Snapshot,
    range: Range,
    only: Option<&[CodeActionKind]>,
    edit_caps: runtime::EditCaps,
    context: &[Diagnostic],
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &str| {
        only.is_none_or(|o| {
            o.iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
        })
    };
    let mut out = Vec::new();
    let config = config_of(snap, true);
    let rope = &snap.rope;
    let enc = snap.encoding;
    let edit_of = |edits: Vec<TextEdit>| WorkspaceEdit {
        changes: Some([(snap.uri.clone(), edits)].into_iter().collect()),
        ..WorkspaceEdit::default()
    };
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        let wanted = convert::text_range(rope, range, enc);
        let diags = snap
            .analysis
            .diagnostics(snap.id, &config)
            .unwrap_or_default();
        for d in diags
            .iter()
            .filter(|d| d.range.start() <= wanted.end() && wanted.start() <= d.range.end())
        {
            let lsp_diag = convert::diagnostic(rope, &snap.uri, d, enc);
            for fix in &d.fixes {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit::new(convert::range(rope, e.range, enc), e.text.clone()))
                    .collect();
                let safe = fix.applicability == picket_ide::picket_lint::Applicability::Safe;
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: if safe {
                        fix.title.clone()
                    } else {
                        format!("{} (unsafe)", fix.title)
                    },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    edit: Some(edit_of(edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
            if d.code != "yaml-syntax" && d.code != "invalid-suppression" {
                out.push(CodeActionOrCommand::CodeAction(suppress_action(
                    snap, d, lsp_diag, &edit_of,
                )));
            }
        }
        // The behaviour profiles' suggestions for the workloads in range.
        out.extend(
            runtime::code_actions(snap, range, edit_caps, context)
                .into_iter()
                .map(|(a, _)| CodeActionOrCommand::CodeAction(a)),
        );
    }
    if wants(FIX_ALL_KIND)
        && let Some(rules) = &config.rules
    {
        let text = rope.to_string();
        let path = snap.analysis.path(snap.id).unwrap_or_default().to_owned();
        let others = snap.analysis.index().without(snap.id.0);
        if let Some(fixed) =
            picket_ide::picket_lint::fix_text(&text, snap.id.0, &path, &others, rules, false)
            && fixed.text != text
        {
            let end = convert::position(rope, picket_ide::TextSize::of(text.as_str()), enc);
            let edit = TextEdit::new(Range::new(Position::new(0, 0), end), fixed.text);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Picket: apply {} safe fixes", fixed.applied.len()),
                kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                edit: Some(edit_of(vec![edit])),
                ..CodeAction::default()
            }));
        }
    }
    out
}

/// "Ignore `rule` here": a `# picket:ignore[rule]` comment on its own line above the finding.
fn suppress_action(
    snap: &Snapshot,
    d: &picket_ide::Diagnostic,
    lsp_diag: Diagnostic,
    edit_of: &impl Fn(Vec<TextEdit>) -> WorkspaceEdit,
) -> CodeAction {
    let rope = &snap.rope;
    let start = convert::position(rope, d.range.start(), snap.encoding);
    let line = rope.line(start.line as usize).to_string();
    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
    let insert = Position::new(start.line, 0);
    let edit = TextEdit::new(
        Range::new(insert, insert),
        format!("{indent}# picket:ignore[{}] TODO: say why\n", d.code),
    );
    CodeAction {
        title: format!("Ignore `{}` on this line", d.code),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![lsp_diag]),
        edit: Some(edit_of(vec![edit])),
        is_preferred: Some(false),
        ..CodeAction::default()
    }
}

fn roots_of(params: &InitializeParams) -> Vec<std::path::PathBuf> {
    let mut roots: Vec<_> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| workspace::canonical(&p)))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(p) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        roots.push(workspace::canonical(&p));
    }
    roots
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = convert::negotiate(&params.capabilities);
        let text_caps = params.capabilities.text_document.as_ref();
        let pull = text_caps.and_then(|t| t.diagnostic.as_ref()).is_some();
        let refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
        {
            let mut s = self.state();
            s.encoding = encoding;
            s.pull_diagnostics = pull;
            s.refresh_support = refresh;
            s.roots = roots_of(&params);
            if let Some(options) = &params.initialization_options {
                let (settings, problems) = crate::settings::Settings::from_json(options);
                s.settings = Arc::new(settings);
                s.settings_problems = problems;
            }
            s.definition_links = text_caps
                .and_then(|t| t.definition.as_ref())
                .and_then(|d| d.link_support)
                .unwrap_or(false);
            s.can_watch = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false);
            s.work_done_progress = params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false);
            // Outline and folding: what the client can show.
            s.hierarchical_symbols = text_caps
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false);
            s.line_folding_only = text_caps
                .and_then(|t| t.folding_range.as_ref())
                .and_then(|f| f.line_folding_only)
                .unwrap_or(false);
            s.markup = convert::markup_caps(&params.capabilities);
            s.edit_caps = runtime::EditCaps::of(&params.capabilities);
            s.code_lens_refresh = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false);
        }
        tracing::info!(?encoding, pull_diagnostics = pull, "initialize");
        let diagnostic_provider = pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("picket".to_owned()),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        });
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                diagnostic_provider,
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![
                        navigation::SHOW_REFERENCES.to_owned(),
                        runtime::RUNTIME_ACTIONS.to_owned(),
                    ],
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                        resolve_provider: None,
                    },
                )),
                // Outline and structure.
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(
                        [":", " ", "-"].iter().map(|c| (*c).to_owned()).collect(),
                    ),
                    ..CompletionOptions::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "picket".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // In the background: messages are handled one at a time, and a large workspace must not
        // hold up the first `didOpen`.
        let problems = std::mem::take(&mut self.state().settings_problems);
        for p in problems {
            self.client.show_message(MessageType::WARNING, p).await;
        }
        let me = self.clone_handle();
        tokio::spawn(async move {
            me.load_profiles().await;
            if me.state().can_watch {
                me.watch_files().await;
                me.watch_profiles(false).await;
            }
            me.scan_workspace().await
        });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let (settings, problems) = crate::settings::Settings::from_json(&params.settings);
        let (changed, profiles_moved) = {
            let mut s = self.state();
            let changed = *s.settings != settings;
            let moved = s.settings.profiles != settings.profiles;
            s.settings = Arc::new(settings);
            (changed, moved)
        };
        for p in problems {
            self.client.show_message(MessageType::WARNING, p).await;
        }
        if profiles_moved {
            // Reading the profiles refreshes everything afterwards.
            let me = self.clone_handle();
            tokio::spawn(async move {
                me.load_profiles().await;
                if me.state().can_watch {
                    me.watch_profiles(true).await;
                }
            });
        } else if changed {
            let me = self.clone_handle();
            tokio::spawn(async move { me.refresh_all().await });
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let mut rescan = false;
        let mut reads = Vec::new();
        let mut gone_dirs = Vec::new();
        let mut profiles_changed = false;
        let profile_dirs = self.state().profile_dirs.clone();
        for change in params.changes {
            let Some(given) = change.uri.to_file_path() else {
                continue;
            };
            let path = workspace::canonical(&given);
            // Profiles first: a JSON file inside a profiles folder is theirs alone.
            if runtime::concerns(&profile_dirs, &given) || runtime::concerns(&profile_dirs, &path) {
                profiles_changed = true;
                let inside = profile_dirs
                    .iter()
                    .any(|d| given.starts_with(d) || path.starts_with(d));
                if inside && !picket_ide::is_yaml_path(&path) {
                    continue;
                }
            }
            let deleted = change.typ == FileChangeType::DELETED;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == ".gitignore"
                || name == ".ignore"
                || name == picket_ide::picket_lint::CONFIG_FILE
            {
                // What the workspace holds may change everywhere below it.
                rescan = true;
            } else if picket_ide::is_yaml_path(&path) {
                reads.push((path, deleted));
            } else if deleted {
                // Maybe a directory: whatever the index holds under it is gone.
                gone_dirs.push(path);
            } else if path.is_dir() {
                // A directory created or moved in: its files were never reported one by one.
                rescan = true;
            }
        }
        tracing::debug!(
            files = reads.len(),
            rescan,
            profiles_changed,
            "watched files changed"
        );
        if profiles_changed {
            let me = self.clone_handle();
            tokio::spawn(async move { me.load_profiles().await });
        }
        if !gone_dirs.is_empty() {
            let mut s = self.state();
            let under: Vec<_> = s
                .workspace_files
                .keys()
                .filter(|p| gone_dirs.iter().any(|d| p.starts_with(d)))
                .cloned()
                .collect();
            for path in under {
                s.touch(&path);
                s.set_workspace_file(&path, None);
            }
        }
        if rescan {
            let me = self.clone_handle();
            tokio::spawn(async move { me.scan_workspace().await });
        }
        if reads.is_empty() {
            if !gone_dirs.is_empty() {
                let me = self.clone_handle();
                tokio::spawn(async move { me.refresh_all().await });
            }
            return;
        }
        let roots = self.state().roots.clone();
        let updates = tokio::task::spawn_blocking(move || {
            reads
                .into_iter()
                .map(|(path, deleted)| {
                    let file = if deleted || workspace::is_excluded(&roots, &path) {
                        None
                    } else {
                        workspace::read(&path)
                    };
                    (path, file)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        {
            let mut s = self.state();
            for (path, file) in updates {
                s.touch(&path);
                s.set_workspace_file(&path, file);
            }
        }
        let me = self.clone_handle();
        tokio::spawn(async move { me.refresh_all().await });
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let pull = {
            let mut s = self.state();
            s.open(doc.uri.clone(), doc.version, &doc.text);
            s.pull_diagnostics
        };
        if !pull {
            self.publish(doc.uri).await;
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let (known, pull) = {
            let mut s = self.state();
            (
                s.change(&uri, params.text_document.version, params.content_changes),
                s.pull_diagnostics,
            )
        };
        if !known {
            tracing::warn!(
                uri = uri.as_str(),
                "didChange for a document that is not open; ignored"
            );
            return;
        }
        // Cross-resource rules: an edit here can change findings in other open documents.
        let others = self.state().docs.len() > 1;
        // In the background: the next change must not wait for this run.
        let me = self.clone_handle();
        tokio::spawn(async move {
            if !pull {
                me.publish(uri).await;
            }
            if others {
                me.refresh_all().await;
            }
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (reread, pull, roots) = {
            let mut s = self.state();
            (s.close(&uri), s.pull_diagnostics, s.roots.clone())
        };
        // A workspace file goes back to its saved contents, in the index only.
        if let Some(path) = reread {
            let read = tokio::task::spawn_blocking(move || {
                let file = (!workspace::is_excluded(&roots, &path))
                    .then(|| workspace::read(&path))
                    .flatten();
                (path, file)
            })
            .await;
            if let Ok((path, file)) = read {
                self.state().set_workspace_file(&path, file);
            }
        }
        if !pull {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let only = params.context.only;
        let context = params.context.diagnostics;
        let range = params.range;
        let caps = self.state().edit_caps;
        let actions = self
            .query(&params.text_document.uri, "code actions", move |snap| {
                Some(code_actions(snap, range, only.as_deref(), caps, &context))
            })
            .await?;
        Ok(actions.filter(|a| !a.is_empty()))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let links = self.state().definition_links;
        self.query(&p.text_document.uri, "go-to-definition", move |snap| {
            navigation::definition(snap, p.position, links)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let declaration = params.context.include_declaration;
        self.query(&p.text_document.uri, "find-references", move |snap| {
            navigation::references(snap, p.position, declaration)
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let answer = self
            .query(&params.text_document.uri, "rename", move |snap| {
                Some(navigation::prepare_rename(snap, params.position))
            })
            .await?;
        answer.transpose().map_err(request_failed)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let answer = self
            .query(&p.text_document.uri, "rename", move |snap| {
                Some(navigation::rename(snap, p.position, &new_name))
            })
            .await?;
        answer.transpose().map_err(request_failed)
    }

    /// The command of a code lens, for clients that have no handler of their own (an editor
    /// extension may show the locations in a references view instead): opens the first
    /// location, and lists them all when there are several.
    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command == runtime::RUNTIME_ACTIONS {
            let uri: Option<Uri> = params
                .arguments
                .first()
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok());
            let position: Option<Position> = params
                .arguments
                .get(1)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok());
            let (Some(uri), Some(position)) = (uri, position) else {
                return Err(Error::invalid_params("expected arguments (uri, position)"));
            };
            // The question waits for the user; requests in the meantime must not.
            let backend = self.clone_handle();
            tokio::spawn(async move {
                if let Err(e) = backend.offer_runtime_actions(uri, position).await {
                    tracing::warn!("offering the profile suggestions failed: {e}");
                }
            });
            return Ok(None);
        }
        if params.command != navigation::SHOW_REFERENCES {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let locations: Vec<Location> = params
            .arguments
            .get(2)
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| {
                Error::invalid_params("expected arguments (uri, position, locations)")
            })?;
        let Some(first) = locations.first() else {
            self.client
                .show_message(MessageType::INFO, "Picket: nothing to show")
                .await;
            return Ok(None);
        };
        if locations.len() > 1 {
            let list: Vec<String> = locations
                .iter()
                .map(|l| format!("{}:{}", l.uri.as_str(), l.range.start.line + 1))
                .collect();
            self.client
                .show_message(MessageType::INFO, format!("Picket: {}", list.join(", ")))
                .await;
        }
        let shown = self
            .client
            .show_document(ShowDocumentParams {
                uri: first.uri.clone(),
                external: Some(false),
                take_focus: Some(true),
                selection: Some(first.range),
            })
            .await;
        if let Err(e) = shown {
            tracing::debug!("the client would not show the document: {e}");
        }
        Ok(None)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        self.query(&params.text_document.uri, "code lenses", |snap| {
            let mut lenses = navigation::code_lenses(snap).unwrap_or_default();
            lenses.extend(runtime::code_lenses(snap));
            (!lenses.is_empty()).then_some(lenses)
        })
        .await
    }

    // Completion and hover: schema-driven, answered from a snapshot like code actions.

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let caps = self.state().markup;
        let items = self
            .query(&at.text_document.uri, "completion", move |snap| {
                // `.picket.yaml` is not a manifest.
                let config = snap.uri.to_file_path().is_some_and(|p| {
                    p.file_name()
                        .is_some_and(|n| n == picket_ide::picket_lint::CONFIG_FILE)
                });
                if config {
                    return Some(Vec::new());
                }
                let offset = convert::offset(&snap.rope, at.position, snap.encoding);
                let items = snap.analysis.completions(snap.id, offset);
                Some(
                    items
                        .iter()
                        .map(|i| convert::completion_item(&snap.rope, i, snap.encoding, caps))
                        .collect::<Vec<_>>(),
                )
            })
            .await?;
        Ok(items.filter(|i| !i.is_empty()).map(|items| {
            CompletionResponse::List(CompletionList {
                is_incomplete: false,
                items,
            })
        }))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let caps = self.state().markup;
        self.query(&at.text_document.uri, "hover", move |snap| {
            let offset = convert::offset(&snap.rope, at.position, snap.encoding);
            // The findings of the last diagnostics run when they are of this version; on a
            // small file they are cheap enough to compute here, on a large one the hover goes
            // without them until the run that follows the edit lands.
            let findings: Arc<[picket_ide::Diagnostic]> = match &snap.findings {
                Some(f) => f.clone(),
                None if snap.rope.len_bytes() <= HOVER_FINDINGS_MAX_BYTES => snap
                    .analysis
                    .diagnostics(snap.id, &config_of(snap, false))
                    .unwrap_or_default()
                    .into(),
                None => Arc::from(Vec::new()),
            };
            let hover = snap
                .analysis
                .hover_with_findings(snap.id, offset, &findings)?;
            Some(convert::hover(&snap.rope, &hover, snap.encoding, caps))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let (analysis, open, encoding) = {
            let s = self.state();
            (s.host.analysis(), s.open_files(), s.encoding)
        };
        let symbols = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                navigation::workspace_symbols(&analysis, &open, encoding, &params.query)
            }))
            .ok()
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(|| Error {
            code: ErrorCode::InternalError,
            message: "workspace symbols failed; see the server log".into(),
            data: None,
        })?;
        Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let Some(snap) = self.state().snapshot(&uri) else {
            tracing::warn!(
                uri = uri.as_str(),
                "diagnostics requested for a document that is not open"
            );
            return Ok(full_report(None, Vec::new()));
        };
        let version = snap.version;
        match self.compute(snap).await {
            Some(items) => Ok(full_report(Some(version.to_string()), items)),
            None if self.state().is_current(&uri, version) => Err(Error {
                code: ErrorCode::InternalError,
                message: "diagnostics failed; see the server log".into(),
                data: None,
            }),
            // LSP 3.17 `ServerCancelled`: the client asks again for the newer version.
            None => Err(Error {
                code: ErrorCode::ServerError(-32802),
                message: "the document changed".into(),
                data: Some(serde_json::json!({ "retriggerRequest": true })),
            }),
        }
    }

    // Outline and structure: each answered from a snapshot, through `query`.

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let tree = self.state().hierarchical_symbols;
        let uri = params.text_document.uri;
        self.query(&uri, "document symbols", move |snap| {
            let symbols = snap.analysis.document_symbols(snap.id)?;
            let (rope, enc) = (&snap.rope, snap.encoding);
            Some(if tree {
                DocumentSymbolResponse::Nested(
                    symbols
                        .iter()
                        .map(|s| convert::document_symbol(rope, s, enc))
                        .collect(),
                )
            } else {
                DocumentSymbolResponse::Flat(convert::symbol_information(
                    rope, &snap.uri, &symbols, enc,
                ))
            })
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let line_only = self.state().line_folding_only;
        let uri = params.text_document.uri;
        self.query(&uri, "folding ranges", move |snap| {
            let folds = snap.analysis.folding_ranges(snap.id)?;
            Some(convert::folding_ranges(
                &snap.rope,
                &folds,
                snap.encoding,
                line_only,
            ))
        })
        .await
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let uri = params.text_document.uri;
        let positions = params.positions;
        self.query(&uri, "selection ranges", move |snap| {
            let (rope, enc) = (&snap.rope, snap.encoding);
            let offsets: Vec<_> = positions
                .iter()
                .map(|p| convert::offset(rope, *p, enc))
                .collect();
            let chains = snap.analysis.selection_ranges(snap.id, &offsets)?;
            Some(
                offsets
                    .iter()
                    .zip(&chains)
                    .map(|(at, chain)| convert::selection_range(rope, *at, chain, enc))
                    .collect(),
            )
        })
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let uri = params.text_document.uri;
        self.query(&uri, "document links", move |snap| {
            let links = snap.analysis.document_links(snap.id)?;
            Some(
                links
                    .iter()
                    .filter_map(|l| convert::document_link(&snap.rope, l, snap.encoding))
                    .collect(),
            )
        })
        .await
    }
}

/// A request that cannot be carried out, with the reason for the user.
fn request_failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

fn full_report(
    result_id: Option<String>,
    items: Vec<Diagnostic>,
) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id, items },
        },
    ))
}
