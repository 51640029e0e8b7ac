//! Picket's build automation (`cargo xtask …`), in the rust-analyzer style: plain Rust, few
//! dependencies, run from anywhere in the repository.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod codegen;

use std::path::PathBuf;

mod flags {
    xflags::xflags! {
        /// Picket's build automation.
        cmd xtask {
            /// Regenerate generated files (schema tables, …).
            cmd codegen {
                /// Fail if a generated file is out of date instead of writing it.
                optional --check
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let flags = flags::Xtask::from_env_or_exit();
    match flags.subcommand {
        flags::XtaskCmd::Codegen(cmd) => codegen::run(cmd.check),
    }
}

/// The repository root.
pub(crate) fn project_root() -> PathBuf {
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
    PathBuf::from(dir)
        .parent()
        .expect("xtask is in the repository root")
        .to_path_buf()
}
