//! Tests over the profiles in `fixtures/profiles/`: they are valid, and what the policy side
//! suggests from them matches the snapshots in `tests/snapshots/`.
//!
//! Snapshots are plain files compared as text; `PICKET_UPDATE_SNAPSHOTS=1 cargo test -p
//! picket-policy` rewrites the ones that differ (review them with `git diff`).

mod fixtures;
mod netpol;
mod seccomp;
mod security_context;

use std::path::{Path, PathBuf};

use picket_profile::Profile;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn profiles_dir() -> PathBuf {
    repo_root().join("fixtures/profiles")
}

/// The fixture profile `fixtures/profiles/<name>.json`.
#[track_caller]
fn profile(name: &str) -> Profile {
    let path = profiles_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    Profile::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares `actual` with `tests/snapshots/<name>`, or writes it there when
/// `PICKET_UPDATE_SNAPSHOTS` is set.
#[track_caller]
fn check_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("PICKET_UPDATE_SNAPSHOTS").is_some() {
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() != Some(actual) {
            std::fs::write(&path, actual)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        }
        return;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        panic!(
            "no snapshot {}: run with PICKET_UPDATE_SNAPSHOTS=1 to write it",
            path.display()
        );
    };
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        panic!(
            "snapshot {} differs (PICKET_UPDATE_SNAPSHOTS=1 rewrites it):\n{diff}",
            path.display()
        );
    }
}

/// `value` as pretty JSON with a final newline.
fn pretty(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap();
    text.push('\n');
    text
}
