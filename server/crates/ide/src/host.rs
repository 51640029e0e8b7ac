//! The analysis host (mutable, owned by one client) and its snapshots.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use picket_lint::{Index, Summary};

use picket_model::{DocumentClass, classify, is_template_document};
use picket_schema::{CrdDef, CrdRegistry, read_crd};
use picket_syntax::{Document, ParsedFile, TextSize};

use crate::diagnostics::{
    Diagnostic, DiagnosticsConfig, Severity, all_codes, document_diagnostics, from_violation, shift,
};

/// A file known to the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// What the client knows of a file from its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Plain YAML (maybe Kubernetes, maybe not).
    Yaml,
    /// A template of a Helm chart (`templates/` next to a `Chart.yaml`): never analysed.
    HelmTemplate,
}

impl FileKind {
    /// The kind of the file at `path`: a Helm template when it is under a `templates/`
    /// directory whose parent holds a `Chart.yaml`. `is_file` answers for the file system,
    /// which this crate does not touch.
    pub fn of_path(path: &Path, is_file: impl Fn(&Path) -> bool) -> FileKind {
        let in_chart = path.ancestors().skip(1).any(|dir| {
            dir.file_name().is_some_and(|n| n == "templates")
                && dir
                    .parent()
                    .is_some_and(|chart| is_file(&chart.join("Chart.yaml")))
        });
        if in_chart {
            return FileKind::HelmTemplate;
        }
        FileKind::Yaml
    }
}

/// Whether a path names a YAML file (`.yaml` or `.yml`, any case).
pub fn is_yaml_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Counts for a summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileStats {
    pub documents: usize,
    pub objects: usize,
    /// Skipped as a Helm or Go template.
    pub template: bool,
    /// No Kubernetes object in the file: skipped quietly.
    pub not_kubernetes: bool,
}

type DocCache = Mutex<Option<(u64, Arc<[Diagnostic]>)>>;

/// What is known of one document, reused as long as the document is unchanged.
#[derive(Debug)]
struct DocInfo {
    /// The CRDs the document defines (none, or one).
    crds: Vec<Arc<CrdDef>>,
    /// Whether the document holds a Kubernetes object.
    object: bool,
    /// Whether the document reads as a Helm or Go template (then the whole file is one).
    template: bool,
    /// What cross-resource rules need to know of its objects.
    summaries: Arc<[Summary]>,
    /// Diagnostics computed for a CRD generation.
    cache: DocCache,
}

#[derive(Debug)]
struct FileEntry {
    path: Arc<str>,
    kind: FileKind,
    /// The trees of the file; `None` for a file kept in the index only (a workspace file no
    /// editor has open), whose trees were dropped to bound memory.
    parsed: Option<ParsedFile>,
    /// Where each document starts in the file.
    offsets: Arc<[TextSize]>,
    template: bool,
    /// Parallel to the documents.
    docs: Vec<Arc<DocInfo>>,
}

impl FileEntry {
    /// The CRDs the file defines; a template defines none.
    fn crds(&self) -> impl Iterator<Item = &Arc<CrdDef>> {
        let docs: &[Arc<DocInfo>] = if self.template { &[] } else { &self.docs };
        docs.iter().flat_map(|d| &d.crds)
    }
}

/// A file read for the workspace index only: what its documents define and summarise, without
/// their trees. Made off the host (it parses), added with [`AnalysisHost::set_indexed_files`].
#[derive(Debug)]
pub struct IndexedFile {
    path: Arc<str>,
    kind: FileKind,
    offsets: Arc<[TextSize]>,
    template: bool,
    docs: Vec<Arc<DocInfo>>,
}

impl IndexedFile {
    /// Parses `text`, keeps its CRDs and object summaries, drops the trees.
    pub fn new(path: &str, kind: FileKind, text: &str) -> IndexedFile {
        let parsed = ParsedFile::parse(text);
        let docs: Vec<Arc<DocInfo>> = parsed
            .documents()
            .iter()
            .map(|d| Arc::new(doc_info(path, &d.doc)))
            .collect();
        IndexedFile {
            path: path.into(),
            kind,
            offsets: parsed.documents().iter().map(|d| d.offset).collect(),
            template: kind == FileKind::HelmTemplate || docs.iter().any(|d| d.template),
            docs,
        }
    }

    /// Whether the file holds any Kubernetes object.
    pub fn has_objects(&self) -> bool {
        !self.template && self.docs.iter().any(|d| d.object)
    }

    /// How many objects the file summarises.
    pub fn objects(&self) -> usize {
        self.docs.iter().map(|d| d.summaries.len()).sum()
    }
}

/// The mutable side: files come and go, CRDs follow.
#[derive(Debug, Default)]
pub struct AnalysisHost {
    files: Arc<HashMap<FileId, Arc<FileEntry>>>,
    crds: Arc<CrdRegistry>,
    crd_generation: u64,
}

/// An immutable snapshot of the host, cheap to clone and to send to another thread.
#[derive(Clone, Debug)]
pub struct Analysis {
    files: Arc<HashMap<FileId, Arc<FileEntry>>>,
    crds: Arc<CrdRegistry>,
    crd_generation: u64,
    /// Every object of the snapshot, for cross-resource rules; built on first use.
    index: Arc<OnceLock<Index>>,
}

fn doc_info(path: &str, doc: &Document) -> DocInfo {
    let (object, crds) = match classify(doc) {
        DocumentClass::Object(o) => (true, read_crd(o, path).map(Arc::new).into_iter().collect()),
        _ => (false, Vec::new()),
    };
    let template = is_template_document(doc);
    DocInfo {
        crds,
        object,
        summaries: if object && !template {
            picket_lint::summarize(doc).into()
        } else {
            Arc::from(Vec::new())
        },
        template,
        cache: Mutex::new(None),
    }
}

impl AnalysisHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file. Documents that did not change (the same `Arc<Document>`) keep
    /// their CRDs and cached diagnostics; only the changed ones are read again.
    pub fn set_file(&mut self, id: FileId, path: &str, kind: FileKind, parsed: ParsedFile) {
        if self.put_file(id, path, kind, parsed) {
            self.rebuild_crds();
        }
    }

    /// Adds or replaces many files, rebuilding the CRD registry once at the end (a run of
    /// `picket check`, the workspace scan).
    pub fn set_files<'p>(
        &mut self,
        files: impl IntoIterator<Item = (FileId, &'p str, FileKind, ParsedFile)>,
    ) {
        let mut changed = false;
        for (id, path, kind, parsed) in files {
            changed |= self.put_file(id, path, kind, parsed);
        }
        if changed {
            self.rebuild_crds();
        }
    }

    /// Stores a file; returns whether the CRDs it defines changed.
    fn put_file(&mut self, id: FileId, path: &str, kind: FileKind, parsed: ParsedFile) -> bool {
        let old = self.files.get(&id).cloned();
        let mut reusable: HashMap<*const Document, &Arc<DocInfo>> = HashMap::new();
        if let Some(old) = &old
            && &*old.path == path
            && let Some(parsed) = &old.parsed
        {
            for (d, info) in parsed.documents().iter().zip(&old.docs) {
                reusable.insert(Arc::as_ptr(&d.doc), info);
            }
        }
        let docs: Vec<Arc<DocInfo>> = parsed
            .documents()
            .iter()
            .map(|d| match reusable.get(&Arc::as_ptr(&d.doc)) {
                Some(info) => Arc::clone(info),
                None => Arc::new(doc_info(path, &d.doc)),
            })
            .collect();
        let template = kind == FileKind::HelmTemplate || docs.iter().any(|d| d.template);
        let entry = FileEntry {
            path: path.into(),
            kind,
            offsets: parsed.documents().iter().map(|d| d.offset).collect(),
            parsed: Some(parsed),
            template,
            docs,
        };
        self.insert_entry(id, old, entry)
    }

    /// Stores an entry; returns whether the CRDs changed.
    fn insert_entry(&mut self, id: FileId, old: Option<Arc<FileEntry>>, entry: FileEntry) -> bool {
        let before: Vec<_> = old.iter().flat_map(|o| o.crds()).map(Arc::as_ptr).collect();
        let after: Vec<_> = entry.crds().map(Arc::as_ptr).collect();
        let crds_changed = before != after;
        Arc::make_mut(&mut self.files).insert(id, Arc::new(entry));
        crds_changed
    }

    /// Adds or replaces files kept for the index only (workspace files no editor has open),
    /// rebuilding the CRD registry once.
    pub fn set_indexed_files(&mut self, files: impl IntoIterator<Item = (FileId, IndexedFile)>) {
        let mut changed = false;
        for (id, f) in files {
            let old = self.files.get(&id).cloned();
            let entry = FileEntry {
                path: f.path,
                kind: f.kind,
                parsed: None,
                offsets: f.offsets,
                template: f.template,
                docs: f.docs,
            };
            changed |= self.insert_entry(id, old, entry);
        }
        if changed {
            self.rebuild_crds();
        }
    }

    pub fn remove_file(&mut self, id: FileId) {
        if let Some(old) = Arc::make_mut(&mut self.files).remove(&id)
            && old.crds().next().is_some()
        {
            self.rebuild_crds();
        }
    }

    fn rebuild_crds(&mut self) {
        let mut registry = CrdRegistry::new();
        let mut ids: Vec<_> = self.files.keys().copied().collect();
        // Deterministic: later files (by id) win on duplicate definitions.
        ids.sort();
        for id in ids {
            for def in self.files[&id].crds() {
                registry.insert(def.clone());
            }
        }
        self.crds = Arc::new(registry);
        self.crd_generation += 1;
    }

    /// Custom resource definitions known right now.
    pub fn crds(&self) -> &CrdRegistry {
        &self.crds
    }

    /// A snapshot to query.
    pub fn analysis(&self) -> Analysis {
        Analysis {
            files: self.files.clone(),
            crds: self.crds.clone(),
            crd_generation: self.crd_generation,
            index: Arc::new(OnceLock::new()),
        }
    }
}

impl Analysis {
    /// Every diagnostic of `file`, in text order; `None` if the file is unknown.
    pub fn diagnostics(&self, file: FileId, config: &DiagnosticsConfig) -> Option<Vec<Diagnostic>> {
        let entry = self.files.get(&file)?;
        if entry.template || entry.kind == FileKind::HelmTemplate {
            return Some(Vec::new());
        }
        if !entry.docs.iter().any(|d| d.object) {
            return Some(Vec::new());
        }
        let Some(parsed) = &entry.parsed else {
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        for (doc, info) in parsed.documents().iter().zip(&entry.docs) {
            let cache = &info.cache;
            let cached = cache
                .lock()
                .ok()
                .and_then(|g| g.clone())
                .filter(|(generation, _)| *generation == self.crd_generation);
            let diags = match cached {
                Some((_, d)) => d,
                None => {
                    let fresh: Arc<[Diagnostic]> =
                        document_diagnostics(&doc.doc, &self.crds, config).into();
                    if let Ok(mut slot) = cache.lock() {
                        *slot = Some((self.crd_generation, fresh.clone()));
                    }
                    fresh
                }
            };
            out.extend(shift(doc, &diags));
        }
        if let Some(rules) = &config.rules {
            self.add_rule_findings(file, parsed, rules, config.fixes, &mut out);
        }
        out.sort_by_key(|d| (d.range.start(), d.range.end()));
        Some(out)
    }

    /// Runs the rules over a file, then applies its suppression comments to every finding.
    fn add_rule_findings(
        &self,
        file: FileId,
        parsed: &ParsedFile,
        rules: &picket_lint::Config,
        fixes: bool,
        out: &mut Vec<Diagnostic>,
    ) {
        let codes = all_codes();
        let known = |name: &str| codes.iter().any(|(c, _)| *c == name);
        let check = || picket_lint::check_file(parsed, file.0, self.index(), rules, known);
        let report = if fixes {
            check()
        } else {
            picket_lint::edit::without_fixes(check)
        };
        // Documents whose apiVersion or kind a deprecation rule already explains.
        let explained: Vec<usize> = report
            .violations
            .iter()
            .filter(|v| {
                matches!(
                    v.rule.name,
                    "removed-api-version" | "deprecated-api-version" | "pod-security-policy"
                )
            })
            .map(|v| parsed.document_index_at(v.range.start()))
            .collect();
        out.retain(|d| {
            let start = usize::from(d.range.start());
            let suppressed =
                d.code != "yaml-syntax" && report.suppressions.suppresses(d.code, start);
            // A removed apiVersion (or kind) is the rule's finding, with its migration; the
            // schema's "unknown apiVersion/kind" would say the same thing twice.
            let duplicate = matches!(d.code, "unknown-api-version" | "unknown-kind")
                && explained.contains(&parsed.document_index_at(d.range.start()));
            !suppressed && !duplicate
        });
        out.extend(report.violations.into_iter().map(from_violation));
        out.extend(report.suppressions.problems.iter().map(|p| Diagnostic {
            code: "invalid-suppression",
            severity: Severity::Warning,
            range: p.range,
            message: p.message.clone(),
            related: Vec::new(),
            fixes: Vec::new(),
        }));
    }

    /// The index of every object in the snapshot.
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::new();
            let mut ids: Vec<_> = self.files.keys().copied().collect();
            ids.sort();
            for id in ids {
                let e = &self.files[&id];
                if e.template || e.kind == FileKind::HelmTemplate {
                    continue;
                }
                index.add_file(
                    id.0,
                    e.path.clone(),
                    e.docs.iter().map(|d| d.summaries.clone()),
                );
            }
            index
        })
    }

    /// Whether `other` is a snapshot of the same files (no file changed in between): for
    /// callers that cache what they derive from every file.
    pub fn same_files(&self, other: &Analysis) -> bool {
        Arc::ptr_eq(&self.files, &other.files)
    }

    /// The parsed file.
    pub fn parsed(&self, file: FileId) -> Option<&ParsedFile> {
        self.files.get(&file)?.parsed.as_ref()
    }

    /// Where document `doc` of `file` starts (also for files kept in the index only).
    pub fn document_offset(&self, file: FileId, doc: u32) -> Option<TextSize> {
        self.files.get(&file)?.offsets.get(doc as usize).copied()
    }

    /// The document of `file` that holds `offset`: its number, where it starts, and the
    /// summaries of its objects (empty for a template or a non-Kubernetes document).
    pub(crate) fn summaries_at(
        &self,
        file: FileId,
        offset: TextSize,
    ) -> Option<(u32, TextSize, &[Summary])> {
        let e = self.files.get(&file)?;
        if e.template {
            return None;
        }
        let i = match e.offsets.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.checked_sub(1)?,
        };
        Some((i as u32, e.offsets[i], &e.docs.get(i)?.summaries))
    }

    /// Every document of `file` with where it starts and its object summaries.
    pub(crate) fn summaries_of(
        &self,
        file: FileId,
    ) -> impl Iterator<Item = (u32, TextSize, &[Summary])> + '_ {
        self.files
            .get(&file)
            .filter(|e| !e.template)
            .into_iter()
            .flat_map(|e| {
                e.offsets
                    .iter()
                    .zip(&e.docs)
                    .enumerate()
                    .map(|(i, (o, d))| (i as u32, *o, &*d.summaries))
            })
    }

    /// Every file of the snapshot.
    pub fn files(&self) -> impl Iterator<Item = FileId> + '_ {
        self.files.keys().copied()
    }

    /// The path the file was added with.
    pub fn path(&self, file: FileId) -> Option<&str> {
        self.files.get(&file).map(|e| &*e.path)
    }

    /// Counts for a summary.
    pub fn stats(&self, file: FileId) -> Option<FileStats> {
        let e = self.files.get(&file)?;
        let documents = e.parsed.as_ref().map_or(0, |p| {
            p.documents()
                .iter()
                .filter(|d| d.doc.root().is_some())
                .count()
        });
        let objects = e.docs.iter().filter(|d| d.object).count();
        Some(FileStats {
            documents,
            objects,
            template: e.template,
            not_kubernetes: objects == 0 && !e.template,
        })
    }

    /// Custom resource definitions known to this snapshot.
    pub fn crds(&self) -> &CrdRegistry {
        &self.crds
    }
}
