//! Runs every fixture under `fixtures/`: each file's findings must match its annotations.
//!
//! - `fixtures/diagnostics/<code>/fail*.yaml` must produce `<code>` (and exactly what the
//!   annotations say); `pass*.yaml` must produce nothing.
//! - `fixtures/crd-folder/` is analysed as one run: its CRD validates the custom resources.
//! - `fixtures/helm-chart/` and `fixtures/examples/` must be quiet.

use std::path::Path;

use picket_ide::{
    AnalysisHost, Diagnostic, DiagnosticsConfig, FileId, FileKind, ParsedFile, Severity, all_codes,
};
use picket_test_utils::{assert_annotations, fixtures_dir, yaml_files};

/// Schema validation, and the rules under `fixtures/diagnostics/.picket.yaml`, which turns
/// every rule off: suppression comments are still read (and `invalid-suppression` reported).
fn config() -> DiagnosticsConfig {
    let dir = fixtures_dir().join("diagnostics");
    let text = std::fs::read_to_string(dir.join(".picket.yaml")).unwrap();
    let rules = picket_ide::picket_lint::Config::parse(&text, &dir);
    assert!(rules.problems.is_empty(), "{:?}", rules.problems);
    DiagnosticsConfig {
        schema: true,
        rules: Some(std::sync::Arc::new(rules)),
        fixes: true,
    }
}

fn severity(s: Severity) -> String {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Hint => "hint",
    }
    .to_owned()
}

/// Analyses `files` together and returns each file's text and diagnostics.
fn analyse(files: &[&Path]) -> Vec<(String, Vec<Diagnostic>)> {
    let mut host = AnalysisHost::new();
    let mut texts = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let kind = if path.components().any(|c| c.as_os_str() == "templates") {
            FileKind::HelmTemplate
        } else {
            FileKind::Yaml
        };
        host.set_file(
            FileId(i as u32),
            &path.display().to_string(),
            kind,
            ParsedFile::parse(&text),
        );
        texts.push(text);
    }
    let analysis = host.analysis();
    texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            (
                t,
                analysis.diagnostics(FileId(i as u32), &config()).unwrap(),
            )
        })
        .collect()
}

#[track_caller]
fn check_file(path: &Path, text: &str, diags: &[Diagnostic]) {
    if let Some(code) = text
        .lines()
        .find_map(|l| l.strip_prefix("# expect-anywhere: "))
    {
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert!(
            !codes.is_empty() && codes.iter().all(|c| *c == code.trim()),
            "{}: expected only `{code}`, got {codes:?}",
            path.display()
        );
        return;
    }
    let found: Vec<_> = diags
        .iter()
        .map(|d| {
            (
                usize::from(d.range.start()),
                usize::from(d.range.end()),
                severity(d.severity),
                d.code.to_owned(),
                d.message.clone(),
            )
        })
        .collect();
    let result = std::panic::catch_unwind(|| assert_annotations(text, &found));
    if let Err(e) = result {
        let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
        panic!("{}: {msg}", path.display());
    }
}

#[test]
fn diagnostic_fixtures() {
    let root = fixtures_dir().join("diagnostics");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        // `.picket.yaml` turns the rules off for these fixtures.
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let codes: Vec<_> = all_codes().into_iter().map(|(c, _)| c).collect();
    for dir in &dirs {
        let code = dir.file_name().unwrap().to_str().unwrap();
        assert!(
            codes.contains(&code),
            "fixtures/diagnostics/{code}/ does not name a diagnostic code"
        );
        let files = yaml_files(dir);
        assert!(
            files
                .iter()
                .any(|f| f.file_name().unwrap().to_str().unwrap().starts_with("fail")),
            "{code}: no fail*.yaml"
        );
        for file in &files {
            let (text, diags) = analyse(&[file.as_path()]).remove(0);
            let name = file.file_name().unwrap().to_str().unwrap();
            if name.starts_with("pass") {
                assert!(
                    diags.is_empty(),
                    "{}: expected no findings, got {diags:#?}",
                    file.display()
                );
            } else {
                assert!(
                    diags.iter().any(|d| d.code == code),
                    "{}: expected a `{code}` finding, got {diags:#?}",
                    file.display()
                );
                check_file(file, &text, &diags);
            }
        }
    }
    // Every code has fixtures, except the one whose limit is too large for a fixture file
    // (covered by `picket-syntax`'s `node_limit` test) and the one about `.picket.yaml` itself
    // (its clients report it; covered by the CLI tests).
    for code in codes {
        if code == "document-too-large" || code == "invalid-config" {
            continue;
        }
        assert!(root.join(code).is_dir(), "no fixtures/diagnostics/{code}/");
    }
}

#[test]
fn crd_in_the_same_folder_validates_custom_resources() {
    let files = yaml_files(&fixtures_dir().join("crd-folder"));
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let results = analyse(&refs);
    let mut failing = 0;
    for (path, (text, diags)) in files.iter().zip(&results) {
        check_file(path, text, diags);
        failing += usize::from(!diags.is_empty());
    }
    assert_eq!(failing, 1, "only widget-fail.yaml has findings");
    // Without the CRD, the same custom resource has nothing to be checked against.
    let alone = analyse(&[fixtures_dir().join("crd-folder/widget-fail.yaml").as_path()]);
    assert!(alone[0].1.is_empty());
}

#[test]
fn helm_charts_and_valid_examples_are_quiet() {
    for dir in ["helm-chart", "examples"] {
        let files = yaml_files(&fixtures_dir().join(dir));
        assert!(!files.is_empty());
        let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
        for (path, (_, diags)) in files.iter().zip(analyse(&refs)) {
            assert!(diags.is_empty(), "{}: {diags:#?}", path.display());
        }
    }
}
