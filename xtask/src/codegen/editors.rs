//! The VS Code extension's settings, from the Rust configuration: every rule and category
//! (off, on or a severity), the target Kubernetes version, the runtime-profile directory. They
//! go into `editors/vscode/package.json` under `contributes.configuration.properties`, next to
//! the hand-written ones (`picket.server.path`, `picket.trace.server`), which stay as they are.

use std::path::Path;

use anyhow::Context;
use picket_lint::{Category, DEFAULT_KUBERNETES_VERSION};
use serde_json::{Map, Value, json};

/// The values a rule or a category takes, as `.picket.yaml` spells them.
const SETTINGS: &[&str] = &["off", "on", "error", "warning", "info", "hint"];

/// `package.json` with the generated settings in place.
pub(crate) fn package_json(root: &Path) -> anyhow::Result<String> {
    let path = root.join("editors/vscode/package.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut manifest: Value = serde_json::from_str(&text)?;
    let props = manifest
        .pointer_mut("/contributes/configuration/properties")
        .and_then(Value::as_object_mut)
        .context("package.json has no contributes.configuration.properties")?;

    let mut rules = Map::new();
    for c in Category::ALL {
        rules.insert(
            c.as_str().to_owned(),
            json!({ "type": "string", "enum": SETTINGS, "description": format!("Every rule of the {} category (a rule's own setting wins).", c.as_str()) }),
        );
    }
    for r in picket_lint::rules() {
        let default = if r.default_enabled { "on" } else { "off" };
        rules.insert(
            r.name.to_owned(),
            json!({
                "type": "string",
                "enum": SETTINGS,
                "markdownDescription": format!("{} (`{}`, {} by default, severity {}).", r.summary.trim_end_matches('.'), r.category.as_str(), default, r.severity.as_str()),
            }),
        );
    }
    props.insert(
        "picket.rules".to_owned(),
        json!({
            "type": "object",
            "default": {},
            "markdownDescription": "Rules and categories turned `off`, `on`, or on at a severity (`error`, `warning`, `info`, `hint`). These win over `.picket.yaml`'s `rules`.",
            "properties": rules,
            "additionalProperties": false,
        }),
    );
    let (major, minor) = DEFAULT_KUBERNETES_VERSION;
    props.insert(
        "picket.kubernetesVersion".to_owned(),
        json!({
            "type": "string",
            "default": "",
            "pattern": "^(1\\.\\d+)?$",
            "markdownDescription": format!("The Kubernetes version the rules target, like `1.30` (deprecated and removed APIs). Empty: `.picket.yaml`'s `kubernetesVersion`, else {major}.{minor}."),
        }),
    );
    props.insert(
        "picket.profiles.directory".to_owned(),
        json!({
            "type": "string",
            "default": "",
            "markdownDescription": "Folder of the behaviour profiles `picket-sensor` writes, for the lenses, findings and quick-fixes from observed behaviour; a relative path is under each workspace folder. Empty: `.picket/profiles`.",
        }),
    );
    let mut out = serde_json::to_string_pretty(&manifest)?;
    out.push('\n');
    Ok(out)
}
