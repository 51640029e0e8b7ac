//! The whole shared corpus as one workspace: the index builds with progress, and the editor
//! features answer on the largest file of the corpus. Skips (with a printed reason) when the
//! corpus is not beside the project.

use std::path::Path;
use std::time::Duration;

use picket_test_utils::lsp::Client;
use picket_test_utils::{corpus_dir, skip_without_corpus, yaml_files};
use serde_json::json;

#[test]
fn the_corpus_indexes_with_progress_and_its_largest_file_answers() {
    let Some(corpus) = corpus_dir() else {
        skip_without_corpus();
        return;
    };
    let corpus = corpus.canonicalize().unwrap();
    let mut c = Client::spawn(Path::new(env!("CARGO_BIN_EXE_picket")), &["lsp"], &[]).unwrap();
    // A hang detector for a debug build on a busy machine, not a performance bound.
    c.timeout = Duration::from_secs(600);
    let root = format!("file://{}", corpus.display());
    c.initialize(
        json!({ "general": { "positionEncodings": ["utf-16"] }, "window": { "workDoneProgress": true } }),
        Some(&root),
    )
    .unwrap();
    let begin = c
        .wait_notification("$/progress", |p| p["value"]["kind"] == "begin")
        .unwrap();
    let token = begin["token"].clone();
    let end = c
        .wait_notification("$/progress", |p| {
            p["token"] == token && p["value"]["kind"] == "end"
        })
        .unwrap();
    // Begin, a report per percent at most, end.
    let seen = c.notifications_received("$/progress");
    assert!((10..=110).contains(&seen), "{seen} progress notifications");
    let message = end["value"]["message"].as_str().unwrap();
    let objects: usize = message.split(' ').next().unwrap().parse().unwrap();
    let files: usize = message
        .split(" in ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(objects > 2_000 && files > 800, "{message}");

    let largest = yaml_files(&corpus)
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    let text = std::fs::read_to_string(&largest).unwrap();
    let uri = format!("file://{}", largest.display());
    c.did_open(&uri, 1, &text).unwrap();
    c.diagnostics_for(&uri, 1).unwrap();
    let line = text.lines().count() as u64 / 2;
    let at =
        json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 6 } });
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/documentSymbol",
        "textDocument/codeLens",
    ] {
        let mut params = at.clone();
        if method.ends_with("Symbol") || method.ends_with("codeLens") {
            params = json!({ "textDocument": { "uri": uri } });
        }
        let answer = c.request(method, params).unwrap();
        assert!(answer.is_ok(), "{method}: {answer:?}");
    }
    // On a key near the middle: the schema documents it, and a new line below it completes.
    let lines: Vec<&str> = text.lines().collect();
    // (A key with a plain value on its line, the next line no deeper: a new line below it is
    // a sibling key, not the inside of a block scalar.)
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let (key_line, indent) = (lines.len() / 2..lines.len() - 1)
        .find_map(|i| {
            let l = lines[i];
            let indent = indent_of(l);
            let key: String = l[indent..]
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            let value = l[indent + key.len()..].strip_prefix(": ")?;
            (indent >= 4
                && !key.is_empty()
                && !value.starts_with(['|', '>', '&', '*', '!'])
                && indent_of(lines[i + 1]) <= indent)
                .then_some((i as u32, indent as u32))
        })
        .unwrap();
    let h = c
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": key_line, "character": indent + 1 } }),
        )
        .unwrap()
        .unwrap();
    let key: String = lines[key_line as usize]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with(&format!("{key}: ")) && value.contains("\n\nKubernetes 1."),
        "{h}"
    );
    let end = lines[key_line as usize].encode_utf16().count() as u32;
    c.did_change(
        &uri,
        2,
        [[key_line, end], [key_line, end]],
        &format!("\n{}", " ".repeat(indent as usize)),
    )
    .unwrap();
    let items = c
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": key_line + 1, "character": indent } }),
        )
        .unwrap()
        .unwrap();
    let items = items.get("items").unwrap_or(&items);
    assert!(!items.as_array().unwrap().is_empty(), "{items}");
    // Workspace symbols reach objects of every file, open or not.
    let found = c
        .request("workspace/symbol", json!({ "query": "argocd-server" }))
        .unwrap()
        .unwrap();
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "argocd-server"
                && s["containerName"]
                    .as_str()
                    .unwrap()
                    .starts_with("Deployment")),
        "{found}"
    );
    c.shutdown().unwrap();
}
