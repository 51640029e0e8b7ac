//! `picket`: the Kubernetes manifest linter and language server.
//!
//! `picket check` lints files and directories for CI and terminals; `picket lsp` serves editors
//! over stdio. Both go through `picket-ide`, so they report the same findings.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod check;
mod config;
mod fix;
mod inputs;
mod output;
mod rules;
mod suggest;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Kubernetes manifest linter and language server.
#[derive(Debug, Parser)]
#[command(name = "picket", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// When to use colors in output.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    color: ColorWhen,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lint Kubernetes manifests: YAML syntax, schema (built-in kinds and CRDs found among
    /// the inputs) and the rules (`picket rules` lists them).
    ///
    /// Each file's configuration is the nearest `.picket.yaml` in its directory or above:
    /// rules on or off, severities, the target Kubernetes version, ignored paths, required
    /// labels. Findings are silenced by `# picket:ignore[rule] reason` on or above their line,
    /// `# picket:ignore-file[rule]`, or the object annotation `picket.dev/ignore: rule,…`.
    ///
    /// Directories are searched recursively for `.yaml` and `.yml` files, honouring
    /// `.gitignore`; files named explicitly are read whatever their extension. Files that hold
    /// no Kubernetes object, and Helm templates, are skipped quietly.
    ///
    /// Exit status: 0 when clean, 1 when there are findings, 2 on usage or input errors
    /// (missing, unreadable, binary or oversized files).
    Check(CheckArgs),
    /// Apply the rules' fixes: safe ones, and unsafe ones with `--unsafe-fixes`.
    ///
    /// Files are rewritten in place (atomically); `--diff` prints the edits instead. A file
    /// with YAML syntax errors is never touched. Exit status: 0 when done, 1 when `--diff`
    /// shows edits, 2 on input errors.
    Fix(FixArgs),
    /// Suggest least-privilege `securityContext` settings and seccomp profiles from behaviour
    /// profiles the runtime sensor recorded.
    ///
    /// Each profile is matched to a workload container of the manifests by namespace
    /// (`metadata.namespace`, else `--namespace`), workload kind and name, and container name.
    /// Prints every suggestion with its confidence and evidence, what was withheld and why,
    /// and the profiles and containers left unmatched. `--diff` prints the `securityContext`
    /// changes as a patch instead, `--write` makes them in place, `--out DIR` writes the
    /// seccomp profiles; each takes only suggestions at or above `--min-confidence`.
    ///
    /// Exit status: 0 when it ran (suggestions are not errors), 2 on usage or input errors
    /// (unreadable profiles or manifests, files that cannot be written).
    Suggest(SuggestArgs),
    /// List the rules, or show one rule's documentation.
    Rules(RulesArgs),
    /// Run the language server over stdin and stdout.
    Lsp,
}

#[derive(Debug, clap::Args)]
pub(crate) struct FixArgs {
    /// Files or directories to fix (`-` reads standard input and prints the result).
    /// Defaults to the current directory.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Also apply fixes that change what runs (most security fixes).
    #[arg(long)]
    unsafe_fixes: bool,

    /// Print the edits as a unified diff instead of writing them.
    #[arg(long)]
    diff: bool,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SuggestArgs {
    /// Manifest files or directories (searched as `picket check` does). Defaults to the
    /// current directory.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The folder of behaviour profiles (`*.json`, read recursively).
    #[arg(long, value_name = "DIR")]
    profiles: PathBuf,

    /// The namespace of manifests that do not set `metadata.namespace`.
    #[arg(long, value_name = "NAME", default_value = "default")]
    namespace: String,

    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = SuggestFormat::Human)]
    format: SuggestFormat,

    /// Print the manifest changes as a unified diff (and nothing else on standard output).
    #[arg(long, conflicts_with = "write")]
    diff: bool,

    /// Make the manifest changes in place (atomically).
    #[arg(long)]
    write: bool,

    /// Write the policy files here: seccomp profiles as `<name>.json` (Localhost) and
    /// `<name>.seccompprofile.yaml` (security-profiles-operator), and per workload
    /// `picket-<name>-networkpolicy.yaml` and `picket-<name>-ciliumnetworkpolicy.yaml`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Draw the observed traffic: a Graphviz DOT file at this path, and an SVG picture
    /// beside it (the same name with `.svg`).
    #[arg(long, value_name = "FILE")]
    graph: Option<PathBuf>,

    /// Apply and write only suggestions at least this sure.
    #[arg(long, value_enum, default_value_t = MinConfidence::Medium)]
    min_confidence: MinConfidence,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SuggestFormat {
    /// Suggestions with their evidence, for people.
    Human,
    /// One JSON document with everything the human report says.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MinConfidence {
    Low,
    Medium,
    High,
}

#[derive(Debug, clap::Args)]
pub(crate) struct RulesArgs {
    /// Show this rule's documentation.
    #[arg(value_name = "NAME")]
    name: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RulesFormat {
    /// A table, or the docs as Markdown.
    Human,
    /// A JSON array with one object per rule (or one object for NAME).
    Json,
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Files or directories to check (`-` reads standard input). Defaults to the current
    /// directory.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    #[command(flatten)]
    input: InputArgs,

    /// Print only the summary line (human format).
    #[arg(long, short)]
    quiet: bool,
}

/// How `check`, `fix` and `suggest` find and read their manifests.
#[derive(Debug, clap::Args)]
pub(crate) struct InputArgs {
    /// Largest file to analyse, in bytes (suffixes K, M, G are powers of 1024). Larger files
    /// are reported as input errors.
    #[arg(long, value_name = "SIZE", default_value = "32M", value_parser = parse_size)]
    max_file_size: u64,

    /// Also search files that `.gitignore` and `.ignore` exclude, and hidden directories.
    #[arg(long)]
    no_ignore: bool,

    /// The file name to report for standard input.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    stdin_filename: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Messages with code frames, for people.
    Human,
    /// One JSON document with every finding and input error.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size like 32M or 1048576"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{s}` is too large"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fix(args) => fix::run(args),
        Command::Suggest(args) => suggest::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Lsp => run_lsp(),
    }
}

fn run_lsp() -> ExitCode {
    // Logs go to stderr: stdout carries the protocol.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PICKET_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let clean = runtime.block_on(picket_lsp::run_stdio());
    // Do not wait for the thread blocked reading stdin: the client may keep it open.
    runtime.shutdown_background();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("32M"), Ok(32 << 20));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("2KiB"), Ok(2048));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("3X").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
