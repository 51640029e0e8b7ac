//! `picket check`: read the inputs in parallel, analyse them together (CRDs in one file
//! validate custom resources in another), report.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use picket_ide::{AnalysisHost, Diagnostic, DiagnosticsConfig, FileId, ParsedFile};
use rayon::prelude::*;

use crate::config::Configs;
use crate::inputs::{self, InputError, Source};
use crate::{CheckArgs, Format, output};

/// One analysed file with its findings.
pub(crate) struct FileReport {
    pub(crate) source: Source,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Everything `check` found.
pub(crate) struct Report {
    pub(crate) files: Vec<FileReport>,
    pub(crate) errors: Vec<InputError>,
    pub(crate) bytes: u64,
    pub(crate) documents: usize,
    pub(crate) objects: usize,
    pub(crate) skipped: usize,
    pub(crate) elapsed: std::time::Duration,
}

impl Report {
    pub(crate) fn finding_count(&self) -> usize {
        self.files.iter().map(|f| f.diagnostics.len()).sum()
    }
}

pub(crate) fn run(args: CheckArgs) -> ExitCode {
    let start = Instant::now();
    let configs = Configs::new();
    let (paths, inputs, mut errors) = inputs::gather(&args.paths, args.input.no_ignore, &configs);

    let progress = (args.format == Format::Human
        && !args.quiet
        && std::io::stderr().is_terminal()
        && inputs.len() > 200)
        .then(|| {
            let bar = indicatif::ProgressBar::new(inputs.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} checking {pos}/{len} files {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });

    let read: Vec<Result<(Source, ParsedFile), InputError>> = inputs
        .par_iter()
        .map(|input| {
            let result = inputs::read(input, args.input.max_file_size, &args.input.stdin_filename)
                .map(|s| {
                    let parsed = ParsedFile::parse(&s.text);
                    (s, parsed)
                });
            if let Some(bar) = &progress {
                bar.inc(1);
            }
            result
        })
        .collect();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }

    let mut sources = Vec::with_capacity(read.len());
    let mut parsed_files = Vec::with_capacity(read.len());
    for (i, r) in read.into_iter().enumerate() {
        match r {
            Ok((source, parsed)) => {
                let id = FileId(i as u32);
                parsed_files.push(parsed);
                sources.push((id, source));
            }
            Err(e) => errors.push(e),
        }
    }
    let mut host = AnalysisHost::new();
    host.set_files(
        sources
            .iter()
            .zip(parsed_files)
            .map(|((id, s), p)| (*id, s.path.as_str(), s.kind, p)),
    );
    let analysis = host.analysis();
    let diagnostics: Vec<Vec<Diagnostic>> = sources
        .par_iter()
        .map(|(id, source)| {
            let config = DiagnosticsConfig {
                schema: true,
                rules: Some(configs.for_file(Path::new(&source.path))),
                fixes: true,
            };
            analysis.diagnostics(*id, &config).unwrap_or_default()
        })
        .collect();

    let mut report = Report {
        files: Vec::new(),
        errors,
        bytes: 0,
        documents: 0,
        objects: 0,
        skipped: 0,
        elapsed: start.elapsed(),
    };
    for ((id, source), diagnostics) in sources.into_iter().zip(diagnostics) {
        if let Some(stats) = analysis.stats(id) {
            report.documents += stats.documents;
            report.objects += stats.objects;
            report.skipped += usize::from(stats.template || stats.not_kubernetes);
        }
        report.bytes += source.text.len() as u64;
        report.files.push(FileReport {
            source,
            diagnostics,
        });
    }
    report.files.extend(config_reports(&configs));
    report.errors.sort_by(|a, b| a.path.cmp(&b.path));
    report.elapsed = start.elapsed();

    if inputs.is_empty() && report.errors.is_empty() {
        eprintln!(
            "warning: no YAML files found under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Err(e) = output::emit(args.format, args.quiet, &report) {
        // A closed pipe (`picket check | head`) is not an error worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the report: {e}");
        }
        return ExitCode::from(2);
    }
    if !report.errors.is_empty() {
        ExitCode::from(2)
    } else if report.finding_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The problems of every configuration file used, as findings in that file.
pub(crate) fn config_reports(configs: &Configs) -> Vec<FileReport> {
    configs
        .all_loaded()
        .into_iter()
        .filter(|l| !l.config.problems.is_empty())
        .map(|l| FileReport {
            source: Source {
                path: inputs::display_path(&l.path),
                kind: picket_ide::FileKind::Yaml,
                text: l.text.clone(),
            },
            diagnostics: l
                .config
                .problems
                .iter()
                .map(|p| Diagnostic {
                    code: "invalid-config",
                    severity: picket_ide::Severity::Error,
                    range: p.range,
                    message: p.message.clone(),
                    related: Vec::new(),
                    fixes: Vec::new(),
                })
                .collect(),
        })
        .collect()
}
