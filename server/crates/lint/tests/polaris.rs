//! Polaris conformance: for every Polaris check in `../shared/corpus/polaris-fixtures` that has
//! a Picket equivalent (a rule whose peers list the Polaris ID), the equivalent rules must fire
//! on every `failure*.yaml` and stay silent on every `success*.yaml`.
//!
//! An exception is allowed only when the rule's docs explain it by naming the fixture as
//! `<check>/<file>`. The test prints the table and the pass rate.

#![allow(clippy::print_stderr)]

use picket_lint::{Config, Index, Peer, check_file, summarize};
use picket_syntax::ParsedFile;
use picket_test_utils::{corpus_dir, skip_without_corpus};

#[test]
fn polaris_conformance() {
    let Some(corpus) = corpus_dir() else {
        skip_without_corpus();
        return;
    };
    let checks_dir = corpus.join("polaris-fixtures/test/checks");
    let mut checks: Vec<_> = std::fs::read_dir(&checks_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    checks.sort();
    let (mut passed, mut total, mut explained) = (0, 0, 0);
    let mut failures = Vec::new();
    eprintln!(
        "{:<42} {:<44} {:>6}",
        "Polaris check", "Picket rules", "result"
    );
    for dir in checks {
        let check = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mapped: Vec<_> = picket_lint::rules()
            .filter(|r| r.peer_ids(Peer::Polaris).any(|id| id == check))
            .collect();
        if mapped.is_empty() {
            eprintln!("{check:<42} {:<44} {:>6}", "(no equivalent)", "-");
            continue;
        }
        let mut text = String::from("rules:\n");
        for r in &mapped {
            text.push_str(&format!("  {}: on\n", r.name));
        }
        let config = Config::parse(&text, &dir);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        let (mut ok, mut n) = (0, 0);
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let want_fire = if file.starts_with("failure") {
                true
            } else if file.starts_with("success") {
                false
            } else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed = ParsedFile::parse(&text);
            let mut index = Index::new();
            index.add_file(
                0,
                file.clone().into(),
                parsed.documents().iter().map(|d| summarize(&d.doc).into()),
            );
            let report = check_file(&parsed, 0, &index, &config, |_| false);
            let fired = report
                .violations
                .iter()
                .any(|v| mapped.iter().any(|m| m.name == v.rule.name));
            n += 1;
            total += 1;
            let key = format!("{check}/{file}");
            if fired == want_fire {
                ok += 1;
                passed += 1;
            } else if mapped.iter().any(|m| m.docs.contains(&key)) {
                explained += 1;
                eprintln!("  explained exception: {key}");
            } else {
                failures.push(format!(
                    "{key}: expected {} to {}",
                    mapped.iter().map(|m| m.name).collect::<Vec<_>>().join(", "),
                    if want_fire { "fire" } else { "stay silent" }
                ));
            }
        }
        let names: Vec<_> = mapped.iter().map(|m| m.name).collect();
        eprintln!("{check:<42} {:<44} {ok:>3}/{n:<2}", names.join(", "));
    }
    eprintln!(
        "Polaris conformance: {passed}/{total} fixtures agree ({:.1}%), {explained} explained exceptions",
        if total == 0 {
            100.0
        } else {
            100.0 * passed as f64 / total as f64
        }
    );
    assert!(
        failures.is_empty(),
        "Polaris fixtures disagree:\n{}",
        failures.join("\n")
    );
}
