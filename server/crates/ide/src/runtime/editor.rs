//! What the editor shows of behaviour profiles in one manifest file: per workload object with
//! profiles, what was observed (for a code lens), findings about what the manifest declares
//! (for diagnostics) and the suggestions as edits of the file and files to create (for
//! quick-fixes). Ranges are the file's bytes; the language server places them.
//!
//! Matching follows `picket suggest`, except for a manifest without `metadata.namespace`: its
//! namespace is chosen when it is applied (`kubectl apply -n`), so it matches the profiles of
//! any namespace. When those come from several namespaces (or architectures), the first after
//! merging is used, as `picket suggest` does with architectures, and a note says so.

use std::collections::BTreeSet;

use picket_model::{Field, Object, View};
use picket_policy::findings::{self, RuntimeFinding};
use picket_policy::netpol::{self, NetworkReview};
use picket_policy::seccomp;
use picket_policy::security_context;
use picket_policy::{Change, Confidence, Fact, FieldPath, PathSegment, Suggestion, SuggestionKind};
use picket_profile::Profile;
use picket_syntax::{Document, Mapping, Node, ParsedFile, TextRange, TextSize};
use serde_json::{Value, json};

use super::workloads::{ObjectAt, WorkloadContainer, find, object_at};
use crate::host::{Analysis, FileId};

/// A workload object of a file that has profiles for at least one of its containers.
#[derive(Clone, Debug)]
pub struct RuntimeWorkload {
    pub at: ObjectAt,
    /// `Deployment web`.
    pub label: String,
    /// Where its lens and its workload-wide findings go: its `kind`.
    pub header: TextRange,
    /// The whole object.
    pub range: TextRange,
    /// Its containers that have profiles, in manifest order.
    pub containers: Vec<RuntimeContainer>,
    pub observed: Observed,
}

/// One container of a workload, with its profiles merged.
#[derive(Clone, Debug)]
pub struct RuntimeContainer {
    pub workload: WorkloadContainer,
    /// The container's entry in its list.
    pub range: TextRange,
    /// Indices of the profiles used, into the caller's list.
    pub profiles: Vec<usize>,
    /// Those profiles merged into one (the first group when they do not merge into one).
    pub merged: Profile,
    /// About the match (several namespaces or architectures).
    pub notes: Vec<String>,
}

/// What the profiles of a workload's containers saw, counted once per workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// Distinct network peers: direction, protocol, address and port.
    pub peers: usize,
    /// Distinct capabilities the kernel granted.
    pub capabilities: usize,
    /// Distinct system calls.
    pub syscalls: usize,
}

impl Observed {
    /// `observed: 4 peers, 4 capabilities, 69 syscalls`.
    pub fn summary(&self) -> String {
        fn count(n: usize, one: &str, many: &str) -> String {
            format!("{n} {}", if n == 1 { one } else { many })
        }
        format!(
            "observed: {}, {}, {}",
            count(self.peers, "peer", "peers"),
            count(self.capabilities, "capability", "capabilities"),
            count(self.syscalls, "syscall", "syscalls")
        )
    }
}

/// A finding about a manifest, placed in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeDiagnostic {
    /// `picket-policy`'s code: `unused-capability`, `drift-root-write`…
    pub code: &'static str,
    pub message: String,
    pub range: TextRange,
    /// Behaviour the manifest does not allow (else: a privilege never used).
    pub drift: bool,
    /// The container it is about, if one.
    pub container: Option<String>,
    pub facts: Vec<Fact>,
}

/// A suggestion as an edit of the manifest, with the files it creates beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeAction {
    pub title: String,
    pub kind: SuggestionKind,
    /// The container it is for; empty for the workload as a whole.
    pub container: String,
    pub confidence: Confidence,
    /// Edits of the manifest (file ranges), not overlapping, in order.
    pub edits: Vec<(TextRange, String)>,
    /// Files to create in the manifest's folder: name and text.
    pub create: Vec<(String, String)>,
    /// The finding codes it resolves.
    pub resolves: &'static [&'static str],
}

/// The workload objects of `parsed` that `profiles` are about, in file order.
pub fn workloads(parsed: &ParsedFile, profiles: &[Profile]) -> Vec<RuntimeWorkload> {
    let mut out: Vec<RuntimeWorkload> = Vec::new();
    // An empty namespace stands for "not in the manifest".
    for w in find(0, parsed, "") {
        let mine: Vec<usize> = profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| matches(p, &w))
            .map(|(i, _)| i)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let Some(entry) = parsed.documents().get(w.at.document) else {
            continue;
        };
        let Some(object) = object_at(&entry.doc, w.at) else {
            continue;
        };
        let range = entry.to_file(object.mapping().range());
        let header = object.kind().map_or(range, |k| entry.to_file(k.range()));
        let container_range =
            container_node(&object, &w).map_or(range, |n| entry.to_file(n.range()));
        let mut groups =
            picket_profile::merge::merge(mine.iter().map(|&i| profiles[i].clone()).collect());
        let mut notes = Vec::new();
        if groups.len() > 1 {
            notes.push(format!(
                "the profiles of `{}` are of {} namespaces or architectures; these findings and \
                 suggestions come from the first ({}, {})",
                w.spec.name,
                groups.len(),
                groups[0]
                    .subject
                    .namespace
                    .as_deref()
                    .unwrap_or("no namespace"),
                groups[0].sensor.arch
            ));
        }
        let merged = groups.swap_remove(0);
        let container = RuntimeContainer {
            range: container_range,
            profiles: mine,
            merged,
            notes,
            workload: w,
        };
        match out.last_mut() {
            Some(last) if last.at == container.workload.at => last.containers.push(container),
            _ => out.push(RuntimeWorkload {
                at: container.workload.at,
                label: format!("{} {}", container.workload.kind, container.workload.name),
                header,
                range,
                containers: vec![container],
                observed: Observed::default(),
            }),
        }
    }
    for w in &mut out {
        w.observed = observed(&w.containers);
    }
    out
}

/// Whether `profile` is about `w`; a manifest without a namespace matches any.
fn matches(profile: &Profile, w: &WorkloadContainer) -> bool {
    if w.namespace.is_empty() {
        return super::profile_key(profile).is_some_and(|(_, kind, name, container)| {
            kind == w.kind && name == w.name && container == w.spec.name
        });
    }
    super::profile_matches(profile, w)
}

fn observed(containers: &[RuntimeContainer]) -> Observed {
    let mut peers = BTreeSet::new();
    let mut capabilities = BTreeSet::new();
    let mut syscalls = BTreeSet::new();
    for c in containers {
        let p = &c.merged;
        for n in &p.network {
            peers.insert((
                format!("{:?}/{:?}", n.direction, n.protocol),
                n.address.clone(),
                n.port,
            ));
        }
        for cap in p.capabilities.iter().filter(|c| c.granted) {
            capabilities.insert(capability_name(&cap.name));
        }
        for s in &p.syscalls {
            syscalls.insert(s.name.clone());
        }
    }
    Observed {
        peers: peers.len(),
        capabilities: capabilities.len(),
        syscalls: syscalls.len(),
    }
}

/// A capability as a manifest names it: `cap_chown` → `CHOWN`.
fn capability_name(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_owned()
}

/// The container's entry (`- name: app …`) in its list.
fn container_node<'d>(object: &Object<'d>, w: &WorkloadContainer) -> Option<Node<'d>> {
    let root = object.pod_template_root()?;
    let list = if w.spec.init {
        "initContainers"
    } else {
        "containers"
    };
    let seq = root.get("spec")?.resolve().as_mapping()?.get(list)?;
    seq.resolve()
        .as_sequence()?
        .items()
        .find(|n| name_of(*n) == Some(w.spec.name.as_str()))
}

/// The `name` of a list entry that is a mapping.
fn name_of(node: Node<'_>) -> Option<&str> {
    let m = node.resolve().as_mapping()?;
    m.get("name")?.resolve().as_scalar().map(|s| s.value())
}

/// The findings about each container of `w`, placed on the fields they are about, plus
/// `extra` findings about the workload as a whole (network drift).
pub fn diagnostics(
    parsed: &ParsedFile,
    w: &RuntimeWorkload,
    extra: &[RuntimeFinding],
) -> Vec<RuntimeDiagnostic> {
    let Some(entry) = parsed.documents().get(w.at.document) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in &w.containers {
        for f in findings::check(&c.merged, &c.workload.spec) {
            let range = f
                .path
                .as_ref()
                .and_then(|p| locate(&entry.doc, w.at, p, item_named(&f)))
                .map_or(w.header, |r| entry.to_file(r));
            out.push(RuntimeDiagnostic {
                code: f.code,
                message: f.message,
                range,
                drift: f.drift,
                container: Some(c.workload.spec.name.clone()),
                facts: f.facts,
            });
        }
    }
    for f in extra {
        let range = f
            .path
            .as_ref()
            .and_then(|p| locate(&entry.doc, w.at, p, None))
            .map_or(w.header, |r| entry.to_file(r));
        out.push(RuntimeDiagnostic {
            code: f.code,
            message: f.message.clone(),
            range,
            drift: f.drift,
            container: None,
            facts: f.facts.clone(),
        });
    }
    out
}

/// The list item a finding is about: an unused capability names it first, in backticks.
fn item_named(f: &RuntimeFinding) -> Option<String> {
    if f.code != "unused-capability" {
        return None;
    }
    let rest = f.message.strip_prefix('`')?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// Where `path` (from the pod template of the object at `at`) is in `doc`: the field itself
/// when it is there (the list item named `item` in a list of scalars), else the deepest part
/// of the path that is. `None` when not even the pod template is.
fn locate(
    doc: &Document,
    at: ObjectAt,
    path: &FieldPath,
    item: Option<String>,
) -> Option<TextRange> {
    let object = object_at(doc, at)?;
    let mut mapping: Mapping<'_> = object.pod_template_root()?;
    let mut best = object.kind().map(|k| k.range());
    let mut segments = path.0.iter().peekable();
    while let Some(segment) = segments.next() {
        let PathSegment::Key(key) = segment else {
            break;
        };
        let Some(entry) = mapping.entry(key) else {
            break;
        };
        let field = Field::new(entry);
        let value = entry.value.resolve();
        best = Some(if value.as_scalar().is_some() || value.is_flow() {
            field.range()
        } else {
            field.key_range()
        });
        match segments.peek() {
            None => {
                if let (Some(item), Some(seq)) = (&item, value.as_sequence()) {
                    let found = seq.items().find(|n| {
                        n.resolve()
                            .as_scalar()
                            .is_some_and(|s| capability_name(s.value()) == *item)
                    });
                    if let Some(n) = found {
                        best = Some(n.range());
                    }
                }
                break;
            }
            Some(PathSegment::Named(name)) => {
                segments.next();
                let Some(found) = value
                    .as_sequence()
                    .and_then(|s| s.items().find(|n| name_of(*n) == Some(name.as_str())))
                else {
                    break;
                };
                let Some(m) = found.resolve().as_mapping() else {
                    break;
                };
                if let Some(name_entry) = m.entry("name") {
                    best = Some(Field::new(name_entry).range());
                }
                mapping = m;
            }
            Some(PathSegment::Key(_)) => match value.as_mapping() {
                Some(m) => mapping = m,
                None => break,
            },
        }
    }
    best
}

/// The suggestions for the containers of `w` (those whose range meets `only`, or all when none
/// does) as edits of the file: `security_context::review`'s, then a seccomp profile (created as
/// a security-profiles-operator `SeccompProfile` beside the manifest and used through
/// `localhostProfile`). A suggestion whose changes cannot be made in this text is left out.
pub fn actions(
    parsed: &ParsedFile,
    w: &RuntimeWorkload,
    profiles: &[Profile],
    only: Option<TextRange>,
) -> Vec<RuntimeAction> {
    let mut chosen: Vec<&RuntimeContainer> = w
        .containers
        .iter()
        .filter(|c| only.is_some_and(|r| c.range.intersect(r).is_some()))
        .collect();
    if chosen.is_empty() {
        chosen = w.containers.iter().collect();
    }
    let mut out = Vec::new();
    for c in chosen {
        let name = &c.workload.spec.name;
        let review = security_context::review(&c.merged, &c.workload.spec);
        for s in &review.suggestions {
            if let Some(a) = action(
                parsed,
                w.at,
                name,
                s.kind,
                s.confidence,
                &s.changes,
                title(s, name),
            ) {
                out.push(a);
            }
        }
        let sources: Vec<Profile> = c.profiles.iter().map(|&i| profiles[i].clone()).collect();
        if let Ok(s) = seccomp::suggest(&sources) {
            let namespace =
                s.namespace
                    .clone()
                    .unwrap_or_else(|| match c.workload.namespace.as_str() {
                        "" => "default".to_owned(),
                        ns => ns.to_owned(),
                    });
            let local = format!("operator/{namespace}/{}.json", s.name);
            let already = matches!(
                &c.workload.spec.security_context.seccomp_profile,
                Some(picket_policy::SeccompProfileType::Localhost(Some(p))) if *p == local
            );
            if !already {
                let changes = [
                    s.spo_file(),
                    Change::Set {
                        path: FieldPath::container(&c.workload.spec)
                            .key("securityContext")
                            .key("seccompProfile"),
                        value: json!({"type": "Localhost", "localhostProfile": local}),
                        replaces: None,
                    },
                ];
                let title = with_confidence(
                    format!(
                        "Create SeccompProfile `{}` ({} system calls) and use it in `{name}`",
                        s.name,
                        s.syscalls.len()
                    ),
                    s.confidence,
                );
                if let Some(a) = action(
                    parsed,
                    w.at,
                    name,
                    SuggestionKind::SeccompProfile,
                    s.confidence,
                    &changes,
                    title,
                ) {
                    out.push(a);
                }
            }
        }
    }
    out
}

/// The files of `analysis` whose objects a network review reads: those with a Service, a
/// NetworkPolicy, a Namespace or a workload.
pub fn network_files(analysis: &Analysis) -> Vec<FileId> {
    let mut files: BTreeSet<u32> = BTreeSet::new();
    for l in analysis.index().located() {
        let s = l.summary;
        if s.is_workload() || matches!(s.kind.as_str(), "Service" | "NetworkPolicy" | "Namespace") {
            files.insert(l.file);
        }
    }
    files.into_iter().map(FileId).collect()
}

/// Every object of a file as JSON (a `List` whole), for a network review's workspace.
pub fn objects_json(parsed: &ParsedFile) -> Vec<Value> {
    if picket_model::is_template(parsed) {
        return Vec::new();
    }
    parsed
        .documents()
        .iter()
        .filter_map(|e| match picket_model::classify(&e.doc) {
            picket_model::DocumentClass::Object(o) => Some(o.to_json()),
            _ => None,
        })
        .collect()
}

/// What the profiles of `w`'s containers say about its network: NetworkPolicies to create, and
/// observed flows the workspace's policies deny (drift). `objects` are every object of the
/// workspace as JSON ([`objects_json`]); those without a namespace are taken to be in the
/// workload's (its manifest's, else its profiles', else `default`).
pub fn network_review(
    parsed: &ParsedFile,
    w: &RuntimeWorkload,
    objects: Vec<Value>,
) -> Option<NetworkReview> {
    let entry = parsed.documents().get(w.at.document)?;
    let object = object_at(&entry.doc, w.at)?;
    let first = w.containers.first()?;
    let namespace = match first.workload.namespace.as_str() {
        "" => first
            .merged
            .subject
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned()),
        ns => ns.to_owned(),
    };
    let ws = netpol::Workspace::new(objects, &namespace);
    let profiles: Vec<Profile> = w.containers.iter().map(|c| c.merged.clone()).collect();
    Some(netpol::review(&object.to_json(), &profiles, &ws))
}

/// The network review's suggestions as actions that create their files.
pub fn network_actions(
    parsed: &ParsedFile,
    w: &RuntimeWorkload,
    review: &NetworkReview,
) -> Vec<RuntimeAction> {
    review
        .suggestions
        .iter()
        .filter_map(|s| {
            let (kind_name, suffix) = match s.kind {
                SuggestionKind::NetworkPolicy => ("NetworkPolicy", "-networkpolicy.yaml"),
                SuggestionKind::CiliumNetworkPolicy => {
                    ("CiliumNetworkPolicy", "-ciliumnetworkpolicy.yaml")
                }
                _ => return None,
            };
            let name = s.changes.iter().find_map(|c| match c {
                Change::CreateFile { file_name, .. } => Some(
                    file_name
                        .strip_suffix(suffix)
                        .unwrap_or(file_name)
                        .to_owned(),
                ),
                _ => None,
            })?;
            let title = with_confidence(format!("Create {kind_name} {name}"), s.confidence);
            action(parsed, w.at, "", s.kind, s.confidence, &s.changes, title)
        })
        .collect()
}

/// An action of `changes` made in the document of `at`; `None` when they cannot be made.
fn action(
    parsed: &ParsedFile,
    at: ObjectAt,
    container: &str,
    kind: SuggestionKind,
    confidence: Confidence,
    changes: &[Change],
    title: String,
) -> Option<RuntimeAction> {
    let entry = parsed.documents().get(at.document)?;
    let before = entry.doc.text();
    let refs: Vec<&Change> = changes.iter().collect();
    let after = super::apply(before, at, &refs).ok()?;
    let edits = match minimal_edit(before, &after) {
        Some((range, text)) => vec![(entry.to_file(range), text)],
        None => Vec::new(),
    };
    let create: Vec<(String, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateFile { file_name, content } => Some((file_name.clone(), content.clone())),
            _ => None,
        })
        .collect();
    if edits.is_empty() && create.is_empty() {
        return None;
    }
    Some(RuntimeAction {
        title,
        kind,
        container: container.to_owned(),
        confidence,
        edits,
        create,
        resolves: resolves(kind),
    })
}

/// The finding codes a suggestion of `kind` resolves.
fn resolves(kind: SuggestionKind) -> &'static [&'static str] {
    match kind {
        SuggestionKind::Capabilities => &["unused-capability", "drift-capability"],
        SuggestionKind::ReadOnlyRootFilesystem => &["drift-root-write"],
        SuggestionKind::RunAsNonRoot => &["drift-run-as-root"],
        SuggestionKind::NetworkPolicy | SuggestionKind::CiliumNetworkPolicy => &["drift-network"],
        _ => &[],
    }
}

/// One edit turning `before` into `after`: the part between their common start and end.
pub fn minimal_edit(before: &str, after: &str) -> Option<(TextRange, String)> {
    if before == after {
        return None;
    }
    let mut prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(prefix) || !after.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let mut suffix = before[prefix..]
        .bytes()
        .rev()
        .zip(after[prefix..].bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - suffix)
        || !after.is_char_boundary(after.len() - suffix)
    {
        suffix -= 1;
    }
    let range = TextRange::new(
        TextSize::new(prefix as u32),
        TextSize::new((before.len() - suffix) as u32),
    );
    Some((range, after[prefix..after.len() - suffix].to_owned()))
}

fn title(s: &Suggestion, container: &str) -> String {
    let what = match s.kind {
        SuggestionKind::Capabilities => {
            let add = s.changes.iter().find_map(|c| match c {
                Change::Set { value, .. } => value.get("add").and_then(|a| a.as_array()).cloned(),
                _ => None,
            });
            let add: Vec<String> = add
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if add.is_empty() {
                format!("Drop every capability of `{container}`")
            } else {
                format!(
                    "Drop every capability of `{container}` but {}",
                    add.join(", ")
                )
            }
        }
        SuggestionKind::ReadOnlyRootFilesystem => {
            let volumes = s
                .changes
                .iter()
                .filter_map(|c| match c {
                    Change::Append { path, items } if path.to_string() == "spec.volumes" => {
                        Some(items.len())
                    }
                    _ => None,
                })
                .sum::<usize>();
            match volumes {
                0 => format!("Make the root filesystem of `{container}` read-only"),
                n => format!(
                    "Make the root filesystem of `{container}` read-only, with {n} emptyDir volume{}",
                    if n == 1 { "" } else { "s" }
                ),
            }
        }
        SuggestionKind::RunAsNonRoot => format!("Run `{container}` as non-root"),
        SuggestionKind::AllowPrivilegeEscalation => {
            format!("Forbid privilege escalation in `{container}`")
        }
        SuggestionKind::SeccompProfile => format!("Use a seccomp profile in `{container}`"),
        SuggestionKind::NetworkPolicy => "Create a NetworkPolicy".to_owned(),
        SuggestionKind::CiliumNetworkPolicy => "Create a CiliumNetworkPolicy".to_owned(),
    };
    with_confidence(what, s.confidence)
}

/// `title (medium confidence)` below high.
fn with_confidence(title: String, c: Confidence) -> String {
    match c {
        Confidence::High => title,
        Confidence::Medium => format!("{title} (medium confidence)"),
        Confidence::Low => format!("{title} (low confidence)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../../../fixtures/profiles/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn profiles() -> Vec<Profile> {
        [
            "shop_Deployment-web_nginx.json",
            "shop_Deployment-api_api.json",
            "batch_CronJob-nightly-report_report.json",
        ]
        .iter()
        .map(|n| Profile::from_json(&fixture(n)).unwrap())
        .collect()
    }

    fn apply_edits(text: &str, edits: &[(TextRange, String)]) -> String {
        let mut out = text.to_owned();
        for (range, new) in edits.iter().rev() {
            out.replace_range(usize::from(range.start())..usize::from(range.end()), new);
        }
        out
    }

    #[test]
    fn counts_what_each_workload_was_seen_doing() {
        let text = fixture("manifests/nginx.yaml");
        let parsed = ParsedFile::parse(&text);
        let found = workloads(&parsed, &profiles());
        assert_eq!(found.len(), 1, "the ConfigMap has no profile");
        let w = &found[0];
        assert_eq!(w.label, "Deployment web");
        assert_eq!(&text[w.header], "kind: Deployment");
        assert_eq!(
            w.observed.summary(),
            "observed: 4 peers, 4 capabilities, 69 syscalls"
        );
        assert_eq!(w.containers[0].workload.spec.name, "nginx");
    }

    #[test]
    fn a_manifest_without_a_namespace_matches_any() {
        let text = fixture("manifests/api.yaml");
        let parsed = ParsedFile::parse(&text);
        let found = workloads(&parsed, &profiles());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].containers[0].profiles, [1]);
        // With a namespace, it must be the profile's.
        let other = text.replace(
            "      name: api\n    spec:\n      replicas",
            "      name: api\n      namespace: other\n    spec:\n      replicas",
        );
        assert_ne!(other, text);
        assert!(workloads(&ParsedFile::parse(&other), &profiles()).is_empty());
    }

    #[test]
    fn an_unused_capability_points_at_its_item() {
        let text = fixture("manifests/nginx.yaml");
        let parsed = ParsedFile::parse(&text);
        let w = &workloads(&parsed, &profiles())[0];
        let diags = diagnostics(&parsed, w, &[]);
        let unused: Vec<&RuntimeDiagnostic> = diags
            .iter()
            .filter(|d| d.code == "unused-capability")
            .collect();
        assert_eq!(unused.len(), 1, "{diags:#?}");
        assert_eq!(&text[unused[0].range], "DAC_OVERRIDE");
        assert!(!unused[0].drift);
    }

    #[test]
    fn drift_without_the_field_points_at_the_container() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        securityContext:\n          capabilities: {drop: [ALL]}\n";
        let parsed = ParsedFile::parse(text);
        let w = &workloads(&parsed, &profiles())[0];
        let diags = diagnostics(&parsed, w, &[]);
        let drift: Vec<&RuntimeDiagnostic> = diags
            .iter()
            .filter(|d| d.code == "drift-capability")
            .collect();
        assert!(!drift.is_empty(), "{diags:#?}");
        assert_eq!(&text[drift[0].range], "capabilities: {drop: [ALL]}");
        assert!(drift[0].drift);
    }

    #[test]
    fn actions_edit_the_text_and_keep_its_comments() {
        let text = fixture("manifests/nginx.yaml");
        let parsed = ParsedFile::parse(&text);
        let w = &workloads(&parsed, &profiles())[0];
        let actions = actions(&parsed, w, &profiles(), None);
        let caps = actions
            .iter()
            .find(|a| a.kind == SuggestionKind::Capabilities)
            .expect("a capabilities action");
        assert_eq!(
            caps.title,
            "Drop every capability of `nginx` but CHOWN, NET_BIND_SERVICE, SETGID, SETUID"
        );
        let after = apply_edits(&text, &caps.edits);
        assert!(after.contains("# DAC_OVERRIDE: needed?"), "{after}");
        assert!(!after.contains("DAC_OVERRIDE]"), "{after}");
        let reparsed = ParsedFile::parse(&after);
        let w = &workloads(&reparsed, &profiles())[0];
        assert!(
            diagnostics(&reparsed, w, &[])
                .iter()
                .all(|d| d.code != "unused-capability")
        );

        let seccomp = actions
            .iter()
            .find(|a| a.kind == SuggestionKind::SeccompProfile)
            .expect("a seccomp action");
        assert_eq!(seccomp.create.len(), 1);
        assert_eq!(seccomp.create[0].0, "web-nginx.seccompprofile.yaml");
        let after = apply_edits(&text, &seccomp.edits);
        assert!(
            after.contains("localhostProfile: operator/shop/web-nginx.json"),
            "{after}"
        );
    }

    #[test]
    fn a_network_policy_is_a_file_to_create() {
        let text = fixture("manifests/nginx.yaml");
        let parsed = ParsedFile::parse(&text);
        let w = &workloads(&parsed, &profiles())[0];
        let review = network_review(&parsed, w, objects_json(&parsed)).unwrap();
        let actions = network_actions(&parsed, w, &review);
        let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
        assert!(
            titles
                .iter()
                .any(|t| t.starts_with("Create NetworkPolicy picket-web")),
            "{titles:?}"
        );
        let policy = actions
            .iter()
            .find(|a| a.kind == SuggestionKind::NetworkPolicy)
            .unwrap();
        assert!(policy.edits.is_empty());
        assert_eq!(policy.create.len(), 1);
        assert!(
            policy.create[0].1.contains("kind: NetworkPolicy"),
            "{}",
            policy.create[0].1
        );
    }

    #[test]
    fn minimal_edit_keeps_characters_whole() {
        assert_eq!(minimal_edit("abc", "abc"), None);
        let (range, text) = minimal_edit("a é b", "a è b").unwrap();
        assert_eq!(
            (usize::from(range.start()), usize::from(range.end())),
            (2, 4)
        );
        assert_eq!(text, "è");
        let (range, text) = minimal_edit("x: 1\n", "x: 1\ny: 2\n").unwrap();
        assert_eq!(range.start(), range.end());
        assert_eq!(text, "y: 2\n");
    }
}
