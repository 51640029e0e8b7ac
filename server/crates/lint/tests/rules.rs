//! Runs every rule over its fixtures in `fixtures/rules/<rule>/`:
//!
//! - `fail*.yaml` must produce exactly the findings its annotations describe (the rule's own
//!   findings; other rules may fire too and are not this fixture's business);
//! - `pass*.yaml` must produce none of the rule's findings;
//! - every fix offered on a fail fixture is applied, and the result must parse, lose the
//!   finding, gain no other finding (of any rule, or of the schema), and keep every comment;
//! - a `.picket.yaml` in the rule's directory is the configuration for its fixtures.
//!
//! The rule's docs example marked ` ```yaml,bad ` must produce the rule's finding too, and the
//! ` ```yaml ` "Use instead" example must not.

#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;

use picket_lint::{Applicability, Config, Index, RuleMeta, Violation, check_file, edit, summarize};
use picket_syntax::ParsedFile;
use picket_test_utils::{assert_annotations, fixtures_dir};

/// The configuration for a rule's fixtures: its directory's `.picket.yaml`, with the rule on.
fn config_for(rule: &RuleMeta, dir: &Path) -> Config {
    let path = dir.join(".picket.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if !text.contains(rule.name) {
        if !text.contains("rules:") {
            text.push_str("\nrules:\n");
        }
        text = text.replace("rules:\n", &format!("rules:\n  {}: on\n", rule.name));
    }
    let config = Config::parse(&text, dir);
    assert!(
        config.problems.is_empty(),
        "{}: {:?}",
        path.display(),
        config.problems
    );
    config
}

fn lint(text: &str, config: &Config) -> (ParsedFile, Vec<Violation>) {
    let parsed = ParsedFile::parse(text);
    let mut index = Index::new();
    index.add_file(
        0,
        "fixture.yaml".into(),
        parsed.documents().iter().map(|d| summarize(&d.doc).into()),
    );
    let report = check_file(&parsed, 0, &index, config, |_| false);
    (parsed, report.violations)
}

fn severity(s: picket_schema::Severity) -> String {
    format!("{s:?}").to_ascii_lowercase()
}

fn schema_findings(parsed: &ParsedFile) -> Vec<(String, String)> {
    let crds = picket_schema::CrdRegistry::new();
    let mut out: Vec<(String, String)> = parsed
        .documents()
        .iter()
        .filter(|d| d.doc.root().is_some())
        .flat_map(|d| picket_schema::validate_document(&d.doc, &crds))
        .map(|f| (f.code.to_owned(), f.message))
        .collect();
    out.sort();
    out
}

fn comments(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some(i) = line.find('#')
            && (i == 0 || line.as_bytes()[i - 1] == b' ')
        {
            *out.entry(line[i..].trim_end().to_owned()).or_default() += 1;
        }
    }
    out
}

fn keys(vs: &[Violation]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for v in vs {
        *out.entry((v.rule.name.to_owned(), v.message.clone()))
            .or_default() += 1;
    }
    out
}

/// Applies every fix of `rule`'s findings in `text` one at a time and checks the result.
/// Returns how many fixes were applied, by applicability.
#[track_caller]
pub fn check_fixes(what: &str, rule: &str, text: &str, config: &Config) -> (usize, usize) {
    let (parsed, before) = lint(text, config);
    let schema_before = schema_findings(&parsed);
    let comments_before = comments(text);
    let mut counts = (0, 0);
    for v in before.iter().filter(|v| v.rule.name == rule) {
        for fix in &v.fixes {
            match fix.applicability {
                Applicability::Safe => counts.0 += 1,
                Applicability::Unsafe => counts.1 += 1,
            }
            let fixed = edit::apply(text, &fix.edits)
                .unwrap_or_else(|| panic!("{what}: `{}` has overlapping edits", fix.title));
            let context = format!("{what}: fix `{}` of `{rule}` gives\n{fixed}", fix.title);
            if std::env::var_os("PICKET_SHOW_FIXES").is_some() {
                eprintln!("----- {context}");
            }
            let (reparsed, after) = lint(&fixed, config);
            for d in reparsed.documents() {
                assert!(
                    d.doc.errors().is_empty(),
                    "{context}\nYAML errors: {:?}",
                    d.doc.errors()
                );
            }
            let mine_before = before.iter().filter(|x| x.rule.name == rule).count();
            let mine_after = after.iter().filter(|x| x.rule.name == rule).count();
            assert!(
                mine_after < mine_before,
                "{context}\nthe finding is still there"
            );
            let (kb, ka) = (keys(&before), keys(&after));
            for (k, n) in &ka {
                assert!(
                    kb.get(k).copied().unwrap_or(0) >= *n || k.0 == rule,
                    "{context}\nnew finding: {k:?}"
                );
            }
            let schema_after = schema_findings(&reparsed);
            for f in &schema_after {
                assert!(
                    schema_before.contains(f),
                    "{context}\nnew schema finding: {f:?}"
                );
            }
            let comments_after = comments(&fixed);
            for (c, n) in &comments_before {
                assert!(
                    comments_after.get(c).copied().unwrap_or(0) >= *n,
                    "{context}\ncomment lost: {c}"
                );
            }
        }
    }
    counts
}

#[test]
fn rule_fixtures() {
    let root = fixtures_dir().join("rules");
    let mut checked = 0;
    let mut fixes = (0, 0);
    for meta in picket_lint::rules() {
        let dir = root.join(meta.name);
        let config = config_for(meta, &dir);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("fixtures/rules/{}: {e}", meta.name))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            // `.picket.yaml` configures the fixtures; it is not one.
            .filter(|p| p.file_name().is_some_and(|n| n != ".picket.yaml"))
            .collect();
        files.sort();
        let mut offered = None;
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let what = format!("fixtures/rules/{}/{file}", meta.name);
            let (_, found) = lint(&text, &config);
            let mine: Vec<&Violation> = found.iter().filter(|v| v.rule.name == meta.name).collect();
            if file.starts_with("pass") {
                assert!(
                    mine.is_empty(),
                    "{what}: expected no `{}`, got {:#?}",
                    meta.name,
                    mine
                );
            } else if file.starts_with("fail") {
                assert!(!mine.is_empty(), "{what}: expected `{}`", meta.name);
                let tuples: Vec<_> = mine
                    .iter()
                    .map(|v| {
                        (
                            usize::from(v.range.start()),
                            usize::from(v.range.end()),
                            severity(v.severity),
                            v.rule.name.to_owned(),
                            v.full_message(),
                        )
                    })
                    .collect();
                assert_annotations(&text, &tuples);
                let (s, u) = check_fixes(&what, meta.name, &text, &config);
                fixes.0 += s;
                fixes.1 += u;
                if s + u > 0 {
                    offered = Some(if u > 0 {
                        Applicability::Unsafe
                    } else {
                        Applicability::Safe
                    });
                }
            } else {
                panic!("{what}: fixture names start with `fail` or `pass`");
            }
            checked += 1;
        }
        if let Some(fix) = meta.fix {
            assert_eq!(
                offered,
                Some(fix),
                "{}: declares a {} fix, but no fail fixture offers one",
                meta.name,
                fix.as_str()
            );
        }
    }
    eprintln!(
        "{checked} rule fixtures checked; {} safe and {} unsafe fixes applied",
        fixes.0, fixes.1
    );
}

#[test]
fn fixture_directories_name_rules() {
    for entry in std::fs::read_dir(fixtures_dir().join("rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            picket_lint::rule_by_name(&name).is_some(),
            "fixtures/rules/{name} names no rule"
        );
    }
}

/// The docs' bad example fires the rule; the good one does not.
#[test]
fn docs_examples() {
    for meta in picket_lint::rules() {
        let docs = meta.docs_text();
        let config = config_for(meta, &fixtures_dir().join("rules").join(meta.name));
        let mut blocks = docs.split("```").skip(1).step_by(2);
        let bad = blocks
            .next()
            .and_then(|b| b.strip_prefix("yaml,bad\n"))
            .unwrap_or_else(|| panic!("{}: the first docs example must be ```yaml,bad", meta.name));
        let good = blocks
            .next()
            .and_then(|b| b.strip_prefix("yaml\n"))
            .unwrap_or_else(|| panic!("{}: the second docs example must be ```yaml", meta.name));
        let fires = |t: &str| lint(t, &config).1.iter().any(|v| v.rule.name == meta.name);
        assert!(
            fires(bad),
            "{}: the bad docs example does not fire",
            meta.name
        );
        assert!(!fires(good), "{}: the good docs example fires", meta.name);
    }
}
