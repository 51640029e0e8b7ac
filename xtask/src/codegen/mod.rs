//! `cargo xtask codegen [--check]`: regenerates every generated file, or checks it is current.

mod editors;
mod kubernetes;
mod kubernetes_refinements;
mod kubernetes_resources;
pub(crate) mod rules;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::project_root;

/// One generated file and its wanted contents.
struct Output {
    path: PathBuf,
    contents: String,
}

pub(crate) fn run(check: bool) -> anyhow::Result<()> {
    let root = project_root();
    let generated = kubernetes::generate()?;
    check_resource_list(&root, &generated.rust_paths)?;
    let data = root.join("server/crates/schema/data");
    let outputs = vec![
        Output {
            path: data.join("kubernetes.json"),
            contents: generated.table,
        },
        Output {
            path: data.join("kubernetes-docs.json"),
            contents: generated.docs,
        },
        Output {
            path: root.join("docs/diagnostics.md"),
            contents: diagnostics_doc(&root),
        },
        Output {
            path: root.join("docs/profile-v1.schema.json"),
            contents: profile_schema()?,
        },
    ];
    let mut outputs = outputs;
    outputs.push(Output {
        path: root.join("editors/vscode/package.json"),
        contents: editors::package_json(&root)?,
    });
    let rule_files = rules::scan(&root)?;
    outputs.push(Output {
        path: rules::rules_dir(&root).join("mod.rs"),
        contents: rules::registry(&rule_files),
    });
    // The docs come from the registry this binary was built with: after a rule is added,
    // the first run updates the registry and a second one the docs.
    let linked: Vec<&str> = picket_lint::rules().map(|r| r.name).collect();
    let scanned: Vec<&str> = rule_files
        .iter()
        .filter(|r| !r.name.is_empty())
        .map(|r| r.name.as_str())
        .collect();
    let registry_current = linked == scanned;
    let docs_dir = root.join("docs/rules");
    if registry_current {
        let docs = rules::docs();
        let wanted: Vec<PathBuf> = docs.iter().map(|(n, _)| docs_dir.join(n)).collect();
        for (name, contents) in docs {
            outputs.push(Output {
                path: docs_dir.join(name),
                contents,
            });
        }
        // Pages of rules that no longer exist.
        for entry in std::fs::read_dir(&docs_dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if !wanted.contains(&path) {
                if check {
                    bail!("{} documents no rule: run `cargo codegen`", path.display());
                }
                std::fs::remove_file(&path)?;
            }
        }
    }
    let mut stale = Vec::new();
    for out in &outputs {
        let current = std::fs::read_to_string(&out.path).unwrap_or_default();
        if current == out.contents {
            continue;
        }
        if check {
            stale.push(
                out.path
                    .strip_prefix(&root)
                    .unwrap_or(&out.path)
                    .display()
                    .to_string(),
            );
        } else {
            std::fs::create_dir_all(out.path.parent().context("no parent")?)?;
            std::fs::write(&out.path, &out.contents)
                .with_context(|| format!("writing {}", out.path.display()))?;
            eprintln!(
                "updated {}",
                out.path.strip_prefix(&root).unwrap_or(&out.path).display()
            );
        }
    }
    if !stale.is_empty() {
        bail!(
            "generated files are out of date: {}\nrun `cargo codegen` and commit the result",
            stale.join(", ")
        );
    }
    if !registry_current {
        if check {
            bail!(
                "the rule registry is out of date: run `cargo codegen` (twice: registry, then docs)"
            );
        }
        eprintln!("the rule registry changed: run `cargo codegen` once more to refresh docs/rules");
    } else if check {
        eprintln!("generated files are up to date");
    }
    Ok(())
}

/// Every `impl Resource for` in the k8s-openapi sources of the version in use must be in
/// `kubernetes_resources.rs`, and nothing else.
fn check_resource_list(root: &Path, listed: &[&str]) -> anyhow::Result<()> {
    let sh = xshell::Shell::new()?;
    sh.change_dir(root);
    let metadata = xshell::cmd!(sh, "cargo metadata --format-version 1 --locked")
        .quiet()
        .read()?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata)?;
    let manifest = metadata["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "k8s-openapi"))
        .and_then(|p| p["manifest_path"].as_str())
        .context("k8s-openapi not found in cargo metadata")?;
    let version_module = listed
        .first()
        .and_then(|p| p.split("::").nth(1))
        .context("empty resource list")?;
    let src = Path::new(manifest)
        .parent()
        .context("manifest has no parent")?
        .join("src")
        .join(version_module);
    let mut found = Vec::new();
    collect_resources(&src, &src, version_module, &mut found)?;
    found.sort();
    let mut listed: Vec<String> = listed.iter().map(|s| (*s).to_owned()).collect();
    listed.sort();
    let missing: Vec<_> = found.iter().filter(|f| !listed.contains(f)).collect();
    let extra: Vec<_> = listed.iter().filter(|l| !found.contains(l)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        bail!(
            "xtask/src/codegen/kubernetes_resources.rs does not match k8s-openapi:\n  missing: {missing:?}\n  not in k8s-openapi: {extra:?}"
        );
    }
    Ok(())
}

fn collect_resources(
    base: &Path,
    dir: &Path,
    module: &str,
    out: &mut Vec<String>,
) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_resources(base, &path, module, out)?;
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("impl crate::Resource for ") else {
                continue;
            };
            let ty = rest.trim_end_matches(" {").trim();
            let rel = path.strip_prefix(base)?.with_extension("");
            let mut parts = vec!["k8s_openapi".to_owned(), module.to_owned()];
            parts.extend(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned()),
            );
            parts.push(ty.to_owned());
            out.push(parts.join("::"));
        }
    }
    Ok(())
}

/// `docs/profile-v1.schema.json`: the JSON Schema of behaviour profiles, from `picket-profile`.
fn profile_schema() -> anyhow::Result<String> {
    let mut text = serde_json::to_string_pretty(&picket_profile::schema::json_schema())?;
    text.push('\n');
    Ok(text)
}

/// `docs/diagnostics.md`: every diagnostic code, from `picket_ide::all_codes`.
fn diagnostics_doc(root: &Path) -> String {
    let mut out = String::from(
        "# Diagnostics\n\n<!-- Generated by `cargo xtask codegen`, do not edit. -->\n\n\
Every finding Picket reports has a stable kebab-case code: it is the `code` of LSP diagnostics, \
the `ruleId` of SARIF results and the `code` of `--format json` output.\n\
Limits (`nesting-too-deep`, `document-too-large`) are warnings; everything else here is an error \
that the Kubernetes API server would reject too.\n\n\
| Code | What it means | Examples |\n|---|---|---|\n",
    );
    for (code, description) in picket_ide::all_codes() {
        let dir = root.join("fixtures/diagnostics").join(code);
        let examples = if dir.is_dir() {
            format!("[fixtures/diagnostics/{code}](../fixtures/diagnostics/{code})")
        } else {
            "unit tests".to_owned()
        };
        out.push_str(&format!("| `{code}` | {description} | {examples} |\n"));
    }
    out
}
