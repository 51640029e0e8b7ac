//! Applies every fix (safe and unsafe) of every rule to every document of
//! `../shared/corpus`, one fix at a time, and checks each result like the fixture tests do:
//! it parses, the finding is gone, nothing new appears (rule or schema), and every comment
//! survives. Prints counts per rule.
//!
//! Documents are checked on their own (a fix edits one document), with the rules a user gets
//! without configuration.

#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;

use picket_lint::{Applicability, Config, Index, Violation, check_file, edit, summarize};
use picket_syntax::ParsedFile;
use picket_test_utils::{corpus_dir, skip_without_corpus, yaml_files};

fn lint(text: &str, config: &Config) -> (ParsedFile, Vec<Violation>) {
    let parsed = ParsedFile::parse(text);
    let mut index = Index::new();
    index.add_file(
        0,
        "doc.yaml".into(),
        parsed.documents().iter().map(|d| summarize(&d.doc).into()),
    );
    let report = check_file(&parsed, 0, &index, config, |_| false);
    (parsed, report.violations)
}

fn keys(vs: &[Violation]) -> BTreeMap<(&'static str, String), usize> {
    let mut out = BTreeMap::new();
    for v in vs {
        *out.entry((v.rule.name, v.message.clone())).or_default() += 1;
    }
    out
}

fn per_rule_counts(vs: &[Violation]) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for v in vs {
        *out.entry(v.rule.name).or_default() += 1;
    }
    out
}

fn schema(parsed: &ParsedFile) -> BTreeMap<(String, String), usize> {
    let crds = picket_schema::CrdRegistry::new();
    let mut out = BTreeMap::new();
    for d in parsed.documents() {
        for f in picket_schema::validate_document(&d.doc, &crds) {
            *out.entry((f.code.to_owned(), f.message)).or_default() += 1;
        }
    }
    out
}

fn comments(text: &str) -> BTreeMap<&str, usize> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some(i) = line.find(" #").map(|i| i + 1).or_else(|| {
            line.trim_start()
                .starts_with('#')
                .then(|| line.len() - line.trim_start().len())
        }) {
            *out.entry(line[i..].trim_end()).or_default() += 1;
        }
    }
    out
}

#[test]
fn every_fix_on_the_corpus_keeps_the_file_sound() {
    let Some(corpus) = corpus_dir() else {
        skip_without_corpus();
        return;
    };
    let config = Config::default();
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut files, mut docs, mut failures) = (0, 0, Vec::new());
    for path in yaml_files(&corpus) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let file = ParsedFile::parse(&text);
        if picket_model::is_template(&file) {
            continue;
        }
        files += 1;
        for entry in file.documents() {
            let doc_text = entry.doc.text();
            let (parsed, before) = lint(doc_text, &config);
            if before.iter().all(|v| v.fixes.is_empty()) {
                continue;
            }
            docs += 1;
            let schema_before = schema(&parsed);
            let errors_before: Vec<String> = parsed
                .documents()
                .iter()
                .flat_map(|d| d.doc.errors())
                .map(|e| e.message.clone())
                .collect();
            let comments_before = comments(doc_text);
            let kb = keys(&before);
            for v in &before {
                for fix in &v.fixes {
                    let counts = per_rule.entry(v.rule.name).or_default();
                    match fix.applicability {
                        Applicability::Safe => counts.0 += 1,
                        Applicability::Unsafe => counts.1 += 1,
                    }
                    let at = format!("{}: `{}` ({})", path.display(), fix.title, v.rule.name);
                    let Some(fixed) = edit::apply(doc_text, &fix.edits) else {
                        failures.push(format!("{at}: overlapping edits"));
                        continue;
                    };
                    let (reparsed, after) = lint(&fixed, &config);
                    if let Some(e) = reparsed
                        .documents()
                        .iter()
                        .flat_map(|d| d.doc.errors())
                        .find(|e| !errors_before.contains(&e.message))
                    {
                        failures.push(format!("{at}: leaves invalid YAML: {}", e.message));
                        continue;
                    }
                    let mine =
                        |vs: &[Violation]| vs.iter().filter(|x| x.rule.name == v.rule.name).count();
                    if mine(&after) >= mine(&before) {
                        failures.push(format!("{at}: the finding stays"));
                    }
                    // Per rule: a message may quote the value the fix edited.
                    for (rule, n) in per_rule_counts(&after) {
                        let was = per_rule_counts(&before).get(rule).copied().unwrap_or(0);
                        if rule != v.rule.name && was < n {
                            let new = keys(&after)
                                .into_keys()
                                .find(|k| k.0 == rule && !kb.contains_key(k));
                            failures.push(format!("{at}: new finding (\"{rule}\", {new:?})"));
                        }
                    }
                    let sb = &schema_before;
                    for (k, n) in schema(&reparsed) {
                        if sb.get(&k).copied().unwrap_or(0) < n {
                            failures.push(format!("{at}: new schema finding {k:?}"));
                        }
                    }
                    let ca = comments(&fixed);
                    for (c, n) in &comments_before {
                        if ca.get(c).copied().unwrap_or(0) < *n {
                            failures.push(format!("{at}: comment lost: {c}"));
                        }
                    }
                }
            }
        }
    }
    let (safe, unsafe_): (usize, usize) = per_rule
        .values()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    eprintln!(
        "corpus fixes: {files} files, {docs} documents with fixes, {safe} safe and {unsafe_} unsafe fixes applied one at a time"
    );
    for (rule, (s, u)) in &per_rule {
        eprintln!("  {rule:<44} {s:>6} safe {u:>6} unsafe");
    }
    failures.sort();
    failures.dedup();
    // What went wrong, by rule and kind of problem, then the first cases.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in &failures {
        let rule = f
            .split(" (")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap_or("?");
        let what = f
            .rsplit("): ")
            .next()
            .unwrap_or("")
            .split([' ', '('])
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        let other = f
            .split("new finding (\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("");
        *kinds.entry(format!("{rule}: {what} {other}")).or_default() += 1;
    }
    for (k, n) in &kinds {
        eprintln!("  {n:>5}  {k}");
    }
    assert!(
        failures.is_empty(),
        "{} fixes went wrong:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
