//! End-to-end hover over `picket lsp`: field docs from the schema and from workspace CRDs,
//! exact ranges (UTF-16), half-typed and multi-document files, markdown or plain text.

use std::path::Path;

use picket_test_utils::lsp::{Client, cursor, locate};
use serde_json::{Value, json};

fn server() -> Client {
    Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], &[]).expect("start picket lsp")
}

fn markdown_client() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "textDocument": { "hover": { "contentFormat": ["markdown", "plaintext"] } }
    })
}

fn hover(c: &mut Client, uri: &str, position: Value) -> Value {
    c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position }),
    )
    .unwrap()
    .expect("a hover result")
}

fn hover_marked(c: &mut Client, uri: &str, marked: &str) -> (String, Value) {
    let (text, position) = cursor(marked);
    c.did_open(uri, 1, &text).unwrap();
    let h = hover(c, uri, position);
    (text, h)
}

/// `(line, start, end)` of a single-line hover range.
fn range_of(h: &Value) -> (u64, u64, u64) {
    let r = &h["range"];
    assert_eq!(r["start"]["line"], r["end"]["line"]);
    (
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    )
}

#[test]
fn field_docs_with_exact_ranges() {
    let mut c = server();
    c.initialize(markdown_client(), None).unwrap();
    let uri = "file:///tmp/picket-hover/deploy.yaml";
    let (text, h) = hover_marked(
        &mut c,
        uri,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        imagePull$0Policy: IfNotPresent\n",
    );
    assert_eq!(range_of(&h), locate(&text, "imagePullPolicy", true));
    assert_eq!(h["contents"]["kind"], "markdown");
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**imagePullPolicy**: string\n\nOptional.\n\nAllowed values: `Always`, `IfNotPresent`, `Never`."), "{md}");
    assert!(
        md.ends_with("\n\n---\n\nKubernetes 1.37 · `apps/v1` `Deployment`"),
        "{md}"
    );
    // On the value: the same field, over the value.
    let (line, start, end) = locate(&text, "IfNotPresent", true);
    let h = hover(&mut c, uri, json!({ "line": line, "character": start + 2 }));
    assert_eq!(range_of(&h), (line, start, end));
    // A required list.
    let (line, start, _) = locate(&text, "containers", true);
    let h = hover(&mut c, uri, json!({ "line": line, "character": start }));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**containers**: list of Container\n\nRequired."),
        "{md}"
    );
    c.shutdown().unwrap();
}

#[test]
fn utf16_half_typed_and_multi_document() {
    let mut c = server();
    c.initialize(markdown_client(), None).unwrap();
    let uri = "file:///tmp/picket-hover/multi.yaml";
    // Non-ASCII before the hovered key on its line; a half-typed key further down; a second
    // document of another kind.
    let marked = "apiVersion: v1\nkind: Pod\nmetadata: {annotations: {note: \"\u{e9}\u{1f980}\"}, la$0bels: {app: web}}\nspec:\n  containers:\n  - name: web\n    im\n---\napiVersion: v1\nkind: Service\nspec:\n  clusterIP: None\n";
    let (text, h) = hover_marked(&mut c, uri, marked);
    let (line, start, end) = locate(&text, "labels", true);
    assert_eq!(range_of(&h), (line, start, end));
    let (_, byte_start, _) = locate(&text, "labels", false);
    assert_ne!(start, byte_start);
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**labels**: map of string")
    );
    // The half-typed key has no field docs (it is not a key yet): the hover explains the
    // syntax error there instead, and the rest of the file still answers.
    let (line, start, _) = locate(&text, "    im", true);
    let h = hover(&mut c, uri, json!({ "line": line, "character": start + 5 }));
    assert_eq!(range_of(&h), (line, start + 4, start + 6));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**yaml-syntax** · error"), "{md}");
    assert!(!md.contains("**im**"), "{md}");
    let (line, start, end) = locate(&text, "clusterIP", true);
    let h = hover(&mut c, uri, json!({ "line": line, "character": start + 1 }));
    assert_eq!(range_of(&h), (line, start, end));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.starts_with("**clusterIP**: string") && md.ends_with("`v1` `Service`"),
        "{md}"
    );
    // After an edit that types the key out, it does.
    c.did_change(uri, 2, [[6, 6], [6, 6]], "age: nginx")
        .unwrap();
    let h = hover(&mut c, uri, json!({ "line": 6, "character": 5 }));
    assert_eq!(range_of(&h), (6, 4, 9));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**image**: string")
    );
    c.shutdown().unwrap();
}

#[test]
fn custom_resource_fields_from_a_workspace_crd() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              color:\n                type: string\n                description: The widget's colour.\n                enum: [red, blue]\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("widget-crd.yaml"), crd).unwrap();
    let root = format!("file://{}", dir.path().display());
    let mut c = server();
    c.initialize(markdown_client(), Some(&root)).unwrap();
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    let uri = format!("{root}/widget.yaml");
    let (text, h) = hover_marked(
        &mut c,
        &uri,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  col$0or: red\n",
    );
    assert_eq!(range_of(&h), locate(&text, "color", true));
    assert_eq!(
        h["contents"]["value"],
        "**color**: string\n\nOptional.\n\nAllowed values: `red`, `blue`.\n\nThe widget's colour.\n\n---\n\nCRD `widgets.example.com` (widget-crd.yaml) · `example.com/v1` `Widget`"
    );
    c.shutdown().unwrap();
}

#[test]
fn plain_text_for_clients_without_markdown() {
    let mut c = server();
    c.initialize(json!({}), None).unwrap();
    let uri = "file:///tmp/picket-hover/plain.yaml";
    let (_, h) = hover_marked(
        &mut c,
        uri,
        "apiVersion: v1\nkind: Pod\nspec:\n  host$0Network: true\n",
    );
    assert_eq!(h["contents"]["kind"], "plaintext");
    let value = h["contents"]["value"].as_str().unwrap();
    // The finding on the line first, then the field's documentation.
    assert!(value.starts_with("host-network · warning"), "{value}");
    assert!(
        value.contains("\n\nhostNetwork: boolean\n\nOptional."),
        "{value}"
    );
    assert!(!value.contains("**") && !value.contains('`'), "{value}");
    // Nothing on a comment or past the end.
    c.did_change(uri, 2, [[3, 0], [3, 0]], "# ").unwrap();
    assert_eq!(
        hover(&mut c, uri, json!({ "line": 3, "character": 6 })),
        Value::Null
    );
    assert_eq!(
        hover(&mut c, uri, json!({ "line": 99, "character": 0 })),
        Value::Null
    );
    c.shutdown().unwrap();
}

#[test]
fn a_finding_is_explained_where_it_is() {
    let mut c = server();
    c.initialize(markdown_client(), None).unwrap();
    let uri = "file:///tmp/picket-hover/privileged.yaml";
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {note: \"d\u{e9}j\u{e0}\"}}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";
    c.did_open(uri, 1, text).unwrap();
    // The diagnostics run first, as in an editor; hover reuses its findings.
    c.diagnostics_for(uri, 1).unwrap();
    let (line, start, _) = locate(text, "privileged: true", true);
    let h = hover(&mut c, uri, json!({ "line": line, "character": start + 2 }));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.starts_with("**privileged-container** · "), "{md}");
    assert!(md.contains("*Why it matters:* "), "{md}");
    assert!(md.contains("*Fix:* the rule offers a quick-fix"), "{md}");
    // The field's own documentation follows the finding's.
    assert!(md.contains("**privileged**: boolean"), "{md}");
    assert_eq!(range_of(&h), locate(text, "privileged", true));
    c.shutdown().unwrap();
}
