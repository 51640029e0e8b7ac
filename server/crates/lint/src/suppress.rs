//! Suppressions: `# picket:ignore[rule, …] reason` on or above a line,
//! `# picket:ignore-file[rule, …]`, the `picket.dev/ignore` annotation and kube-linter's
//! `ignore-check.kube-linter.io/<check>` annotations.

use picket_model::{Object, StrMap};
use picket_syntax::{TextRange, TextSize};

use crate::edit::comment_of;
use crate::engine::Violation;
use crate::rule::Peer;
use crate::rules::RULES;

/// The annotation that silences rules on one object.
pub const IGNORE_ANNOTATION: &str = "picket.dev/ignore";
/// kube-linter's per-check annotation prefix.
pub const KUBE_LINTER_PREFIX: &str = "ignore-check.kube-linter.io/";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Names {
    All,
    Some(Vec<String>),
}

impl Names {
    fn contains(&self, code: &str) -> bool {
        match self {
            Names::All => true,
            Names::Some(names) => names.iter().any(|n| n == code),
        }
    }
}

/// A problem with a suppression comment: an unknown rule name, a malformed list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuppressionProblem {
    pub range: TextRange,
    pub message: String,
}

/// The suppression comments of one file.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    file: Vec<Names>,
    /// `(line start, names)`: findings starting on that line are silenced.
    lines: Vec<(usize, Names)>,
    line_starts: Vec<usize>,
    pub problems: Vec<SuppressionProblem>,
}

impl Suppressions {
    /// Reads the suppression comments of one text; `known` tells valid rule and diagnostic
    /// names.
    pub fn parse(text: &str, known: impl Fn(&str) -> bool) -> Suppressions {
        let mut s = Suppressions::default();
        s.add_text(text, 0, &known);
        s
    }

    /// Reads the suppression comments of every document of a file.
    pub fn parse_file(
        parsed: &picket_syntax::ParsedFile,
        known: impl Fn(&str) -> bool,
    ) -> Suppressions {
        let mut s = Suppressions::default();
        for d in parsed.documents() {
            s.add_text(d.doc.text(), usize::from(d.offset), &known);
        }
        s
    }

    fn add_text(&mut self, text: &str, base: usize, known: &impl Fn(&str) -> bool) {
        if !text.contains("picket:") {
            // No directive: one line start stands for the whole text, so that offsets in it
            // never map to a line of an earlier text.
            self.line_starts.push(base);
            return;
        }
        let mut offset = base;
        let mut pending: Vec<Names> = Vec::new();
        for line in text.split_inclusive('\n') {
            self.line_starts.push(offset);
            let body = line.trim_end_matches(['\n', '\r']);
            let own_line = body.trim_start().starts_with('#');
            if let Some(comment) = comment_of(body) {
                let comment_offset = offset + (body.len() - comment.len());
                if let Some((file_wide, names)) =
                    parse_comment(comment, comment_offset, known, &mut self.problems)
                {
                    if file_wide {
                        self.file.push(names);
                    } else if own_line {
                        pending.push(names);
                    } else {
                        self.lines.push((offset, names));
                    }
                }
            }
            if !own_line && !body.trim().is_empty() {
                for names in pending.drain(..) {
                    self.lines.push((offset, names));
                }
            }
            offset += line.len();
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        let i = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        self.line_starts.get(i).copied().unwrap_or(0)
    }

    /// Whether a finding `code` starting at byte `offset` of the file is suppressed.
    pub fn suppresses(&self, code: &str, offset: usize) -> bool {
        if self.file.iter().any(|n| n.contains(code)) {
            return true;
        }
        let line = self.line_of(offset);
        self.lines
            .iter()
            .any(|(l, n)| *l == line && n.contains(code))
    }
}

/// Parses `# picket:ignore[...]` / `# picket:ignore-file[...]`. Returns `(file_wide, names)`.
fn parse_comment(
    comment: &str,
    offset: usize,
    known: &impl Fn(&str) -> bool,
    problems: &mut Vec<SuppressionProblem>,
) -> Option<(bool, Names)> {
    let body = comment.trim_start_matches('#').trim_start();
    let rest = body.strip_prefix("picket:")?.trim_start();
    let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("ignore") {
        (false, r)
    } else {
        problems.push(SuppressionProblem {
            range: span(offset, comment.len()),
            message:
                "Unknown Picket directive: use `picket:ignore[rule]` or `picket:ignore-file[rule]`"
                    .to_owned(),
        });
        return None;
    };
    let Some(list) = rest.strip_prefix('[') else {
        // `# picket:ignore` alone silences every rule.
        return Some((file_wide, Names::All));
    };
    let Some(close) = list.find(']') else {
        problems.push(SuppressionProblem {
            range: span(offset, comment.len()),
            message: "Unclosed `[` in suppression comment".to_owned(),
        });
        return None;
    };
    let list_offset = offset + (comment.len() - list.len());
    let mut names = Vec::new();
    let mut pos = 0;
    for part in list[..close].split(',') {
        let name = part.trim();
        let at = list_offset + pos + (part.len() - part.trim_start().len());
        pos += part.len() + 1;
        if name.is_empty() {
            continue;
        }
        if name == "all" {
            return Some((file_wide, Names::All));
        }
        if !known(name) {
            problems.push(SuppressionProblem {
                range: span(at, name.len()),
                message: unknown_name_message(name),
            });
            continue;
        }
        names.push(name.to_owned());
    }
    Some((file_wide, Names::Some(names)))
}

/// "Unknown rule `x`", with the closest rule name when one is close.
pub(crate) fn unknown_name_message(name: &str) -> String {
    match crate::closest_rule(name) {
        Some(close) => format!("Unknown rule `{name}`: did you mean `{close}`?"),
        None => format!("Unknown rule `{name}`: `picket rules` lists them"),
    }
}

fn span(start: usize, len: usize) -> TextRange {
    let s = u32::try_from(start).unwrap_or(u32::MAX);
    let l = u32::try_from(len).unwrap_or(0);
    TextRange::at(TextSize::from(s), TextSize::from(l))
}

/// The rules an object's annotations silence: `None` for none, `Some(None)` for all.
fn annotation_names(annotations: StrMap<'_>) -> Vec<Names> {
    let mut out = Vec::new();
    for (key, value) in annotations.iter() {
        if key == IGNORE_ANNOTATION {
            let names: Vec<String> = value
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect();
            if names.iter().any(|n| n == "all") {
                out.push(Names::All);
            } else {
                out.push(Names::Some(names));
            }
        } else if let Some(check) = key.strip_prefix(KUBE_LINTER_PREFIX) {
            // A kube-linter check name silences the Picket rules that cross-walk to it.
            let mapped: Vec<String> = RULES
                .iter()
                .filter(|r| {
                    r.meta.name == check || r.meta.peer_ids(Peer::KubeLinter).any(|id| id == check)
                })
                .map(|r| r.meta.name.to_owned())
                .collect();
            out.push(Names::Some(mapped));
        }
    }
    out
}

/// Drops the findings that the object's (or its pod template's) annotations silence.
pub(crate) fn apply_annotations(object: Object<'_>, found: &mut Vec<Violation>) {
    if found.is_empty() {
        return;
    }
    let mut names = Vec::new();
    if let Some(a) = object.annotations() {
        names.extend(annotation_names(a));
    }
    if let Some(a) = object
        .pod_template()
        .and_then(|t| t.metadata())
        .and_then(|m| m.annotations())
    {
        names.extend(annotation_names(a));
    }
    if names.is_empty() {
        return;
    }
    found.retain(|v| !names.iter().any(|n| n.contains(v.rule.name)));
}
