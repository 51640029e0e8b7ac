//! `cargo xtask dist`: the release binary and the VS Code extension package bundling it.
//!
//! Writes `target/dist/picket` (stripped) and `target/dist/picket-<version>-linux-x64.vsix`,
//! which carries the binary as `server/picket`: the extension finds it there when neither
//! `PICKET_SERVER_PATH` nor `picket.server.path` names another one.

use anyhow::Context;
use xshell::{Shell, cmd};

use crate::project_root;

pub(crate) fn run() -> anyhow::Result<()> {
    let root = project_root();
    let sh = Shell::new()?;
    sh.change_dir(&root);
    eprintln!("building picket (release)…");
    cmd!(sh, "cargo build --release --locked -p picket").run()?;
    let dist = root.join("target/dist");
    std::fs::create_dir_all(&dist)?;
    let binary = dist.join("picket");
    std::fs::copy(root.join("target/release/picket"), &binary)?;
    // Debug info triples the size of the package; users need none of it.
    if cmd!(sh, "strip {binary}").quiet().run().is_err() {
        eprintln!("strip not found: the binary keeps its debug info");
    }

    let ext = root.join("editors/vscode");
    sh.change_dir(&ext);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ext.join("package.json"))?)?;
    let version = manifest["version"]
        .as_str()
        .context("package.json has no version")?;
    if !ext.join("node_modules").is_dir() {
        eprintln!("installing the extension's npm packages…");
        cmd!(sh, "npm ci --no-audit --no-fund").run()?;
    }
    let server = ext.join("server");
    std::fs::create_dir_all(&server)?;
    std::fs::copy(&binary, server.join("picket"))?;
    cmd!(sh, "npm run typecheck --silent").run()?;
    cmd!(sh, "node build.mjs").run()?;
    let vsix = dist.join(format!("picket-{version}-linux-x64.vsix"));
    cmd!(
        sh,
        "npx vsce package --no-dependencies --target linux-x64 -o {vsix}"
    )
    .run()?;
    println!("{}", binary.display());
    println!("{}", vsix.display());
    Ok(())
}
