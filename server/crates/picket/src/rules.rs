//! `picket rules [NAME]`: the rule catalog, as a table, as JSON, or one rule's docs.

use std::io::Write;
use std::process::ExitCode;

use picket_ide::picket_lint::{self, Peer, RuleMeta};

use crate::RulesArgs;

/// The JSON object of one rule.
pub(crate) fn rule_json(r: &RuleMeta) -> serde_json::Value {
    let mut peers = serde_json::Map::new();
    for p in Peer::ALL {
        let ids: Vec<&str> = r.peer_ids(*p).collect();
        peers.insert(p.as_str().to_owned(), serde_json::json!(ids));
    }
    serde_json::json!({
        "name": r.name,
        "category": r.category.as_str(),
        "severity": r.severity.as_str(),
        "fix": r.fix.map(|f| f.as_str()),
        "summary": r.summary,
        "docs": r.docs_text(),
        "enabled_by_default": r.default_enabled,
        "peers": peers,
    })
}

pub(crate) fn run(args: RulesArgs) -> ExitCode {
    let mut out = anstream::stdout().lock();
    let result = match &args.name {
        Some(name) => {
            let Some(rule) = picket_lint::rule_by_name(name) else {
                let hint = picket_lint::closest_rule(name)
                    .map(|c| format!(": did you mean `{c}`?"))
                    .unwrap_or_default();
                eprintln!("error: no rule named `{name}`{hint} (`picket rules` lists them)");
                return ExitCode::from(2);
            };
            if args.format == crate::RulesFormat::Json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&rule_json(rule)).unwrap_or_default()
                )
            } else {
                print_docs(&mut out, rule)
            }
        }
        None => match args.format {
            crate::RulesFormat::Json => {
                let all: Vec<_> = picket_lint::rules().map(rule_json).collect();
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&all).unwrap_or_default()
                )
            }
            crate::RulesFormat::Human => print_table(&mut out),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn print_table(out: &mut impl Write) -> std::io::Result<()> {
    let rules: Vec<&RuleMeta> = picket_lint::rules().collect();
    let width = rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    writeln!(
        out,
        "{:<width$}  {:<11}  {:<7}  {:<6}  SUMMARY",
        "RULE", "CATEGORY", "LEVEL", "FIX"
    )?;
    for r in &rules {
        let level = if r.default_enabled {
            r.severity.as_str()
        } else {
            "off"
        };
        writeln!(
            out,
            "{:<width$}  {:<11}  {:<7}  {:<6}  {}",
            r.name,
            r.category.as_str(),
            level,
            r.fix.map_or("-", |f| f.as_str()),
            r.summary
        )?;
    }
    let fixes = rules.iter().filter(|r| r.fix.is_some()).count();
    writeln!(
        out,
        "\n{} rules, {} with a fix. `picket rules NAME` shows a rule's docs; `off` rules are enabled in .picket.yaml.",
        rules.len(),
        fixes
    )
}

fn print_docs(out: &mut impl Write, r: &RuleMeta) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({}, {})",
        r.name,
        r.category.as_str(),
        r.severity.as_str()
    )?;
    writeln!(out, "{}", r.summary)?;
    if !r.default_enabled {
        writeln!(
            out,
            "Off by default: enable it in .picket.yaml with `rules: {{{}: on}}`.",
            r.name
        )?;
    }
    writeln!(out, "Fix: {}", r.fix.map_or("none", |f| f.as_str()))?;
    for p in Peer::ALL {
        let ids: Vec<&str> = r.peer_ids(*p).collect();
        if !ids.is_empty() {
            writeln!(out, "{}: {}", p.as_str(), ids.join(", "))?;
        }
    }
    writeln!(out)?;
    write!(out, "{}", r.docs_text().replace("```yaml,bad", "```yaml"))
}
