//! `picket-sensor merge`: folds the profiles of many replicas and nodes into one profile per
//! workload container.
//!
//! Profiles are grouped by a merge key: (namespace, workload kind and name, container) when
//! the workload is known; otherwise (namespace, pod, container) when the pod is known;
//! otherwise the cgroup. Profiles without a workload therefore merge only with profiles of the
//! same pod container, or of the same cgroup, never with Kubernetes-attributed ones. The key
//! also holds `sensor.arch`, because syscall numbers mean different calls on different
//! architectures: a workload that runs on x86_64 and aarch64 nodes gets one profile per
//! architecture (their subjects are equal, so whoever writes them must tell the files apart).
//!
//! Each group gives one profile; see [`merge`] for how each field combines.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use crate::normalize::{Fact, absorb, compare_times, keep_earliest, keep_latest, sort_dedup};
use crate::{
    Coverage, MissingHook, Profile, SensorInfo, Stats, Subject, VERSION, Window, Workload,
};

/// Merges profiles: one result per merge key (see the module documentation), in key order.
///
/// Within a group:
///
/// - **subject**: namespace, workload, container, pod and cgroup are kept where every source
///   agrees and dropped otherwise (so a merge of several replicas has no pod); the workload's
///   `source` is the most common one. The image is the one most replicas ran; when replicas
///   ran several, each other one is named in a partial reason.
/// - **window**: the earliest start, the latest end, and the sum of the observed seconds
///   (replica-seconds, when replicas were watched at the same time).
/// - **partial**: true if any source is partial or the merge added a reason; the reasons of
///   all sources, deduplicated.
/// - **coverage**: the union of nodes and of replicas.
/// - **sensor**: version and architecture of the source that ended last; `hooks` is the
///   intersection of the sources' hooks, `missingHooks` the union (a hook attached on one
///   node only is listed as missing, and named in a partial reason: facts of its kind may be
///   missing from the other nodes); stats are summed.
/// - **facts**: the union by identity (executable: path and uid; peer: direction, protocol,
///   address and port; capability: name and `granted`; syscall: number; file: path), with
///   evidence combined: counts summed, the earliest `firstSeen`, the latest `lastSeen`, nodes
///   united, and `replicas` as described below. An executable keeps the argv of its earliest
///   execution.
///
/// `replicas` counts distinct replicas, which a sum would not do when two sources cover the
/// same replica (a pod recorded before and after a sensor restart). A source's count of `n`
/// replicas for a fact names them exactly when `n` is its whole coverage (always the case for
/// a profile of one replica): those replica ids are united. Otherwise which `n` replicas is
/// unknown and `n` is added. The result is at most the number of replicas in the merged
/// coverage. For sources with disjoint replicas, the usual case, this is the exact count, and
/// merging in steps gives the same facts as merging at once.
///
/// Merging is order-independent, merging one profile gives it back normalized, and merging a
/// merge with more profiles gives the same facts as merging everything at once.
pub fn merge(profiles: Vec<Profile>) -> Vec<Profile> {
    let mut groups: BTreeMap<MergeKey, Vec<Profile>> = BTreeMap::new();
    for mut profile in profiles {
        profile.normalize();
        groups
            .entry(MergeKey::of(&profile))
            .or_default()
            .push(profile);
    }
    groups.into_values().map(|g| merge_group(&g)).collect()
}

/// Which profiles merge together.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct MergeKey {
    identity: Identity,
    arch: String,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Identity {
    Workload {
        namespace: Option<String>,
        kind: String,
        name: String,
        container: Option<String>,
    },
    Pod {
        namespace: Option<String>,
        pod: String,
        container: Option<String>,
    },
    Cgroup(String),
    /// Neither workload, pod nor cgroup: only equal subjects merge.
    Other {
        namespace: Option<String>,
        container: Option<String>,
        image: Option<String>,
    },
}

impl MergeKey {
    fn of(profile: &Profile) -> MergeKey {
        let s = &profile.subject;
        let identity = if let Some(workload) = &s.workload {
            Identity::Workload {
                namespace: s.namespace.clone(),
                kind: workload.kind.clone(),
                name: workload.name.clone(),
                container: s.container.clone(),
            }
        } else if let Some(pod) = &s.pod {
            Identity::Pod {
                namespace: s.namespace.clone(),
                pod: pod.clone(),
                container: s.container.clone(),
            }
        } else if let Some(cgroup) = &s.cgroup {
            Identity::Cgroup(cgroup.clone())
        } else {
            Identity::Other {
                namespace: s.namespace.clone(),
                container: s.container.clone(),
                image: s.image.clone(),
            }
        };
        MergeKey {
            identity,
            arch: profile.sensor.arch.clone(),
        }
    }
}

/// Merges one non-empty group of normalized profiles.
fn merge_group(sources: &[Profile]) -> Profile {
    let mut notes = Vec::new();
    let subject = merge_subject(sources, &mut notes);
    let window = Window {
        start: fold_strings(
            sources.iter().map(|p| p.window.start.as_str()),
            keep_earliest,
        ),
        end: fold_strings(sources.iter().map(|p| p.window.end.as_str()), keep_latest),
        seconds: sources
            .iter()
            .fold(0u64, |sum, p| sum.saturating_add(p.window.seconds)),
    };
    let mut coverage = Coverage::default();
    for p in sources {
        coverage.nodes.extend(p.coverage.nodes.iter().cloned());
        coverage
            .replicas
            .extend(p.coverage.replicas.iter().cloned());
    }
    sort_dedup(&mut coverage.nodes);
    sort_dedup(&mut coverage.replicas);
    let sensor = merge_sensor(sources, &mut notes);
    let partial = sources.iter().any(|p| p.partial) || !notes.is_empty();
    let mut partial_reasons = notes;
    partial_reasons.extend(
        sources
            .iter()
            .flat_map(|p| p.partial_reasons.iter().cloned()),
    );
    sort_dedup(&mut partial_reasons);
    let replicas = coverage.replicas.len();
    Profile {
        version: VERSION,
        subject,
        window,
        partial,
        partial_reasons,
        sensor,
        executables: merge_facts(sources, |p| &p.executables, replicas),
        network: merge_facts(sources, |p| &p.network, replicas),
        capabilities: merge_facts(sources, |p| &p.capabilities, replicas),
        syscalls: merge_facts(sources, |p| &p.syscalls, replicas),
        file_writes: merge_facts(sources, |p| &p.file_writes, replicas),
        coverage,
    }
}

fn fold_strings<'a>(
    mut values: impl Iterator<Item = &'a str>,
    keep: fn(&mut String, &str),
) -> String {
    let mut kept = values.next().unwrap_or_default().to_owned();
    for value in values {
        keep(&mut kept, value);
    }
    kept
}

/// How many replicas a source stands for when counting votes: at least one.
fn weight(profile: &Profile) -> usize {
    profile.coverage.replicas.len().max(1)
}

fn merge_subject(sources: &[Profile], notes: &mut Vec<String>) -> Subject {
    let subjects = || sources.iter().map(|p| &p.subject);
    let workload = agreed(subjects().map(|s| {
        s.workload
            .as_ref()
            .map(|w| (w.kind.as_str(), w.name.as_str()))
    }))
    .map(|(kind, name)| Workload {
        kind: kind.to_owned(),
        name: name.to_owned(),
        source: most_common(sources.iter().filter_map(|p| {
            let w = p.subject.workload.as_ref()?;
            Some((w.source.as_str(), 1))
        }))
        .unwrap_or_default()
        .to_owned(),
    });
    let images = || {
        sources
            .iter()
            .filter_map(|p| Some((p.subject.image.as_deref()?, weight(p))))
    };
    let image = most_common(images());
    let others: BTreeSet<&str> = images()
        .map(|(i, _)| i)
        .filter(|i| Some(*i) != image)
        .collect();
    for other in others {
        notes.push(format!("replicas ran several images, among them `{other}`"));
    }
    let owned = |value: Option<&str>| value.map(str::to_owned);
    Subject {
        namespace: owned(agreed(subjects().map(|s| s.namespace.as_deref()))),
        workload,
        pod: owned(agreed(subjects().map(|s| s.pod.as_deref()))),
        container: owned(agreed(subjects().map(|s| s.container.as_deref()))),
        image: owned(image),
        cgroup: owned(agreed(subjects().map(|s| s.cgroup.as_deref()))),
    }
}

/// The value when every source has the same one.
fn agreed<T: PartialEq>(mut values: impl Iterator<Item = Option<T>>) -> Option<T> {
    let first = values.next()??;
    values.all(|v| v.as_ref() == Some(&first)).then_some(first)
}

/// The value with the largest weight; on a tie, the smallest value, so that the choice does not
/// depend on the order of the sources.
fn most_common<'a>(values: impl Iterator<Item = (&'a str, usize)>) -> Option<&'a str> {
    let mut weights: BTreeMap<&str, usize> = BTreeMap::new();
    for (value, weight) in values {
        *weights.entry(value).or_default() += weight;
    }
    weights
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(value, _)| value)
}

fn merge_sensor(sources: &[Profile], notes: &mut Vec<String>) -> SensorInfo {
    let newest = sources
        .iter()
        .max_by(|a, b| {
            compare_times(&a.window.end, &b.window.end)
                .then_with(|| a.sensor.version.cmp(&b.sensor.version))
        })
        .expect("a merge group is not empty");
    let mut hooks: Vec<String> = newest.sensor.hooks.clone();
    hooks.retain(|h| sources.iter().all(|p| p.sensor.hooks.contains(h)));
    let mut missing_hooks: Vec<MissingHook> = sources
        .iter()
        .flat_map(|p| p.sensor.missing_hooks.iter().cloned())
        .collect();
    let mut some_only: Vec<&String> = sources
        .iter()
        .flat_map(|p| &p.sensor.hooks)
        .filter(|h| !hooks.contains(h))
        .collect();
    sort_dedup(&mut some_only);
    for hook in some_only {
        notes.push(format!("hook `{hook}` was not attached on every node"));
        if !missing_hooks.iter().any(|m| &m.hook == hook) {
            missing_hooks.push(MissingHook {
                hook: hook.clone(),
                reason: "attached on some nodes only".to_owned(),
            });
        }
    }
    missing_hooks.sort_by(|a, b| (&a.hook, &a.reason).cmp(&(&b.hook, &b.reason)));
    missing_hooks.dedup();
    let mut stats = Stats::default();
    for p in sources {
        let s = &p.sensor.stats;
        stats.events = stats.events.saturating_add(s.events);
        stats.drops = stats.drops.saturating_add(s.drops);
        stats.lost_inserts = stats.lost_inserts.saturating_add(s.lost_inserts);
        stats.read_errors = stats.read_errors.saturating_add(s.read_errors);
    }
    SensorInfo {
        version: newest.sensor.version.clone(),
        arch: newest.sensor.arch.clone(),
        hooks,
        missing_hooks,
        stats,
    }
}

/// A fact being merged, with what is known of the replicas that saw it.
struct Merging<F> {
    fact: F,
    /// Replicas known to have seen it.
    known: BTreeSet<String>,
    /// Replicas counted by sources that do not say which.
    unknown: u64,
}

fn merge_facts<F: Fact>(
    sources: &[Profile],
    facts: impl Fn(&Profile) -> &Vec<F>,
    total_replicas: usize,
) -> Vec<F> {
    let mut merged: BTreeMap<F::Key, Merging<F>> = BTreeMap::new();
    for source in sources {
        let covered = &source.coverage.replicas;
        for fact in facts(source) {
            let entry = match merged.entry(fact.key()) {
                Entry::Vacant(slot) => slot.insert(Merging {
                    fact: fact.clone(),
                    known: BTreeSet::new(),
                    unknown: 0,
                }),
                Entry::Occupied(slot) => {
                    let entry = slot.into_mut();
                    absorb(&mut entry.fact, fact);
                    entry
                }
            };
            let replicas = fact.evidence().replicas;
            if usize::try_from(replicas).is_ok_and(|n| n == covered.len()) {
                entry.known.extend(covered.iter().cloned());
            } else {
                entry.unknown += u64::from(replicas);
            }
        }
    }
    merged
        .into_values()
        .map(
            |Merging {
                 mut fact,
                 known,
                 unknown,
             }| {
                let mut replicas = known.len() as u64 + unknown;
                if total_replicas > 0 {
                    replicas = replicas.min(total_replicas as u64);
                }
                fact.evidence_mut().replicas = u32::try_from(replicas).unwrap_or(u32::MAX);
                fact
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{evidence, full_profile};
    use crate::{Executable, Syscall};

    /// The full profile as recorded on `node` for the replica `uid` (pod `pod`).
    fn replica(node: &str, uid: &str, pod: &str) -> Profile {
        let mut p = full_profile();
        p.subject.pod = Some(pod.to_owned());
        p.subject.cgroup = Some(format!("kubepods.slice/kubepods-pod{uid}.slice"));
        p.coverage = Coverage {
            nodes: vec![node.to_owned()],
            replicas: vec![uid.to_owned()],
        };
        let on_node = |e: &mut crate::Evidence| e.nodes = vec![node.to_owned()];
        p.executables
            .iter_mut()
            .for_each(|f| on_node(&mut f.evidence));
        p.network.iter_mut().for_each(|f| on_node(&mut f.evidence));
        p.capabilities
            .iter_mut()
            .for_each(|f| on_node(&mut f.evidence));
        p.syscalls.iter_mut().for_each(|f| on_node(&mut f.evidence));
        p.file_writes
            .iter_mut()
            .for_each(|f| on_node(&mut f.evidence));
        p
    }

    fn syscall(name: &str, nr: u32, first: &str, node: &str) -> Syscall {
        Syscall {
            name: name.to_owned(),
            nr,
            evidence: evidence(first, "2026-03-01T10:30:00Z", 1, node),
        }
    }

    /// Everything a merge computes from facts and coverage.
    fn facts(p: &Profile) -> impl PartialEq + std::fmt::Debug + use<> {
        (
            p.executables.clone(),
            p.network.clone(),
            p.capabilities.clone(),
            p.syscalls.clone(),
            p.file_writes.clone(),
            p.coverage.clone(),
            p.window.clone(),
        )
    }

    #[track_caller]
    fn merge_one(profiles: Vec<Profile>) -> Profile {
        let mut merged = merge(profiles);
        assert_eq!(merged.len(), 1, "{merged:#?}");
        merged.pop().unwrap()
    }

    #[test]
    fn merging_one_profile_gives_it_back_normalized() {
        let mut shuffled = full_profile();
        shuffled.syscalls.reverse();
        shuffled.network.swap(0, 3);
        shuffled.partial_reasons.reverse();
        assert_eq!(merge(vec![shuffled]), vec![full_profile()]);
        let mut cgroup_only = full_profile();
        cgroup_only.subject = Subject {
            cgroup: Some("system.slice/cron.service".to_owned()),
            ..Subject::default()
        };
        assert_eq!(merge(vec![cgroup_only.clone()]), vec![cgroup_only]);
        assert_eq!(merge(Vec::new()), Vec::new());
    }

    #[test]
    fn replicas_of_a_deployment_on_two_nodes() {
        let a = replica("node-a", "uid-1", "web-1");
        let mut b = replica("node-b", "uid-2", "web-2");
        b.window.start = "2026-03-01T09:30:00Z".to_owned();
        b.window.end = "2026-03-01T10:30:00Z".to_owned();
        b.partial = false;
        b.partial_reasons.clear();
        b.syscalls
            .push(syscall("connect", 42, "2026-03-01T10:01:00Z", "node-b"));
        // The same program, run earlier there, with other arguments.
        b.executables[1].evidence.first_seen = "2026-03-01T09:59:00Z".to_owned();
        b.executables[1].argv = vec!["curl".to_owned(), "-sS".to_owned()];
        b.executables[1].argv_incomplete = false;

        let merged = merge_one(vec![a.clone(), b.clone()]);
        let s = &merged.subject;
        assert_eq!(s.namespace.as_deref(), Some("shop"));
        assert_eq!(s.workload, a.subject.workload);
        assert_eq!(s.container.as_deref(), Some("nginx"));
        assert_eq!(s.image, a.subject.image);
        assert_eq!((s.pod.as_deref(), s.cgroup.as_deref()), (None, None));
        assert_eq!(merged.coverage.nodes, ["node-a", "node-b"]);
        assert_eq!(merged.coverage.replicas, ["uid-1", "uid-2"]);
        assert_eq!(merged.window.start, "2026-03-01T09:30:00Z");
        assert_eq!(merged.window.end, "2026-03-01T11:00:00Z");
        assert_eq!(merged.window.seconds, 7200);
        assert!(merged.partial);
        assert_eq!(merged.partial_reasons, a.partial_reasons);
        assert_eq!(merged.sensor.stats.events, 2 * a.sensor.stats.events);
        assert_eq!(merged.sensor.hooks, a.sensor.hooks);
        assert_eq!(merged.sensor.missing_hooks, a.sensor.missing_hooks);

        let read = &merged.syscalls[0];
        assert_eq!(read.name, "read");
        assert_eq!(read.evidence.count, 2 * a.syscalls[0].evidence.count);
        assert_eq!(read.evidence.nodes, ["node-a", "node-b"]);
        assert_eq!(read.evidence.replicas, 2);
        let connect = merged.syscalls.iter().find(|s| s.nr == 42).unwrap();
        assert_eq!(connect.evidence.replicas, 1);
        assert_eq!(connect.evidence.nodes, ["node-b"]);
        assert_eq!(merged.syscalls.len(), a.syscalls.len() + 1);

        let curl: &Executable = &merged.executables[1];
        assert_eq!(curl.argv, ["curl", "-sS"]);
        assert!(!curl.argv_incomplete);
        assert_eq!(curl.evidence.first_seen, "2026-03-01T09:59:00Z");
        assert_eq!(curl.evidence.last_seen, a.executables[1].evidence.last_seen);

        assert_eq!(merge(vec![b, a]), vec![merged.clone()]);
        let text = merged.to_json();
        assert_eq!(Profile::from_json(&text).unwrap(), merged);
    }

    #[test]
    fn merging_in_steps_gives_the_same_facts() {
        let a = replica("node-a", "uid-1", "web-1");
        let mut b = replica("node-b", "uid-2", "web-2");
        b.syscalls
            .push(syscall("connect", 42, "2026-03-01T10:01:00Z", "node-b"));
        b.file_writes.clear();
        let mut c = replica("node-a", "uid-3", "web-3");
        c.syscalls
            .push(syscall("connect", 42, "2026-03-01T10:00:30Z", "node-a"));
        c.window.seconds = 60;

        let all = merge_one(vec![a.clone(), b.clone(), c.clone()]);
        let left = merge_one(vec![merge_one(vec![a.clone(), b.clone()]), c.clone()]);
        let right = merge_one(vec![a.clone(), merge_one(vec![b.clone(), c.clone()])]);
        assert_eq!(facts(&left), facts(&right));
        assert_eq!(facts(&left), facts(&all));
        assert_eq!(left, all);
        let connect = all.syscalls.iter().find(|s| s.nr == 42).unwrap();
        assert_eq!(connect.evidence.replicas, 2);
        assert_eq!(connect.evidence.first_seen, "2026-03-01T10:00:30Z");
        assert_eq!(connect.evidence.nodes, ["node-a", "node-b"]);
        assert_eq!(all.file_writes[0].evidence.replicas, 2);
        assert_eq!(all.syscalls[0].evidence.replicas, 3);
        assert_eq!(all.window.seconds, 3600 + 3600 + 60);

        // Merging again what was merged changes nothing.
        assert_eq!(merge(vec![all.clone()]), vec![all.clone()]);
        // Nor does the order of the inputs.
        assert_eq!(merge(vec![c, a, b]), vec![all]);
    }

    #[test]
    fn one_replica_recorded_twice_counts_once() {
        // A sensor restart: two profiles of the same pod.
        let mut first = replica("node-a", "uid-1", "web-1");
        first.window.end = "2026-03-01T10:30:00Z".to_owned();
        let mut second = replica("node-a", "uid-1", "web-1");
        second.window.start = "2026-03-01T10:31:00Z".to_owned();
        let merged = merge_one(vec![first.clone(), second]);
        assert_eq!(merged.coverage.replicas, ["uid-1"]);
        assert_eq!(merged.syscalls[0].evidence.replicas, 1);
        assert_eq!(
            merged.syscalls[0].evidence.count,
            2 * first.syscalls[0].evidence.count
        );
        assert_eq!(merged.subject.pod.as_deref(), Some("web-1"));
        assert_eq!(merged.subject.cgroup, first.subject.cgroup);
    }

    #[test]
    fn counts_of_unnamed_replicas_add_up() {
        // A merged source of two replicas whose fact was seen in one of them: which one is
        // unknown, so its count is added to the other source's.
        let mut two = merge_one(vec![
            replica("node-a", "uid-1", "web-1"),
            replica("node-a", "uid-2", "web-2"),
        ]);
        two.syscalls[0].evidence.replicas = 1;
        let three = merge_one(vec![two, replica("node-b", "uid-3", "web-3")]);
        assert_eq!(three.syscalls[0].evidence.replicas, 2);
        assert_eq!(three.syscalls[1].evidence.replicas, 3);
    }

    #[test]
    fn containers_of_one_pod_stay_apart() {
        let nginx = replica("node-a", "uid-1", "web-1");
        let mut sidecar = replica("node-a", "uid-1", "web-1");
        sidecar.subject.container = Some("envoy".to_owned());
        sidecar.subject.image = Some("envoyproxy/envoy:v1.31".to_owned());
        let merged = merge(vec![nginx.clone(), sidecar.clone()]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].subject.container.as_deref(), Some("envoy"));
        assert_eq!(merged[1], nginx);
    }

    #[test]
    fn plain_cgroups_do_not_merge_with_kubernetes_containers() {
        let pod = full_profile();
        let mut cgroup = full_profile();
        cgroup.subject = Subject {
            cgroup: pod.subject.cgroup.clone(),
            ..Subject::default()
        };
        let merged = merge(vec![pod.clone(), cgroup.clone()]);
        assert_eq!(merged, vec![pod, cgroup]);
    }

    #[test]
    fn without_a_workload_only_the_same_pod_container_merges() {
        let bare = |pod: &str| {
            let mut p = replica("node-a", "uid-1", pod);
            p.subject.workload = None;
            p
        };
        let merged = merge(vec![bare("debug"), bare("debug"), bare("other")]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].subject.pod.as_deref(), Some("debug"));
        assert_eq!(merged[0].window.seconds, 7200);
        assert_eq!(merged[1].subject.pod.as_deref(), Some("other"));
    }

    #[test]
    fn architectures_stay_apart() {
        let amd = replica("node-a", "uid-1", "web-1");
        let mut arm = replica("node-b", "uid-2", "web-2");
        arm.sensor.arch = "aarch64".to_owned();
        arm.syscalls = vec![syscall("openat", 56, "2026-03-01T10:00:00Z", "node-b")];
        let merged = merge(vec![amd, arm]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].sensor.arch, "aarch64");
        assert_eq!(merged[0].syscalls[0].nr, 56);
    }

    #[test]
    fn disagreeing_images_keep_the_most_common() {
        let a = replica("node-a", "uid-1", "web-1");
        let b = replica("node-a", "uid-2", "web-2");
        let mut c = replica("node-b", "uid-3", "web-3");
        c.subject.image = Some("registry.example/nginx:1.28".to_owned());
        let merged = merge_one(vec![c.clone(), a.clone(), b]);
        assert_eq!(merged.subject.image, a.subject.image);
        assert!(merged.partial);
        assert!(merged.partial_reasons.contains(
            &"replicas ran several images, among them `registry.example/nginx:1.28`".to_owned()
        ));
        // On a tie the smaller name wins, whatever the order.
        let tie = merge_one(vec![c.clone(), a.clone()]);
        assert_eq!(tie, merge_one(vec![a, c]));
        assert_eq!(
            tie.subject.image.as_deref(),
            Some("registry.example/nginx:1.27")
        );
    }

    #[test]
    fn hooks_missing_on_one_node() {
        let mut a = replica("node-a", "uid-1", "web-1");
        a.partial = false;
        a.partial_reasons.clear();
        a.sensor.missing_hooks.clear();
        a.sensor.hooks.push("file-writes".to_owned());
        a.sensor.hooks.sort();
        let mut b = replica("node-b", "uid-2", "web-2");
        b.partial = false;
        b.partial_reasons.clear();
        b.sensor.missing_hooks.clear();
        b.sensor.hooks.retain(|h| h != "syscalls");
        b.sensor.version = "0.2.0".to_owned();
        b.window.end = "2026-03-01T12:00:00Z".to_owned();

        let merged = merge_one(vec![a, b]);
        assert_eq!(
            merged.sensor.hooks,
            ["capabilities", "exec", "network-egress", "network-ingress"]
        );
        let missing: Vec<&str> = merged
            .sensor
            .missing_hooks
            .iter()
            .map(|m| m.hook.as_str())
            .collect();
        assert_eq!(missing, ["file-writes", "syscalls"]);
        assert!(merged.partial);
        assert_eq!(
            merged.partial_reasons,
            [
                "hook `file-writes` was not attached on every node",
                "hook `syscalls` was not attached on every node",
            ]
        );
        // The sensor that ended last.
        assert_eq!(merged.sensor.version, "0.2.0");
    }
}
