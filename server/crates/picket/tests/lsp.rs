//! End-to-end tests of `picket lsp` over pipes, with the real binary.

use std::path::Path;

use picket_test_utils::lsp::{Client, locate};
use serde_json::{Value, json};

fn server(envs: &[(&str, &str)]) -> Client {
    Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], envs)
        .expect("start picket lsp")
}

/// Capabilities like VS Code's: UTF-16 only, push diagnostics.
fn vscode_like() -> Value {
    json!({ "general": { "positionEncodings": ["utf-16"] }, "window": { "workDoneProgress": true } })
}

/// A client that prefers UTF-8.
fn utf8_client() -> Value {
    json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } })
}

fn pull_client() -> Value {
    json!({ "textDocument": { "diagnostic": { "dynamicRegistration": false } }, "workspace": { "diagnostics": { "refreshSupport": true } } })
}

const URI: &str = "file:///tmp/picket-test/pod.yaml";

/// The names of the rules, from the binary.
fn rule_names() -> Vec<String> {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_picket"))
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

/// `(code, start line, start char, end line, end char)` of each syntax and schema diagnostic
/// (rule findings are the business of the rule tests below).
fn summary(diags: &[Value]) -> Vec<(String, u64, u64, u64, u64)> {
    let rules = rule_names();
    let mut out: Vec<_> = diags
        .iter()
        .filter(|d| !rules.iter().any(|r| d["code"] == r.as_str()))
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Rules are silenced by the annotation: these tests are about positions and the protocol.
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    note: \"caf\u{e9}\"\n    picket.dev/ignore: all\nspec:\n  containers:\n  - name: web\n    image: nginx\n    imagePullPolicy: always\n";

#[test]
fn initialize_negotiates_utf8_and_incremental_sync() {
    let mut c = server(&[]);
    let result = c.initialize(utf8_client(), None).unwrap();
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "push-only client gets no pull provider"
    );
    assert_eq!(result["serverInfo"]["name"], "picket");
    assert!(c.shutdown().unwrap().success());

    let mut c = server(&[]);
    let result = c.initialize(vscode_like(), None).unwrap();
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    c.shutdown().unwrap();
}

#[test]
fn open_publishes_diagnostics_and_close_clears_them() {
    let mut c = server(&[]);
    c.initialize(vscode_like(), None).unwrap();
    c.did_open(URI, 1, POD).unwrap();
    let diags = c.diagnostics_for(URI, 1).unwrap();
    let (line, s, e) = locate(POD, "always", true);
    assert_eq!(
        summary(&diags),
        [("bad-enum-value".to_owned(), line, s, line, e)]
    );
    let enum_diag = diags
        .iter()
        .find(|d| d["code"] == "bad-enum-value")
        .unwrap();
    assert_eq!(enum_diag["source"], "picket");
    assert_eq!(enum_diag["severity"], 1);
    assert!(
        enum_diag["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `Always`")
    );
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    )
    .unwrap();
    let cleared = c
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == URI && p["diagnostics"] == json!([])
        })
        .unwrap();
    assert_eq!(cleared["diagnostics"], json!([]));
    c.shutdown().unwrap();
}

/// Edits with 2-, 3- and 4-byte characters and CRLF line ends, in both encodings: the
/// diagnostic stays on `always` wherever the text around it moves.
#[test]
fn incremental_changes_with_wide_characters_keep_positions_exact() {
    for (caps, utf16) in [(vscode_like(), true), (utf8_client(), false)] {
        let mut c = server(&[]);
        c.initialize(caps, None).unwrap();
        let mut text = POD.replace('\n', "\r\n");
        c.did_open(URI, 1, &text).unwrap();
        let _ = c.diagnostics_for(URI, 1).unwrap();
        // Insert wide characters: into a value on an earlier line, a new CRLF comment line
        // above, and on the same line right before `always` (which then starts with 🦀).
        let edits: [(&str, &str); 4] = [
            ("caf", "é"),
            ("caf", "€🦀"),
            ("  containers", "# 🦀é€\r\n"),
            ("always", "🦀"),
        ];
        for (i, (anchor, insert)) in edits.iter().enumerate() {
            let (line, col, _) = locate(&text, anchor, utf16);
            let at = text.find(anchor).unwrap();
            text.insert_str(at, insert);
            let version = i as i32 + 2;
            c.did_change(
                URI,
                version,
                [[line as u32, col as u32], [line as u32, col as u32]],
                insert,
            )
            .unwrap();
            let diags = c.diagnostics_for(URI, version).unwrap();
            let needle = if i == 3 { "🦀always" } else { "always" };
            let (l, s, e) = locate(&text, needle, utf16);
            assert_eq!(
                summary(&diags),
                [("bad-enum-value".to_owned(), l, s, l, e)],
                "edit {i} utf16={utf16}"
            );
        }
        // Replace a range that spans a 4-byte character: delete `🦀always` and type `Always`.
        let (l, s, e) = locate(&text, "🦀always", utf16);
        text = text.replace("🦀always", "Always");
        c.did_change(
            URI,
            9,
            [[l as u32, s as u32], [l as u32, e as u32]],
            "Always",
        )
        .unwrap();
        assert_eq!(
            c.diagnostics_for(URI, 9).unwrap(),
            Vec::<Value>::new(),
            "utf16={utf16}"
        );
        c.shutdown().unwrap();
    }
}

#[test]
fn out_of_range_positions_are_clamped() {
    let mut c = server(&[]);
    c.initialize(vscode_like(), None).unwrap();
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
    c.did_open(URI, 1, text).unwrap();
    assert!(c.diagnostics_for(URI, 1).unwrap().is_empty());
    // Past the last line: appended at the end of the document.
    c.did_change(URI, 2, [[999, 5], [999, 9]], "dat: {}\n")
        .unwrap();
    let diags = c.diagnostics_for(URI, 2).unwrap();
    assert_eq!(summary(&diags), [("unknown-field".to_owned(), 3, 0, 3, 3)]);
    // Past the end of a line: at the end of that line (before its line break).
    c.did_change(URI, 3, [[1, 500], [1, 600]], "Map").unwrap();
    let diags = c.diagnostics_for(URI, 3).unwrap();
    let codes: Vec<_> = summary(&diags).into_iter().map(|d| d.0).collect();
    assert_eq!(codes, ["unknown-kind"], "`kind: ConfigMapMap`");
    c.shutdown().unwrap();
}

#[test]
fn pull_diagnostics() {
    let mut c = server(&[]);
    let result = c.initialize(pull_client(), None).unwrap();
    assert_eq!(
        result["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    c.did_open(URI, 1, POD).unwrap();
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI } }),
        )
        .unwrap()
        .unwrap();
    assert_eq!(report["kind"], "full");
    assert_eq!(report["resultId"], "1");
    let items = report["items"].as_array().unwrap();
    assert_eq!(summary(items)[0].0, "bad-enum-value");
    let (line, s, e) = locate(POD, "always", true);
    c.did_change(
        URI,
        2,
        [[line as u32, s as u32], [line as u32, e as u32]],
        "Always",
    )
    .unwrap();
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI } }),
        )
        .unwrap()
        .unwrap();
    assert_eq!(report["items"], json!([]));
    assert_eq!(report["resultId"], "2");
    // A pull client gets no pushed diagnostics.
    assert!(
        c.drain()
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics")
    );
    c.shutdown().unwrap();
}

#[test]
fn unknown_documents_and_broken_messages_do_not_crash_the_server() {
    let mut c = server(&[]);
    c.initialize(pull_client(), None).unwrap();
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": "file:///never/opened.yaml" } }),
        )
        .unwrap()
        .unwrap();
    assert_eq!(report["items"], json!([]));
    c.did_change("file:///never/opened.yaml", 3, [[0, 0], [0, 0]], "x")
        .unwrap();
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": "file:///never/opened.yaml" } }),
    )
    .unwrap();
    // Malformed JSON in a well-framed message, a message with bad params, and an unknown method.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json").unwrap();
    let bad = c
        .request("textDocument/diagnostic", json!({ "nope": 1 }))
        .unwrap();
    assert!(bad.is_err());
    let unknown = c.request("picket/noSuchMethod", json!({})).unwrap();
    assert_eq!(unknown.unwrap_err()["code"], -32601);
    // Still serving.
    c.did_open(URI, 1, POD).unwrap();
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI } }),
        )
        .unwrap()
        .unwrap();
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    assert!(c.is_running());
    c.shutdown().unwrap();
}

#[test]
fn a_panic_in_analysis_costs_one_run_not_the_server() {
    let mut c = server(&[("PICKET_DEBUG_PANIC_ON", "PANIC-HERE")]);
    c.initialize(pull_client(), None).unwrap();
    c.did_open("file:///tmp/boom.yaml", 1, "kind: Pod # PANIC-HERE\n")
        .unwrap();
    let boom = c
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": "file:///tmp/boom.yaml" } }),
        )
        .unwrap();
    assert_eq!(boom.unwrap_err()["code"], -32603, "InternalError");
    c.did_open(URI, 1, POD).unwrap();
    let report = c
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": URI } }),
        )
        .unwrap()
        .unwrap();
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    assert!(
        c.stderr().contains("test panic requested"),
        "the panic is logged"
    );
    c.shutdown().unwrap();
}

#[test]
fn a_huge_document_gets_one_clear_diagnostic() {
    let mut c = server(&[]);
    c.initialize(vscode_like(), None).unwrap();
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    let line = format!("  k: {}\n", "x".repeat(1000));
    while text.len() <= 33 << 20 {
        text.push_str(&line);
    }
    c.did_open(URI, 1, &text).unwrap();
    let diags = c.diagnostics_for(URI, 1).unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "file-too-large");
    assert!(diags[0]["message"].as_str().unwrap().contains("32 MiB"));
    c.shutdown().unwrap();
}

#[test]
fn crds_in_the_workspace_validate_custom_resources() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("crd.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size: {type: integer}\n",
    )
    .unwrap();
    let root = format!("file://{}", dir.path().display());
    let uri = format!("{root}/widget.yaml");
    let mut c = server(&[]);
    c.initialize(vscode_like(), Some(&root)).unwrap();
    c.did_open(
        &uri,
        1,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: big\n",
    )
    .unwrap();
    // The scan reports work-done progress, from begin to end…
    let end = c
        .wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    assert!(
        end["token"]
            .as_str()
            .unwrap()
            .starts_with("picket/scan-workspace/")
    );
    let message = end["value"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("1 object in 1 file (1 YAML file, "),
        "{message}"
    );
    // …and then re-publishes: the first push may have come before the CRD was known.
    let params = c
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri.as_str()
                && p["diagnostics"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|d| d["code"] == "wrong-type"))
        })
        .unwrap();
    let diags = params["diagnostics"].as_array().unwrap();
    assert_eq!(summary(diags), [("wrong-type".to_owned(), 4, 8, 4, 11)]);
    c.shutdown().unwrap();
}

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n      imagePullPolicy: IfNotPresent\n      securityContext:\n        allowPrivilegeEscalation: false\n        privileged: true # debug\n";

fn codes_of(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn code_actions_offer_the_fix_and_a_suppression_comment() {
    let mut c = server(&[]);
    c.initialize(utf8_client(), None).unwrap();
    c.did_open(URI, 1, PRIVILEGED).unwrap();
    let diags = c.diagnostics_for(URI, 1).unwrap();
    assert!(
        codes_of(&diags).contains(&"privileged-container".to_owned()),
        "{diags:?}"
    );
    let (line, s, e) = locate(PRIVILEGED, "privileged: true", false);
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": line, "character": s }, "end": { "line": line, "character": e } },
                "context": { "diagnostics": [] },
            }),
        )
        .unwrap()
        .unwrap();
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Set `privileged: false` (unsafe)")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], false);
    let edits = &fix["edit"]["changes"][URI];
    let (vl, vs, ve) = locate(PRIVILEGED, "true", false);
    assert_eq!(edits[0]["newText"], "false");
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": vl, "character": vs })
    );
    assert_eq!(
        edits[0]["range"]["end"],
        json!({ "line": vl, "character": ve })
    );
    let ignore = actions
        .iter()
        .find(|a| a["title"] == "Ignore `privileged-container` on this line")
        .unwrap();
    assert_eq!(
        ignore["edit"]["changes"][URI][0]["newText"],
        "        # picket:ignore[privileged-container] TODO: say why\n"
    );
    c.shutdown().unwrap();
}

#[test]
fn fix_all_applies_safe_fixes_only() {
    let text = PRIVILEGED.replace("      imagePullPolicy: IfNotPresent\n", "");
    let mut c = server(&[]);
    c.initialize(utf8_client(), None).unwrap();
    c.did_open(URI, 1, &text).unwrap();
    c.diagnostics_for(URI, 1).unwrap();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [], "only": ["source.fixAll"] },
            }),
        )
        .unwrap()
        .unwrap();
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.picket");
    let new_text = actions[0]["edit"]["changes"][URI][0]["newText"]
        .as_str()
        .unwrap();
    // The safe fix pins the pull policy Kubernetes would default to; the unsafe
    // `privileged: false` is left for the user to choose.
    assert!(
        new_text.contains("imagePullPolicy: IfNotPresent"),
        "{new_text}"
    );
    assert!(new_text.contains("privileged: true # debug"), "{new_text}");
    c.shutdown().unwrap();
}

#[test]
fn suppressions_and_annotations_work_over_lsp() {
    let text = PRIVILEGED
        .replace("privileged: true # debug", "privileged: true # picket:ignore[privileged-container, host-netwrk] debug")
        .replace(
            "  name: web\nspec:",
            "  name: web\n  annotations: {ignore-check.kube-linter.io/run-as-non-root: reviewed, picket.dev/ignore: writable-root-filesystem}\nspec:",
        );
    let mut c = server(&[]);
    c.initialize(utf8_client(), None).unwrap();
    c.did_open(URI, 1, &text).unwrap();
    let diags = c.diagnostics_for(URI, 1).unwrap();
    let codes = codes_of(&diags);
    assert!(
        !codes.contains(&"privileged-container".to_owned()),
        "{codes:?}"
    );
    let bad = diags
        .iter()
        .find(|d| d["code"] == "invalid-suppression")
        .unwrap();
    assert_eq!(
        bad["message"],
        "Unknown rule `host-netwrk`: did you mean `host-network`?"
    );
    c.shutdown().unwrap();
}

#[test]
fn picket_yaml_configures_the_server() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".picket.yaml"),
        "rules:\n  privileged-container: error\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("apps")).unwrap();
    let root = format!("file://{}", dir.path().display());
    let uri = format!("{root}/apps/pod.yaml");
    let mut c = server(&[]);
    c.initialize(utf8_client(), Some(&root)).unwrap();
    c.did_open(&uri, 1, PRIVILEGED).unwrap();
    let diags = c.diagnostics_for(&uri, 1).unwrap();
    let d = diags
        .iter()
        .find(|d| d["code"] == "privileged-container")
        .unwrap();
    assert_eq!(d["severity"], 1, "error, as configured");
    c.shutdown().unwrap();
}

#[test]
fn cross_resource_rules_see_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n",
    )
    .unwrap();
    let root = format!("file://{}", dir.path().display());
    let uri = format!("{root}/service.yaml");
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let mut c = server(&[]);
    c.initialize(vscode_like(), Some(&root)).unwrap();
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    c.did_open(&uri, 1, service).unwrap();
    let diags = c.diagnostics_for(&uri, 1).unwrap();
    assert!(
        !codes_of(&diags).contains(&"service-selects-no-pod".to_owned()),
        "{diags:?}"
    );
    c.did_change(&uri, 2, [[4, 18], [4, 21]], "api").unwrap();
    let diags = c.diagnostics_for(&uri, 2).unwrap();
    let d = diags
        .iter()
        .find(|d| d["code"] == "service-selects-no-pod")
        .unwrap();
    assert_eq!(
        d["message"],
        "Service `web` selects no pod: no workload has the labels `app=api`"
    );
    c.shutdown().unwrap();
}

#[test]
fn picket_yaml_problems_show_in_the_open_file() {
    let uri = "file:///tmp/picket-test-config/.picket.yaml";
    let mut c = server(&[]);
    c.initialize(utf8_client(), None).unwrap();
    c.did_open(uri, 1, "rules:\n  privileged-containr: off\n")
        .unwrap();
    let diags = c.diagnostics_for(uri, 1).unwrap();
    assert_eq!(
        summary(&diags),
        [("invalid-config".to_owned(), 1, 2, 1, 21)]
    );
    assert_eq!(
        diags[0]["message"],
        "Unknown rule `privileged-containr`: did you mean `privileged-container`?"
    );
    c.shutdown().unwrap();
}

#[test]
fn editor_settings_override_the_configuration() {
    let uri = "file:///tmp/picket-test-settings/pod.yaml";
    let mut c = server(&[]);
    let params = json!({
        "processId": null,
        "rootUri": null,
        "capabilities": utf8_client(),
        "initializationOptions": { "picket": { "rules": { "privileged-container": "off", "no-such-rule": "on" } } },
    });
    c.request("initialize", params).unwrap().unwrap();
    c.notify("initialized", json!({})).unwrap();
    // A setting naming no rule is reported once, with a suggestion.
    let shown = c.wait_notification("window/showMessage", |_| true).unwrap();
    assert!(
        shown["message"].as_str().unwrap().contains("no-such-rule"),
        "{shown}"
    );
    c.did_open(uri, 1, PRIVILEGED).unwrap();
    let diags = c.diagnostics_for(uri, 1).unwrap();
    assert!(!codes_of(&diags).contains(&"privileged-container".to_owned()));
    // The user turns the rule back on (to a severity): the open document is checked again.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "picket": { "rules": { "privileged-container": "hint" } } } }),
    )
    .unwrap();
    let params = c
        .wait_notification("textDocument/publishDiagnostics", |p| {
            p["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["code"] == "privileged-container"))
        })
        .unwrap();
    let d = params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "privileged-container")
        .unwrap()
        .clone();
    assert_eq!(d["severity"], 4, "hint");
    c.shutdown().unwrap();
}
