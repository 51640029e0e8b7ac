//! Reading the workspace for what open documents depend on: the CustomResourceDefinitions
//! whose schemas validate custom resources, and every Kubernetes object that cross-resource
//! rules and navigation look at (a Service's pods, a workload's NetworkPolicies, the ConfigMap
//! a volume names); and each document's `.picket.yaml`.
//!
//! Files no editor has open are kept as [`IndexedFile`]s: summaries and CRDs without trees, so
//! memory grows with the objects of a repository, not with its bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use picket_ide::picket_lint::{CONFIG_FILE, Config};
use picket_ide::{IndexedFile, is_yaml_path};
use rayon::prelude::*;

use crate::state::{MAX_FILE_SIZE, kind_of_path};

/// The most YAML files one scan reads; past it the index is partial and the user is told.
pub(crate) const MAX_FILES: usize = 50_000;
/// The most YAML bytes one scan reads (the files' sizes added up).
pub(crate) const MAX_BYTES: u64 = 1 << 30;

/// What a scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// The files that hold Kubernetes objects.
    pub(crate) files: Vec<(PathBuf, IndexedFile)>,
    /// YAML files seen (not excluded by `.gitignore` or `.picket.yaml`).
    pub(crate) yaml_files: usize,
    /// YAML files left out because the scan reached [`MAX_FILES`] or [`MAX_BYTES`].
    pub(crate) over_limit: usize,
    /// YAML bytes read.
    pub(crate) bytes: u64,
}

/// Every YAML file under `roots` (honouring `.gitignore`, hidden directories and
/// `.picket.yaml` `ignore`) that holds Kubernetes objects, read on all cores. Never fails:
/// unreadable files are skipped with a log line. `progress` is called with (done, total) from
/// any thread.
pub(crate) fn scan(roots: &[PathBuf], progress: impl Fn(usize, usize) + Sync) -> Scan {
    let mut paths = Vec::new();
    for root in roots {
        for entry in ignore::WalkBuilder::new(root)
            .require_git(false)
            .build()
            .flatten()
        {
            let p = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file()) && is_yaml_path(p) {
                paths.push((entry.into_path(), 0u64));
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths.retain(|(p, _)| !config_for(p).is_ignored(p));
    let yaml_files = paths.len();
    // Within the limits, in path order.
    let mut bytes = 0u64;
    let mut kept = 0;
    for (path, size) in paths.iter_mut() {
        *size = std::fs::metadata(&*path).map_or(0, |m| m.len());
        if kept == MAX_FILES || bytes + *size > MAX_BYTES {
            break;
        }
        bytes += *size;
        kept += 1;
    }
    let over_limit = paths.len() - kept;
    paths.truncate(kept);
    let total = paths.len();
    let done = AtomicUsize::new(0);
    progress(0, total);
    let files: Vec<_> = paths
        .par_iter()
        .filter_map(|(path, _)| {
            let file = read(path);
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            file.map(|f| (path.clone(), f))
        })
        .collect();
    Scan {
        files,
        yaml_files,
        over_limit,
        bytes,
    }
}

/// Reads one file for the index: `None` when it is not a regular file (a FIFO would block,
/// a device never end), is too large, unreadable, not UTF-8, or holds no Kubernetes object.
pub(crate) fn read(path: &Path) -> Option<IndexedFile> {
    use std::io::Read;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        tracing::debug!(path = %path.display(), "not indexed: not a regular file");
        return None;
    }
    let mut bytes = Vec::new();
    let limit = MAX_FILE_SIZE as u64 + 1;
    let read = std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes));
    if let Err(e) = read {
        tracing::debug!(path = %path.display(), "not indexed: {e}");
        return None;
    }
    if bytes.len() > MAX_FILE_SIZE {
        tracing::debug!(path = %path.display(), "not indexed: over the size limit");
        return None;
    }
    let text = String::from_utf8(bytes).ok()?;
    // Cheap filter before parsing: an object has both.
    if !text.contains("apiVersion") || !text.contains("kind") {
        return None;
    }
    let file = IndexedFile::new(&path.display().to_string(), kind_of_path(path), &text);
    file.has_objects().then_some(file)
}

/// `path` with symbolic links resolved, so that one file has one name in the index whichever
/// way the editor reaches it. A path that does not exist (a deleted file) keeps its own name
/// under its resolved directory.
pub(crate) fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (
        path.parent().and_then(|d| d.canonicalize().ok()),
        path.file_name(),
    ) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_owned(),
    }
}

/// Whether the scan would leave `path` out: outside every root, or excluded by what the
/// walker honours (hidden directories, `.gitignore` at every level with negations, `.ignore`,
/// `.git/info/exclude`, global excludes) or by its `.picket.yaml`'s `ignore`. The walker itself
/// answers, walking only the directories on the way to `path`, so single files that change
/// after the scan follow exactly the scan's rules.
pub(crate) fn is_excluded(roots: &[PathBuf], path: &Path) -> bool {
    let Some(root) = roots.iter().find(|r| path.starts_with(r)) else {
        return true;
    };
    let target = path.to_owned();
    let on_the_way = target.clone();
    let found = ignore::WalkBuilder::new(root)
        .require_git(false)
        .filter_entry(move |e| on_the_way.starts_with(e.path()))
        .build()
        .flatten()
        .any(|e| e.path() == target);
    !found || config_for(path).is_ignored(path)
}

/// `.picket.yaml` files read so far, with the modification time and size they had.
type ConfigCache = HashMap<PathBuf, (Option<SystemTime>, u64, Arc<Config>)>;

static CONFIGS: Mutex<Option<ConfigCache>> = Mutex::new(None);

/// The configuration of the file at `path`: the nearest `.picket.yaml` in its directory or
/// above, or the default. A file is parsed again only when its modification time or size
/// changed, so edits to it apply at once and a keystroke costs a few `stat`s.
pub(crate) fn config_for(path: &Path) -> Arc<Config> {
    for dir in path.ancestors().skip(1) {
        let candidate = dir.join(CONFIG_FILE);
        let meta = match std::fs::metadata(&candidate) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return unreadable(&candidate, dir, &e),
        };
        let stamp = (meta.modified().ok(), meta.len());
        let mut cache = CONFIGS.lock().unwrap_or_else(|p| p.into_inner());
        let cache = cache.get_or_insert_with(HashMap::new);
        if let Some((time, len, config)) = cache.get(&candidate)
            && (*time, *len) == stamp
        {
            return config.clone();
        }
        return match std::fs::read_to_string(&candidate) {
            Ok(text) => {
                let config = Arc::new(Config::parse(&text, dir));
                cache.insert(candidate, (stamp.0, stamp.1, config.clone()));
                config
            }
            Err(e) => unreadable(&candidate, dir, &e),
        };
    }
    Arc::new(Config::default())
}

fn unreadable(file: &Path, dir: &Path, e: &std::io::Error) -> Arc<Config> {
    tracing::warn!(path = %file.display(), "cannot read the configuration: {e}");
    Arc::new(Config::unreadable(dir, &e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusion_follows_gitignore_hidden_directories_and_picket_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("build/out")).unwrap();
        std::fs::create_dir_all(root.join(".cache")).unwrap();
        std::fs::create_dir_all(root.join("app/vendor")).unwrap();
        std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
        std::fs::write(root.join("app/.gitignore"), "*.gen.yaml\n").unwrap();
        std::fs::write(root.join(CONFIG_FILE), "ignore: [\"app/vendor/**\"]\n").unwrap();
        for f in [
            "app/deploy.yaml",
            "build/out/deploy.yaml",
            ".cache/deploy.yaml",
            "app/x.gen.yaml",
            "x.gen.yaml",
            "app/vendor/deploy.yaml",
            "app/keep.gen.yaml",
            "ign/deploy.yaml",
            "excl.yaml",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "kind: x\n").unwrap();
        }
        // A negation one level down, `.ignore`, and git's own exclude file.
        std::fs::write(root.join("app/.gitignore"), "*.gen.yaml\n!keep.gen.yaml\n").unwrap();
        std::fs::write(root.join(".ignore"), "ign/\n").unwrap();
        std::fs::create_dir_all(root.join(".git/info")).unwrap();
        std::fs::write(root.join(".git/info/exclude"), "excl.yaml\n").unwrap();
        let roots = vec![root.clone()];
        let excluded = |p: &str| is_excluded(&roots, &root.join(p));
        assert!(!excluded("app/keep.gen.yaml"));
        assert!(excluded("ign/deploy.yaml"));
        assert!(excluded("excl.yaml"));
        assert!(!excluded("app/deploy.yaml"));
        assert!(excluded("build/out/deploy.yaml"));
        assert!(excluded(".cache/deploy.yaml"));
        assert!(excluded("app/x.gen.yaml"));
        assert!(
            !excluded("x.gen.yaml"),
            "app/.gitignore applies under app/ only"
        );
        assert!(excluded("app/vendor/deploy.yaml"));
        assert!(is_excluded(&roots, Path::new("/elsewhere/deploy.yaml")));
    }

    #[test]
    fn a_changed_configuration_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("deploy.yaml");
        let config = dir.path().join(CONFIG_FILE);
        std::fs::write(&config, "kubernetesVersion: \"1.30\"\n").unwrap();
        let first = config_for(&file);
        assert!(Arc::ptr_eq(&first, &config_for(&file)), "cached");
        std::fs::write(&config, "kubernetesVersion: \"1.29\"\nrules: {}\n").unwrap();
        let second = config_for(&file);
        assert!(!Arc::ptr_eq(&first, &second), "read again after a change");
    }
}
