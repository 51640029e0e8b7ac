//! Reading the workspace for what open documents depend on: today, the CustomResourceDefinitions
//! whose schemas validate custom resources.

use std::path::PathBuf;

use picket_ide::{ParsedFile, is_yaml_path};

use crate::state::MAX_FILE_SIZE;

/// A workspace file that defines CRDs.
pub(crate) struct CrdFile {
    pub(crate) path: PathBuf,
    pub(crate) parsed: ParsedFile,
}

/// Every YAML file under `roots` (honouring `.gitignore`) that defines a CRD. Never fails:
/// unreadable files are skipped with a log line. `progress` is called with (done, total).
pub(crate) fn scan_crds(roots: &[PathBuf], mut progress: impl FnMut(usize, usize)) -> Vec<CrdFile> {
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
        // Cheap filter before parsing.
        if !text.contains("CustomResourceDefinition") {
            continue;
        }
        out.push(CrdFile {
            parsed: ParsedFile::parse(&text),
            path,
        });
    }
    progress(total, total);
    out
}
