//! The server's state: open documents, the analysis host, negotiated settings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use picket_ide::{Analysis, AnalysisHost, EditableFile, FileId, FileKind, TextRange};
use picket_syntax::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::convert::{self, PositionEncoding};

/// Files larger than this are not analysed (the same default as `picket check`).
pub(crate) const MAX_FILE_SIZE: usize = 32 << 20;

/// The text of an open document.
#[derive(Debug)]
pub(crate) enum Text {
    /// Parsed and analysed.
    Analysed(EditableFile),
    /// Too large to analyse; kept as text so edits still apply.
    TooLarge(Rope),
}

impl Text {
    /// The text, analysed unless it is over the size limit.
    fn new(text: &str) -> Text {
        if text.len() > MAX_FILE_SIZE {
            Text::TooLarge(Rope::from_str(text))
        } else {
            Text::Analysed(EditableFile::new(text))
        }
    }

    pub(crate) fn rope(&self) -> &Rope {
        match self {
            Text::Analysed(f) => f.rope(),
            Text::TooLarge(r) => r,
        }
    }
}

#[derive(Debug)]
pub(crate) struct OpenDoc {
    pub(crate) id: FileId,
    pub(crate) version: i32,
    pub(crate) text: Text,
    /// How the file is named in messages, and what its path says it is (both fixed at open).
    label: String,
    kind: FileKind,
    /// Its path with symbolic links resolved, as the workspace index names files.
    pub(crate) path: Option<PathBuf>,
}

impl OpenDoc {
    /// Gives the host the document's current parse (or takes it away when too large).
    fn sync(&self, host: &mut AnalysisHost) {
        match &self.text {
            Text::Analysed(file) => {
                host.set_file(self.id, &self.label, self.kind, file.parsed().clone())
            }
            Text::TooLarge(_) => host.remove_file(self.id),
        }
    }
}

/// What the path of `uri` says about the file (a Helm chart template or plain YAML).
pub(crate) fn kind_of_path(path: &Path) -> FileKind {
    FileKind::of_path(path, Path::is_file)
}

/// What a diagnostics run needs, taken under the lock and used without it.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    pub(crate) uri: Uri,
    pub(crate) id: FileId,
    pub(crate) version: i32,
    pub(crate) rope: Rope,
    pub(crate) too_large: bool,
    pub(crate) analysis: Analysis,
    pub(crate) encoding: PositionEncoding,
    /// Every open document (this one included), to place results in other files.
    pub(crate) open: Arc<[(FileId, Uri, Rope)]>,
    /// The document's findings, if they were computed for this version.
    pub(crate) findings: Option<Arc<[picket_ide::Diagnostic]>>,
    /// The editor's settings.
    pub(crate) settings: Arc<crate::settings::Settings>,
    /// The behaviour profiles of the workspace.
    pub(crate) profiles: Arc<[picket_profile::Profile]>,
    /// Objects of files no editor has open, for network reviews.
    pub(crate) runtime_cache: Arc<crate::runtime::RuntimeCache>,
}

impl Snapshot {
    /// Places results anywhere in the workspace.
    pub(crate) fn locator(&self) -> convert::Locator<'_> {
        convert::Locator::new(&self.analysis, &self.open, self.encoding)
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) encoding: PositionEncoding,
    /// The client pulls diagnostics (LSP 3.17); otherwise the server pushes them.
    pub(crate) pull_diagnostics: bool,
    pub(crate) refresh_support: bool,
    /// The client shows `$/progress` for server-created tokens.
    pub(crate) work_done_progress: bool,
    /// Snippets and markdown in completions and hovers, as the client takes them.
    pub(crate) markup: convert::MarkupCaps,
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) docs: HashMap<Uri, OpenDoc>,
    pub(crate) host: AnalysisHost,
    /// Files of the workspace index, by path (open or not).
    pub(crate) workspace_files: HashMap<PathBuf, FileId>,
    /// The client can watch files for us (dynamic `workspace/didChangeWatchedFiles`).
    pub(crate) can_watch: bool,
    /// The client takes `LocationLink`s for go-to-definition.
    pub(crate) definition_links: bool,
    /// The last findings computed for each open document, with the version they are of.
    pub(crate) findings: HashMap<Uri, (i32, Arc<[picket_ide::Diagnostic]>)>,
    /// The editor's settings, laid over each document's `.picket.yaml`.
    pub(crate) settings: Arc<crate::settings::Settings>,
    /// Problems of the settings given at `initialize`, to show once initialized.
    pub(crate) settings_problems: Vec<String>,
    /// Counts watched-file updates; see [`State::touch`].
    pub(crate) clock: u64,
    /// The last watched-file update of each path, by [`State::clock`].
    pub(crate) touched: HashMap<PathBuf, u64>,
    /// The client shows document symbols as a tree (`hierarchicalDocumentSymbolSupport`).
    pub(crate) hierarchical_symbols: bool,
    /// The client folds whole lines only (`lineFoldingOnly`).
    pub(crate) line_folding_only: bool,
    /// The behaviour profiles read from [`State::profile_dirs`].
    pub(crate) profiles: Arc<[picket_profile::Profile]>,
    /// The folders profiles are read from (`picket.profiles` under each root).
    pub(crate) profile_dirs: Vec<PathBuf>,
    /// What the client's workspace edits can do (create files).
    pub(crate) edit_caps: crate::runtime::EditCaps,
    /// The client takes `workspace/codeLens/refresh`.
    pub(crate) code_lens_refresh: bool,
    /// Objects of files no editor has open, for network reviews.
    pub(crate) runtime_cache: Arc<crate::runtime::RuntimeCache>,
    next_id: u32,
}

fn path_label(uri: &Uri) -> String {
    uri.to_file_path()
        .map_or_else(|| uri.as_str().to_owned(), |p| p.display().to_string())
}

impl State {
    pub(crate) fn new_file_id(&mut self) -> FileId {
        self.next_id += 1;
        FileId(self.next_id)
    }

    /// The file id of a path already read from the workspace, or a new one.
    fn id_for(&mut self, path: Option<&Path>) -> FileId {
        if let Some(path) = path
            && let Some(&id) = self.workspace_files.get(path)
        {
            return id;
        }
        self.new_file_id()
    }

    /// Notes that a watched-file event just updated `path`, so that a scan that read it
    /// earlier does not overwrite the newer state.
    pub(crate) fn touch(&mut self, path: &Path) {
        self.clock += 1;
        self.touched.insert(path.to_owned(), self.clock);
    }

    /// Whether a watched-file event updated `path` after `since` (a [`State::clock`] reading).
    pub(crate) fn touched_after(&self, path: &Path, since: u64) -> bool {
        self.touched.get(path).is_some_and(|&t| t > since)
    }

    /// Whether an editor has `path` (resolved) open.
    pub(crate) fn is_open(&self, path: &Path) -> bool {
        self.docs.values().any(|d| d.path.as_deref() == Some(path))
    }

    pub(crate) fn open(&mut self, uri: Uri, version: i32, text: &str) {
        let path = uri.to_file_path().map(|p| crate::workspace::canonical(&p));
        let id = match self.docs.get(&uri) {
            Some(d) => d.id,
            None => self.id_for(path.as_deref()),
        };
        let kind = path.as_deref().map_or(FileKind::Yaml, kind_of_path);
        let doc = OpenDoc {
            id,
            version,
            text: Text::new(text),
            label: path_label(&uri),
            kind,
            path,
        };
        doc.sync(&mut self.host);
        self.docs.insert(uri, doc);
    }

    /// Applies changes in order. Returns false if the document is not open.
    pub(crate) fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let encoding = self.encoding;
        let Some(doc) = self.docs.get_mut(uri) else {
            return false;
        };
        for change in changes {
            match (&mut doc.text, change.range) {
                (Text::Analysed(file), Some(range)) => {
                    let r: TextRange = convert::text_range(file.rope(), range, encoding);
                    file.replace(r, &change.text);
                }
                (Text::TooLarge(rope), Some(range)) => {
                    let r = convert::text_range(rope, range, encoding);
                    let (s, e) = (
                        rope.byte_to_char(r.start().into()),
                        rope.byte_to_char(r.end().into()),
                    );
                    rope.remove(s..e);
                    rope.insert(s, &change.text);
                }
                (text, None) => *text = Text::new(&change.text),
            }
        }
        // An incremental edit may carry the file across the size limit either way.
        let len = doc.text.rope().len_bytes();
        match &doc.text {
            Text::TooLarge(rope) if len <= MAX_FILE_SIZE => doc.text = Text::new(&rope.to_string()),
            Text::Analysed(file) if len > MAX_FILE_SIZE => {
                doc.text = Text::TooLarge(file.rope().clone())
            }
            _ => {}
        }
        doc.version = version;
        doc.sync(&mut self.host);
        true
    }

    /// Forgets an open document. Returns its path, for the caller to read the saved file back
    /// into the index off the lock (it may be large).
    pub(crate) fn close(&mut self, uri: &Uri) -> Option<PathBuf> {
        self.findings.remove(uri);
        let doc = self.docs.remove(uri)?;
        let indexed_as = doc.path.as_ref().and_then(|p| self.workspace_files.get(p));
        if indexed_as != Some(&doc.id) {
            self.host.remove_file(doc.id);
        }
        doc.path
    }

    /// Puts a workspace file that no editor has open into the index (`Some`), or takes it out
    /// (`None`: deleted, excluded, or no longer holding Kubernetes objects). An open document
    /// is left alone: the editor's text wins over the disk.
    pub(crate) fn set_workspace_file(
        &mut self,
        path: &Path,
        file: Option<picket_ide::IndexedFile>,
    ) {
        if self.is_open(path) {
            return;
        }
        match file {
            Some(f) => {
                let id = match self.workspace_files.get(path) {
                    Some(&id) => id,
                    None => {
                        let id = self.new_file_id();
                        self.workspace_files.insert(path.to_owned(), id);
                        id
                    }
                };
                self.host.set_indexed_files([(id, f)]);
            }
            None => {
                if let Some(id) = self.workspace_files.remove(path) {
                    self.host.remove_file(id);
                }
            }
        }
    }

    pub(crate) fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.docs.get(uri)?;
        Some(Snapshot {
            uri: uri.clone(),
            id: doc.id,
            version: doc.version,
            rope: doc.text.rope().clone(),
            too_large: matches!(doc.text, Text::TooLarge(_)),
            analysis: self.host.analysis(),
            encoding: self.encoding,
            open: self.open_files(),
            settings: self.settings.clone(),
            profiles: self.profiles.clone(),
            runtime_cache: self.runtime_cache.clone(),
            findings: self
                .findings
                .get(uri)
                .filter(|(v, _)| *v == doc.version)
                .map(|(_, f)| f.clone()),
        })
    }

    /// The open documents, for placing results in them.
    pub(crate) fn open_files(&self) -> Arc<[(FileId, Uri, Rope)]> {
        self.docs
            .iter()
            .map(|(uri, d)| (d.id, uri.clone(), d.text.rope().clone()))
            .collect()
    }

    /// Whether `version` is still the current version of `uri`.
    pub(crate) fn is_current(&self, uri: &Uri, version: i32) -> bool {
        self.docs.get(uri).is_some_and(|d| d.version == version)
    }

    pub(crate) fn open_uris(&self) -> Vec<Uri> {
        self.docs.keys().cloned().collect()
    }
}
