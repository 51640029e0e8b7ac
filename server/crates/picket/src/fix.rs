//! `picket fix`: apply fixes in place, or show them as a diff.
//!
//! Safe fixes only unless `--unsafe-fixes`. A file that does not parse is never touched, and a
//! round of fixes that would leave invalid YAML is discarded (`picket_lint::fix_text`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use picket_ide::picket_lint::{self, Applicability};
use picket_ide::{AnalysisHost, DiagnosticsConfig, FileId, FileKind, ParsedFile};
use rayon::prelude::*;

use crate::FixArgs;
use crate::config::Configs;
use crate::inputs::{self, Input, Source};

/// What happened to one file.
struct Outcome {
    source: Source,
    input: Input,
    fixed: Option<String>,
    applied: Vec<(&'static str, String)>,
    note: Option<String>,
}

pub(crate) fn run(args: FixArgs) -> ExitCode {
    let configs = Configs::new();
    let (_, inputs, mut errors) = inputs::gather(&args.paths, args.input.no_ignore, &configs);
    let mut sources = Vec::new();
    for input in inputs {
        match inputs::read(&input, args.input.max_file_size, &args.input.stdin_filename) {
            Ok(s) => sources.push((input, s)),
            Err(e) => errors.push(e),
        }
    }
    let mut host = AnalysisHost::new();
    let parsed: Vec<ParsedFile> = sources
        .par_iter()
        .map(|(_, s)| ParsedFile::parse(&s.text))
        .collect();
    host.set_files(
        sources
            .iter()
            .zip(parsed)
            .enumerate()
            .map(|(i, ((_, s), p))| (FileId(i as u32), s.path.as_str(), s.kind, p)),
    );
    let analysis = host.analysis();
    let index = analysis.index();
    let outcomes: Vec<Outcome> = sources
        .into_par_iter()
        .enumerate()
        .map(|(i, (input, source))| {
            let id = FileId(i as u32);
            let stats = analysis.stats(id).unwrap_or_default();
            if source.kind == FileKind::HelmTemplate || stats.template || stats.not_kubernetes {
                return Outcome {
                    source,
                    input,
                    fixed: None,
                    applied: Vec::new(),
                    note: None,
                };
            }
            let config = configs.for_file(Path::new(&source.path));
            match picket_lint::fix_text(
                &source.text,
                id.0,
                &source.path,
                &index.without(id.0),
                &config,
                args.unsafe_fixes,
            ) {
                None => Outcome {
                    note: Some(
                        "not fixed: the file has YAML syntax errors (`picket check` shows them)"
                            .to_owned(),
                    ),
                    source,
                    input,
                    fixed: None,
                    applied: Vec::new(),
                },
                Some(o) => Outcome {
                    note: o.refused,
                    fixed: (o.text != source.text).then_some(o.text),
                    applied: o.applied,
                    source,
                    input,
                },
            }
        })
        .collect();

    let mut out = anstream::stdout().lock();
    let (mut files, mut fixes, mut failed) = (0, 0, false);
    for o in &outcomes {
        if let Some(note) = &o.note {
            eprintln!("{}: {note}", o.source.path);
        }
        let Some(fixed) = &o.fixed else { continue };
        files += 1;
        fixes += o.applied.len();
        if args.diff {
            let diff = similar::TextDiff::from_lines(o.source.text.as_str(), fixed.as_str());
            let text = diff
                .unified_diff()
                .context_radius(2)
                .header(
                    &diff_name("a", &o.source.path),
                    &diff_name("b", &o.source.path),
                )
                .to_string();
            if write!(out, "{text}").is_err() {
                return ExitCode::from(2);
            }
            continue;
        }
        let result = match &o.input {
            Input::Stdin => write!(out, "{fixed}"),
            Input::File(path) => write_atomically(path, fixed),
        };
        match result {
            Ok(()) => {
                let mut rules: Vec<&str> = o.applied.iter().map(|(r, _)| *r).collect();
                rules.sort_unstable();
                rules.dedup();
                if !matches!(o.input, Input::Stdin) {
                    eprintln!(
                        "{}: applied {} fixes ({})",
                        o.source.path,
                        o.applied.len(),
                        rules.join(", ")
                    );
                }
            }
            Err(e) => {
                eprintln!("error: {}: cannot write: {e}", o.source.path);
                failed = true;
            }
        }
    }
    // Stdin with nothing to fix still echoes the input, so the command works in a pipe.
    for o in &outcomes {
        if o.fixed.is_none() && matches!(o.input, Input::Stdin) && !args.diff {
            let _ = write!(out, "{}", o.source.text);
        }
    }
    for e in &errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    let verb = if args.diff { "would apply" } else { "applied" };
    eprintln!(
        "{verb} {fixes} fix{} in {files} file{}",
        if fixes == 1 { "" } else { "es" },
        if files == 1 { "" } else { "s" }
    );
    if !args.unsafe_fixes {
        let pending = unsafe_pending(&outcomes, &configs);
        if pending > 0 {
            eprintln!(
                "{pending} more findings have unsafe fixes: review them with `picket fix --unsafe-fixes --diff`"
            );
        }
    }
    if failed || !errors.is_empty() {
        ExitCode::from(2)
    } else if args.diff && files > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `a/path` for a relative path (as `git diff` writes them), the path itself if absolute.
pub(crate) fn diff_name(side: &str, path: &str) -> String {
    if Path::new(path).is_absolute() {
        path.to_owned()
    } else {
        format!("{side}/{path}")
    }
}

/// How many findings in the (fixed) files still offer only unsafe fixes.
fn unsafe_pending(outcomes: &[Outcome], configs: &Configs) -> usize {
    let mut host = AnalysisHost::new();
    let texts: Vec<(&str, &str, FileKind)> = outcomes
        .iter()
        .map(|o| {
            (
                o.source.path.as_str(),
                o.fixed.as_deref().unwrap_or(&o.source.text),
                o.source.kind,
            )
        })
        .collect();
    host.set_files(
        texts
            .iter()
            .enumerate()
            .map(|(i, (p, t, k))| (FileId(i as u32), *p, *k, ParsedFile::parse(t))),
    );
    let analysis = host.analysis();
    (0..texts.len())
        .into_par_iter()
        .map(|i| {
            let config = DiagnosticsConfig {
                schema: false,
                rules: Some(configs.for_file(Path::new(texts[i].0))),
                fixes: true,
            };
            analysis
                .diagnostics(FileId(i as u32), &config)
                .unwrap_or_default()
                .iter()
                .filter(|d| {
                    d.fixes
                        .iter()
                        .any(|f| f.applicability == Applicability::Unsafe)
                })
                .count()
        })
        .sum()
}

/// Writes through a temporary file in the same directory, keeping the permissions. A symbolic
/// link is followed: its target is rewritten, the link stays a link. A file that does not
/// exist yet is created.
pub(crate) fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let path = target.as_path();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.picket-fix.tmp"));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
