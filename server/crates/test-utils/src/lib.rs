//! Test helpers shared by Picket's crates (and the benchmark driver in xtask).
//!
//! - [`extract_annotations`]: expectations written as YAML comments under the line they
//!   describe (`#   ^^^^ error[unknown-field]: Unknown field …`);
//! - [`corpus_dir`] and [`skip`]: the shared corpus, and skipping with a printed reason;
//! - [`lsp::Client`]: a small synchronous Language Server Protocol client over pipes.
//!
//! Architecture Invariant: this crate depends on no other Picket crate, so any crate can use
//! it as a dev-dependency without cycles.

#![allow(clippy::print_stderr)]

pub mod lsp;

use std::path::{Path, PathBuf};

/// An expectation written in a fixture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub severity: String,
    pub code: String,
    pub message: String,
}

/// Reads annotations from a YAML text. An annotation is a comment line whose carets mark
/// columns of the closest line above that is not an annotation:
///
/// ```text
/// spec:
///   contaienrs: []
/// # ^^^^^^^^^^ error[unknown-field]: Unknown field `contaienrs` in PodSpec…
/// ```
///
/// A `#` directly followed by `^` counts as a caret too, to mark column 0. A message ending
/// in `…` matches any message that starts with the text before it.
pub fn extract_annotations(text: &str) -> Vec<Annotation> {
    let mut out = Vec::new();
    let mut target: Option<(usize, &str)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(a) = parse_annotation(body) {
            if let Some((line_start, target_line)) = target {
                let (col_start, col_end, severity, code, message) = a;
                let start = line_start + col_start.min(target_line.len());
                let end = line_start + col_end.min(target_line.len());
                out.push(Annotation {
                    start,
                    end,
                    severity,
                    code,
                    message,
                });
            }
        } else {
            target = Some((offset, body));
        }
        offset += line.len();
    }
    out
}

type Parsed = (usize, usize, String, String, String);

fn parse_annotation(line: &str) -> Option<Parsed> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('#') {
        return None;
    }
    let hash = line.len() - trimmed.len();
    let b = line.as_bytes();
    let caret = line[hash + 1..]
        .find(|c: char| c != ' ')
        .map(|i| hash + 1 + i)?;
    if b[caret] != b'^' {
        return None;
    }
    let mut start = caret;
    if caret == hash + 1 {
        start = hash;
    }
    let mut end = caret;
    while end < b.len() && b[end] == b'^' {
        end += 1;
    }
    let rest = line[end..].trim_start();
    let (severity, rest) = rest.split_once('[')?;
    let (code, rest) = rest.split_once("]:")?;
    Some((
        start,
        end,
        severity.trim().to_owned(),
        code.trim().to_owned(),
        rest.trim().to_owned(),
    ))
}

/// Compares found `(start, end, severity, code, message)` tuples with the annotations of
/// `text`, and panics with a readable diff if they differ.
#[track_caller]
pub fn assert_annotations(text: &str, found: &[(usize, usize, String, String, String)]) {
    let want = extract_annotations(text);
    let mut missing = Vec::new();
    let mut used = vec![false; found.len()];
    for w in &want {
        let hit = found.iter().enumerate().position(|(i, f)| {
            !used[i]
                && f.0 == w.start
                && f.1 == w.end
                && f.2 == w.severity
                && f.3 == w.code
                && message_matches(&w.message, &f.4)
        });
        match hit {
            Some(i) => used[i] = true,
            None => missing.push(w.clone()),
        }
    }
    let unexpected: Vec<_> = found
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(f, _)| f)
        .collect();
    if missing.is_empty() && unexpected.is_empty() {
        return;
    }
    let mut report = String::from("annotations do not match\n");
    for m in &missing {
        report.push_str(&format!(
            "  missing:    {}..{} {:?} {}[{}]: {}\n",
            m.start,
            m.end,
            &text[m.start..m.end],
            m.severity,
            m.code,
            m.message
        ));
    }
    for u in &unexpected {
        let snippet = text.get(u.0..u.1).unwrap_or("<out of range>");
        report.push_str(&format!(
            "  unexpected: {}..{} {:?} {}[{}]: {}\n",
            u.0, u.1, snippet, u.2, u.3, u.4
        ));
    }
    panic!("{report}");
}

fn message_matches(want: &str, got: &str) -> bool {
    match want.strip_suffix('…') {
        Some(prefix) => got.starts_with(prefix),
        None => want == got,
    }
}

/// The project root (the directory with the workspace `Cargo.toml`).
pub fn project_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(3)
        .expect("test-utils lives at server/crates/test-utils")
        .to_path_buf()
}

/// `fixtures/` of the project.
pub fn fixtures_dir() -> PathBuf {
    project_root().join("fixtures")
}

/// The shared corpus (`../shared/corpus` from the project root, or `PICKET_CORPUS`), if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PICKET_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

/// Whether tests that would skip must fail instead (set `PICKET_CI=1` in CI).
pub fn skips_forbidden() -> bool {
    std::env::var_os("PICKET_CI").is_some_and(|v| v == "1")
}

/// Skips a test with a printed one-line reason, or fails it under `PICKET_CI=1`.
#[track_caller]
pub fn skip(reason: &str) {
    if skips_forbidden() {
        panic!("test would skip under PICKET_CI=1: {reason}");
    }
    eprintln!("SKIP: {reason}");
}

/// Skips a test that needs the shared corpus, with a printed reason. The corpus is data that
/// lives beside the project (never in it), so its absence is not an error even in CI.
pub fn skip_without_corpus() {
    eprintln!("SKIP: ../shared/corpus not found (set PICKET_CORPUS to its path)");
}

/// Every `.yaml`/`.yml` file under `dir`, sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A document of `kind` with the mappings of `path` written out (`"[]"` for a list item),
/// `present` keys in the innermost mapping, and a `$0` cursor on a new line among them (after
/// them in a list item), for completion tests that compare the keys offered with a schema.
pub fn document_with_cursor(api: &str, kind: &str, path: &[&str], present: &[&str]) -> String {
    let mut text = format!("apiVersion: {api}\nkind: {kind}\n");
    let mut indent = 0;
    let mut dash = false;
    for seg in path {
        if *seg == "[]" {
            dash = true;
            continue;
        }
        let lead = if std::mem::take(&mut dash) {
            indent += 2;
            format!("{}- ", " ".repeat(indent - 2))
        } else {
            " ".repeat(indent)
        };
        text.push_str(&format!("{lead}{seg}:\n"));
        indent += 2;
    }
    // The first line of a list item carries its dash; the others sit under it.
    let lead = |first: bool| match (dash, first) {
        (true, true) => format!("{}- ", " ".repeat(indent)),
        (true, false) => " ".repeat(indent + 2),
        (false, _) => " ".repeat(indent),
    };
    let mut lines: Vec<String> = present
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{}{p}: x", lead(i == 0)))
        .collect();
    let cursor = format!("{}$0", lead(present.is_empty()));
    if dash && !present.is_empty() {
        lines.push(cursor);
    } else {
        lines.insert(lines.len() / 2, cursor);
    }
    text.push_str(&lines.join("\n"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_point_at_the_line_above() {
        let text =
            "a:\n  bad: 1\n# ^^^ error[unknown-field]: Unknown…\nkind: X\n#^^^ warning[k]: msg\n";
        let a = extract_annotations(text);
        assert_eq!(a.len(), 2);
        assert_eq!(&text[a[0].start..a[0].end], "bad");
        assert_eq!(a[0].code, "unknown-field");
        assert_eq!(a[0].message, "Unknown…");
        assert_eq!(&text[a[1].start..a[1].end], "kind");
        assert_eq!(a[1].severity, "warning");
        assert_annotations(
            text,
            &[
                (
                    5,
                    8,
                    "error".into(),
                    "unknown-field".into(),
                    "Unknown field".into(),
                ),
                (51, 55, "warning".into(), "k".into(), "msg".into()),
            ],
        );
    }
}
