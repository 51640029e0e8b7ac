//! The three report formats of `picket check`: human (code frames), JSON and SARIF 2.1.0.

use std::io::Write;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use picket_ide::{Diagnostic, LineIndex, Severity, TextSize, all_codes};
use serde_json::{Value, json};

use crate::Format;
use crate::check::{FileReport, Report};

/// A position for people: 1-based line and column (columns count Unicode characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) offset: usize,
}

pub(crate) fn position(text: &str, index: &LineIndex, offset: TextSize) -> Pos {
    let lc = index.line_col(offset);
    let line_start = usize::from(index.line_start(lc.line).unwrap_or_default());
    let offset = usize::from(offset).min(text.len());
    let column = text
        .get(line_start..offset)
        .map_or(lc.col as usize, |s| s.chars().count())
        + 1;
    Pos {
        line: lc.line as usize + 1,
        column,
        offset,
    }
}

pub(crate) fn emit(format: Format, quiet: bool, report: &Report) -> std::io::Result<()> {
    match format {
        Format::Human => human(quiet, report),
        // Buffered: stdout is line-buffered, and pretty JSON is many short lines.
        Format::Json => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer_pretty(&mut out, &json_report(report))?;
            writeln!(out)?;
            out.flush()
        }
        Format::Sarif => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer_pretty(&mut out, &sarif_report(report))?;
            writeln!(out)?;
            out.flush()
        }
    }
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
        Severity::Hint => Level::NOTE,
    }
}

/// The lines `start..=end` (0-based) of `text` and the byte offset where they start.
fn excerpt<'t>(text: &'t str, index: &LineIndex, first: u32, last: u32) -> (&'t str, usize) {
    let start = usize::from(index.line_start(first).unwrap_or_default());
    let end = index.line_range(text, last).map_or(text.len(), |r| r.end);
    (&text[start..end.max(start)], start)
}

fn snippet<'a>(
    file: &'a FileReport,
    index: &LineIndex,
    range: picket_ide::TextRange,
    label: &'a str,
    primary: bool,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = &file.source.text;
    let first = index.line_col(range.start()).line;
    let last = index.line_col(range.end()).line.min(first + 5);
    let (lines, base) = excerpt(text, index, first, last);
    let start = usize::from(range.start()) - base;
    let end = (usize::from(range.end()) - base)
        .min(lines.len())
        .max(start);
    let kind = if primary {
        AnnotationKind::Primary
    } else {
        AnnotationKind::Context
    };
    Snippet::source(lines)
        .line_start(first as usize + 1)
        .path(file.source.path.as_str())
        .annotation(kind.span(start..end).label(label))
}

fn human(quiet: bool, report: &Report) -> std::io::Result<()> {
    let renderer = Renderer::styled();
    let mut out = std::io::BufWriter::new(anstream::stdout().lock());
    if !quiet {
        for file in &report.files {
            if file.diagnostics.is_empty() {
                continue;
            }
            let index = LineIndex::new(&file.source.text);
            for d in &file.diagnostics {
                let title = level(d.severity)
                    .primary_title(d.message.as_str())
                    .id(d.code);
                let mut group = annotate_snippets::Group::with_title(title)
                    .element(snippet(file, &index, d.range, "", true));
                for r in &d.related {
                    group =
                        group.element(snippet(file, &index, r.range, r.message.as_str(), false));
                }
                // The frame's `--> path:line:col` is what editors and terminals turn into links.
                writeln!(out, "{}", renderer.render(&[group]))?;
                for fix in &d.fixes {
                    let how = match fix.applicability {
                        picket_ide::picket_lint::Applicability::Safe => "picket fix",
                        picket_ide::picket_lint::Applicability::Unsafe => {
                            "picket fix --unsafe-fixes"
                        }
                    };
                    writeln!(out, "  = fix: {} ({how})", fix.title)?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    let mut err = anstream::stderr().lock();
    for e in &report.errors {
        writeln!(err, "error: {}: {}", e.path, e.message)?;
    }
    let findings = report.finding_count();
    let errors = report
        .files
        .iter()
        .flat_map(|f| &f.diagnostics)
        .filter(|d| d.severity == Severity::Error)
        .count();
    let files_with = report
        .files
        .iter()
        .filter(|f| !f.diagnostics.is_empty())
        .count();
    let summary = if findings == 0 {
        "No problems found".to_owned()
    } else {
        format!(
            "Found {findings} problem{} ({errors} error{}, {} other) in {files_with} file{}",
            plural(findings),
            plural(errors),
            findings - errors,
            plural(files_with)
        )
    };
    let size = if report.bytes >= 100_000 {
        format!("{:.1} MB", report.bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", report.bytes as f64 / 1e3)
    };
    writeln!(
        err,
        "{summary}; checked {} file{} ({size}, {} Kubernetes object{}{}) in {:.2}s{}",
        report.files.len(),
        plural(report.files.len()),
        report.objects,
        plural(report.objects),
        if report.skipped > 0 {
            format!(", {} skipped as templates or other YAML", report.skipped)
        } else {
            String::new()
        },
        report.elapsed.as_secs_f64(),
        if report.errors.is_empty() {
            String::new()
        } else {
            format!(
                "; {} input error{}",
                report.errors.len(),
                plural(report.errors.len())
            )
        },
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[derive(serde::Serialize)]
struct JsonPos {
    line: usize,
    column: usize,
    offset: usize,
}

#[derive(serde::Serialize)]
struct JsonRange {
    start: JsonPos,
    end: JsonPos,
}

#[derive(serde::Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    range: JsonRange,
}

#[derive(serde::Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    text: &'a str,
}

#[derive(serde::Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'a str,
    severity: &'static str,
    message: &'a str,
    range: JsonRange,
    related: Vec<JsonRelated<'a>>,
    fixes: Vec<JsonFix<'a>>,
}

#[derive(serde::Serialize)]
struct JsonTool {
    name: &'static str,
    version: &'static str,
}

#[derive(serde::Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    files: usize,
    bytes: u64,
    documents: usize,
    objects: usize,
    skipped: usize,
    findings: usize,
    input_errors: usize,
}

/// The `--format json` document. Serialized straight from these structs (field order is the
/// output's key order): a `serde_json::Value` tree costs more than the analysis on big runs.
#[derive(serde::Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: JsonTool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: JsonSummary,
}

fn json_report(report: &Report) -> JsonReport<'_> {
    let mut diagnostics = Vec::new();
    for file in &report.files {
        if file.diagnostics.is_empty() {
            continue;
        }
        let text = file.source.text.as_str();
        let index = LineIndex::new(text);
        let pos = |o: TextSize| {
            let p = position(text, &index, o);
            JsonPos {
                line: p.line,
                column: p.column,
                offset: p.offset,
            }
        };
        let range = |r: picket_ide::TextRange| JsonRange {
            start: pos(r.start()),
            end: pos(r.end()),
        };
        for d in &file.diagnostics {
            diagnostics.push(JsonDiagnostic {
                path: &file.source.path,
                code: d.code,
                severity: d.severity.as_str(),
                message: &d.message,
                range: range(d.range),
                related: d
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        message: &r.message,
                        range: range(r.range),
                    })
                    .collect(),
                fixes: d
                    .fixes
                    .iter()
                    .map(|f| JsonFix {
                        title: &f.title,
                        applicability: f.applicability.as_str(),
                        edits: f
                            .edits
                            .iter()
                            .map(|e| JsonEdit {
                                range: range(e.range),
                                text: &e.text,
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
    }
    JsonReport {
        version: 1,
        tool: JsonTool {
            name: "picket",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics,
        errors: report
            .errors
            .iter()
            .map(|e| JsonError {
                path: &e.path,
                message: &e.message,
            })
            .collect(),
        summary: JsonSummary {
            files: report.files.len(),
            bytes: report.bytes,
            documents: report.documents,
            objects: report.objects,
            skipped: report.skipped,
            findings: report.finding_count(),
            input_errors: report.errors.len(),
        },
    }
}

/// Percent-encodes a relative path for a SARIF `uri` (a URI reference).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sarif_region(text: &str, index: &LineIndex, r: picket_ide::TextRange) -> Value {
    let s = position(text, index, r.start());
    let e = position(text, index, r.end());
    json!({ "startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column })
}

fn sarif_report(report: &Report) -> Value {
    let mut codes = all_codes();
    codes.extend(picket_ide::picket_lint::rules().map(|r| (r.name, r.summary)));
    let rules: Vec<Value> = codes
        .iter()
        .map(|(id, description)| json!({ "id": id, "name": id, "shortDescription": { "text": description } }))
        .collect();
    let mut results = Vec::new();
    for file in &report.files {
        if file.diagnostics.is_empty() {
            continue;
        }
        let index = LineIndex::new(&file.source.text);
        for d in &file.diagnostics {
            results.push(sarif_result(file, &index, d, &codes));
        }
    }
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": { "text": format!("{}: {}", e.path, e.message) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(&e.path) } } }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "picket",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    })
}

fn sarif_result(
    file: &FileReport,
    index: &LineIndex,
    d: &Diagnostic,
    codes: &[(&str, &str)],
) -> Value {
    let text = &file.source.text;
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    };
    let mut result = json!({
        "ruleId": d.code,
        "level": level,
        "message": { "text": d.message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri(&file.source.path) },
            "region": sarif_region(text, index, d.range),
        }}],
    });
    if let Some(i) = codes.iter().position(|(c, _)| *c == d.code) {
        result["ruleIndex"] = json!(i);
    }
    if !d.related.is_empty() {
        result["relatedLocations"] = Value::Array(
            d.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    json!({
                        "id": i,
                        "message": { "text": r.message },
                        "physicalLocation": {
                            "artifactLocation": { "uri": uri(&file.source.path) },
                            "region": sarif_region(text, index, r.range),
                        },
                    })
                })
                .collect(),
        );
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "a: 1\nné: 🦀x\r\nz";
        let index = LineIndex::new(text);
        let at = |o: usize| position(text, &index, TextSize::new(o as u32));
        assert_eq!(
            at(0),
            Pos {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        let crab = text.find('🦀').unwrap();
        assert_eq!(
            at(crab),
            Pos {
                line: 2,
                column: 5,
                offset: crab
            }
        );
        assert_eq!(
            at(crab + 4),
            Pos {
                line: 2,
                column: 6,
                offset: crab + 4
            }
        );
        assert_eq!(
            at(text.len()),
            Pos {
                line: 3,
                column: 2,
                offset: text.len()
            }
        );
    }

    #[test]
    fn uris_are_encoded() {
        assert_eq!(uri("dir/my file.yaml"), "dir/my%20file.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
    }
}
