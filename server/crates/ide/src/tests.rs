//! Tests of the host: caching, CRDs across files, templates and other YAML.

use picket_syntax::{EditableFile, TextRange};

use crate::{AnalysisHost, DiagnosticsConfig, FileId, FileKind, ParsedFile};

fn config() -> DiagnosticsConfig {
    DiagnosticsConfig {
        schema: true,
        rules: None,
        fixes: true,
    }
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size: {type: integer}\n";
const WIDGET: &str =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: big\n";

fn codes(host: &AnalysisHost, id: FileId) -> Vec<&'static str> {
    host.analysis()
        .diagnostics(id, &config())
        .unwrap()
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn crds_in_another_file_validate_custom_resources() {
    let mut host = AnalysisHost::new();
    host.set_file(
        FileId(1),
        "widget.yaml",
        FileKind::Yaml,
        ParsedFile::parse(WIDGET),
    );
    assert!(
        codes(&host, FileId(1)).is_empty(),
        "no CRD yet: nothing to check"
    );
    host.set_file(
        FileId(2),
        "crd.yaml",
        FileKind::Yaml,
        ParsedFile::parse(CRD),
    );
    assert_eq!(codes(&host, FileId(1)), ["wrong-type"]);
    host.remove_file(FileId(2));
    assert!(codes(&host, FileId(1)).is_empty());
}

#[test]
fn templates_and_other_yaml_are_quiet() {
    let mut host = AnalysisHost::new();
    host.set_file(
        FileId(1),
        "t.yaml",
        FileKind::Yaml,
        ParsedFile::parse("kind: Pod\nspec: {{ .Values.spec }}\n"),
    );
    host.set_file(
        FileId(2),
        "ci.yaml",
        FileKind::Yaml,
        ParsedFile::parse("on: [push]\njobs: {a: [b}\n"),
    );
    host.set_file(
        FileId(3),
        "templates/x.yaml",
        FileKind::HelmTemplate,
        ParsedFile::parse("apiVersion: v1\nkind: Nope\n"),
    );
    for id in [1, 2, 3] {
        assert!(codes(&host, FileId(id)).is_empty(), "{id}");
        assert!(host.analysis().stats(FileId(id)).unwrap().template || id == 2);
    }
    assert!(host.analysis().stats(FileId(2)).unwrap().not_kubernetes);
}

#[test]
fn edits_reuse_unchanged_documents_and_stay_correct() {
    let text = format!(
        "{WIDGET}---\n{CRD}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: []\n"
    );
    let mut file = EditableFile::new(&text);
    let mut host = AnalysisHost::new();
    host.set_file(FileId(1), "all.yaml", FileKind::Yaml, file.parsed().clone());
    let before = host.analysis().diagnostics(FileId(1), &config()).unwrap();
    assert_eq!(
        before.iter().map(|d| d.code).collect::<Vec<_>>(),
        ["wrong-type"]
    );
    // Fix the widget: `size: big` -> `size: 12`.
    let at = text.find("big").unwrap() as u32;
    file.replace(TextRange::new(at.into(), (at + 3).into()), "12");
    host.set_file(FileId(1), "all.yaml", FileKind::Yaml, file.parsed().clone());
    assert!(
        host.analysis()
            .diagnostics(FileId(1), &config())
            .unwrap()
            .is_empty()
    );
    // Break the pod far below: its diagnostic lands at the right place after the shift.
    let text = file.text();
    let at = text.find("containers: []").unwrap() as u32;
    file.replace(TextRange::new(at.into(), at.into()), "x");
    host.set_file(FileId(1), "all.yaml", FileKind::Yaml, file.parsed().clone());
    let diags = host.analysis().diagnostics(FileId(1), &config()).unwrap();
    let text = file.text();
    let got: Vec<_> = diags.iter().map(|d| (d.code, &text[d.range])).collect();
    assert_eq!(
        got,
        [
            ("missing-required-field", "spec"),
            ("unknown-field", "xcontainers")
        ]
    );
}

#[test]
fn duplicate_keys_carry_the_first_occurrence() {
    let mut host = AnalysisHost::new();
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: '1'\n  a: '2'\n";
    host.set_file(FileId(1), "d.yaml", FileKind::Yaml, ParsedFile::parse(text));
    let diags = host.analysis().diagnostics(FileId(1), &config()).unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "duplicate-key");
    assert_eq!(&text[diags[0].range], "a");
    assert_eq!(diags[0].related[0].range.start(), 59.into());
    assert!(diags[0].range.start() > 59.into());
}

#[test]
fn paths_tell_yaml_and_helm_templates() {
    use std::path::Path;

    use crate::is_yaml_path;
    let chart = |p: &Path| p == Path::new("/repo/chart/Chart.yaml");
    assert_eq!(
        FileKind::of_path(Path::new("/repo/chart/templates/deploy.yaml"), chart),
        FileKind::HelmTemplate
    );
    assert_eq!(
        FileKind::of_path(Path::new("/repo/chart/templates/sub/cm.yaml"), chart),
        FileKind::HelmTemplate
    );
    assert_eq!(
        FileKind::of_path(Path::new("/repo/other/templates/deploy.yaml"), chart),
        FileKind::Yaml
    );
    assert_eq!(
        FileKind::of_path(Path::new("/repo/chart/values.yaml"), chart),
        FileKind::Yaml
    );
    assert!(is_yaml_path(Path::new("a/b.YAML")) && is_yaml_path(Path::new("b.yml")));
    assert!(!is_yaml_path(Path::new("b.json")) && !is_yaml_path(Path::new("yaml")));
}
