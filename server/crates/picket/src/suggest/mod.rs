//! `picket suggest`: least-privilege suggestions from behaviour profiles, matched to the
//! workload containers of the manifests, reported with their evidence; `--diff`/`--write`
//! put the `securityContext` changes into the manifests, `--out` writes seccomp profiles and
//! NetworkPolicies, `--graph` draws the observed traffic.
//!
//! `picket-policy` decides what to suggest; this module finds the containers (through
//! `picket-model`), fills each one's `ContainerSpec`, and places the changes in the text.

mod graph;
mod report;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use picket_ide::FileKind;
use picket_ide::runtime::{self, apply, workloads};
use picket_policy::netpol::{self, NetworkReview};
use picket_policy::seccomp::{self, SeccompSuggestion};
use picket_policy::security_context::{self, Review};
use picket_policy::{Change, Confidence};
use picket_profile::Profile;
use picket_syntax::ParsedFile;

use crate::config::Configs;
use crate::fix::{diff_name, write_atomically};
use crate::inputs::{self, Input, Source};
use crate::{MinConfidence, SuggestArgs, SuggestFormat};
use workloads::{ObjectAt, WorkloadContainer};

/// What was suggested for one workload container that has profiles.
pub(crate) struct Matched {
    pub(crate) workload: WorkloadContainer,
    /// The profiles' paths, as given.
    pub(crate) profiles: Vec<String>,
    /// The profile the suggestions come from (the profiles merged).
    pub(crate) merged: Profile,
    pub(crate) review: Review,
    /// Per suggestion of `review`: why its changes could not be made in the manifest.
    pub(crate) not_applied: Vec<Option<String>>,
    pub(crate) seccomp: Result<SeccompSuggestion, String>,
    /// Privileges the manifest declares that were never used, and behaviour it does not allow.
    pub(crate) findings: Vec<picket_policy::findings::RuntimeFinding>,
    /// Notes about the match itself (several architectures).
    pub(crate) notes: Vec<String>,
}

/// The network review of one workload that has profiles.
pub(crate) struct NetworkMatched {
    pub(crate) file: usize,
    /// `Deployment shop/api`.
    pub(crate) label: String,
    pub(crate) review: NetworkReview,
}

/// A profile that matches no workload container.
pub(crate) struct Unmatched {
    pub(crate) path: String,
    pub(crate) profile: Profile,
}

/// Everything `suggest` found.
pub(crate) struct Outcome {
    pub(crate) sources: Vec<Source>,
    pub(crate) matched: Vec<Matched>,
    pub(crate) unmatched: Vec<Unmatched>,
    pub(crate) without_profile: Vec<WorkloadContainer>,
    pub(crate) networks: Vec<NetworkMatched>,
    pub(crate) min_confidence: Confidence,
}

impl Outcome {
    pub(crate) fn file(&self, w: &WorkloadContainer) -> &str {
        &self.sources[w.file].path
    }
}

pub(crate) fn run(args: SuggestArgs) -> ExitCode {
    let profiles = match picket_profile::io::read_dir(&args.profiles) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: reading profiles: {e:#}");
            return ExitCode::from(2);
        }
    };
    let configs = Configs::new();
    let (_, inputs, mut errors) = inputs::gather(&args.paths, args.input.no_ignore, &configs);
    let mut sources = Vec::new();
    let mut read_from = Vec::new();
    for input in inputs {
        match inputs::read(&input, args.input.max_file_size, &args.input.stdin_filename) {
            Ok(s) => {
                sources.push(s);
                read_from.push(input);
            }
            Err(e) => errors.push(e),
        }
    }
    let parsed: Vec<ParsedFile> = sources.iter().map(|s| ParsedFile::parse(&s.text)).collect();
    let mut containers = Vec::new();
    for (i, (source, file)) in sources.iter().zip(&parsed).enumerate() {
        if source.kind == FileKind::HelmTemplate || picket_model::is_template(file) {
            continue;
        }
        containers.extend(workloads::find(i, file, &args.namespace));
    }

    let min_confidence = match args.min_confidence {
        MinConfidence::Low => Confidence::Low,
        MinConfidence::Medium => Confidence::Medium,
        MinConfidence::High => Confidence::High,
    };
    let (matched, unmatched, without_profile) = match_profiles(profiles, containers);
    let networks = network_reviews(&matched, &sources, &parsed, &args.namespace);
    let mut outcome = Outcome {
        sources,
        matched,
        unmatched,
        without_profile,
        networks,
        min_confidence,
    };
    let edited = edit_manifests(&mut outcome, &parsed);

    let mut failed = !errors.is_empty();
    let mut out = anstream::stdout().lock();
    let written = if args.diff {
        print_diffs(&mut out, &outcome, &edited)
    } else {
        match args.format {
            SuggestFormat::Human => report::human(&mut out, &outcome),
            SuggestFormat::Json => report::json(&mut out, &outcome),
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: writing the report: {e}");
        }
        return ExitCode::from(2);
    }
    if args.write {
        failed |= !write_manifests(&outcome, &read_from, &edited);
    }
    if let Some(dir) = &args.out {
        failed |= !write_files(dir, &outcome);
    }
    if let Some(path) = &args.graph {
        failed |= !graph::write(path, &outcome);
    }
    for e in &errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every object of the manifests, as JSON, for the network review's workspace.
fn workspace_objects(sources: &[Source], parsed: &[ParsedFile]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for (source, file) in sources.iter().zip(parsed) {
        if source.kind == FileKind::HelmTemplate || picket_model::is_template(file) {
            continue;
        }
        for entry in file.documents() {
            if let picket_model::DocumentClass::Object(object) = picket_model::classify(&entry.doc)
            {
                out.push(object.to_json());
            }
        }
    }
    out
}

/// The network review of each workload with matched containers, from its containers' merged
/// profiles, against everything the manifests declare.
fn network_reviews(
    matched: &[Matched],
    sources: &[Source],
    parsed: &[ParsedFile],
    default_namespace: &str,
) -> Vec<NetworkMatched> {
    let workspace = netpol::Workspace::new(workspace_objects(sources, parsed), default_namespace);
    let mut by_workload: BTreeMap<(usize, usize, Option<usize>), Vec<&Matched>> = BTreeMap::new();
    for m in matched {
        let at = m.workload.at;
        by_workload
            .entry((m.workload.file, at.document, at.item))
            .or_default()
            .push(m);
    }
    let mut out = Vec::new();
    for ((file, _, _), containers) in by_workload {
        let first = &containers[0].workload;
        let doc = &parsed[file].documents()[first.at.document].doc;
        let Some(object) = workloads::object_at(doc, first.at) else {
            continue;
        };
        let profiles: Vec<Profile> = containers.iter().map(|m| m.merged.clone()).collect();
        out.push(NetworkMatched {
            file,
            label: format!("{} {}/{}", first.kind, first.namespace, first.name),
            review: netpol::review(&object.to_json(), &profiles, &workspace),
        });
    }
    out
}

/// Pairs profiles with workload containers and runs the policy on each pair.
fn match_profiles(
    profiles: Vec<(PathBuf, Profile)>,
    containers: Vec<WorkloadContainer>,
) -> (Vec<Matched>, Vec<Unmatched>, Vec<WorkloadContainer>) {
    let mut used = vec![false; profiles.len()];
    let mut matched = Vec::new();
    let mut without_profile = Vec::new();
    for workload in containers {
        let mine: Vec<usize> = profiles
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| runtime::profile_matches(p, &workload))
            .map(|(i, _)| i)
            .collect();
        if mine.is_empty() {
            without_profile.push(workload);
            continue;
        }
        for &i in &mine {
            used[i] = true;
        }
        let chosen: Vec<Profile> = mine.iter().map(|&i| profiles[i].1.clone()).collect();
        let mut notes = Vec::new();
        let mut merged = picket_profile::merge::merge(chosen.clone());
        if merged.len() > 1 {
            notes.push(format!(
                "the profiles are for {} architectures; the securityContext suggestions come \
                 from the `{}` one",
                merged.len(),
                merged[0].sensor.arch
            ));
        }
        let merged = merged.swap_remove(0);
        let review = security_context::review(&merged, &workload.spec);
        let seccomp = seccomp::suggest(&chosen).map_err(|e| format!("{e:#}"));
        let findings = picket_policy::findings::check(&merged, &workload.spec);
        matched.push(Matched {
            findings,
            not_applied: vec![None; review.suggestions.len()],
            profiles: mine
                .iter()
                .map(|&i| inputs::display_path(&profiles[i].0))
                .collect(),
            workload,
            merged,
            review,
            seccomp,
            notes,
        });
    }
    let unmatched = profiles
        .into_iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|((path, profile), _)| Unmatched {
            path: inputs::display_path(&path),
            profile,
        })
        .collect();
    (matched, unmatched, without_profile)
}

/// The manifests' new texts (by source index) with the selected suggestions' changes made;
/// records in the outcome the suggestions whose changes could not be made.
fn edit_manifests(outcome: &mut Outcome, parsed: &[ParsedFile]) -> BTreeMap<usize, String> {
    let mut docs: BTreeMap<(usize, usize), String> = BTreeMap::new();
    let min = outcome.min_confidence;
    for m in &mut outcome.matched {
        let file = m.workload.file;
        let at: ObjectAt = m.workload.at;
        for (i, s) in m.review.suggestions.iter().enumerate() {
            if s.confidence < min {
                continue;
            }
            let changes: Vec<&Change> = s.changes.iter().collect();
            let current = docs
                .entry((file, at.document))
                .or_insert_with(|| parsed[file].documents()[at.document].doc.text().to_owned());
            match apply::apply(current, at, &changes) {
                Ok(text) => *current = text,
                Err(e) => m.not_applied[i] = Some(e),
            }
        }
    }
    let mut files = BTreeMap::new();
    for ((file, document), text) in docs.into_iter().rev() {
        let entry = &parsed[file].documents()[document];
        let original = &outcome.sources[file].text;
        let whole = files.entry(file).or_insert_with(|| original.clone());
        let range = entry.range();
        whole.replace_range(usize::from(range.start())..usize::from(range.end()), &text);
    }
    files.retain(|file, text| *text != outcome.sources[*file].text);
    files
}

fn print_diffs(
    out: &mut impl Write,
    outcome: &Outcome,
    edited: &BTreeMap<usize, String>,
) -> std::io::Result<()> {
    for (&file, text) in edited {
        let path = &outcome.sources[file].path;
        let diff = similar::TextDiff::from_lines(outcome.sources[file].text.as_str(), text);
        write!(
            out,
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&diff_name("a", path), &diff_name("b", path))
        )?;
    }
    let count = report::applied_count(outcome);
    eprintln!(
        "would apply {count} suggestion{} to {} file{}",
        if count == 1 { "" } else { "s" },
        edited.len(),
        if edited.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// Rewrites the edited manifests; false when one could not be written.
fn write_manifests(
    outcome: &Outcome,
    read_from: &[Input],
    edited: &BTreeMap<usize, String>,
) -> bool {
    let mut ok = true;
    for (&file, text) in edited {
        let path = &outcome.sources[file].path;
        let result = match &read_from[file] {
            Input::File(p) => write_atomically(p, text),
            Input::Stdin => {
                eprintln!("error: {path}: standard input cannot be rewritten; use --diff");
                ok = false;
                continue;
            }
        };
        match result {
            Ok(()) => eprintln!("{path}: applied the suggestions"),
            Err(e) => {
                eprintln!("error: {path}: cannot write: {e}");
                ok = false;
            }
        }
    }
    ok
}

/// Writes the selected seccomp profiles and network policies into `dir`; false when one could
/// not be written.
fn write_files(dir: &Path, outcome: &Outcome) -> bool {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: {}: cannot create: {e}", dir.display());
        return false;
    }
    let mut ok = true;
    let mut wanted: Vec<(String, Change)> = Vec::new();
    for m in &outcome.matched {
        let Ok(s) = &m.seccomp else { continue };
        if s.confidence < outcome.min_confidence {
            continue;
        }
        let who = report::workload_label(&m.workload);
        wanted.push((who.clone(), s.localhost_file()));
        wanted.push((who, s.spo_file()));
    }
    for n in &outcome.networks {
        for s in &n.review.suggestions {
            if s.confidence < outcome.min_confidence {
                continue;
            }
            for change in &s.changes {
                wanted.push((n.label.clone(), change.clone()));
            }
        }
    }
    let mut written: BTreeMap<String, String> = BTreeMap::new();
    for (who, change) in wanted {
        {
            let Change::CreateFile { file_name, content } = change else {
                continue;
            };
            let path = dir.join(&file_name);
            if let Some(other) = written.get(&file_name) {
                eprintln!(
                    "error: {}: both {other} and {who} want this file; not written for {who}",
                    path.display()
                );
                ok = false;
                continue;
            }
            match write_atomically(&path, &content) {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    written.insert(file_name, who.clone());
                }
                Err(e) => {
                    eprintln!("error: {}: cannot write: {e}", path.display());
                    ok = false;
                }
            }
        }
    }
    ok
}
