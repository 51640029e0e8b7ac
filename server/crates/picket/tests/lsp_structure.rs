//! End-to-end tests of the outline and structure requests of `picket lsp` (document symbols,
//! folding ranges, selection ranges, document links), with the real binary over pipes.
//!
//! Expected positions come from `picket_test_utils::lsp::position_at`, which counts UTF-16 code
//! units on its own; every file here has characters outside ASCII (2-, 3- and 4-byte ones)
//! before the positions checked.

use std::path::Path;

use picket_test_utils::lsp::{Client, cursor, position_at};
use serde_json::{Value, json};

const URI: &str = "file:///tmp/picket-structure/app.yaml";

fn server() -> Client {
    Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], &[]).expect("start picket lsp")
}

/// VS Code's capabilities for these features: UTF-16, a symbol tree, whole-line folding.
fn vscode_like() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "textDocument": {
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "foldingRange": { "lineFoldingOnly": true },
        },
    })
}

/// A client without symbol trees that folds parts of lines (UTF-16 by default).
fn plain_client() -> Value {
    json!({})
}

/// The LSP position (UTF-16) of byte `offset`.
fn pos(text: &str, offset: usize) -> Value {
    let (line, character) = position_at(text, offset, true);
    json!({ "line": line, "character": character })
}

fn first_char_len(s: &str) -> usize {
    s.chars().next().map_or(1, char::len_utf8)
}

/// The LSP range (UTF-16) of the only occurrence of `piece` in `text`.
fn span(text: &str, piece: &str) -> Value {
    let at = text
        .find(piece)
        .unwrap_or_else(|| panic!("`{piece}` not in the text"));
    assert!(
        text[at + first_char_len(piece)..].find(piece).is_none(),
        "`{piece}` is not unique in the text"
    );
    json!({ "start": pos(text, at), "end": pos(text, at + piece.len()) })
}

/// The LSP range of `piece` inside the only occurrence of `context` (for pieces that repeat).
fn span_in(text: &str, context: &str, piece: &str) -> Value {
    let from = text
        .find(context)
        .unwrap_or_else(|| panic!("`{context}` not in the text"));
    assert!(
        text[from + first_char_len(context)..]
            .find(context)
            .is_none(),
        "`{context}` is not unique in the text"
    );
    let at = from + context.find(piece).expect("piece inside its context");
    json!({ "start": pos(text, at), "end": pos(text, at + piece.len()) })
}

fn doc(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri } })
}

const NAMESPACE: &str =
    "apiVersion: v1\nkind: Namespace\nmetadata: {labels: {note: \"é🦀\"}, name: shop}";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {annotations: {x: \"🦀🦀\"}, name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers:
      - {name: \"café\", image: busybox}
      containers:
      - name: app
        image: nginx:1.27";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {name: ħttp, port: 80, targetPort: 8080}";

/// Three documents, a comment with a 4-byte character at the top.
fn multi_document() -> String {
    format!("# Shop 🦀 — façade\n{NAMESPACE}\n---\n{DEPLOYMENT}\n---\n{SERVICE}\n")
}

#[test]
fn initialize_advertises_the_structure_providers() {
    let mut c = server();
    let caps = c.initialize(vscode_like(), None).unwrap()["capabilities"].clone();
    assert_eq!(caps["documentSymbolProvider"], true);
    assert_eq!(caps["foldingRangeProvider"], true);
    assert_eq!(caps["selectionRangeProvider"], true);
    assert_eq!(caps["documentLinkProvider"]["resolveProvider"], false);
    c.shutdown().unwrap();
}

#[test]
fn document_symbols_form_a_tree_with_exact_utf16_ranges() {
    let text = multi_document();
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    c.did_open(URI, 1, &text).unwrap();
    let got = c
        .request("textDocument/documentSymbol", doc(URI))
        .unwrap()
        .unwrap();
    let expected = json!([
        {
            "name": "Namespace shop",
            "kind": 3,
            "range": span(&text, NAMESPACE),
            "selectionRange": span_in(&text, "name: shop}", "shop"),
        },
        {
            "name": "Deployment web",
            "detail": "shop",
            "kind": 5,
            "range": span(&text, DEPLOYMENT),
            "selectionRange": span_in(&text, "name: web,", "web"),
            "children": [
                {
                    "name": "café",
                    "detail": "busybox (init)",
                    "kind": 6,
                    "range": span(&text, "{name: \"café\", image: busybox}"),
                    "selectionRange": span(&text, "\"café\""),
                },
                {
                    "name": "app",
                    "detail": "nginx:1.27",
                    "kind": 6,
                    "range": span(&text, "name: app\n        image: nginx:1.27"),
                    "selectionRange": span_in(&text, "- name: app", "app"),
                },
            ],
        },
        {
            "name": "Service web",
            "kind": 11,
            "range": span(&text, SERVICE),
            "selectionRange": span_in(&text, "name: web}", "web"),
            "children": [{
                "name": "ħttp",
                "detail": "80 → 8080",
                "kind": 7,
                "range": span(&text, "{name: ħttp, port: 80, targetPort: 8080}"),
                "selectionRange": span(&text, "ħttp"),
            }],
        },
    ]);
    assert_eq!(got, expected);
    c.shutdown().unwrap();
}

#[test]
fn document_symbols_are_flat_for_clients_without_trees() {
    let text = multi_document();
    let mut c = server();
    c.initialize(plain_client(), None).unwrap();
    c.did_open(URI, 1, &text).unwrap();
    let got = c
        .request("textDocument/documentSymbol", doc(URI))
        .unwrap()
        .unwrap();
    let rows: Vec<(String, Value, Value)> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert_eq!(s["location"]["uri"], URI);
            (
                s["name"].as_str().unwrap().to_owned(),
                s["containerName"].clone(),
                s["location"]["range"].clone(),
            )
        })
        .collect();
    let row = |name: &str, parent: Value, range: Value| (name.to_owned(), parent, range);
    assert_eq!(
        rows,
        [
            row("Namespace shop", Value::Null, span(&text, NAMESPACE)),
            row("Deployment web", Value::Null, span(&text, DEPLOYMENT)),
            row(
                "café",
                json!("Deployment web"),
                span(&text, "{name: \"café\", image: busybox}")
            ),
            row(
                "app",
                json!("Deployment web"),
                span(&text, "name: app\n        image: nginx:1.27")
            ),
            row("Service web", Value::Null, span(&text, SERVICE)),
            row(
                "ħttp",
                json!("Service web"),
                span(&text, "{name: ħttp, port: 80, targetPort: 8080}")
            ),
        ]
    );
    c.shutdown().unwrap();
}

/// `(name, children's names)` of each top-level symbol.
fn names(symbols: &Value) -> Vec<(String, Vec<String>)> {
    symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let children = s["children"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .map(|c| c["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (s["name"].as_str().unwrap().to_owned(), children)
        })
        .collect()
}

#[test]
fn a_half_typed_document_keeps_its_symbols_and_folds() {
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    // The Deployment is being typed: a line without its colon in the middle, a name with no
    // value yet, a container whose image is not typed. The Service after it is intact.
    let text = "# Ça marche 🦀\n\
apiVersion: apps/v1
kind: Deployment
metadata:
  name:
spec:
  replicas: 2
  strat
  template:
    spec:
      containers:
      - name: app
        image:
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
";
    c.did_open(URI, 1, text).unwrap();
    let symbols = c
        .request("textDocument/documentSymbol", doc(URI))
        .unwrap()
        .unwrap();
    assert_eq!(
        names(&symbols),
        [
            ("Deployment (no name)".to_owned(), vec!["app".to_owned()]),
            ("Service web".to_owned(), vec!["80".to_owned()]),
        ]
    );
    // Without a name, the symbol selects the kind.
    assert_eq!(
        symbols[0]["selectionRange"],
        span_in(text, "kind: Deployment", "Deployment")
    );
    let folds = c
        .request("textDocument/foldingRange", doc(URI))
        .unwrap()
        .unwrap();
    // Lines: 0 comment, 1-12 the Deployment (7 is `strat`), 13 `---`, 14-20 the Service.
    assert_eq!(
        folds,
        json!([
            { "startLine": 0, "endLine": 12, "kind": "region" },
            { "startLine": 3, "endLine": 4 },
            { "startLine": 5, "endLine": 12 },
            { "startLine": 8, "endLine": 12 },
            { "startLine": 9, "endLine": 12 },
            { "startLine": 10, "endLine": 12 },
            { "startLine": 11, "endLine": 12 },
            { "startLine": 13, "endLine": 20, "kind": "region" },
            { "startLine": 16, "endLine": 17 },
            { "startLine": 18, "endLine": 20 },
            { "startLine": 19, "endLine": 20 },
        ])
    );

    // Finish the line without its colon: the document parses whole again, and the outline
    // follows the edit.
    let (line, col, _) = picket_test_utils::lsp::locate(text, "strat", true);
    c.did_change(
        URI,
        2,
        [[line as u32, col as u32 + 5], [line as u32, col as u32 + 5]],
        "egy: {}",
    )
    .unwrap();
    let (line, col, _) = picket_test_utils::lsp::locate(text, "name:\nspec", true);
    c.did_change(
        URI,
        3,
        [[line as u32, col as u32 + 5], [line as u32, col as u32 + 5]],
        " wéb",
    )
    .unwrap();
    let symbols = c
        .request("textDocument/documentSymbol", doc(URI))
        .unwrap()
        .unwrap();
    assert_eq!(symbols[0]["name"], "Deployment wéb");
    assert_eq!(
        symbols[0]["selectionRange"],
        json!({ "start": { "line": line, "character": col + 6 }, "end": { "line": line, "character": col + 9 } })
    );
    c.shutdown().unwrap();
}

#[test]
fn list_items_are_symbols_of_their_own() {
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    let text = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: réglages}
  data:
    mode: fast
- apiVersion: v1
  kind: Secret
  metadata: {name: clés}
  stringData:
    token: hunter2
";
    c.did_open(URI, 1, text).unwrap();
    let symbols = c
        .request("textDocument/documentSymbol", doc(URI))
        .unwrap()
        .unwrap();
    let list = &symbols[0];
    assert_eq!(list["name"], "List");
    assert_eq!(list["detail"], "2 items");
    assert_eq!(list["kind"], 18);
    let items = list["children"].as_array().unwrap();
    assert_eq!(items[0]["name"], "ConfigMap réglages");
    assert_eq!(items[0]["selectionRange"], span(text, "réglages"));
    assert_eq!(items[0]["children"][0]["name"], "mode");
    assert_eq!(items[0]["children"][0]["detail"], "fast");
    assert_eq!(items[1]["name"], "Secret clés");
    assert_eq!(items[1]["selectionRange"], span(text, "clés"));
    assert_eq!(items[1]["children"][0]["name"], "token");
    assert!(
        !symbols.to_string().contains("hunter2"),
        "a Secret's value reached the outline"
    );
    c.shutdown().unwrap();
}

#[test]
fn folding_ranges_have_kinds_and_characters_when_the_client_wants_them() {
    let text = "# Ünïcode 🦀 header,\n# two lines.\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  script: |\n    # text, not a comment\n    echo 🦀\n  list: [a,\n    bé]\n---\nkind: Namespace\n";
    let end_of = |piece: &str| pos(text, text.find(piece).unwrap() + piece.len());
    // Whole lines: no characters.
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    c.did_open(URI, 1, text).unwrap();
    let folds = c
        .request("textDocument/foldingRange", doc(URI))
        .unwrap()
        .unwrap();
    assert_eq!(
        folds,
        json!([
            { "startLine": 0, "endLine": 10, "kind": "region" },
            { "startLine": 0, "endLine": 1, "kind": "comment" },
            { "startLine": 5, "endLine": 10 },
            { "startLine": 6, "endLine": 8 },
            { "startLine": 9, "endLine": 10 },
            { "startLine": 11, "endLine": 12, "kind": "region" },
        ])
    );
    c.shutdown().unwrap();
    // Parts of lines: the end character too (UTF-16, after non-ASCII text).
    let mut c = server();
    c.initialize(plain_client(), None).unwrap();
    c.did_open(URI, 1, text).unwrap();
    let folds = c
        .request("textDocument/foldingRange", doc(URI))
        .unwrap()
        .unwrap();
    let ends: Vec<Value> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f.get("startCharacter").is_none(), "the first line stays");
            json!({ "line": f["endLine"], "character": f["endCharacter"] })
        })
        .collect();
    assert_eq!(
        ends,
        [
            end_of("bé]"),
            end_of("# two lines."),
            end_of("bé]"),
            end_of("echo 🦀"),
            end_of("bé]"),
            end_of("kind: Namespace"),
        ]
    );
    c.shutdown().unwrap();
}

/// The ranges of a selection chain, innermost first.
fn chain(mut s: &Value) -> Vec<Value> {
    let mut out = vec![s["range"].clone()];
    while let Some(parent) = s.get("parent") {
        out.push(parent["range"].clone());
        s = parent;
    }
    out
}

#[test]
fn selection_ranges_grow_with_exact_utf16_positions() {
    let (text, at) = cursor(
        "# 🦀 ünïcode\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {tëam: \"🦀 ca$0fé\", b: c}\n---\nkind: Namespace\n",
    );
    let at_other = pos(&text, text.find("Namespace").unwrap() + 3);
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    c.did_open(URI, 1, &text).unwrap();
    let got = c
        .request(
            "textDocument/selectionRange",
            json!({ "textDocument": { "uri": URI }, "positions": [at, at_other] }),
        )
        .unwrap()
        .unwrap();
    let first_doc = &text[..text.find("\n---").unwrap()];
    assert_eq!(
        chain(&got[0]),
        [
            span(&text, "café"),
            span(&text, "🦀 café"),
            span(&text, "\"🦀 café\""),
            span(&text, "tëam: \"🦀 café\""),
            span(&text, "{tëam: \"🦀 café\", b: c}"),
            span(&text, "labels: {tëam: \"🦀 café\", b: c}"),
            span(&text, "name: x\n  labels: {tëam: \"🦀 café\", b: c}"),
            span(
                &text,
                "metadata:\n  name: x\n  labels: {tëam: \"🦀 café\", b: c}"
            ),
            span(&text, &first_doc[first_doc.find("apiVersion").unwrap()..]),
            span(&text, first_doc),
            json!({ "start": pos(&text, 0), "end": pos(&text, text.len()) }),
        ]
    );
    assert_eq!(
        chain(&got[1]),
        [
            span(&text, "Namespace"),
            span(&text, "kind: Namespace"),
            span(&text, "---\nkind: Namespace"),
            json!({ "start": pos(&text, 0), "end": pos(&text, text.len()) }),
        ]
    );
    c.shutdown().unwrap();
}

#[test]
fn document_links_cover_exactly_the_urls() {
    let text = "# Dokumentation für 🦀: https://kubernetes.io/docs/concepts/.\n\
apiVersion: v1
kind: ConfigMap
metadata:
  name: links
  annotations:
    prometheus.io/scrape: \"true\"
    docs: \"https://example.com/ça?q=🦀\"
data:
  image: ghcr.io/example/app:1.0
  note: voir (https://en.wikipedia.org/wiki/Foo_(bar)), merci
---
# then xhttps://not.a.link and http://example.org/end;
";
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    c.did_open(URI, 1, text).unwrap();
    let got = c
        .request("textDocument/documentLink", doc(URI))
        .unwrap()
        .unwrap();
    let link = |url: &str, target: &str| json!({ "range": span(text, url), "target": target });
    assert_eq!(
        got,
        json!([
            link(
                "https://kubernetes.io/docs/concepts/",
                "https://kubernetes.io/docs/concepts/"
            ),
            link(
                "https://example.com/ça?q=🦀",
                "https://example.com/%C3%A7a?q=%F0%9F%A6%80"
            ),
            link(
                "https://en.wikipedia.org/wiki/Foo_(bar)",
                "https://en.wikipedia.org/wiki/Foo_(bar)"
            ),
            link("http://example.org/end", "http://example.org/end"),
        ])
    );
    c.shutdown().unwrap();
}

#[test]
fn unknown_documents_get_no_structure() {
    let mut c = server();
    c.initialize(vscode_like(), None).unwrap();
    for method in [
        "textDocument/documentSymbol",
        "textDocument/foldingRange",
        "textDocument/documentLink",
    ] {
        let got = c
            .request(
                method,
                doc("file:///tmp/picket-structure/never-opened.yaml"),
            )
            .unwrap();
        assert_eq!(got, Ok(Value::Null), "{method}");
    }
    assert!(c.is_running());
    c.shutdown().unwrap();
}
