//! Picket's build automation (`cargo xtask …`), in the rust-analyzer style: plain Rust, few
//! dependencies, run from anywhere in the repository.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod bench;
mod codegen;
mod dist;
mod test;
mod tidy;

use std::path::PathBuf;

mod flags {
    use std::path::PathBuf;

    xflags::xflags! {
        /// Picket's build automation.
        cmd xtask {
            /// Regenerate generated files (schema tables, …).
            cmd codegen {
                /// Fail if a generated file is out of date instead of writing it.
                optional --check
            }
            /// Run every check CI runs: fmt, clippy, codegen --check, tidy, all tests.
            cmd test {
                /// Only the tests (skip fmt, clippy, codegen and tidy).
                optional --quick
            }
            /// Build the release binary and the VS Code extension package (.vsix) bundling it,
            /// into target/dist/.
            cmd dist {}
            /// Check the sources for what the compiler does not (doc headers, stray markers).
            cmd tidy {}
            /// Measure `picket check` throughput and language-server latency and memory.
            cmd bench {
                /// The corpus to measure on (default: ../shared/corpus).
                optional --corpus path: PathBuf
                /// Repetitions of each `picket check` run (the median is reported).
                optional --runs n: usize
                /// Edits per language-server session.
                optional --edits n: usize
                /// Only the runtime sensor's overhead (needs root and the eBPF toolchain).
                optional --sensor-only
            }
            /// Print the YAML tree Picket builds for a file (a debugging aid).
            cmd print-tree {
                required path: PathBuf
            }
        }
    }
}

fn main() -> anyhow::Result<()> {
    let flags = flags::Xtask::from_env_or_exit();
    match flags.subcommand {
        flags::XtaskCmd::Codegen(cmd) => codegen::run(cmd.check),
        flags::XtaskCmd::Test(cmd) => test::run(cmd.quick),
        flags::XtaskCmd::Tidy(_) => tidy::run(),
        flags::XtaskCmd::Dist(_) => dist::run(),
        flags::XtaskCmd::Bench(cmd) => bench::run(bench::Options {
            corpus: cmd.corpus,
            runs: cmd.runs.unwrap_or(3),
            edits: cmd.edits.unwrap_or(40),
            sensor_only: cmd.sensor_only,
        }),
        flags::XtaskCmd::PrintTree(cmd) => {
            let text = std::fs::read_to_string(&cmd.path)?;
            let file = picket_syntax::ParsedFile::parse(&text);
            for d in file.documents() {
                println!("--- document at byte {}", u32::from(d.offset));
                print!("{}", d.doc.debug_tree());
            }
            Ok(())
        }
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
