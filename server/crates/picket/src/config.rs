//! Finding each file's `.picket.yaml`: the nearest one in the file's directory or above it.
//! Configurations are read once per directory and shared.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use picket_ide::picket_lint::{CONFIG_FILE, Config};

/// A configuration file that was read, with its text (to report its problems).
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    pub(crate) config: Arc<Config>,
}

/// The configurations found so far, by directory.
#[derive(Debug, Default)]
pub(crate) struct Configs {
    by_dir: Mutex<HashMap<PathBuf, Option<Arc<Loaded>>>>,
    default: Arc<Config>,
}

impl Configs {
    pub(crate) fn new() -> Configs {
        Configs::default()
    }

    /// The configuration that applies to `path` (a file), or the default.
    pub(crate) fn for_file(&self, path: &Path) -> Arc<Config> {
        self.loaded_for(path)
            .map_or_else(|| self.default.clone(), |l| l.config.clone())
    }

    /// The configuration file that applies to `path`, if any.
    pub(crate) fn loaded_for(&self, path: &Path) -> Option<Arc<Loaded>> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let dir = abs.parent()?.to_owned();
        self.for_dir(&dir)
    }

    fn for_dir(&self, dir: &Path) -> Option<Arc<Loaded>> {
        if let Ok(cache) = self.by_dir.lock()
            && let Some(hit) = cache.get(dir)
        {
            return hit.clone();
        }
        let candidate = dir.join(CONFIG_FILE);
        let found = match std::fs::read_to_string(&candidate) {
            Ok(text) => Some(Arc::new(Loaded {
                config: Arc::new(Config::parse(&text, dir)),
                path: candidate,
                text,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                dir.parent().and_then(|p| self.for_dir(p))
            }
            // There, but unreadable (permissions, a directory, not UTF-8): say so rather than
            // silently using another configuration.
            Err(e) => Some(Arc::new(Loaded {
                config: Arc::new(Config::unreadable(dir, &e.to_string())),
                path: candidate,
                text: String::new(),
            })),
        };
        if let Ok(mut cache) = self.by_dir.lock() {
            cache.insert(dir.to_owned(), found.clone());
        }
        found
    }

    /// Every configuration file read so far.
    pub(crate) fn all_loaded(&self) -> Vec<Arc<Loaded>> {
        let mut out: Vec<Arc<Loaded>> = self
            .by_dir
            .lock()
            .map(|c| c.values().flatten().cloned().collect())
            .unwrap_or_default();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out.dedup_by(|a, b| a.path == b.path);
        out
    }
}
