//! End-to-end completion over `picket lsp`: exact ranges (UTF-16), half-typed and
//! multi-document files, workspace CRDs, and the keys offered checked against the schema.

use std::path::Path;

use picket_schema::builtin;
use picket_schema::table::Shape;
use picket_test_utils::lsp::{Client, cursor, locate, position_at};
use serde_json::{Value, json};

fn server() -> Client {
    Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], &[]).expect("start picket lsp")
}

/// VS Code's capabilities as far as completion goes: UTF-16, snippets, markdown.
fn vscode_like() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "textDocument": {
            "completion": { "completionItem": { "snippetSupport": true, "documentationFormat": ["markdown", "plaintext"] } },
            "hover": { "contentFormat": ["markdown", "plaintext"] }
        }
    })
}

/// A client that takes neither snippets nor markdown.
fn plain_client() -> Value {
    json!({ "general": { "positionEncodings": ["utf-16"] } })
}

/// The items offered at `position` of `uri`.
fn complete(c: &mut Client, uri: &str, position: Value) -> Vec<Value> {
    let result = c
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
        .unwrap()
        .expect("a completion result");
    match result {
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        list => list["items"].as_array().cloned().unwrap_or_default(),
    }
}

/// Opens `marked` (with a `$0` cursor) as `uri` and completes at the cursor.
fn complete_marked(c: &mut Client, uri: &str, marked: &str) -> (String, Vec<Value>) {
    let (text, position) = cursor(marked);
    c.did_open(uri, 1, &text).unwrap();
    let items = complete(c, uri, position);
    (text, items)
}

fn labels(items: &[Value]) -> Vec<String> {
    let mut items: Vec<&Value> = items.iter().collect();
    items.sort_by_key(|i| i["sortText"].as_str().unwrap_or_default().to_owned());
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

fn item<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no `{label}` in {:?}", labels(items)))
}

/// `((start line, start char), (end line, end char), new text)` of an item's edit.
fn edit(item: &Value) -> ((u64, u64), (u64, u64), String) {
    let e = &item["textEdit"];
    let r = &e["range"];
    let n = |v: &Value| v.as_u64().unwrap();
    (
        (n(&r["start"]["line"]), n(&r["start"]["character"])),
        (n(&r["end"]["line"]), n(&r["end"]["character"])),
        e["newText"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn advertises_completion_and_hover() {
    let mut c = server();
    let result = c.initialize(vscode_like(), None).unwrap();
    let caps = &result["capabilities"];
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!([":", " ", "-"])
    );
    assert_eq!(caps["hoverProvider"], true);
    c.shutdown().unwrap();
}

#[test]
fn half_typed_key_in_a_container() {
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    let uri = "file:///tmp/picket-complete/pod.yaml";
    let (text, items) = complete_marked(
        &mut c,
        uri,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: caf\u{e9}\nspec:\n  containers:\n  - name: web\n    im$0",
    );
    let image = item(&items, "image");
    let (line, start, end) = locate(&text, "    im", true);
    assert_eq!(
        edit(image),
        ((line, start + 4), (line, end), "image: ".to_owned())
    );
    assert_eq!(
        image["insertTextFormat"], 1,
        "plain text when no placeholder"
    );
    let policy = item(&items, "imagePullPolicy");
    assert_eq!(
        edit(policy).2,
        "imagePullPolicy: ${1|Always,IfNotPresent,Never|}"
    );
    assert_eq!(policy["insertTextFormat"], 2);
    assert_eq!(policy["documentation"]["kind"], "markdown");
    assert!(
        !labels(&items).contains(&"name".to_owned()),
        "present keys are not offered"
    );
    // The same after the parser has seen a complete line and an edit brings the half-typed one.
    c.did_change(uri, 2, [[7, 6], [7, 6]], "Pull").unwrap();
    let items = complete(&mut c, uri, json!({ "line": 7, "character": 10 }));
    assert_eq!(
        edit(item(&items, "imagePullPolicy")).0,
        (7, 4),
        "the whole half-typed key is replaced"
    );
    c.shutdown().unwrap();
}

#[test]
fn positions_are_utf16_after_non_ascii_text() {
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    let uri = "file:///tmp/picket-complete/flow.yaml";
    // On the cursor's line, before it: `é` (1 UTF-16 unit, 2 bytes) and `🦀` (2 units, 4 bytes).
    let marked = "apiVersion: v1\nkind: ConfigMap\nmetadata: {annotations: {note: \"\u{e9}\u{1f980}\"}, na$0}\n";
    let (text, items) = complete_marked(&mut c, uri, marked);
    let name = item(&items, "name");
    let (line, start, end) = locate(&text, "na}", true);
    assert_eq!(
        edit(name),
        ((line, start), (line, end - 1), "name: ".to_owned())
    );
    let (_, byte_start, _) = locate(&text, "na}", false);
    assert_ne!(
        start, byte_start,
        "the UTF-16 column differs from the byte column here"
    );
    assert!(!labels(&items).contains(&"annotations".to_owned()));
    c.shutdown().unwrap();
}

#[test]
fn values_and_the_second_document_of_a_file() {
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    let uri = "file:///tmp/picket-complete/multi.yaml";
    let marked = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n---\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      restartPolicy: $0\n---\napiVersion: v1\nkind: ConfigMap\n";
    let (text, items) = complete_marked(&mut c, uri, marked);
    assert_eq!(labels(&items), ["Always", "OnFailure", "Never"]);
    let (line, _, end) = locate(&text, "      restartPolicy: ", true);
    assert_eq!(
        edit(item(&items, "Never")),
        ((line, end), (line, end), "Never".to_owned())
    );
    // On a key of the first document: the Service's keys, replacing that key only.
    let (line, ch) = position_at(&text, text.find("type:").unwrap(), true);
    let items = complete(&mut c, uri, json!({ "line": line, "character": ch }));
    assert_eq!(
        edit(item(&items, "selector")),
        ((line, ch), (line, ch + 4), "selector".to_owned())
    );
    // A bare `kind:` in the third document: kinds of its apiVersion, with a space first.
    c.did_change(uri, 2, [[14, 5], [14, 15]], "").unwrap();
    let items = complete(&mut c, uri, json!({ "line": 14, "character": 5 }));
    let got = labels(&items);
    assert!(
        got.contains(&"ConfigMap".to_owned()) && got.contains(&"Pod".to_owned()),
        "{got:?}"
    );
    assert!(!got.contains(&"Deployment".to_owned()), "{got:?}");
    assert_eq!(edit(item(&items, "Secret")).2, " Secret");
    c.shutdown().unwrap();
}

#[test]
fn empty_documents_and_clients_without_snippets() {
    let mut c = server();
    c.initialize(plain_client(), None).unwrap();
    let uri = "file:///tmp/picket-complete/new.yaml";
    let (_, items) = complete_marked(&mut c, uri, "# a new manifest\nDep$0");
    let pair = item(&items, "Deployment");
    assert_eq!(
        edit(pair),
        (
            (1, 0),
            (1, 3),
            "apiVersion: apps/v1\nkind: Deployment\n".to_owned()
        )
    );
    assert_eq!(pair["insertTextFormat"], 1);
    let snippet = item(&items, "Deployment manifest");
    let text = edit(snippet).2;
    assert!(!text.contains("${") && !text.contains("$0"), "{text}");
    assert!(text.contains("  name: web\n") && text.contains("runAsNonRoot: true"));
    assert_eq!(snippet["documentation"]["kind"], "plaintext");
    // Nothing inside a comment.
    let items = complete(&mut c, uri, json!({ "line": 0, "character": 5 }));
    assert!(items.is_empty());
    // Nor in Picket's own configuration file.
    let config = "file:///tmp/picket-complete/.picket.yaml";
    let (_, items) = complete_marked(&mut c, config, "$0");
    assert!(items.is_empty());
    c.shutdown().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Only the keys valid at the cursor, checked against the schema table and a workspace CRD.

const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            required: [size]\n            properties:\n              size: {type: integer}\n              color: {type: string, enum: [red, blue]}\n              parts:\n                type: array\n                items:\n                  type: object\n                  properties:\n                    id: {type: string}\n                    weight: {type: number}\n                    finish: {type: string}\n              selector:\n                type: object\n                properties:\n                  app: {type: string}\n                  tier: {type: string}\n          status:\n            type: object\n            properties:\n              ready: {type: boolean}\n";

/// The properties of the object at `path` below a built-in kind, read from the schema table.
fn table_props(api: &str, kind: &str, path: &[&str]) -> Vec<String> {
    let b = builtin();
    let entry = b.kind(api, kind).unwrap_or_else(|| panic!("{api} {kind}"));
    let deref = |mut s: &'static Shape| {
        while let Shape::Ref { to } = s {
            s = &b.type_def(*to).shape;
        }
        s
    };
    let mut shape = deref(&b.type_def(entry.ty).shape);
    for seg in path {
        shape = deref(match (shape, *seg) {
            (Shape::Array { items, .. }, "[]") => items,
            (Shape::Object(o), k) => &o.prop(k).unwrap().shape,
            _ => panic!("{kind}: cannot step into {seg}"),
        });
    }
    match shape {
        Shape::Object(o) => o.props.iter().map(|p| p.name.clone()).collect(),
        _ => panic!("{kind} {path:?} is not an object"),
    }
}

/// The properties of the object at `path` of the CRD's schema, read from its YAML; the root
/// also has `apiVersion`, `kind` and `metadata`.
fn crd_props(path: &[&str]) -> Vec<String> {
    let parsed = picket_ide::ParsedFile::parse(WIDGET_CRD);
    let root = parsed.documents()[0].doc.root().unwrap();
    let mut schema = root
        .as_mapping()
        .and_then(|m| m.get("spec"))
        .and_then(|s| s.as_mapping()?.get("versions"))
        .and_then(|v| v.children().next())
        .and_then(|v| v.as_mapping()?.get("schema"))
        .and_then(|s| s.as_mapping()?.get("openAPIV3Schema"))
        .unwrap();
    for seg in path {
        let m = schema.as_mapping().unwrap();
        schema = match *seg {
            "[]" => m.get("items").unwrap(),
            k => m
                .get("properties")
                .unwrap()
                .as_mapping()
                .unwrap()
                .get(k)
                .unwrap(),
        };
    }
    let props = schema.as_mapping().unwrap().get("properties").unwrap();
    let mut out: Vec<String> = props
        .as_mapping()
        .unwrap()
        .entries()
        .map(|e| e.key_str().unwrap().to_owned())
        .collect();
    if path.is_empty() {
        out.extend(["apiVersion", "kind", "metadata"].map(str::to_owned));
    }
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn only_keys_valid_at_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("widget-crd.yaml"), WIDGET_CRD).unwrap();
    let root = format!("file://{}", dir.path().display());
    let mut c = server();
    c.initialize(vscode_like(), Some(&root)).unwrap();
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        ("v1", "Pod", &[]),
        ("v1", "Pod", &["metadata"]),
        ("v1", "Pod", &["spec"]),
        ("v1", "Pod", &["spec", "containers", "[]"]),
        (
            "v1",
            "Pod",
            &["spec", "containers", "[]", "securityContext"],
        ),
        ("v1", "Pod", &["spec", "volumes", "[]"]),
        ("apps/v1", "Deployment", &["spec"]),
        ("apps/v1", "Deployment", &["spec", "strategy"]),
        ("apps/v1", "Deployment", &["spec", "template", "spec"]),
        (
            "apps/v1",
            "Deployment",
            &["spec", "template", "spec", "containers", "[]", "resources"],
        ),
        ("batch/v1", "CronJob", &["spec"]),
        ("batch/v1", "CronJob", &["spec", "jobTemplate", "spec"]),
        (
            "batch/v1",
            "CronJob",
            &[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "spec",
                "containers",
                "[]",
            ],
        ),
        ("v1", "Service", &["spec"]),
        ("v1", "Service", &["spec", "ports", "[]"]),
        ("networking.k8s.io/v1", "Ingress", &["spec"]),
        ("networking.k8s.io/v1", "Ingress", &["spec", "rules", "[]"]),
        (
            "networking.k8s.io/v1",
            "Ingress",
            &[
                "spec", "rules", "[]", "http", "paths", "[]", "backend", "service",
            ],
        ),
        ("networking.k8s.io/v1", "NetworkPolicy", &["spec"]),
        (
            "networking.k8s.io/v1",
            "NetworkPolicy",
            &["spec", "ingress", "[]"],
        ),
        (
            "networking.k8s.io/v1",
            "NetworkPolicy",
            &["spec", "egress", "[]", "to", "[]"],
        ),
        ("example.com/v1", "Widget", &[]),
        ("example.com/v1", "Widget", &["spec"]),
        ("example.com/v1", "Widget", &["spec", "parts", "[]"]),
        ("example.com/v1", "Widget", &["spec", "selector"]),
    ];
    for (n, (api, kind, path)) in cases.iter().enumerate() {
        let schema = if *kind == "Widget" {
            crd_props(path)
        } else {
            table_props(api, kind, path)
        };
        // Some keys already written: every third one (never the header, written above).
        let present: Vec<String> = schema
            .iter()
            .filter(|k| !path.is_empty() || !matches!(k.as_str(), "apiVersion" | "kind"))
            .step_by(3)
            .cloned()
            .collect();
        let present: Vec<&str> = present.iter().map(String::as_str).collect();
        let marked = picket_test_utils::document_with_cursor(api, kind, path, &present);
        let uri = format!("{root}/case{n}.yaml");
        let (_, items) = complete_marked(&mut c, &uri, &marked);
        let got: Vec<String> = items
            .iter()
            .filter(|i| i["kind"] == 10)
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            got.len(),
            items.len(),
            "only keys at a key position:\n{marked}"
        );
        let expected: Vec<String> = schema
            .into_iter()
            .filter(|k| !present.contains(&k.as_str()))
            .filter(|k| !path.is_empty() || !matches!(k.as_str(), "apiVersion" | "kind"))
            .collect();
        assert!(!expected.is_empty(), "{kind} {path:?}");
        assert_eq!(
            sorted(got),
            sorted(expected),
            "{kind} {path:?} in\n{marked}"
        );
    }
    c.shutdown().unwrap();
}

#[test]
fn custom_resource_values_and_required_keys_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("widget-crd.yaml"), WIDGET_CRD).unwrap();
    let root = format!("file://{}", dir.path().display());
    let mut c = server();
    c.initialize(vscode_like(), Some(&root)).unwrap();
    c.wait_notification("$/progress", |p| p["value"]["kind"] == "end")
        .unwrap();
    let uri = format!("{root}/widget.yaml");
    let (_, items) = complete_marked(
        &mut c,
        &uri,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  color: $0\n",
    );
    assert_eq!(labels(&items), ["red", "blue"]);
    c.did_change(&uri, 2, [[5, 2], [5, 9]], "").unwrap();
    let items = complete(&mut c, &uri, json!({ "line": 5, "character": 2 }));
    assert_eq!(labels(&items)[0], "size", "required first");
    assert_eq!(edit(item(&items, "parts")).2, "parts:\n  - $0");
    // The kind value: the CRD's kind is known for its group and version.
    c.did_change(&uri, 3, [[1, 6], [1, 12]], "").unwrap();
    let items = complete(&mut c, &uri, json!({ "line": 1, "character": 6 }));
    assert_eq!(labels(&items), ["Widget"]);
    c.shutdown().unwrap();
}
