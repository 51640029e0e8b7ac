//! With the `ebpf` feature: builds the eBPF programs and puts them in `OUT_DIR`, where
//! `src/programs.rs` embeds them.
//!
//! - `sensor-ebpf` (Rust, its own workspace, nightly, `bpfel-unknown-none`) through `aya-build`;
//! - `sensor-ebpf/c/inbound.bpf.c` (C with CO-RE, for the one hook that reads kernel structs)
//!   through `clang-22`, against a `vmlinux.h` dumped by `bpftool` from the build machine's BTF
//!   (`PICKET_VMLINUX_BTF` names another BTF file). CO-RE relocates it on any kernel with BTF.
//!
//! `runtime-ebpf/scripts/install-ebpf-toolchain.sh` installs all of it.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "ebpf")]
    if let Err(err) = ebpf::build() {
        println!("cargo:warning=building the eBPF programs failed: {err:#}");
        println!(
            "cargo:warning=install the toolchain with runtime-ebpf/scripts/install-ebpf-toolchain.sh, or build without the `ebpf` feature"
        );
        std::process::exit(1);
    }
}

#[cfg(feature = "ebpf")]
mod ebpf {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use anyhow::{Context, Result, bail};

    pub(super) fn build() -> Result<()> {
        let manifest =
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").context("CARGO_MANIFEST_DIR")?);
        let out = PathBuf::from(std::env::var("OUT_DIR").context("OUT_DIR")?);
        let ebpf = manifest
            .join("../sensor-ebpf")
            .canonicalize()
            .context("runtime-ebpf/sensor-ebpf")?;
        // Editing the shared layouts must rebuild the programs (aya-build only watches the
        // eBPF package's own directory).
        println!(
            "cargo:rerun-if-changed={}",
            manifest.join("../sensor-common").display()
        );

        // The eBPF crate is its own workspace: aya-build runs `cargo build --package` in the
        // current directory, so run it from there.
        std::env::set_current_dir(&ebpf).context("entering sensor-ebpf")?;
        let root = ebpf.to_str().context("non-UTF-8 path")?;
        aya_build::build_ebpf(
            [aya_build::Package {
                name: "picket-sensor-ebpf",
                root_dir: root,
                ..Default::default()
            }],
            aya_build::Toolchain::default(),
        )?;

        build_c(&ebpf.join("c"), &out)
    }

    fn build_c(dir: &Path, out: &Path) -> Result<()> {
        println!("cargo:rerun-if-changed={}", dir.display());
        println!("cargo:rerun-if-env-changed=PICKET_VMLINUX_BTF");
        let btf = std::env::var("PICKET_VMLINUX_BTF")
            .unwrap_or_else(|_| "/sys/kernel/btf/vmlinux".into());
        let vmlinux = out.join("vmlinux.h");
        let dump = Command::new("bpftool")
            .args(["btf", "dump", "file", &btf, "format", "c"])
            .output()
            .context("running bpftool (Debian package `bpftool`)")?;
        if !dump.status.success() {
            bail!(
                "bpftool btf dump file {btf}: {}",
                String::from_utf8_lossy(&dump.stderr).trim()
            );
        }
        std::fs::write(&vmlinux, dump.stdout).context("writing vmlinux.h")?;
        let arch = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
            Ok("x86_64") => "x86",
            Ok("aarch64") => "arm64",
            Ok(other) => bail!("no eBPF target arch for {other}"),
            Err(_) => bail!("CARGO_CFG_TARGET_ARCH not set"),
        };
        let status = Command::new("clang-22")
            .args([
                "-target",
                "bpf",
                "-O2",
                "-g",
                "-Wall",
                "-Werror",
                "-Wno-default-const-init-var-unsafe",
            ])
            .arg(format!("-D__TARGET_ARCH_{arch}"))
            .arg("-I")
            .arg(out)
            .arg("-I")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("inbound.bpf.c"))
            .arg("-o")
            .arg(out.join("inbound.bpf.o"))
            .status()
            .context("running clang-22 (Debian package `clang-22`)")?;
        if !status.success() {
            bail!("clang-22 failed on inbound.bpf.c ({status})");
        }
        Ok(())
    }
}
