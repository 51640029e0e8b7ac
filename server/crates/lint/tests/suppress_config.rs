//! Suppression comments, suppression annotations and `.picket.yaml`, through `check_file`.

use std::path::Path;

use picket_lint::{Config, Index, check_file, summarize};
use picket_schema::Severity;
use picket_syntax::ParsedFile;

/// `(rule, severity, line)` of every finding, and the suppression problems' messages.
fn lint(text: &str, config: &Config) -> (Vec<(String, Severity, usize)>, Vec<String>) {
    let parsed = ParsedFile::parse(text);
    let mut index = Index::new();
    index.add_file(
        0,
        "t.yaml".into(),
        parsed.documents().iter().map(|d| summarize(&d.doc).into()),
    );
    let report = check_file(&parsed, 0, &index, config, |_| false);
    let found = report
        .violations
        .iter()
        .map(|v| {
            let line = text[..usize::from(v.range.start())].matches('\n').count() + 1;
            (v.rule.name.to_owned(), v.severity, line)
        })
        .collect();
    let problems = report
        .suppressions
        .problems
        .iter()
        .map(|p| p.message.clone())
        .collect();
    (found, problems)
}

/// Only the two rules these tests are about: every category off, the two rules on.
const BASE: &str = "rules:\n  security: off\n  reliability: off\n  resources: off\n  networking: off\n  rbac: off\n  secrets: off\n  deprecation: off\n  correctness: off\n  style: off\n  host-network: on\n  privileged-container: on\n";

fn base() -> Config {
    Config::parse(BASE, Path::new("/"))
}

fn names(found: &[(String, Severity, usize)]) -> Vec<&str> {
    found.iter().map(|f| f.0.as_str()).collect()
}

const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: false
        privileged: true
";

#[test]
fn without_suppressions_both_rules_fire() {
    let (found, problems) = lint(POD, &base());
    assert_eq!(names(&found), ["host-network", "privileged-container"]);
    assert!(problems.is_empty());
}

#[test]
fn comment_on_the_line_suppresses_that_rule_there() {
    let text = POD.replace(
        "privileged: true",
        "privileged: true # picket:ignore[privileged-container] debug image",
    );
    let (found, _) = lint(&text, &base());
    assert_eq!(names(&found), ["host-network"]);
}

#[test]
fn comment_above_the_line_suppresses_the_next_line() {
    let text = POD.replace(
        "  hostNetwork: true",
        "  # picket:ignore[host-network] node agent\n  hostNetwork: true",
    );
    let (found, _) = lint(&text, &base());
    assert_eq!(names(&found), ["privileged-container"]);
}

#[test]
fn a_comment_for_another_rule_suppresses_nothing() {
    let text = POD.replace(
        "  hostNetwork: true",
        "  hostNetwork: true # picket:ignore[privileged-container]",
    );
    let (found, _) = lint(&text, &base());
    assert_eq!(names(&found), ["host-network", "privileged-container"]);
}

#[test]
fn ignore_file_suppresses_everywhere() {
    let text = format!("# picket:ignore-file[host-network, privileged-container]\n{POD}");
    let (found, _) = lint(&text, &base());
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn unknown_rule_names_in_comments_are_reported() {
    let text = POD.replace(
        "  hostNetwork: true",
        "  hostNetwork: true # picket:ignore[host-netwrk]",
    );
    let (found, problems) = lint(&text, &base());
    assert_eq!(names(&found), ["host-network", "privileged-container"]);
    assert_eq!(
        problems,
        ["Unknown rule `host-netwrk`: did you mean `host-network`?"]
    );
}

#[test]
fn picket_annotation_suppresses_on_the_object() {
    let text = POD.replace("  name: web\nspec:", "  name: web\n  annotations:\n    picket.dev/ignore: \"host-network, privileged-container\"\nspec:");
    let (found, _) = lint(&text, &base());
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn kube_linter_annotation_suppresses_the_mapped_rule() {
    // kube-linter calls it `privileged-container` too; `host-network` stays.
    let text = POD.replace(
        "  name: web\nspec:",
        "  name: web\n  annotations:\n    ignore-check.kube-linter.io/privileged-container: \"debug image\"\nspec:",
    );
    let (found, _) = lint(&text, &base());
    assert_eq!(names(&found), ["host-network"]);
}

#[test]
fn pod_template_annotations_count_too() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
      annotations: {picket.dev/ignore: host-network}
    spec:
      hostNetwork: true
      containers:
        - {name: agent, image: agent:1.0, securityContext: {allowPrivilegeEscalation: false}}
";
    let (found, _) = lint(text, &base());
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn config_turns_rules_off_and_changes_severity() {
    let text = BASE
        .replace("host-network: on", "host-network: off")
        .replace("privileged-container: on", "privileged-container: error");
    let config = Config::parse(&text, Path::new("/"));
    assert!(config.problems.is_empty(), "{:?}", config.problems);
    let (found, _) = lint(POD, &config);
    assert_eq!(
        found,
        [("privileged-container".to_owned(), Severity::Error, 12)]
    );
}

#[test]
fn config_categories_apply_and_rule_names_win() {
    let config = Config::parse(
        "rules:\n  security: off\n  host-network: on\n",
        Path::new("/"),
    );
    let (found, _) = lint(POD, &config);
    let security: Vec<&str> = found
        .iter()
        .filter(|f| {
            picket_lint::rule_by_name(&f.0).unwrap().category == picket_lint::Category::Security
        })
        .map(|f| f.0.as_str())
        .collect();
    assert_eq!(security, ["host-network"]);
}

#[test]
fn config_problems_are_reported_with_ranges() {
    let text = "rules:\n  privileged-containr: off\n  host-network: loud\nkubernetesVersion: one\nunknownSetting: 1\n";
    let config = Config::parse(text, Path::new("/"));
    let messages: Vec<(&str, String)> = config
        .problems
        .iter()
        .map(|p| {
            (
                &text[usize::from(p.range.start())..usize::from(p.range.end())],
                p.message.clone(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            ("privileged-containr", "Unknown rule `privileged-containr`: did you mean `privileged-container`?".to_owned()),
            ("loud", "Invalid setting `loud` for `host-network`: use off, on, error, warning, info or hint".to_owned()),
            ("one", "`kubernetesVersion` must look like \"1.29\"".to_owned()),
            ("unknownSetting", "Unknown setting `unknownSetting`: expected `rules`, `kubernetesVersion`, `ignore` or `requiredLabels`".to_owned()),
        ]
    );
}

#[test]
fn config_reads_version_ignores_and_labels() {
    let config = Config::parse(
        "kubernetesVersion: v1.29.4\nignore: [vendor, \"charts/*/templates\"]\nrequiredLabels: [owner]\n",
        Path::new("/repo"),
    );
    assert!(config.problems.is_empty(), "{:?}", config.problems);
    assert_eq!(config.kubernetes_version, (1, 29));
    assert_eq!(config.required_labels, ["owner"]);
    assert!(config.is_ignored(Path::new("/repo/vendor/x/a.yaml")));
    assert!(config.is_ignored(Path::new("/repo/charts/web/templates/d.yaml")));
    assert!(!config.is_ignored(Path::new("/repo/apps/web.yaml")));
}

#[test]
fn broken_config_yaml_is_a_problem_not_a_panic() {
    let config = Config::parse("rules: [unclosed\n", Path::new("/"));
    assert!(!config.problems.is_empty());
    let config = Config::parse("- just\n- a list\n", Path::new("/"));
    assert_eq!(config.problems.len(), 1);
}

#[test]
fn editor_settings_win_over_the_file_and_report_their_problems() {
    let file = Config::parse(
        "kubernetesVersion: \"1.29\"\nrules:\n  latest-image-tag: off\n  security: warning\n",
        std::path::Path::new("/w"),
    );
    let latest = picket_lint::rule_by_name("latest-image-tag").unwrap();
    let privileged = picket_lint::rule_by_name("privileged-container").unwrap();
    assert!(!file.enabled(latest));
    let (config, problems) = file.overridden(
        &[
            ("latest-image-tag".into(), "error".into()),
            ("privileged-container".into(), "hint".into()),
            ("no-such-rule".into(), "off".into()),
            ("security".into(), "sometimes".into()),
        ],
        Some("1.31"),
    );
    assert!(config.enabled(latest));
    assert_eq!(config.severity(latest), picket_schema::Severity::Error);
    assert_eq!(config.severity(privileged), picket_schema::Severity::Hint);
    assert_eq!(config.kubernetes_version, (1, 31));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("no-such-rule"), "{problems:?}");
    assert!(
        problems[1].contains("Invalid setting `sometimes`"),
        "{problems:?}"
    );
    // The file's own configuration is unchanged.
    assert!(!file.enabled(latest));
    let (_, problems) = file.overridden(&[], Some("one"));
    assert_eq!(
        problems,
        ["`kubernetesVersion` must look like \"1.29\", not `one`"]
    );
}
