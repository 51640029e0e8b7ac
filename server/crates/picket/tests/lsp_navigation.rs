//! End-to-end tests of navigation over LSP with the real binary: definition, references,
//! rename, code lenses, workspace symbols, and the workspace index kept current from watched
//! files. Positions are checked in UTF-16 against text with wide characters before them.

use std::path::Path;

use picket_test_utils::lsp::{Client, locate, position_at};
use serde_json::{Value, json};

fn server() -> Client {
    Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], &[]).expect("start picket lsp")
}

/// VS Code-like: UTF-16, progress, links for definitions, file watching.
fn capabilities() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "textDocument": {
            "definition": { "linkSupport": true },
            "hover": { "contentFormat": ["markdown"] }
        },
        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
    })
}

const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {annotations: {note: \"d\u{e9}j\u{e0} \u{1f980}\"}, name: web, namespace: shop}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef: {name: \"web-config\"} # caf\u{e9}
";

/// Two documents: a Secret of the same name first, so that results must tell kinds apart and
/// land in the second document (its offset applied).
const CONFIG: &str = "\
apiVersion: v1
kind: Secret
metadata: {name: web-config, namespace: shop}
---
# \u{2615} settings
apiVersion: v1
kind: ConfigMap
metadata: {labels: {team: \"\u{e9}quipe\"}, name: web-config, namespace: shop}
data: {level: info}
";

const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80}]
";

struct Workspace {
    _dir: tempfile::TempDir,
    root: String,
    client: Client,
}

impl Workspace {
    fn uri(&self, name: &str) -> String {
        format!("{}/{name}", self.root)
    }
}

/// A workspace with the three files on disk, the Deployment open, the index built.
fn workspace() -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("deploy.yaml", DEPLOY),
        ("config.yaml", CONFIG),
        ("service.yaml", SERVICE),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let root = format!("file://{}", dir.path().display());
    let mut client = server();
    client.initialize(capabilities(), Some(&root)).unwrap();
    client
        .wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    let mut w = Workspace {
        _dir: dir,
        root,
        client,
    };
    let uri = w.uri("deploy.yaml");
    w.client.did_open(&uri, 1, DEPLOY).unwrap();
    w
}

fn pos(text: &str, needle: &str, delta: u64) -> Value {
    let (line, start, _) = locate(text, needle, true);
    json!({ "line": line, "character": start + delta })
}

fn range_of(text: &str, needle: &str) -> Value {
    let (line, start, end) = locate(text, needle, true);
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
}

/// The range of the first `n` characters of `needle` (ASCII) in `text`.
fn range_of_prefix(text: &str, needle: &str, n: u64) -> Value {
    let (line, start, _) = locate(text, needle, true);
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": start + n } })
}

/// The range of the ConfigMap's name in `CONFIG` (the second `web-config` there).
fn config_name() -> Value {
    let at = CONFIG.match_indices("web-config").nth(1).unwrap().0;
    let (line, start) = position_at(CONFIG, at, true);
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": start + 10 } })
}

/// Checks that `method` is refused as "request failed" (-32803), with a message saying `why`.
fn refused_because(c: &mut Client, method: &str, params: Value, why: &str) {
    let err = c.request(method, params).unwrap().unwrap_err();
    assert_eq!(err["code"], -32803, "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains(why), "{err}");
}

fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

#[test]
fn definition_follows_a_reference_into_a_closed_file() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    let links = w
        .client
        .request(
            "textDocument/definition",
            at(&deploy, pos(DEPLOY, "web-config", 3)),
        )
        .unwrap()
        .unwrap();
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    let link = &links[0];
    assert_eq!(link["targetUri"], w.uri("config.yaml"));
    assert_eq!(link["targetSelectionRange"], config_name());
    assert_eq!(link["originSelectionRange"], range_of(DEPLOY, "web-config"));
    assert_eq!(
        link["targetRange"]["start"],
        json!({ "line": 5, "character": 0 })
    );
    // The Service's selector leads to the Deployment (open, with its wide characters).
    let service = w.uri("service.yaml");
    w.client.did_open(&service, 1, SERVICE).unwrap();
    let links = w
        .client
        .request(
            "textDocument/definition",
            at(&service, pos(SERVICE, "app: web", 0)),
        )
        .unwrap()
        .unwrap();
    assert_eq!(links[0]["targetUri"], deploy);
    // The link starts from the whole selector.
    assert_eq!(
        links[0]["originSelectionRange"],
        range_of(SERVICE, "{app: web}")
    );
    assert_eq!(
        links[0]["targetSelectionRange"],
        range_of_prefix(DEPLOY, "web, namespace", 3)
    );
    // Nothing to follow on an image.
    let none = w
        .client
        .request(
            "textDocument/definition",
            at(&deploy, pos(DEPLOY, "nginx", 1)),
        )
        .unwrap()
        .unwrap();
    assert!(none.is_null(), "{none}");
    w.client.shutdown().unwrap();
}

#[test]
fn references_and_rename_cover_open_and_closed_files() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    let config = w.uri("config.yaml");
    let mut params = at(&deploy, pos(DEPLOY, "web-config", 0));
    params["context"] = json!({ "includeDeclaration": true });
    let refs = w
        .client
        .request("textDocument/references", params)
        .unwrap()
        .unwrap();
    let mut got: Vec<(String, Value)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["uri"].as_str().unwrap().to_owned(), l["range"].clone()))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            (config.clone(), config_name()),
            (deploy.clone(), range_of(DEPLOY, "web-config")),
        ]
    );

    let prepared = w
        .client
        .request(
            "textDocument/prepareRename",
            at(&deploy, pos(DEPLOY, "web-config", 2)),
        )
        .unwrap()
        .unwrap();
    assert_eq!(prepared, range_of(DEPLOY, "web-config"));
    let mut params = at(&deploy, pos(DEPLOY, "web-config", 2));
    params["newName"] = json!("site-config");
    let edit = w
        .client
        .request("textDocument/rename", params)
        .unwrap()
        .unwrap();
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{edit}");
    assert_eq!(
        changes[&config],
        json!([{ "range": config_name(), "newText": "site-config" }])
    );
    assert_eq!(
        changes[&deploy],
        json!([{ "range": range_of(DEPLOY, "web-config"), "newText": "site-config" }])
    );
    // A name the kind does not allow: the user is told why.
    let mut params = at(&deploy, pos(DEPLOY, "web-config", 2));
    params["newName"] = json!("Site_Config");
    refused_because(
        &mut w.client,
        "textDocument/rename",
        params,
        "not a valid ConfigMap name",
    );
    // Not on a name: prepareRename refuses.
    let err = w
        .client
        .request(
            "textDocument/prepareRename",
            at(&deploy, pos(DEPLOY, "nginx", 0)),
        )
        .unwrap()
        .unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("rename works on"),
        "{err}"
    );
    w.client.shutdown().unwrap();
}

#[test]
fn lenses_follow_files_changing_on_disk() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    let lenses = |c: &mut Client| -> Vec<String> {
        let v = c
            .request(
                "textDocument/codeLens",
                json!({ "textDocument": { "uri": deploy } }),
            )
            .unwrap()
            .unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| {
                assert_eq!(l["range"], range_of(DEPLOY, "Deployment"));
                l["command"]["title"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    assert_eq!(
        lenses(&mut w.client),
        ["1 Service selects it", "no NetworkPolicy isolates it"]
    );
    // A NetworkPolicy appears on disk; the client reports it.
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n";
    std::fs::write(w._dir.path().join("policy.yaml"), policy).unwrap();
    let uri = w.uri("policy.yaml");
    w.client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": uri, "type": 1 }] }),
        )
        .unwrap();
    // Notifications are handled in order, so the next request sees the new file.
    assert_eq!(
        lenses(&mut w.client),
        ["1 Service selects it", "isolated by NetworkPolicy deny-all"]
    );
    // The Service is deleted.
    std::fs::remove_file(w._dir.path().join("service.yaml")).unwrap();
    let uri = w.uri("service.yaml");
    w.client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": uri, "type": 3 }] }),
        )
        .unwrap();
    assert_eq!(
        lenses(&mut w.client),
        [
            "no Service selects it",
            "isolated by NetworkPolicy deny-all"
        ]
    );
    // A .gitignore that leaves the policy out: a rescan drops it.
    std::fs::write(w._dir.path().join(".gitignore"), "policy.yaml\n").unwrap();
    let uri = w.uri(".gitignore");
    w.client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": uri, "type": 1 }] }),
        )
        .unwrap();
    w.client
        .wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    assert_eq!(
        lenses(&mut w.client),
        ["no Service selects it", "no NetworkPolicy isolates it"]
    );
    w.client.shutdown().unwrap();
}

#[test]
fn workspace_symbols_find_objects_in_every_file() {
    let mut w = workspace();
    let found = w
        .client
        .request("workspace/symbol", json!({ "query": "web-con" }))
        .unwrap()
        .unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let map = found
        .iter()
        .find(|s| s["containerName"] == "ConfigMap · shop")
        .unwrap();
    assert_eq!(map["name"], "web-config");
    assert_eq!(map["location"]["uri"], w.uri("config.yaml"));
    assert_eq!(map["location"]["range"], config_name());
    let all = w
        .client
        .request("workspace/symbol", json!({ "query": "web" }))
        .unwrap()
        .unwrap();
    let mut names: Vec<String> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["containerName"].as_str().unwrap(),
                s["name"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ConfigMap · shop web-config",
            "Deployment · shop web",
            "Secret · shop web-config",
            "Service · shop web"
        ]
    );
    w.client.shutdown().unwrap();
}

#[test]
fn a_half_typed_document_answers_without_errors() {
    let mut w = workspace();
    let uri = w.uri("deploy.yaml");
    let broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web\nspec:\n  template:\n    spec:\n      serviceAccountName: \n      containers:\n      - name: [\n";
    w.client
        .did_change(&uri, 2, [[0, 0], [100, 0]], broken)
        .unwrap();
    for line in 0..9u64 {
        for character in [0u64, 3, 12, 30] {
            let p = json!({ "line": line, "character": character });
            for method in ["textDocument/definition", "textDocument/prepareRename"] {
                let r = w.client.request(method, at(&uri, p.clone())).unwrap();
                if let Err(e) = &r {
                    assert_eq!(e["code"], -32803, "{method} at {p}: {e}");
                }
            }
            let mut params = at(&uri, p.clone());
            params["context"] = json!({ "includeDeclaration": true });
            assert!(
                w.client
                    .request("textDocument/references", params)
                    .unwrap()
                    .is_ok()
            );
        }
    }
    assert!(
        w.client
            .request(
                "textDocument/codeLens",
                json!({ "textDocument": { "uri": uri } })
            )
            .unwrap()
            .is_ok()
    );
    w.client.shutdown().unwrap();
}

#[test]
fn hover_on_a_reference_or_a_selector_says_what_it_points_to() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    let h = w
        .client
        .request(
            "textDocument/hover",
            at(&deploy, pos(DEPLOY, "web-config", 4)),
        )
        .unwrap()
        .unwrap();
    // The range is the field's token, quotes included; the field's docs follow.
    assert_eq!(h["range"], range_of(DEPLOY, "\"web-config\""));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("\n\n---\n\n**name**: string"), "{md}");
    assert!(
        md.starts_with("**ConfigMap `web-config`**\n\nDefined in `"),
        "{md}"
    );
    assert!(
        md.contains("/config.yaml`, namespace `shop`. Keys: `level`."),
        "{md}"
    );
    // The selector of the Service.
    let service = w.uri("service.yaml");
    w.client.did_open(&service, 1, SERVICE).unwrap();
    let h = w
        .client
        .request(
            "textDocument/hover",
            at(&service, pos(SERVICE, "app: web", 1)),
        )
        .unwrap()
        .unwrap();
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with(
            "**Service `web`** selects the pods of 1 workload:\n- Deployment `web` in `"
        ),
        "{md}"
    );
    w.client.shutdown().unwrap();
}

#[test]
fn completion_offers_names_and_labels_from_closed_files() {
    let mut w = workspace();
    let uri = w.uri("new.yaml");
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    envFrom:\n    - configMapRef:\n        name: \n  nodeSelector: {}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: shop}\nspec:\n  selector:\n    app: \n";
    w.client.did_open(&uri, 1, text).unwrap();
    let complete = |c: &mut Client, line: u64, character: u64| -> Vec<String> {
        let v = c
            .request(
                "textDocument/completion",
                at(&uri, json!({ "line": line, "character": character })),
            )
            .unwrap()
            .unwrap();
        let items = v.get("items").unwrap_or(&v).as_array().unwrap().clone();
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect()
    };
    // The ConfigMap of the closed config.yaml (not the Secret of the same name).
    assert_eq!(complete(&mut w.client, 9, 14), ["web-config"]);
    // The labels the Deployment gives its pods, in the second document.
    assert_eq!(complete(&mut w.client, 17, 9), ["web"]);
    w.client.shutdown().unwrap();
}

#[test]
fn rename_refuses_to_write_into_a_file_changed_behind_its_back() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    // Changed on disk, and the client says nothing (no file watching).
    std::fs::write(
        w._dir.path().join("config.yaml"),
        format!("# a new first line\n{CONFIG}"),
    )
    .unwrap();
    let mut params = at(&deploy, pos(DEPLOY, "web-config", 2));
    params["newName"] = json!("site-config");
    refused_because(
        &mut w.client,
        "textDocument/rename",
        params,
        "config.yaml` changed on disk",
    );
    w.client.shutdown().unwrap();
}

fn notify_changed(c: &mut Client, uri: &str, typ: u8) {
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri, "type": typ }] }),
    )
    .unwrap();
}

#[test]
fn a_fifo_or_a_device_named_yaml_does_not_hang_the_server() {
    let mut w = workspace();
    let fifo = w._dir.path().join("evil.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", w._dir.path().join("zero.yaml")).unwrap();
    let (fifo_uri, zero_uri) = (w.uri("evil.yaml"), w.uri("zero.yaml"));
    notify_changed(&mut w.client, &fifo_uri, 1);
    notify_changed(&mut w.client, &zero_uri, 1);
    // Still answering, with the index as it was.
    let found = w
        .client
        .request("workspace/symbol", json!({ "query": "web-config" }))
        .unwrap()
        .unwrap();
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");
    w.client.shutdown().unwrap();
}

#[test]
fn one_file_reached_through_a_symbolic_link_is_one_object() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    for (name, text) in [("deploy.yaml", DEPLOY), ("config.yaml", CONFIG)] {
        std::fs::write(real.join(name), text).unwrap();
    }
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // The workspace is opened through the link, the file through its real path.
    let mut c = server();
    c.initialize(capabilities(), Some(&format!("file://{}", link.display())))
        .unwrap();
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    let uri = format!("file://{}", real.join("deploy.yaml").display());
    c.did_open(&uri, 1, DEPLOY).unwrap();
    let links = c
        .request(
            "textDocument/definition",
            at(&uri, pos(DEPLOY, "web-config", 2)),
        )
        .unwrap()
        .unwrap();
    assert_eq!(links.as_array().unwrap().len(), 1, "{links}");
    let mut params = at(&uri, pos(DEPLOY, "web-config", 2));
    params["newName"] = json!("site-config");
    let edit = c.request("textDocument/rename", params).unwrap().unwrap();
    assert_eq!(edit["changes"].as_object().unwrap().len(), 2, "{edit}");
    c.shutdown().unwrap();
}

#[test]
fn a_deleted_directory_takes_its_objects_out_of_the_index() {
    let mut w = workspace();
    let sub = w._dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec:\n  podSelector: {}\n";
    std::fs::write(sub.join("policy.yaml"), policy).unwrap();
    let sub_uri = w.uri("sub");
    // A directory created (moved in): its files were never reported one by one.
    notify_changed(&mut w.client, &sub_uri, 1);
    w.client
        .wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    let symbols = |c: &mut Client| {
        c.request("workspace/symbol", json!({ "query": "deny-all" }))
            .unwrap()
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(symbols(&mut w.client), 1);
    std::fs::remove_dir_all(&sub).unwrap();
    notify_changed(&mut w.client, &sub_uri, 3);
    assert_eq!(symbols(&mut w.client), 0);
    w.client.shutdown().unwrap();
}

#[test]
fn a_lens_command_opens_what_it_counts() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    let lenses = w
        .client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": deploy } }),
        )
        .unwrap()
        .unwrap();
    let command = lenses[0]["command"].clone();
    assert_eq!(command["title"], "1 Service selects it");
    let answer = w
        .client
        .request(
            "workspace/executeCommand",
            json!({ "command": command["command"], "arguments": command["arguments"] }),
        )
        .unwrap();
    assert_eq!(answer, Ok(Value::Null));
    let shown = w
        .client
        .wait_notification("window/showDocument", |_| true)
        .unwrap();
    assert_eq!(shown["uri"], w.uri("service.yaml"));
    assert_eq!(shown["selection"], range_of(SERVICE, "web"));
    // An unknown command is an error, not a crash.
    let err = w
        .client
        .request(
            "workspace/executeCommand",
            json!({ "command": "picket.nope" }),
        )
        .unwrap()
        .unwrap_err();
    assert_eq!(err["code"], -32602);
    w.client.shutdown().unwrap();
}

#[test]
fn a_closed_document_goes_back_to_its_saved_contents() {
    let mut w = workspace();
    let deploy = w.uri("deploy.yaml");
    let config = w.uri("config.yaml");
    let definitions = |c: &mut Client| -> usize {
        let links = c
            .request(
                "textDocument/definition",
                at(&deploy, pos(DEPLOY, "web-config", 2)),
            )
            .unwrap()
            .unwrap();
        links.as_array().map_or(0, Vec::len)
    };
    assert_eq!(definitions(&mut w.client), 1);
    // Opened and renamed in the editor, unsaved: the editor's text counts.
    w.client
        .did_open(
            &config,
            1,
            &CONFIG.replace("name: web-config", "name: other-config"),
        )
        .unwrap();
    assert_eq!(definitions(&mut w.client), 0);
    // Closed without saving: the file on disk counts again.
    w.client
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": config } }),
        )
        .unwrap();
    assert_eq!(definitions(&mut w.client), 1);
    w.client.shutdown().unwrap();
}
