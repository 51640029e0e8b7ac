//! The analysis host (mutable, owned by one client) and its snapshots.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use picket_model::{DocumentClass, classify, is_template};
use picket_schema::{CrdDef, CrdRegistry, read_crd};
use picket_syntax::{Document, ParsedFile};

use crate::diagnostics::{Diagnostic, DiagnosticsConfig, document_diagnostics, shift};

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

#[derive(Debug)]
struct FileEntry {
    path: Arc<str>,
    kind: FileKind,
    parsed: ParsedFile,
    template: bool,
    crds: Vec<Arc<CrdDef>>,
    /// Per document, the diagnostics computed for a CRD generation.
    cache: Vec<DocCache>,
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
}

fn crds_of(path: &str, parsed: &ParsedFile) -> Vec<Arc<CrdDef>> {
    parsed
        .documents()
        .iter()
        .filter_map(|d| match classify(&d.doc) {
            DocumentClass::Object(o) => read_crd(o, path).map(Arc::new),
            _ => None,
        })
        .collect()
}

impl AnalysisHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a file.
    pub fn set_file(&mut self, id: FileId, path: &str, kind: FileKind, parsed: ParsedFile) {
        let old = self.files.get(&id).cloned();
        // Carry cached diagnostics over for documents that did not change.
        let mut old_cache: HashMap<*const Document, &DocCache> = HashMap::new();
        if let Some(old) = &old {
            for (d, c) in old.parsed.documents().iter().zip(&old.cache) {
                old_cache.insert(Arc::as_ptr(&d.doc), c);
            }
        }
        let cache = parsed
            .documents()
            .iter()
            .map(|d| {
                let carried = old_cache
                    .get(&Arc::as_ptr(&d.doc))
                    .and_then(|c| c.lock().ok().and_then(|g| g.clone()));
                Mutex::new(carried)
            })
            .collect();
        let template = kind == FileKind::HelmTemplate || is_template(&parsed);
        // Re-read CRDs only from documents that are new; reuse the rest.
        let crds = if template {
            Vec::new()
        } else {
            crds_of(path, &parsed)
        };
        let crds_changed = old.as_ref().map_or(!crds.is_empty(), |o| o.crds != crds);
        let entry = FileEntry {
            path: path.into(),
            kind,
            parsed,
            template,
            crds,
            cache,
        };
        Arc::make_mut(&mut self.files).insert(id, Arc::new(entry));
        if crds_changed {
            self.rebuild_crds();
        }
    }

    pub fn remove_file(&mut self, id: FileId) {
        if let Some(old) = Arc::make_mut(&mut self.files).remove(&id) {
            if !old.crds.is_empty() {
                self.rebuild_crds();
            }
        }
    }

    fn rebuild_crds(&mut self) {
        let mut registry = CrdRegistry::new();
        let mut ids: Vec<_> = self.files.keys().copied().collect();
        // Deterministic: later files (by id) win on duplicate definitions.
        ids.sort();
        for id in ids {
            for def in &self.files[&id].crds {
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
        let kubernetes = entry
            .parsed
            .documents()
            .iter()
            .any(|d| matches!(classify(&d.doc), DocumentClass::Object(_)));
        if !kubernetes {
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        for (doc, cache) in entry.parsed.documents().iter().zip(&entry.cache) {
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
        out.sort_by_key(|d| (d.range.start(), d.range.end()));
        Some(out)
    }

    /// The parsed file.
    pub fn parsed(&self, file: FileId) -> Option<&ParsedFile> {
        self.files.get(&file).map(|e| &e.parsed)
    }

    /// The path the file was added with.
    pub fn path(&self, file: FileId) -> Option<&str> {
        self.files.get(&file).map(|e| &*e.path)
    }

    /// Counts for a summary.
    pub fn stats(&self, file: FileId) -> Option<FileStats> {
        let e = self.files.get(&file)?;
        let documents = e
            .parsed
            .documents()
            .iter()
            .filter(|d| d.doc.root().is_some())
            .count();
        let objects = e
            .parsed
            .documents()
            .iter()
            .filter(|d| matches!(classify(&d.doc), DocumentClass::Object(_)))
            .count();
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
