//! End-to-end tests of behaviour profiles in the language server, with the real binary: the
//! profiles folder read at start and watched, the lens over each workload with profiles, the
//! findings about what a manifest declares, and the quick-fixes that edit it and create files
//! beside it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use picket_test_utils::lsp::{Client, locate};
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures/profiles")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).unwrap()
}

const NGINX_PROFILE: &str = "shop_Deployment-web_nginx.json";
const API_PROFILE: &str = "shop_Deployment-api_api.json";

/// A workload no profile is about.
const CACHE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - name: redis
        image: redis:7.4
";

/// VS Code-like: UTF-16, progress, file watching, lens refresh, and workspace edits that
/// create files when `create_files`.
fn capabilities(create_files: bool) -> Value {
    let mut edit = json!({ "documentChanges": true });
    if create_files {
        edit["resourceOperations"] = json!(["create", "rename", "delete"]);
    }
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "workspace": {
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceEdit": edit,
            "codeLens": { "refreshSupport": true }
        }
    })
}

struct Workspace {
    dir: tempfile::TempDir,
    root: String,
    client: Client,
}

impl Workspace {
    fn uri(&self, name: &str) -> String {
        format!("{}/{name}", self.root)
    }

    fn profiles(&self) -> PathBuf {
        self.dir.path().join(".picket/profiles")
    }

    fn open(&mut self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.path().join(name)).unwrap();
        let uri = self.uri(name);
        self.client.did_open(&uri, 1, &text).unwrap();
        text
    }

    fn lenses(&mut self, name: &str) -> Vec<Value> {
        let uri = self.uri(name);
        let v = self
            .client
            .request(
                "textDocument/codeLens",
                json!({ "textDocument": { "uri": uri } }),
            )
            .unwrap()
            .unwrap();
        v.as_array().cloned().unwrap_or_default()
    }

    /// The titles of the profile lenses of a document.
    fn profile_lenses(&mut self, name: &str) -> Vec<String> {
        self.lenses(name)
            .iter()
            .filter(|l| l["command"]["command"] == "picket.runtimeActions")
            .map(|l| l["command"]["title"].as_str().unwrap().to_owned())
            .collect()
    }

    fn code_actions(&mut self, name: &str, range: Value, diagnostics: Value) -> Vec<Value> {
        let uri = self.uri(name);
        let v = self
            .client
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": { "uri": uri },
                    "range": range,
                    "context": { "diagnostics": diagnostics, "only": ["quickfix"] }
                }),
            )
            .unwrap()
            .unwrap();
        v.as_array().cloned().unwrap_or_default()
    }
}

/// A workspace with the fixtures' nginx Deployment as `web.yaml`, a Deployment without
/// profiles as `cache.yaml`, the API's manifest as `api.yaml`, and `profiles` copied into
/// `.picket/profiles/` (`extra` files written beside them); initialized and indexed.
fn workspace(profiles: &[&str], extra: &[(&str, &str)], create_files: bool) -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("web.yaml"), fixture("manifests/nginx.yaml")).unwrap();
    std::fs::write(dir.path().join("api.yaml"), fixture("manifests/api.yaml")).unwrap();
    std::fs::write(dir.path().join("cache.yaml"), CACHE).unwrap();
    std::fs::write(
        dir.path().join("services.yaml"),
        fixture("manifests/services.yaml"),
    )
    .unwrap();
    let store = dir.path().join(".picket/profiles");
    std::fs::create_dir_all(&store).unwrap();
    for p in profiles {
        std::fs::copy(fixtures().join(p), store.join(p)).unwrap();
    }
    for (name, text) in extra {
        std::fs::write(store.join(name), text).unwrap();
    }
    let root = format!("file://{}", dir.path().display());
    let mut client = Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], &[]).unwrap();
    client
        .initialize(capabilities(create_files), Some(&root))
        .unwrap();
    Workspace { dir, root, client }
}

impl Workspace {
    /// Waits until the workspace is indexed, and checks that the profiles folder is watched
    /// (the profiles are read before either).
    fn ready(mut self) -> Workspace {
        self.client
            .wait_notification("$/progress", |p| p["value"]["kind"] == "end")
            .unwrap();
        // The client keeps the server's requests (the registration came before the progress)
        // for later.
        let glob = format!("{}/**/*.json", self.profiles().display());
        let registration = self
            .client
            .wait_notification("client/registerCapability", |p| {
                p["registrations"][0]["id"] == "picket/watch-profiles"
            })
            .unwrap();
        let watchers = &registration["registrations"][0]["registerOptions"]["watchers"];
        assert!(
            watchers
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["globPattern"] == glob.as_str()),
            "{watchers:#?}"
        );
        self
    }
}

/// The byte offset of a UTF-16 LSP position in `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `edits` (protocol `TextEdit`s) applied to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut placed: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    placed.sort_by_key(|(s, _, _)| std::cmp::Reverse(*s));
    let mut out = text.to_owned();
    for (s, e, new) in placed {
        out.replace_range(s..e, new);
    }
    out
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_lens_counts_what_each_workload_was_seen_doing() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    let web = w.open("web.yaml");
    w.open("cache.yaml");
    let lenses = w.lenses("web.yaml");
    let profile: Vec<&Value> = lenses
        .iter()
        .filter(|l| l["command"]["command"] == "picket.runtimeActions")
        .collect();
    assert_eq!(profile.len(), 1, "{lenses:#?}");
    assert_eq!(
        profile[0]["command"]["title"],
        "observed: 4 peers, 4 capabilities, 69 syscalls — tighten"
    );
    let (line, start, _) = locate(&web, "kind: Deployment", true);
    assert_eq!(
        profile[0]["range"]["start"],
        json!({ "line": line, "character": start })
    );
    // The navigation lenses are still there.
    assert!(lenses.len() > 1, "{lenses:#?}");
    assert_eq!(w.profile_lenses("cache.yaml"), Vec::<String>::new());
    w.client.shutdown().unwrap();
}

#[test]
fn an_unused_capability_is_found_and_its_quick_fix_relints_clean() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    let web = w.open("web.yaml");
    let uri = w.uri("web.yaml");
    let diagnostics = w.client.diagnostics_for(&uri, 1).unwrap();
    let unused: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "unused-capability")
        .collect();
    assert_eq!(unused.len(), 1, "{diagnostics:#?}");
    let d = unused[0].clone();
    assert_eq!(d["source"], "picket");
    assert_eq!(d["severity"], 3);
    let (line, start, end) = locate(&web, "DAC_OVERRIDE", true);
    assert_eq!(
        d["range"],
        json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
    );
    let before = codes(&diagnostics);

    let actions = w.code_actions("web.yaml", d["range"].clone(), json!([d]));
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Drop every capability of `nginx` but"))
        })
        .unwrap_or_else(|| panic!("no capabilities quick-fix in {actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "unused-capability");
    let edits = &manifest_edits(&fix["edit"], &uri);
    let after = apply(&web, edits);
    // Comments and the unusual indentation stay.
    for kept in [
        "# Added by hand when the pod would not start.",
        "# DAC_OVERRIDE: needed?",
        "-   name: nginx    # the official image, as it comes",
    ] {
        assert!(after.contains(kept), "lost `{kept}`:\n{after}");
    }
    assert!(after.contains("drop:"), "{after}");

    // The server re-lints the new text: the finding is gone and nothing new appears.
    w.client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": after }]
            }),
        )
        .unwrap();
    let relinted = w.client.diagnostics_for(&uri, 2).unwrap();
    let now = codes(&relinted);
    assert!(
        !now.contains(&"unused-capability".to_owned()),
        "{relinted:#?}"
    );
    assert!(!now.contains(&"yaml-syntax".to_owned()), "{relinted:#?}");
    for code in &now {
        assert!(before.contains(code), "new finding `{code}`: {relinted:#?}");
    }
    w.client.shutdown().unwrap();
}

#[test]
fn a_file_creating_quick_fix_creates_the_file_then_edits_the_manifest() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    let web = w.open("web.yaml");
    let uri = w.uri("web.yaml");
    let (line, start, _) = locate(&web, "name: nginx", true);
    let at = json!({ "line": line, "character": start });
    let actions = w.code_actions("web.yaml", json!({ "start": at, "end": at }), json!([]));
    let seccomp = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Create SeccompProfile `web-nginx`"))
        })
        .unwrap_or_else(|| panic!("no seccomp quick-fix in {actions:#?}"));
    let ops = seccomp["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops.len(), 3, "{ops:#?}");
    let created = w.uri("web-nginx.seccompprofile.yaml");
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], created);
    assert_eq!(
        ops[0]["options"],
        json!({ "overwrite": false, "ignoreIfExists": false })
    );
    assert_eq!(ops[1]["textDocument"]["uri"], created);
    let content = ops[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(content.contains("kind: SeccompProfile"), "{content}");
    assert_eq!(ops[2]["textDocument"], json!({ "uri": uri, "version": 1 }));
    let after = apply(&web, ops[2]["edits"].as_array().unwrap());
    assert!(
        after.contains("localhostProfile: operator/shop/web-nginx.json"),
        "{after}"
    );
    assert!(after.contains("# DAC_OVERRIDE: needed?"), "{after}");

    // Once the file exists, the action is no longer offered: it would fail.
    std::fs::write(w.dir.path().join("web-nginx.seccompprofile.yaml"), content).unwrap();
    let actions = w.code_actions("web.yaml", json!({ "start": at, "end": at }), json!([]));
    assert!(
        actions.iter().all(|a| !a["title"]
            .as_str()
            .unwrap()
            .starts_with("Create SeccompProfile")),
        "{actions:#?}"
    );
    w.client.shutdown().unwrap();
}

#[test]
fn the_network_policy_quick_fix_creates_a_file_that_lints_clean() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    let web = w.open("web.yaml");
    let (line, start, end) = locate(&web, "kind: Deployment", true);
    let header = json!({
        "start": { "line": line, "character": start },
        "end": { "line": line, "character": end }
    });
    let actions = w.code_actions("web.yaml", header, json!([]));
    let policy = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Create NetworkPolicy picket-web"))
        })
        .unwrap_or_else(|| panic!("no NetworkPolicy quick-fix in {actions:#?}"));
    let ops = policy["edit"]["documentChanges"].as_array().unwrap();
    let created = w.uri("picket-web-networkpolicy.yaml");
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], created);
    assert_eq!(ops[1]["textDocument"]["uri"], created);
    let content = ops[1]["edits"][0]["newText"].as_str().unwrap();
    assert!(content.contains("kind: NetworkPolicy"), "{content}");
    assert!(content.contains("namespace: \"shop\""), "{content}");
    // The suggestion only creates the file; whatever else it edits applies to the manifest.
    for op in &ops[2..] {
        assert_eq!(op["textDocument"]["uri"], w.uri("web.yaml"));
        apply(&web, op["edits"].as_array().unwrap());
    }

    // The created file passes `picket check` on its own.
    let path = w.dir.path().join("picket-web-networkpolicy.yaml");
    std::fs::write(&path, content).unwrap();
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_picket"))
        .arg("check")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    w.client.shutdown().unwrap();
}

#[test]
fn traffic_a_workspace_policy_denies_is_drift_on_the_workload() {
    let deny = "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
";
    let w = workspace(&[NGINX_PROFILE], &[], true);
    std::fs::write(w.dir.path().join("deny.yaml"), deny).unwrap();
    let mut w = w.ready();
    let web = w.open("web.yaml");
    let uri = w.uri("web.yaml");
    let diagnostics = w.client.diagnostics_for(&uri, 1).unwrap();
    let drift: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["code"] == "drift-network")
        .collect();
    assert!(!drift.is_empty(), "{diagnostics:#?}");
    let (line, start, end) = locate(&web, "kind: Deployment", true);
    assert_eq!(
        drift[0]["range"],
        json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
    );
    assert_eq!(drift[0]["severity"], 2);
    w.client.shutdown().unwrap();
}

#[test]
fn the_lens_command_offers_the_suggestions_and_applies_the_one_chosen() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    let web = w.open("web.yaml");
    let uri = w.uri("web.yaml");
    let lens = w
        .lenses("web.yaml")
        .into_iter()
        .find(|l| l["command"]["command"] == "picket.runtimeActions")
        .unwrap();
    let chosen = "Drop every capability of `nginx` but CHOWN, NET_BIND_SERVICE, SETGID, SETUID";
    w.client.message_choice = Some(chosen.to_owned());
    let answer = w
        .client
        .request(
            "workspace/executeCommand",
            json!({
                "command": "picket.runtimeActions",
                "arguments": lens["command"]["arguments"]
            }),
        )
        .unwrap();
    assert_eq!(answer, Ok(Value::Null));
    let asked = w
        .client
        .wait_notification("window/showMessageRequest", |_| true)
        .unwrap();
    let titles: Vec<&str> = asked["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(titles.contains(&chosen), "{titles:?}");
    assert!(
        titles.iter().any(|t| t.starts_with("Create NetworkPolicy")),
        "{titles:?}"
    );
    let applied = w
        .client
        .wait_notification("workspace/applyEdit", |_| true)
        .unwrap();
    let edits = &manifest_edits(&applied["edit"], &uri);
    let after = apply(&web, edits);
    assert!(after.contains("drop:"), "{after}");
    assert!(after.contains("# DAC_OVERRIDE: needed?"), "{after}");
    w.client.shutdown().unwrap();
}

#[test]
fn a_client_that_cannot_create_files_gets_only_the_manifest_fixes() {
    let mut w = workspace(&[NGINX_PROFILE], &[], false).ready();
    let web = w.open("web.yaml");
    let (line, start, _) = locate(&web, "name: nginx", true);
    let at = json!({ "line": line, "character": start });
    let actions = w.code_actions("web.yaml", json!({ "start": at, "end": at }), json!([]));
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Drop every capability")),
        "{titles:?}"
    );
    assert!(
        titles.iter().all(|t| !t.starts_with("Create ")),
        "{titles:?}"
    );
    w.client.shutdown().unwrap();
}

/// Asks for `name`'s profile lenses until `done` holds of them (the profiles are read in the
/// background after a watched-file change); a hang detector, not a timing assertion.
fn lenses_until(w: &mut Workspace, name: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lenses = w.profile_lenses(name);
        if done(&lenses) || Instant::now() > deadline {
            return lenses;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_profile_dropped_into_the_watched_folder_is_picked_up() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    w.open("api.yaml");
    assert_eq!(w.profile_lenses("api.yaml"), Vec::<String>::new());

    let target = w.profiles().join(API_PROFILE);
    std::fs::copy(fixtures().join(API_PROFILE), &target).unwrap();
    let uri = format!("file://{}", target.display());
    w.client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": uri, "type": 1 }] }),
        )
        .unwrap();
    let lenses = lenses_until(&mut w, "api.yaml", |l| !l.is_empty());
    assert_eq!(lenses.len(), 1, "{lenses:?}");
    assert!(
        lenses[0].starts_with("observed: 5 peers, 0 capabilities, 47 syscalls"),
        "{lenses:?}"
    );
    // The lens is refreshed on the client's side too.
    w.client
        .wait_notification("workspace/codeLens/refresh", |_| true)
        .unwrap();

    // And removed again.
    std::fs::remove_file(&target).unwrap();
    w.client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": uri, "type": 3 }] }),
        )
        .unwrap();
    let lenses = lenses_until(&mut w, "api.yaml", <[String]>::is_empty);
    assert_eq!(lenses, Vec::<String>::new());
    w.client.shutdown().unwrap();
}

#[test]
fn a_malformed_profile_is_logged_and_skipped() {
    let mut w = workspace(
        &[NGINX_PROFILE],
        &[("broken.json", "{ \"version\": 1, ")],
        true,
    );
    let log = w
        .client
        .wait_notification("window/logMessage", |p| {
            p["type"] == 2
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("broken.json"))
        })
        .unwrap();
    assert!(
        log["message"].as_str().unwrap().contains("skipped"),
        "{log}"
    );
    let mut w = w.ready();
    w.open("web.yaml");
    assert_eq!(w.profile_lenses("web.yaml").len(), 1);
    assert!(w.client.is_running());
    w.client.shutdown().unwrap();
}

/// The edits a workspace edit makes to the document `uri`: from `documentChanges` (which must
/// name the document's version, so that a client refuses them on changed text), else from
/// `changes`.
fn manifest_edits(edit: &Value, uri: &str) -> Vec<Value> {
    if let Some(changes) = edit["documentChanges"].as_array() {
        let doc = changes
            .iter()
            .find(|c| c["textDocument"]["uri"] == uri)
            .unwrap_or_else(|| panic!("no edit of {uri} in {edit:#}"));
        assert!(doc["textDocument"]["version"].is_i64(), "{edit:#}");
        return doc["edits"].as_array().unwrap().clone();
    }
    edit["changes"][uri].as_array().unwrap().clone()
}

#[test]
fn the_server_goes_on_serving_while_the_lens_question_is_open() {
    let mut w = workspace(&[NGINX_PROFILE], &[], true).ready();
    let web = w.open("web.yaml");
    let lens = w
        .lenses("web.yaml")
        .into_iter()
        .find(|l| l["command"]["command"] == "picket.runtimeActions")
        .unwrap();
    w.client.hold_message_requests = true;
    w.client
        .request(
            "workspace/executeCommand",
            json!({ "command": "picket.runtimeActions", "arguments": lens["command"]["arguments"] }),
        )
        .unwrap()
        .unwrap();
    let asked = w
        .client
        .wait_message("window/showMessageRequest", |_| true)
        .unwrap();
    // While the user thinks, the server answers other requests.
    assert!(!w.lenses("web.yaml").is_empty());
    // The user edits the document meanwhile: a line at the top shifts everything.
    let uri = w.uri("web.yaml");
    let edited = format!("# edited while the question was open\n{web}");
    w.client
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "text": edited }]
            }),
        )
        .unwrap();
    // A request after the change: the server has taken the change in when it answers.
    assert!(!w.lenses("web.yaml").is_empty());
    let chosen = asked["params"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Drop every capability")
        })
        .unwrap()
        .clone();
    w.client.respond(&asked["id"], chosen).unwrap();
    let applied = w
        .client
        .wait_notification("workspace/applyEdit", |_| true)
        .unwrap();
    // The edit was made on the edited text, and says so.
    let change = applied["edit"]["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["textDocument"]["uri"] == uri.as_str())
        .unwrap()
        .clone();
    assert_eq!(change["textDocument"]["version"], 2);
    let after = apply(&edited, change["edits"].as_array().unwrap());
    assert!(
        after.starts_with("# edited while the question was open\n"),
        "{after}"
    );
    assert!(after.contains("drop:"), "{after}");
    assert!(after.contains("# DAC_OVERRIDE: needed?"), "{after}");
    w.client.shutdown().unwrap();
}
