//! Seccomp profiles from observed system calls: the union over profiles of one workload
//! container, plus the system calls the container runtime makes after installing the filter.
//!
//! The output starts in audit mode (`SCMP_ACT_LOG`): a profile learned from observation can miss
//! rare paths, and a missed system call under `SCMP_ACT_ERRNO` breaks the program with nothing
//! for the sensor to see (the filter runs before the sensor's hook).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, ensure};
use serde::Serialize;

use picket_profile::{Evidence, Profile, Window};

use crate::common::{dns_label, missing_hook};
use crate::confidence::{Confidence, Lowering, Rating};
use crate::suggestion::{Change, Fact, SuggestionEvidence};
use crate::yaml;

/// The security-profiles-operator API version of the generated `SeccompProfile`.
pub const SPO_API_VERSION: &str = "security-profiles-operator.x-k8s.io/v1beta1";

/// System calls a container runtime may make after it installs the container's seccomp filter
/// and before (or while) it executes the container's program. They never show in a profile of
/// a container that started before the sensor, yet a filter without them stops the container
/// from starting.
///
/// Where the list comes from (facts, not code):
///
/// - runc installs the filter in `runc init`, as late as it can: just before `execve` when the
///   container has `no_new_privs` (`allowPrivilegeEscalation: false`), otherwise before it
///   drops capabilities and switches user, since loading a filter without `no_new_privs` needs
///   `CAP_SYS_ADMIN`. After the filter, `runc init` (a Go program) sets its capabilities and
///   user (`capget`, `capset`, `prctl`, `setgroups`, `setgid`, `setuid`), changes to the working
///   directory (`chdir`, `getcwd`), closes inherited descriptors (`close`, `close_range`,
///   `fcntl`, `getdents64` on `/proc/self/fd`), signals readiness through its exec FIFO
///   (`openat`, `write`, `read`), looks up the program (`newfstatat`, `faccessat2`) and
///   executes it (`execve`), while the Go runtime runs (`futex`, `nanosleep`, `sched_yield`,
///   `epoll_pwait`, `epoll_ctl`, `rt_sigreturn`, `tgkill`, `getpid`, `getppid`, `mmap`, …).
///   The security-profiles-operator's published base profile for runc 1.2.3 lists the same
///   set.
/// - crun (C) installs the filter at the same points. After it, crun sets capabilities and
///   user (`capset`, `prctl`, `setresuid`, `setresgid`, `setgroups`), resets signal handling
///   (`rt_sigaction`, `rt_sigprocmask`), sets the umask and working directory (`umask`,
///   `chdir`, `fchdir`), wires the terminal or standard streams (`ioctl`, `dup2`/`dup3`,
///   `setsid`), closes descriptors and looks up and executes the program (`access`,
///   `faccessat`, `statx`, `readlink`, `execve`). The operator's base profile for crun 1.21
///   also lists calls crun makes only while it builds the container, before the filter exists
///   (`mount`, `pivot_root`, `unshare`, `setns`, `sethostname`, `mknodat`, `symlinkat`, …);
///   those are left out here.
/// - The first instructions of the executed program's loader (`brk`, `arch_prctl`,
///   `set_tid_address`, `mprotect`, `exit_group` on failure) are in the list too: a program
///   started before the sensor never shows them.
///
/// Names that do not exist on an architecture (`arch_prctl`, `dup2` and `access` on aarch64)
/// are dropped for it.
pub const RUNTIME_STARTUP: &[&str] = &[
    "access",
    "arch_prctl",
    "brk",
    "capget",
    "capset",
    "chdir",
    "close",
    "close_range",
    "dup2",
    "dup3",
    "epoll_ctl",
    "epoll_pwait",
    "execve",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fchdir",
    "fcntl",
    "fstat",
    "fstatfs",
    "futex",
    "getcwd",
    "getdents64",
    "getegid",
    "geteuid",
    "getgid",
    "getpid",
    "getppid",
    "getuid",
    "ioctl",
    "lseek",
    "mmap",
    "mprotect",
    "nanosleep",
    "newfstatat",
    "openat",
    "openat2",
    "prctl",
    "pselect6",
    "read",
    "readlink",
    "readlinkat",
    "recvfrom",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sched_yield",
    "set_tid_address",
    "setgid",
    "setgroups",
    "setresgid",
    "setresuid",
    "setsid",
    "setuid",
    "statx",
    "tgkill",
    "umask",
    "write",
];

/// System calls container runtimes make while building a container, before its filter is
/// installed. A profile of a container that started after the sensor shows them (the sensor
/// counts them in the container's cgroup), although the program itself may never make them.
pub const RUNTIME_SETUP_ONLY: &[&str] = &[
    "keyctl",
    "mknodat",
    "mount",
    "pivot_root",
    "sethostname",
    "setns",
    "symlinkat",
    "umount2",
    "unshare",
];

/// A seccomp profile suggested from behaviour profiles.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeccompSuggestion {
    /// The profiles' architecture (`x86_64`, `aarch64`).
    pub arch: String,
    /// Its libseccomp name (`SCMP_ARCH_X86_64`).
    pub scmp_arch: String,
    /// The object's name: `<workload>-<container>` when the profiles agree on them.
    pub name: String,
    /// The namespace the profiles agree on, if any.
    pub namespace: Option<String>,
    /// The allowed system calls: observed plus runtime start-up, sorted.
    pub syscalls: Vec<String>,
    /// Those observed.
    pub observed: Vec<String>,
    /// Those added from [`RUNTIME_STARTUP`] that were not observed.
    pub runtime: Vec<String>,
    /// The Localhost profile (OCI seccomp JSON), for the kubelet's seccomp directory.
    pub localhost_json: String,
    /// The same as a security-profiles-operator `SeccompProfile` object.
    pub spo_yaml: String,
    /// Remarks to read before applying it, one sentence each.
    pub notes: Vec<String>,
    /// The observations it rests on: one fact per observed system call.
    pub evidence: SuggestionEvidence,
    /// How sure it is.
    pub confidence: Confidence,
    /// What lowered the confidence.
    pub lowered_by: Vec<Lowering>,
}

impl SeccompSuggestion {
    /// The Localhost profile as a file to create: `<name>.json`.
    pub fn localhost_file(&self) -> Change {
        Change::CreateFile {
            file_name: format!("{}.json", self.name),
            content: self.localhost_json.clone(),
        }
    }

    /// The `SeccompProfile` object as a file to create: `<name>.seccompprofile.yaml`.
    pub fn spo_file(&self) -> Change {
        Change::CreateFile {
            file_name: format!("{}.seccompprofile.yaml", self.name),
            content: self.spo_yaml.clone(),
        }
    }
}

/// The architectures seccomp profiles are made for: profile name, libseccomp name.
const ARCHES: &[(&str, &str)] = &[
    ("aarch64", "SCMP_ARCH_AARCH64"),
    ("x86_64", "SCMP_ARCH_X86_64"),
];

/// Names the sensor writes (those of the `syscalls` crate's tables) that libseccomp and the
/// kernel spell differently: (architecture, profile name, seccomp name). On aarch64, number 79
/// is `newfstatat` in the kernel's headers and in libseccomp.
const ALIASES: &[(&str, &str, &str)] = &[("aarch64", "fstatat", "newfstatat")];

/// The name a seccomp profile uses for the system call a profile calls `name` on `arch`.
fn seccomp_name<'a>(arch: &str, name: &'a str) -> &'a str {
    ALIASES
        .iter()
        .find(|(a, from, _)| *a == arch && *from == name)
        .map_or(name, |(_, _, to)| to)
}

/// Whether `name` is a seccomp name of a system call of `arch` (one of [`ARCHES`]).
fn is_syscall_of(arch: &str, name: &str) -> bool {
    if ALIASES.iter().any(|(a, _, to)| *a == arch && *to == name) {
        return true;
    }
    if ALIASES
        .iter()
        .any(|(a, from, _)| *a == arch && *from == name)
    {
        return false;
    }
    match arch {
        "x86_64" => name.parse::<syscalls::x86_64::Sysno>().is_ok(),
        "aarch64" => name.parse::<syscalls::aarch64::Sysno>().is_ok(),
        _ => false,
    }
}

/// Suggests a seccomp profile allowing what `profiles` saw plus [`RUNTIME_STARTUP`].
///
/// Give it the profiles of one container of one workload (merged or per replica): they are
/// united. Errors when there are none, when they are for different architectures or one this
/// crate has no table for, when a profile's `syscalls` hook was missing, or when no system call
/// was seen at all.
pub fn suggest(profiles: &[Profile]) -> anyhow::Result<SeccompSuggestion> {
    let Some(first) = profiles.first() else {
        bail!("no profiles: a seccomp profile needs observed system calls");
    };
    let arch = first.sensor.arch.as_str();
    if let Some(other) = profiles.iter().find(|p| p.sensor.arch != arch) {
        bail!(
            "the profiles are for different architectures (`{arch}` for {}, `{}` for {}): \
             suggest a seccomp profile per architecture",
            subject_label(first),
            other.sensor.arch,
            subject_label(other)
        );
    }
    let Some(&(_, scmp_arch)) = ARCHES.iter().find(|(a, _)| *a == arch) else {
        bail!("no system call table for architecture `{arch}` (supported: x86_64, aarch64)");
    };
    for profile in profiles {
        let missing = missing_hook(profile, "syscalls");
        if let Some(why) = missing {
            bail!(
                "the `syscalls` hook was missing ({why}) for {}: its system calls are unknown, \
                 and a seccomp profile without them would stop the container",
                subject_label(profile)
            );
        }
    }
    ensure!(
        profiles.iter().any(|p| !p.syscalls.is_empty()),
        "no system call was seen in {}: a seccomp profile needs observed system calls",
        if profiles.len() == 1 {
            subject_label(first)
        } else {
            format!("{} profiles", profiles.len())
        }
    );

    // Observed system calls, their evidence combined over profiles.
    let mut seen: BTreeMap<&str, Evidence> = BTreeMap::new();
    for profile in profiles {
        for syscall in &profile.syscalls {
            seen.entry(seccomp_name(arch, &syscall.name))
                .and_modify(|e| combine(e, &syscall.evidence))
                .or_insert_with(|| syscall.evidence.clone());
        }
    }
    let mut rating = Rating::default();
    for profile in profiles {
        for lowering in Rating::of(profile).lowered_by {
            if !rating.lowered_by.contains(&lowering) {
                rating.lowered_by.push(lowering);
            }
        }
    }
    let mut notes = vec![
        "`defaultAction: SCMP_ACT_LOG` allows every system call and logs those outside the \
         list (audit records of type SECCOMP): run with it, and once a full cycle of the \
         workload's behaviour has left no such record, change it to `SCMP_ACT_ERRNO` to \
         enforce."
            .to_owned(),
        format!(
            "Only {scmp_arch} is listed: a 32-bit program in the container is logged (and \
             refused once enforced)."
        ),
    ];
    let unnamed: Vec<&str> = seen
        .keys()
        .copied()
        .filter(|name| !is_syscall_of(arch, name))
        .collect();
    if !unnamed.is_empty() {
        rating.lower(
            Confidence::Low,
            format!(
                "{} observed system call(s) have no {arch} name and are left out",
                unnamed.len()
            ),
        );
        notes.push(format!(
            "Left out, with no name on {arch} that a seccomp profile accepts: `{}`.",
            unnamed.join("`, `")
        ));
    }
    let observed: Vec<String> = seen
        .keys()
        .filter(|name| is_syscall_of(arch, name))
        .map(|name| (*name).to_owned())
        .collect();
    let setup: Vec<&str> = observed
        .iter()
        .map(String::as_str)
        .filter(|name| RUNTIME_SETUP_ONLY.contains(name))
        .collect();
    if !setup.is_empty() {
        let setup: Vec<String> = setup.iter().map(|s| format!("`{s}`")).collect();
        notes.push(format!(
            "{} are usually made only by the container runtime while it builds the container, \
             before the filter applies; they are kept because the profile cannot tell who made \
             them. Remove them if the audit log stays clean without them.",
            setup.join(", ")
        ));
    }
    let runtime: Vec<String> = RUNTIME_STARTUP
        .iter()
        .filter(|name| is_syscall_of(arch, name) && !seen.contains_key(**name))
        .map(|name| (*name).to_owned())
        .collect();
    let syscalls: Vec<String> = observed
        .iter()
        .chain(&runtime)
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let name = object_name(profiles);
    let namespace = common(profiles, |p| p.subject.namespace.clone());
    let evidence = combined_evidence(
        profiles,
        seen.iter()
            .map(|(name, evidence)| Fact {
                what: format!("syscall {name}"),
                evidence: evidence.clone(),
            })
            .collect(),
    );
    let localhost_json = localhost_json(scmp_arch, &syscalls);
    let spo_yaml = spo_yaml(
        &name,
        namespace.as_deref(),
        scmp_arch,
        &syscalls,
        &describe(profiles, &evidence.window),
    );
    Ok(SeccompSuggestion {
        arch: arch.to_owned(),
        scmp_arch: scmp_arch.to_owned(),
        name,
        namespace,
        syscalls,
        observed,
        runtime,
        localhost_json,
        spo_yaml,
        notes,
        evidence,
        confidence: rating.confidence(),
        lowered_by: rating.lowered_by,
    })
}

/// Adds `other`'s sightings to `into`, as merging profiles does (replicas add up here: the
/// profiles given are of different replicas or already merged).
fn combine(into: &mut Evidence, other: &Evidence) {
    into.count += other.count;
    if other.first_seen < into.first_seen {
        into.first_seen.clone_from(&other.first_seen);
    }
    if other.last_seen > into.last_seen {
        into.last_seen.clone_from(&other.last_seen);
    }
    let nodes: BTreeSet<String> = into.nodes.drain(..).chain(other.nodes.clone()).collect();
    into.nodes = nodes.into_iter().collect();
    into.replicas += other.replicas;
}

/// The value all profiles agree on, if any.
fn common<T: PartialEq>(profiles: &[Profile], get: impl Fn(&Profile) -> Option<T>) -> Option<T> {
    let first = get(profiles.first()?)?;
    profiles[1..]
        .iter()
        .all(|p| get(p).as_ref() == Some(&first))
        .then_some(first)
}

/// `shop/Deployment web, container nginx`, or the cgroup for a plain cgroup.
fn subject_label(profile: &Profile) -> String {
    let subject = &profile.subject;
    let mut label = String::new();
    if let Some(ns) = &subject.namespace {
        label.push_str(ns);
        label.push('/');
    }
    match (&subject.workload, &subject.pod) {
        (Some(w), _) => label.push_str(&format!("{} {}", w.kind, w.name)),
        (None, Some(pod)) => label.push_str(&format!("pod {pod}")),
        (None, None) => {}
    }
    if let Some(container) = &subject.container {
        if !label.is_empty() {
            label.push_str(", ");
        }
        label.push_str(&format!("container {container}"));
    }
    if label.is_empty() {
        label = match &subject.cgroup {
            Some(cgroup) => format!("cgroup {cgroup}"),
            None => "an unnamed subject".to_owned(),
        };
    }
    label
}

/// `<workload>-<container>` (or what of it the profiles agree on), as a DNS label.
fn object_name(profiles: &[Profile]) -> String {
    let workload = common(profiles, |p| {
        p.subject.workload.as_ref().map(|w| w.name.clone())
    });
    let container = common(profiles, |p| p.subject.container.clone());
    let raw = match (workload, container) {
        (Some(w), Some(c)) => format!("{w}-{c}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "seccomp".to_owned(),
    };
    dns_label(&raw, 63, "seccomp")
}

/// Window, coverage and partial reasons of all profiles together.
pub(crate) fn combined_evidence(profiles: &[Profile], facts: Vec<Fact>) -> SuggestionEvidence {
    let start = profiles
        .iter()
        .map(|p| p.window.start.as_str())
        .min()
        .unwrap_or_default();
    let end = profiles
        .iter()
        .map(|p| p.window.end.as_str())
        .max()
        .unwrap_or_default();
    let nodes: BTreeSet<&String> = profiles.iter().flat_map(|p| &p.coverage.nodes).collect();
    let replicas: BTreeSet<&String> = profiles.iter().flat_map(|p| &p.coverage.replicas).collect();
    let reasons: BTreeSet<&String> = profiles.iter().flat_map(|p| &p.partial_reasons).collect();
    SuggestionEvidence {
        facts,
        window: Window {
            start: start.to_owned(),
            end: end.to_owned(),
            seconds: profiles.iter().map(|p| p.window.seconds).sum(),
        },
        nodes: nodes.into_iter().cloned().collect(),
        replicas: replicas.len(),
        partial_reasons: reasons.into_iter().cloned().collect(),
    }
}

/// One line saying what the profile was made from.
fn describe(profiles: &[Profile], window: &Window) -> String {
    let subjects: BTreeSet<String> = profiles.iter().map(subject_label).collect();
    let subjects: Vec<String> = subjects.into_iter().collect();
    format!(
        "{}, from {} ({} to {})",
        subjects.join("; "),
        crate::confidence::plural(profiles.len(), "behaviour profile"),
        window.start,
        window.end
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocalhostProfile<'a> {
    default_action: &'a str,
    architectures: [&'a str; 1],
    syscalls: [LocalhostRule<'a>; 1],
}

#[derive(Serialize)]
struct LocalhostRule<'a> {
    names: &'a [String],
    action: &'a str,
}

/// The OCI seccomp JSON a `Localhost` `seccompProfile` points to.
fn localhost_json(scmp_arch: &str, syscalls: &[String]) -> String {
    let profile = LocalhostProfile {
        default_action: "SCMP_ACT_LOG",
        architectures: [scmp_arch],
        syscalls: [LocalhostRule {
            names: syscalls,
            action: "SCMP_ACT_ALLOW",
        }],
    };
    let mut text = serde_json::to_string_pretty(&profile).expect("a profile serializes");
    text.push('\n');
    text
}

/// The security-profiles-operator `SeccompProfile` object.
fn spo_yaml(
    name: &str,
    namespace: Option<&str>,
    scmp_arch: &str,
    syscalls: &[String],
    described: &str,
) -> String {
    let mut out = String::new();
    let mut line = |s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    line(&format!(
        "# Seccomp profile suggested by Picket for {}.",
        yaml::comment_text(described)
    ));
    line("# Audit first: SCMP_ACT_LOG allows everything and logs system calls outside the list.");
    line("# After a clean audit period, set defaultAction to SCMP_ACT_ERRNO to enforce.");
    line(&format!("apiVersion: {SPO_API_VERSION}"));
    line("kind: SeccompProfile");
    line("metadata:");
    line(&format!("  name: {}", yaml::quoted(name)));
    if let Some(namespace) = namespace {
        line(&format!("  namespace: {}", yaml::quoted(namespace)));
    }
    line("spec:");
    line("  defaultAction: SCMP_ACT_LOG");
    line("  architectures:");
    line(&format!("    - {scmp_arch}"));
    line("  syscalls:");
    line("    - action: SCMP_ACT_ALLOW");
    line("      names:");
    for syscall in syscalls {
        // Names are checked against the architecture's table: lowercase letters, digits, `_`.
        line(&format!("        - {syscall}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_per_architecture() {
        assert!(is_syscall_of("x86_64", "arch_prctl"));
        assert!(!is_syscall_of("aarch64", "arch_prctl"));
        assert!(is_syscall_of("aarch64", "dup3"));
        assert!(!is_syscall_of("aarch64", "dup2"));
        assert!(!is_syscall_of("x86_64", "syscall_511"));
        assert!(!is_syscall_of("riscv64", "read"));
        assert!(is_syscall_of("aarch64", "newfstatat"));
        assert!(!is_syscall_of("aarch64", "fstatat"));
        assert_eq!(seccomp_name("aarch64", "fstatat"), "newfstatat");
        assert_eq!(seccomp_name("x86_64", "fstatat"), "fstatat");
    }

    #[test]
    fn every_runtime_syscall_exists_somewhere_and_lists_are_sorted() {
        for list in [RUNTIME_STARTUP, RUNTIME_SETUP_ONLY] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            for name in list {
                assert!(
                    ARCHES.iter().any(|(arch, _)| is_syscall_of(arch, name)),
                    "{name}"
                );
            }
        }
        for name in RUNTIME_SETUP_ONLY {
            assert!(!RUNTIME_STARTUP.contains(name), "{name}");
        }
    }
}
