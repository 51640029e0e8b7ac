//! The report of `picket suggest`: human text, or one JSON document saying the same.

use std::io::Write;

use picket_policy::security_context::Withheld;
use picket_policy::{Confidence, Fact, Lowering, Suggestion, SuggestionEvidence};
use picket_profile::Profile;
use serde::Serialize;

use super::workloads::WorkloadContainer;
use super::{Matched, NetworkMatched, Outcome};

/// Version of the JSON document's shape.
const JSON_VERSION: u32 = 1;

/// At most this many facts are listed per suggestion in human output.
const FACTS_SHOWN: usize = 4;

pub(crate) fn confidence_name(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

/// `Deployment shop/web, container `nginx``.
pub(crate) fn workload_label(w: &WorkloadContainer) -> String {
    let init = if w.spec.init {
        "init container"
    } else {
        "container"
    };
    format!(
        "{} {}/{}, {init} `{}`",
        w.kind, w.namespace, w.name, w.spec.name
    )
}

/// How many suggestions the manifest edits carry.
pub(crate) fn applied_count(outcome: &Outcome) -> usize {
    outcome
        .matched
        .iter()
        .flat_map(|m| m.review.suggestions.iter().zip(&m.not_applied))
        .filter(|(s, failed)| s.confidence >= outcome.min_confidence && failed.is_none())
        .count()
}

fn duration(seconds: u64) -> String {
    match seconds {
        s if s >= 2 * 86_400 => format!("{} d", s / 86_400),
        s if s >= 3600 => format!("{} h", s / 3600),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn times(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fact_line(fact: &Fact) -> String {
    let e = &fact.evidence;
    format!(
        "{}: {}, {} to {}, {} on {}",
        fact.what,
        times(e.count),
        e.first_seen,
        e.last_seen,
        plural(e.replicas as usize, "replica", "replicas"),
        e.nodes.join(", ")
    )
}

fn confidence_line(confidence: Confidence, lowered_by: &[Lowering]) -> String {
    let reasons: Vec<&str> = lowered_by
        .iter()
        .filter(|l| l.to == confidence)
        .map(|l| l.reason.as_str())
        .collect();
    if reasons.is_empty() {
        confidence_name(confidence).to_owned()
    } else {
        format!("{}: {}", confidence_name(confidence), reasons.join("; "))
    }
}

/// The window and coverage: merged profiles sum the seconds of their replicas, so the time
/// observed can be longer than the window.
fn coverage_line(profile: &Profile) -> String {
    format!(
        "window {} to {}, {} observed{}, {} on {} ({})",
        profile.window.start,
        profile.window.end,
        duration(profile.window.seconds),
        if profile.coverage.replicas.len() > 1 {
            " (replicas summed)"
        } else {
            ""
        },
        plural(profile.coverage.replicas.len(), "replica", "replicas"),
        plural(profile.coverage.nodes.len(), "node", "nodes"),
        profile.coverage.nodes.join(", ")
    )
}

pub(crate) fn human(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    for m in &outcome.matched {
        human_container(out, outcome, m)?;
    }
    for n in &outcome.networks {
        human_network(out, outcome, n)?;
    }
    if !outcome.unmatched.is_empty() {
        writeln!(out, "Profiles that match no workload container:")?;
        for u in &outcome.unmatched {
            writeln!(out, "  {}: {}", u.path, subject_label(&u.profile))?;
        }
        writeln!(out)?;
    }
    if !outcome.without_profile.is_empty() {
        writeln!(out, "Workload containers without a profile:")?;
        for w in &outcome.without_profile {
            writeln!(out, "  {}: {}", outcome.file(w), workload_label(w))?;
        }
        writeln!(out)?;
    }
    let suggestions: usize = outcome
        .matched
        .iter()
        .map(|m| m.review.suggestions.len() + usize::from(m.seccomp.is_ok()))
        .sum::<usize>()
        + outcome
            .networks
            .iter()
            .map(|n| n.review.suggestions.len())
            .sum::<usize>();
    writeln!(
        out,
        "{} for {} and {}; {} at or above {} confidence ({} to apply with --diff or --write)",
        plural(suggestions, "suggestion", "suggestions"),
        plural(outcome.matched.len(), "container", "containers"),
        plural(outcome.networks.len(), "workload", "workloads"),
        selected_count(outcome),
        confidence_name(outcome.min_confidence),
        applied_count(outcome),
    )
}

fn selected_count(outcome: &Outcome) -> usize {
    let networks: usize = outcome
        .networks
        .iter()
        .map(|n| {
            n.review
                .suggestions
                .iter()
                .filter(|s| s.confidence >= outcome.min_confidence)
                .count()
        })
        .sum();
    networks
        + outcome
            .matched
            .iter()
            .map(|m| {
                m.review
                    .suggestions
                    .iter()
                    .filter(|s| s.confidence >= outcome.min_confidence)
                    .count()
                    + usize::from(
                        m.seccomp
                            .as_ref()
                            .is_ok_and(|s| s.confidence >= outcome.min_confidence),
                    )
            })
            .sum::<usize>()
}

fn subject_label(profile: &Profile) -> String {
    let s = &profile.subject;
    let ns = s.namespace.as_deref().unwrap_or("?");
    let container = s.container.as_deref().unwrap_or("?");
    match &s.workload {
        Some(w) => format!("{} {ns}/{}, container `{container}`", w.kind, w.name),
        None => format!("no workload (namespace {ns}, container `{container}`)"),
    }
}

fn human_container(out: &mut impl Write, outcome: &Outcome, m: &Matched) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {}",
        outcome.file(&m.workload),
        workload_label(&m.workload)
    )?;
    writeln!(out, "  profiles: {}", m.profiles.join(", "))?;
    writeln!(out, "  {}", coverage_line(&m.merged))?;
    for reason in &m.merged.partial_reasons {
        writeln!(out, "  partial: {reason}")?;
    }
    for note in &m.notes {
        writeln!(out, "  note: {note}")?;
    }
    for (s, failed) in m.review.suggestions.iter().zip(&m.not_applied) {
        writeln!(out)?;
        human_suggestion(out, outcome.min_confidence, s, failed.as_deref())?;
    }
    match &m.seccomp {
        Ok(s) => {
            writeln!(out)?;
            writeln!(
                out,
                "  seccompProfile ({})",
                confidence_line(s.confidence, &s.lowered_by)
            )?;
            writeln!(
                out,
                "    A seccomp profile allowing {} system calls ({} observed, {} for the \
                 container runtime's start-up), logging the others; --out DIR writes \
                 {}.json and {}.seccompprofile.yaml",
                s.syscalls.len(),
                s.observed.len(),
                s.runtime.len(),
                s.name,
                s.name
            )?;
            for note in &s.notes {
                writeln!(out, "    note: {note}")?;
            }
            if s.confidence < outcome.min_confidence {
                writeln!(out, "    not written: below the minimum confidence")?;
            }
        }
        Err(reason) => {
            writeln!(out)?;
            writeln!(out, "  withheld seccompProfile: {reason}")?;
        }
    }
    for w in &m.review.withheld {
        writeln!(out)?;
        writeln!(out, "  withheld {}: {}", kind_name(w), w.reason)?;
    }
    for f in &m.findings {
        writeln!(out)?;
        let what = if f.drift { "drift" } else { "unused" };
        writeln!(out, "  {what} ({}): {}", f.code, f.message)?;
        if let Some(path) = &f.path {
            writeln!(out, "    at: {path}")?;
        }
        for fact in f.facts.iter().take(FACTS_SHOWN) {
            writeln!(out, "    seen: {}", fact_line(fact))?;
        }
    }
    writeln!(out)
}

fn human_network(
    out: &mut impl Write,
    outcome: &Outcome,
    n: &NetworkMatched,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {}, network",
        outcome.sources[n.file].path, n.label
    )?;
    for s in &n.review.suggestions {
        writeln!(out)?;
        human_suggestion(out, outcome.min_confidence, s, None)?;
        for change in &s.changes {
            if let picket_policy::Change::CreateFile { file_name, .. } = change
                && s.confidence >= outcome.min_confidence
            {
                writeln!(out, "    --out DIR writes {file_name}")?;
            }
        }
    }
    for d in &n.review.drift {
        writeln!(out)?;
        writeln!(out, "  drift: {}", d.message)?;
    }
    for w in &n.review.withheld {
        writeln!(out)?;
        writeln!(out, "  withheld {}: {}", kind_name(w), w.reason)?;
    }
    writeln!(out)
}

fn kind_name(w: &Withheld) -> String {
    serde_json::to_value(w.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn human_suggestion(
    out: &mut impl Write,
    min: Confidence,
    s: &Suggestion,
    failed: Option<&str>,
) -> std::io::Result<()> {
    let kind = serde_json::to_value(s.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    writeln!(
        out,
        "  {kind} ({})",
        confidence_line(s.confidence, &s.lowered_by)
    )?;
    writeln!(out, "    {}", s.message)?;
    for note in &s.notes {
        writeln!(out, "    note: {note}")?;
    }
    let facts = &s.evidence.facts;
    for fact in facts.iter().take(FACTS_SHOWN) {
        writeln!(out, "    seen: {}", fact_line(fact))?;
    }
    if facts.len() > FACTS_SHOWN {
        let more = facts.len() - FACTS_SHOWN;
        writeln!(out, "    seen: {}", plural(more, "more fact", "more facts"))?;
    }
    if s.confidence < min {
        writeln!(out, "    not applied: below the minimum confidence")?;
    } else if let Some(reason) = failed {
        writeln!(out, "    not applied: {reason}")?;
    }
    Ok(())
}

/// The JSON document: the same content as the human report, field names in camelCase.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    version: u32,
    min_confidence: Confidence,
    containers: Vec<ContainerJson<'a>>,
    networks: Vec<NetworkJson<'a>>,
    unmatched_profiles: Vec<UnmatchedJson<'a>>,
    workloads_without_profile: Vec<WorkloadJson<'a>>,
}

/// One workload's network review.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NetworkJson<'a> {
    file: &'a str,
    /// `Deployment shop/api`.
    workload: &'a str,
    suggestions: Vec<SuggestionJson<'a>>,
    withheld: &'a [Withheld],
    drift: &'a [picket_policy::findings::RuntimeFinding],
    flows: &'a [picket_policy::netpol::ObservedFlow],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkloadJson<'a> {
    file: &'a str,
    namespace: &'a str,
    kind: &'a str,
    name: &'a str,
    container: &'a str,
    init: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainerJson<'a> {
    #[serde(flatten)]
    workload: WorkloadJson<'a>,
    profiles: &'a [String],
    window: &'a picket_profile::Window,
    nodes: &'a [String],
    replicas: usize,
    #[serde(skip_serializing_if = "is_empty")]
    partial_reasons: &'a [String],
    #[serde(skip_serializing_if = "is_empty")]
    notes: &'a [String],
    suggestions: Vec<SuggestionJson<'a>>,
    withheld: &'a [Withheld],
    #[serde(skip_serializing_if = "Option::is_none")]
    seccomp: Option<SeccompJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seccomp_withheld: Option<&'a str>,
    /// Unused privileges and drift.
    findings: &'a [picket_policy::findings::RuntimeFinding],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuggestionJson<'a> {
    #[serde(flatten)]
    suggestion: &'a Suggestion,
    /// At or above `--min-confidence`: `--diff`, `--write` and `--out` take it.
    selected: bool,
    /// Why its changes could not be made in the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applied: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SeccompJson<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    arch: &'a str,
    syscalls: &'a [String],
    observed: &'a [String],
    runtime: &'a [String],
    files: [String; 2],
    #[serde(skip_serializing_if = "is_empty")]
    notes: &'a [String],
    evidence: &'a SuggestionEvidence,
    confidence: Confidence,
    #[serde(skip_serializing_if = "is_empty")]
    lowered_by: &'a [Lowering],
    selected: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnmatchedJson<'a> {
    profile: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
}

fn is_empty<T>(items: &&[T]) -> bool {
    items.is_empty()
}

fn workload_json<'a>(outcome: &'a Outcome, w: &'a WorkloadContainer) -> WorkloadJson<'a> {
    WorkloadJson {
        file: outcome.file(w),
        namespace: &w.namespace,
        kind: &w.kind,
        name: &w.name,
        container: &w.spec.name,
        init: w.spec.init,
    }
}

pub(crate) fn json(out: &mut impl Write, outcome: &Outcome) -> std::io::Result<()> {
    let min = outcome.min_confidence;
    let containers = outcome
        .matched
        .iter()
        .map(|m| ContainerJson {
            workload: workload_json(outcome, &m.workload),
            profiles: &m.profiles,
            window: &m.merged.window,
            nodes: &m.merged.coverage.nodes,
            replicas: m.merged.coverage.replicas.len(),
            partial_reasons: &m.merged.partial_reasons,
            notes: &m.notes,
            suggestions: m
                .review
                .suggestions
                .iter()
                .zip(&m.not_applied)
                .map(|(s, failed)| SuggestionJson {
                    suggestion: s,
                    selected: s.confidence >= min,
                    not_applied: failed.as_deref(),
                })
                .collect(),
            withheld: &m.review.withheld,
            seccomp: m.seccomp.as_ref().ok().map(|s| SeccompJson {
                name: &s.name,
                namespace: s.namespace.as_deref(),
                arch: &s.arch,
                syscalls: &s.syscalls,
                observed: &s.observed,
                runtime: &s.runtime,
                files: [
                    format!("{}.json", s.name),
                    format!("{}.seccompprofile.yaml", s.name),
                ],
                notes: &s.notes,
                evidence: &s.evidence,
                confidence: s.confidence,
                lowered_by: &s.lowered_by,
                selected: s.confidence >= min,
            }),
            seccomp_withheld: m.seccomp.as_ref().err().map(String::as_str),
            findings: &m.findings,
        })
        .collect();
    let unmatched_profiles = outcome
        .unmatched
        .iter()
        .map(|u| {
            let s = &u.profile.subject;
            UnmatchedJson {
                profile: &u.path,
                namespace: s.namespace.as_deref(),
                kind: s.workload.as_ref().map(|w| w.kind.as_str()),
                name: s.workload.as_ref().map(|w| w.name.as_str()),
                container: s.container.as_deref(),
            }
        })
        .collect();
    let networks = outcome
        .networks
        .iter()
        .map(|n| NetworkJson {
            file: &outcome.sources[n.file].path,
            workload: &n.label,
            suggestions: n
                .review
                .suggestions
                .iter()
                .map(|s| SuggestionJson {
                    suggestion: s,
                    selected: s.confidence >= min,
                    not_applied: None,
                })
                .collect(),
            withheld: &n.review.withheld,
            drift: &n.review.drift,
            flows: &n.review.flows,
        })
        .collect();
    let document = Document {
        version: JSON_VERSION,
        min_confidence: min,
        containers,
        networks,
        unmatched_profiles,
        workloads_without_profile: outcome
            .without_profile
            .iter()
            .map(|w| workload_json(outcome, w))
            .collect(),
    };
    let text = serde_json::to_string_pretty(&document).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}
