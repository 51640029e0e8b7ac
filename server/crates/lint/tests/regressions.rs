//! Bugs found in review, each pinned by the smallest manifest that showed it.

use std::path::Path;

use picket_lint::{Config, Index, check_file, fix_text, summarize};
use picket_syntax::ParsedFile;

fn fix_all(text: &str) -> String {
    let out = fix_text(text, 0, "t.yaml", &Index::new(), &Config::default(), true)
        .expect("the input parses");
    assert!(out.refused.is_none(), "{:?}", out.refused);
    out.text
}

fn rules_fired(text: &str) -> Vec<&'static str> {
    let parsed = ParsedFile::parse(text);
    let mut index = Index::new();
    index.add_file(
        0,
        "t.yaml".into(),
        parsed.documents().iter().map(|d| summarize(&d.doc).into()),
    );
    let mut config_text = String::from("rules:\n");
    for r in picket_lint::rules() {
        config_text.push_str(&format!("  {}: on\n", r.name));
    }
    let config = Config::parse(&config_text, Path::new("/"));
    check_file(&parsed, 0, &index, &config, |_| false)
        .violations
        .iter()
        .map(|v| v.rule.name)
        .collect()
}

/// A container inheriting its securityContext through `<<:` keeps it: the fix goes into the
/// anchored mapping (shared by both), never into a new mapping that would shadow it.
#[test]
fn fixes_do_not_shadow_a_merged_security_context() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - &base {name: a, image: \"nginx:1.27\", securityContext: {runAsUser: 10001, readOnlyRootFilesystem: true}}
    - <<: *base
      name: b
";
    let fixed = fix_all(text);
    // Container `b`: from its merge key to the pod-level keys after the list.
    let b = &fixed[fixed.find("<<: *base").unwrap()..];
    let b = &b[..b.find("\n  a").unwrap_or(b.len())];
    assert!(
        !b.contains("securityContext"),
        "b must keep the merged one:\n{fixed}"
    );
    assert!(fixed.contains("runAsUser: 10001"));
}

/// A scalar with an anchor is aliased elsewhere: editing it would change the aliases too.
#[test]
fn anchored_scalars_are_not_edited() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: &on true
  containers:
    - name: a
      image: \"nginx:1.27\"
      volumeMounts: [{name: v, mountPath: /x, readOnly: *on}]
  volumes: [{name: v, hostPath: {path: /var/log}}]
";
    let fixed = fix_all(text);
    assert!(fixed.contains("hostNetwork: &on true"), "{fixed}");
    assert!(fixed.contains("readOnly: *on"), "{fixed}");
}

/// Inserting after an entry with an empty value goes after its colon.
#[test]
fn inserting_after_an_empty_flow_value_keeps_valid_yaml() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: \"x:1\"
      securityContext: {runAsUser: }
";
    let fixed = fix_all(text);
    let parsed = ParsedFile::parse(&fixed);
    assert!(
        parsed.documents().iter().all(|d| d.doc.errors().is_empty()),
        "{fixed}"
    );
    assert!(fixed.contains("allowPrivilegeEscalation: false"), "{fixed}");
}

/// Privileged or SYS_ADMIN containers escalate by definition: no `allowPrivilegeEscalation:
/// false` (the API server would reject it), and removing the cause adds it.
#[test]
fn escalation_follows_privileged_and_sys_admin() {
    let text = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: \"x:1\"
      securityContext: {privileged: true}
";
    assert!(!rules_fired(text).contains(&"privilege-escalation-allowed"));
    let fixed = fix_all(text);
    assert!(fixed.contains("privileged: false"), "{fixed}");
    assert!(fixed.contains("allowPrivilegeEscalation: false"), "{fixed}");
}

/// Huge integers do not overflow (a panic would abort the whole run).
#[test]
fn huge_replica_counts_do_not_overflow() {
    let text = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 999999999999999999
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      containers: [{name: c, image: \"x:1\"}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: p}
spec:
  minAvailable: \"50%\"
  selector: {matchLabels: {app: a}}
";
    rules_fired(text);
}

/// Raising `minReplicas` to 2 when `maxReplicas` is 2 would leave an HPA unable to scale.
#[test]
fn no_min_replicas_fix_that_reaches_max() {
    let text = "\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
  minReplicas: 1
  maxReplicas: 2
";
    let fixed = fix_all(text);
    assert!(fixed.contains("minReplicas: 1"), "{fixed}");
}

/// The alpha seccomp annotations have no effect from Kubernetes 1.27: at the default target
/// they do not count as a profile.
#[test]
fn seccomp_annotations_count_only_before_1_27() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}
spec:
  containers: [{name: c, image: \"x:1\"}]
";
    let parsed = ParsedFile::parse(text);
    let index = Index::new();
    let fires = |config: &Config| {
        check_file(&parsed, 0, &index, config, |_| false)
            .violations
            .iter()
            .any(|v| v.rule.name == "missing-seccomp-profile")
    };
    assert!(fires(&Config::default()));
    assert!(!fires(&Config::parse(
        "kubernetesVersion: \"1.26\"\n",
        Path::new("/")
    )));
}

/// Skipping fix building (an editor's keystroke) finds exactly the same findings: no rule may
/// decide what to report from whether its fix could be built.
#[test]
fn findings_do_not_depend_on_building_fixes() {
    let root = picket_test_utils::fixtures_dir().join("rules");
    let mut config_text = String::from("rules:\n");
    for r in picket_lint::rules() {
        config_text.push_str(&format!("  {}: on\n", r.name));
    }
    let config = Config::parse(&config_text, Path::new("/"));
    let mut files = 0;
    for path in picket_test_utils::yaml_files(&root) {
        if path.file_name().is_some_and(|n| n == ".picket.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = ParsedFile::parse(&text);
        let mut index = Index::new();
        index.add_file(
            0,
            "t.yaml".into(),
            parsed.documents().iter().map(|d| summarize(&d.doc).into()),
        );
        let run = || {
            check_file(&parsed, 0, &index, &config, |_| false)
                .violations
                .into_iter()
                .map(|v| (v.rule.name, v.range, v.full_message(), v.fixes.len()))
                .collect::<Vec<_>>()
        };
        let with = run();
        let without = picket_lint::edit::without_fixes(run);
        assert!(without.iter().all(|v| v.3 == 0), "{}", path.display());
        let strip = |v: &[(&'static str, picket_syntax::TextRange, String, usize)]| {
            v.iter()
                .map(|(a, b, c, _)| (*a, *b, c.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&with), strip(&without), "{}", path.display());
        files += 1;
    }
    assert!(files > 200, "only {files} fixtures");
}
