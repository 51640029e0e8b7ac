//! Reading the workspace for what open documents depend on: the CustomResourceDefinitions
//! whose schemas validate custom resources, and every Kubernetes object that cross-resource
//! rules compare with (a Service's pods, a workload's NetworkPolicies); and each document's
//! `.picket.yaml`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use picket_ide::picket_lint::{CONFIG_FILE, Config};

use picket_ide::{ParsedFile, is_yaml_path};

use crate::state::MAX_FILE_SIZE;

/// A workspace file that holds Kubernetes objects.
pub(crate) struct WorkspaceFile {
    pub(crate) path: PathBuf,
    pub(crate) parsed: ParsedFile,
}

/// Every YAML file under `roots` (honouring `.gitignore` and `.picket.yaml` `ignore`) that
/// holds Kubernetes objects. Never fails: unreadable files are skipped with a log line.
/// `progress` is called with (done, total).
pub(crate) fn scan(
    roots: &[PathBuf],
    mut progress: impl FnMut(usize, usize),
) -> Vec<WorkspaceFile> {
    let mut paths = Vec::new();
    for root in roots {
        for entry in ignore::WalkBuilder::new(root)
            .require_git(false)
            .build()
            .flatten()
        {
            let p = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file()) && is_yaml_path(p) {
                paths.push(entry.into_path());
            }
        }
    }
    paths.sort();
    let total = paths.len();
    let mut out = Vec::new();
    for (i, path) in paths.into_iter().enumerate() {
        progress(i, total);
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.len() as usize > MAX_FILE_SIZE {
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                tracing::debug!(path = %path.display(), "skipping unreadable file: {e}");
                continue;
            }
        };
        // Cheap filter before parsing: an object has both.
        if !text.contains("apiVersion") || !text.contains("kind") {
            continue;
        }
        if config_for(&path).is_ignored(&path) {
            continue;
        }
        out.push(WorkspaceFile {
            parsed: ParsedFile::parse(&text),
            path,
        });
    }
    progress(total, total);
    out
}

/// The configuration of the file at `path`: the nearest `.picket.yaml` in its directory or
/// above, or the default. Read each time: the file is small, and edits to it apply at once.
pub(crate) fn config_for(path: &Path) -> Arc<Config> {
    for dir in path.ancestors().skip(1) {
        let candidate = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&candidate) {
            Ok(text) => return Arc::new(Config::parse(&text, dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(path = %candidate.display(), "cannot read the configuration: {e}");
                return Arc::new(Config::unreadable(dir, &e.to_string()));
            }
        }
    }
    Arc::new(Config::default())
}
