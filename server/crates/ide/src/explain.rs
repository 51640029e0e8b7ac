//! Hover text for findings: what a rule flags, why it matters, and how to fix or silence it.

use picket_lint::Applicability;
use picket_syntax::{TextRange, TextSize};

use crate::diagnostics::{Diagnostic, all_codes};

/// Markdown explaining the findings whose range holds `offset`, with the narrowest such range;
/// `None` when there is none.
pub fn explain_findings(
    diagnostics: &[Diagnostic],
    offset: TextSize,
) -> Option<(TextRange, String)> {
    let here: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.range.contains_inclusive(offset))
        .collect();
    let range = here.iter().map(|d| d.range).min_by_key(|r| r.len())?;
    let parts: Vec<String> = here.iter().map(|d| explain(d)).collect();
    Some((range, parts.join("\n\n---\n\n")))
}

fn explain(d: &Diagnostic) -> String {
    let mut md = format!("**{}** · {}\n\n{}", d.code, d.severity.as_str(), d.message);
    match picket_lint::rule_by_name(d.code) {
        Some(rule) => {
            md.push_str(&format!("\n\n{}", rule.summary));
            if let Some(why) = section(&rule.docs_text(), "Why it matters") {
                md.push_str(&format!("\n\n*Why it matters:* {why}"));
            }
            if d.fixes.is_empty()
                && let Some(applicability) = rule.fix
            {
                // Findings computed for display carry no fixes; the rule says whether it has one.
                let how = match applicability {
                    Applicability::Safe => "a quick-fix",
                    Applicability::Unsafe => "a quick-fix (unsafe: check the result)",
                };
                md.push_str(&format!(
                    "\n\n*Fix:* the rule offers {how} where it can; see the code actions."
                ));
            }
            for fix in &d.fixes {
                let how = match fix.applicability {
                    Applicability::Safe => "quick-fix",
                    Applicability::Unsafe => "quick-fix, unsafe: check the result",
                };
                md.push_str(&format!("\n\n*Fix ({how}):* {}", fix.title));
            }
            md.push_str(&format!(
                "\n\nSilence with `# picket:ignore[{}] reason` on or above the line. `picket rules {}` shows the full documentation.",
                d.code, d.code
            ));
        }
        None => {
            if let Some((_, what)) = all_codes().into_iter().find(|(c, _)| *c == d.code) {
                md.push_str(&format!("\n\n{what}."));
            }
        }
    }
    md
}

/// The first paragraph of the `## title` section of a rule's docs, on one line.
fn section(docs: &str, title: &str) -> Option<String> {
    let start = docs.find(&format!("## {title}\n"))? + title.len() + 4;
    let body = docs[start..].trim_start();
    let paragraph = body.split("\n\n").next()?;
    let text = paragraph
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty() && !text.starts_with('#')).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnalysisHost, DiagnosticsConfig, FileId, FileKind, ParsedFile};

    #[test]
    fn a_rule_finding_explains_itself_and_its_fix() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {privileged: true}\n";
        let mut host = AnalysisHost::new();
        host.set_file(FileId(1), "p.yaml", FileKind::Yaml, ParsedFile::parse(text));
        let config = DiagnosticsConfig {
            schema: true,
            rules: Some(Default::default()),
            fixes: true,
        };
        let diags = host.analysis().diagnostics(FileId(1), &config).unwrap();
        let at = TextSize::from(text.find("privileged: true").unwrap() as u32 + 2);
        let (range, md) = explain_findings(&diags, at).unwrap();
        assert!(range.contains(at));
        assert!(md.contains("**privileged-container** · "), "{md}");
        assert!(md.contains("*Why it matters:* "), "{md}");
        assert!(md.contains("*Fix (quick-fix"), "{md}");
        assert!(md.contains("# picket:ignore[privileged-container]"), "{md}");
        // Nowhere near a finding of that line: no explanation of it.
        let far = TextSize::from(3);
        assert!(
            explain_findings(&diags, far)
                .is_none_or(|(_, md)| !md.contains("privileged-container"))
        );
    }

    #[test]
    fn a_schema_finding_gets_its_code_description() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containerz: []\n";
        let mut host = AnalysisHost::new();
        host.set_file(FileId(1), "p.yaml", FileKind::Yaml, ParsedFile::parse(text));
        let config = DiagnosticsConfig {
            schema: true,
            rules: None,
            fixes: false,
        };
        let diags = host.analysis().diagnostics(FileId(1), &config).unwrap();
        let at = TextSize::from(text.find("containerz").unwrap() as u32);
        let (_, md) = explain_findings(&diags, at).unwrap();
        assert!(md.starts_with("**unknown-field** · error\n\n"), "{md}");
    }
}
