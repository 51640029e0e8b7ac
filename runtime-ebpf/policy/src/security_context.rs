//! `securityContext` suggestions: capabilities, a read-only root filesystem, a non-root user and
//! no privilege escalation, each from what one container's profile shows.
//!
//! `docs/policy.md` says how each is derived and what lowers its confidence.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Value, json};

use picket_profile::{Capability, Executable, FileWrite, Profile};

use crate::common::{dns_label, missing_hook};
use crate::confidence::{Confidence, Rating};
use crate::spec::{ContainerSpec, VolumeMount};
use crate::suggestion::{Change, Fact, FieldPath, Suggestion, SuggestionEvidence, SuggestionKind};

/// The suggestions for one container: [`review`] without the reasons for what was withheld.
pub fn suggest(profile: &Profile, spec: &ContainerSpec) -> Vec<Suggestion> {
    review(profile, spec).suggestions
}

/// What [`review`] found: the suggestions, and why others were not made.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Suggestions, in the order of [`SuggestionKind`].
    pub suggestions: Vec<Suggestion>,
    /// Suggestions not made because the profile cannot support them or shows they would break
    /// the container. Suggestions that would change nothing are left out silently.
    pub withheld: Vec<Withheld>,
}

/// A suggestion that was not made, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Withheld {
    /// Which suggestion.
    pub kind: SuggestionKind,
    /// Why, as a sentence: "The `capabilities` hook was missing (…), so …".
    pub reason: String,
}

/// Compares what `profile` saw with what `spec` sets and suggests tighter `securityContext`
/// fields for the container.
///
/// A suggestion is left out when it would change nothing. One that the profile cannot support
/// (its hook was missing, nothing relevant was seen) or that what was seen rules out (a program
/// ran as root) is listed in [`Review::withheld`] with the reason.
pub fn review(profile: &Profile, spec: &ContainerSpec) -> Review {
    let mut review = Review::default();
    let added = capabilities(profile, spec, &mut review);
    read_only_root_filesystem(profile, spec, &mut review);
    run_as_non_root(profile, spec, &mut review);
    allow_privilege_escalation(profile, spec, &added, &mut review);
    review
}

impl Review {
    fn withhold(&mut self, kind: SuggestionKind, reason: String) {
        self.withheld.push(Withheld { kind, reason });
    }
}

/// A JSON object from pairs, inserted in key order, so that the text is the same whether or
/// not serde_json keeps insertion order (a feature another crate of a build may turn on).
fn object(mut pairs: Vec<(&str, Value)>) -> Value {
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// `` `a`, `b`, `c` and 2 more ``: at most three items named.
fn code_list_short<S: AsRef<str>>(items: &[S]) -> String {
    const SHOWN: usize = 3;
    if items.len() <= SHOWN + 1 {
        return code_list(items);
    }
    let shown: Vec<String> = items[..SHOWN]
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect();
    format!("{} and {} more", shown.join(", "), items.len() - SHOWN)
}

/// `` `a`, `b` and `c` ``.
fn code_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Capabilities.

/// Capabilities the kernel checks on a process's behalf, without the program asking for what
/// the capability allows, and without an audit record ("no-audit" checks). The sensor's
/// `cap_capable` tracepoint cannot tell such checks from real use, so a grant of one of these
/// may be a capability the container never needed.
///
/// - `CAP_SYS_ADMIN`: the memory-overcommit heuristic checks it when a process maps memory;
/// - `CAP_SYS_RESOURCE`: file systems check it for their reserved blocks, and pipes and
///   message queues for their size limits;
/// - `CAP_DAC_READ_SEARCH`, `CAP_DAC_OVERRIDE`: path walks and permission checks try them
///   before refusing access that the program may have been ready to do without;
/// - `CAP_SYS_PTRACE`: reading other processes' `/proc` entries (`ps`, `top`) checks it;
/// - `CAP_FOWNER`: checked when a process changes times or flags of files it does not own,
///   which tools such as `tar` and `cp -p` attempt and tolerate failing.
pub const NO_AUDIT_PRONE: &[&str] = &[
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_SYS_ADMIN",
    "CAP_SYS_PTRACE",
    "CAP_SYS_RESOURCE",
];

/// A capability as a manifest names it: `CAP_NET_RAW` → `NET_RAW`, upper case.
pub(crate) fn manifest_capability(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_owned()
}

/// Whether the sensor could name it (`CAP_<number>` is one it did not know).
pub(crate) fn is_known_capability(name: &str) -> bool {
    let bare = name.strip_prefix("CAP_").unwrap_or(name);
    !bare.is_empty() && !bare.bytes().all(|b| b.is_ascii_digit())
}

/// The capabilities suggestion. Returns the `add` list (manifest names) the container ends up
/// with: the suggested one, or the spec's when nothing is suggested.
fn capabilities(profile: &Profile, spec: &ContainerSpec, review: &mut Review) -> Vec<String> {
    let current = spec.security_context.capabilities.as_ref();
    let current_add: Vec<String> = current
        .map(|c| c.add.iter().map(|a| manifest_capability(a)).collect())
        .unwrap_or_default();
    if let Some(why) = missing_hook(profile, "capabilities") {
        review.withhold(
            SuggestionKind::Capabilities,
            format!(
                "The `capabilities` hook was missing ({why}), so which capabilities the \
                 container uses is unknown; no capability is suggested."
            ),
        );
        return current_add;
    }

    let mut rating = Rating::of(profile);
    let mut notes = Vec::new();
    let granted: BTreeMap<&str, &Capability> = profile
        .capabilities
        .iter()
        .filter(|c| c.granted)
        .map(|c| (c.name.as_str(), c))
        .collect();
    let denied_only: Vec<&Capability> = profile
        .capabilities
        .iter()
        .filter(|c| !c.granted && !granted.contains_key(c.name.as_str()))
        .collect();

    let mut add = BTreeSet::new();
    let mut cautious = Vec::new();
    let mut unnamed = Vec::new();
    for name in granted.keys() {
        if !is_known_capability(name) {
            unnamed.push(*name);
            continue;
        }
        if NO_AUDIT_PRONE.contains(name) {
            cautious.push(manifest_capability(name));
        }
        add.insert(manifest_capability(name));
    }
    let add: Vec<String> = add.into_iter().collect();

    if !cautious.is_empty() {
        rating.lower(
            Confidence::Low,
            format!(
                "{} may have been checked by the kernel on the container's behalf rather than \
                 needed",
                code_list(&cautious)
            ),
        );
        notes.push(format!(
            "The kernel checks {} for some operations without the program asking for it (see \
             `NO_AUDIT_PRONE`), and the sensor cannot tell such checks from real use; they are \
             added to be safe: try the container without them.",
            code_list(&cautious)
        ));
    }
    if !unnamed.is_empty() {
        rating.lower(
            Confidence::Low,
            format!("{} granted but unknown to the sensor", code_list(&unnamed)),
        );
        notes.push(format!(
            "{} was granted but has no name a manifest accepts; it is left out.",
            code_list(&unnamed)
        ));
    }
    for cap in &denied_only {
        notes.push(format!(
            "`{}` was checked and denied {} and the container ran without it; it is not added.",
            cap.name,
            times(cap.evidence.count)
        ));
    }
    if spec.security_context.privileged == Some(true) {
        notes.push(
            "The container is privileged, which grants every capability; this takes effect \
             only once `privileged` is false."
                .to_owned(),
        );
    }

    let unchanged = current.is_some_and(|c| {
        let drops_all = c.drop.iter().any(|d| d.eq_ignore_ascii_case("ALL"));
        let mut have: Vec<String> = c.add.iter().map(|a| manifest_capability(a)).collect();
        have.sort();
        have.dedup();
        drops_all && have == add
    });
    if unchanged {
        return add;
    }

    let mut pairs = vec![("drop", json!(["ALL"]))];
    if !add.is_empty() {
        pairs.push(("add", json!(add)));
    }
    let replaces = current.map(|c| {
        let mut pairs = Vec::new();
        if !c.add.is_empty() {
            pairs.push(("add", json!(c.add)));
        }
        if !c.drop.is_empty() {
            pairs.push(("drop", json!(c.drop)));
        }
        object(pairs)
    });
    let message = if add.is_empty() {
        format!(
            "Drop all capabilities: no capability check was granted to container `{}`",
            spec.name
        )
    } else {
        format!(
            "Drop all capabilities and add back only {}: the ones the kernel granted to \
             container `{}`",
            code_list(&add),
            spec.name
        )
    };
    let facts = profile
        .capabilities
        .iter()
        .map(|c| Fact {
            what: format!(
                "capability {} {}",
                c.name,
                if c.granted { "granted" } else { "denied" }
            ),
            evidence: c.evidence.clone(),
        })
        .collect();
    review.suggestions.push(Suggestion {
        kind: SuggestionKind::Capabilities,
        changes: vec![Change::Set {
            path: FieldPath::container(spec)
                .key("securityContext")
                .key("capabilities"),
            value: object(pairs),
            replaces,
        }],
        message,
        notes,
        evidence: SuggestionEvidence::of(profile, facts),
        confidence: rating.confidence(),
        lowered_by: rating.lowered_by,
    });
    add
}

/// `once`, `3 times`.
pub(crate) fn times(n: u64) -> String {
    if n == 1 {
        "once".to_owned()
    } else {
        format!("{n} times")
    }
}

// ---------------------------------------------------------------------------------------------
// Read-only root filesystem.

/// More directories than this to cover with `emptyDir` volumes, and no read-only root
/// filesystem is suggested: the container writes all over its image.
pub const MAX_EMPTY_DIRS: usize = 4;

/// Files the kubelet mounts into every container: writes to them do not touch the image.
const KUBELET_FILES: &[&str] = &[
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/dev/termination-log",
];

/// Pseudo-file systems: writes there are not to the image.
const PSEUDO_ROOTS: &[&str] = &["/dev", "/proc", "/sys"];

/// Scratch directories, empty in images: an `emptyDir` over one hides nothing.
const SCRATCH_DIRS: &[&str] = &["/run", "/tmp", "/var/run", "/var/tmp"];

/// Directories whose subdirectories belong to one program each (`/var/cache/nginx`) and are
/// empty in images.
const SCRATCH_PARENTS: &[&str] = &["/var/cache"];

/// Directories no volume may cover: the image's system files live there.
const SYSTEM_DIRS: &[&str] = &[
    "/", "/bin", "/etc", "/lib", "/lib32", "/lib64", "/sbin", "/usr", "/var",
];

/// Where a written path is.
pub(crate) enum Place<'a> {
    /// On a mounted volume.
    Volume(&'a VolumeMount),
    /// A pseudo-file (`/dev/null`) or a file the kubelet mounts.
    NotImage,
    /// Relative to a working directory the profile does not record.
    Relative,
    /// On the root filesystem, to be covered by an `emptyDir` at `dir`; `scratch` when `dir`
    /// is empty in images, so the volume hides nothing.
    Root { dir: String, scratch: bool },
}

/// `path` with `.`, `..` and repeated slashes resolved (lexically: links are not known here).
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `path` is `dir` or below it (both normalized).
fn is_under(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

pub(crate) fn place<'a>(path: &str, mounts: &'a [VolumeMount]) -> Place<'a> {
    if !path.starts_with('/') {
        return Place::Relative;
    }
    let path = normalize_path(path);
    // The deepest mount holding the path is the one the write went to.
    let volume = mounts
        .iter()
        .filter(|m| is_under(&path, &normalize_path(&m.mount_path)))
        .max_by_key(|m| normalize_path(&m.mount_path).len());
    if let Some(mount) = volume {
        return Place::Volume(mount);
    }
    if KUBELET_FILES.contains(&path.as_str()) || PSEUDO_ROOTS.iter().any(|r| is_under(&path, r)) {
        return Place::NotImage;
    }
    if let Some(dir) = SCRATCH_DIRS.iter().find(|d| is_under(&path, d)) {
        return Place::Root {
            dir: (*dir).to_owned(),
            scratch: true,
        };
    }
    for root in SCRATCH_PARENTS {
        if let Some(rest) = path.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
            // `/var/cache/nginx/client_temp/1` → `/var/cache/nginx`; a file right in the
            // parent (`/var/cache/x`) gets its directory.
            if let Some((program, _)) = rest.split_once('/') {
                return Place::Root {
                    dir: format!("{root}/{program}"),
                    scratch: true,
                };
            }
        }
    }
    Place::Root {
        dir: parent(&path).to_owned(),
        scratch: false,
    }
}

/// A volume name (a DNS label) for a mount at `dir`, unused in `taken`.
fn volume_name(dir: &str, taken: &BTreeSet<String>) -> String {
    let base = dns_label(dir, 56, "scratch");
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken.contains(name))
        .expect("some suffix is free")
}

fn read_only_root_filesystem(profile: &Profile, spec: &ContainerSpec, review: &mut Review) {
    const KIND: SuggestionKind = SuggestionKind::ReadOnlyRootFilesystem;
    if spec.security_context.read_only_root_filesystem == Some(true) {
        return;
    }
    if let Some(why) = missing_hook(profile, "file-writes") {
        review.withhold(
            KIND,
            format!(
                "The `file-writes` hook was missing ({why}), so whether the container writes \
                 to its root filesystem is unknown."
            ),
        );
        return;
    }

    let mut rating = Rating::of(profile);
    let mut facts = Vec::new();
    let mut dirs: BTreeMap<String, bool> = BTreeMap::new();
    let mut relative = Vec::new();
    for write in &profile.file_writes {
        let place = place(&write.path, &spec.volume_mounts);
        facts.push(write_fact(write, &place));
        match place {
            Place::Volume(_) | Place::NotImage => {}
            Place::Relative => relative.push(write.path.as_str()),
            Place::Root { dir, scratch } => {
                dirs.insert(dir, scratch);
            }
        }
    }
    // A directory below another one chosen is covered by it.
    let chosen: Vec<String> = dirs.keys().cloned().collect();
    dirs.retain(|dir, _| {
        !chosen
            .iter()
            .any(|other| other != dir && is_under(dir, other))
    });

    let system: Vec<&String> = dirs
        .keys()
        .filter(|d| SYSTEM_DIRS.contains(&d.as_str()))
        .collect();
    if !system.is_empty() {
        review.withhold(
            KIND,
            format!(
                "Container `{}` wrote directly in {}: a volume there would hide the image's \
                 system files.",
                spec.name,
                code_list(&system)
            ),
        );
        return;
    }
    if dirs.len() > MAX_EMPTY_DIRS {
        let listed: Vec<&String> = dirs.keys().collect();
        review.withhold(
            KIND,
            format!(
                "Container `{}` wrote to its root filesystem in {} directories ({}): more than \
                 {MAX_EMPTY_DIRS} `emptyDir` volumes would be needed.",
                spec.name,
                dirs.len(),
                code_list_short(&listed)
            ),
        );
        return;
    }

    let mut notes = Vec::new();
    if !relative.is_empty() {
        rating.lower(
            Confidence::Low,
            format!(
                "writes to relative paths ({}) may have gone to the root filesystem",
                code_list(&relative)
            ),
        );
        notes.push(format!(
            "{} {} relative to a working directory the profile does not record; if it is on \
             the root filesystem, the container needs a volume there too.",
            code_list(&relative),
            if relative.len() == 1 { "is" } else { "are" }
        ));
    }
    let hiding: Vec<&String> = dirs
        .iter()
        .filter(|(_, scratch)| !**scratch)
        .map(|(d, _)| d)
        .collect();
    if !hiding.is_empty() {
        rating.lower(
            Confidence::Low,
            format!(
                "an `emptyDir` over {} hides what the image has there",
                code_list(&hiding)
            ),
        );
        notes.push(format!(
            "An `emptyDir` starts empty and hides what the image has in {}: files the program \
             reads there, and links such as log files pointing to `/dev/stdout`. Copy them in \
             with an init container, or configure the program to write elsewhere.",
            code_list(&hiding)
        ));
    }

    let container = FieldPath::container(spec);
    let mut changes = vec![Change::Set {
        path: container
            .clone()
            .key("securityContext")
            .key("readOnlyRootFilesystem"),
        value: json!(true),
        replaces: spec
            .security_context
            .read_only_root_filesystem
            .map(Value::from),
    }];
    if !dirs.is_empty() {
        let mut taken: BTreeSet<String> = spec.pod_volume_names.iter().cloned().collect();
        taken.extend(spec.volume_mounts.iter().map(|m| m.name.clone()));
        let mut volumes = Vec::new();
        let mut mounts = Vec::new();
        for dir in dirs.keys() {
            let name = volume_name(dir, &taken);
            taken.insert(name.clone());
            volumes.push(object(vec![("name", json!(name)), ("emptyDir", json!({}))]));
            mounts.push(object(vec![
                ("name", json!(name)),
                ("mountPath", json!(dir)),
            ]));
        }
        changes.push(Change::Append {
            path: FieldPath::pod_spec().key("volumes"),
            items: volumes,
        });
        changes.push(Change::Append {
            path: container.key("volumeMounts"),
            items: mounts,
        });
    }
    let listed: Vec<&String> = dirs.keys().collect();
    let message = if dirs.is_empty() {
        format!(
            "Set `readOnlyRootFilesystem: true`: container `{}` was not seen writing to its \
             root filesystem",
            spec.name
        )
    } else {
        format!(
            "Set `readOnlyRootFilesystem: true` and mount an `emptyDir` volume at {}: the only \
             places container `{}` was seen writing to its root filesystem",
            code_list(&listed),
            spec.name
        )
    };
    review.suggestions.push(Suggestion {
        kind: KIND,
        changes,
        message,
        notes,
        evidence: SuggestionEvidence::of(profile, facts),
        confidence: rating.confidence(),
        lowered_by: rating.lowered_by,
    });
}

fn write_fact(write: &FileWrite, place: &Place<'_>) -> Fact {
    let where_ = match place {
        Place::Volume(mount) => format!("on volume `{}`", mount.name),
        Place::NotImage => "not on the image".to_owned(),
        Place::Relative => "relative path".to_owned(),
        Place::Root { dir, .. } => format!("root filesystem, under {dir}"),
    };
    Fact {
        what: format!("write {} ({where_})", write.path),
        evidence: write.evidence.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Non-root user.

fn exec_fact(exec: &Executable) -> Fact {
    Fact {
        what: format!("exec {} as uid {}", exec.path, exec.uid),
        evidence: exec.evidence.clone(),
    }
}

/// Why nothing about the container's processes can be said, if so.
fn execs_unknown(profile: &Profile) -> Option<String> {
    if let Some(why) = missing_hook(profile, "exec") {
        return Some(format!(
            "The `exec` hook was missing ({why}), so the programs the container ran are unknown."
        ));
    }
    if profile.executables.is_empty() {
        return Some(
            "No program start was seen (the container may have started before the sensor), so \
             the users its programs ran as are unknown."
                .to_owned(),
        );
    }
    None
}

fn run_as_non_root(profile: &Profile, spec: &ContainerSpec, review: &mut Review) {
    const KIND: SuggestionKind = SuggestionKind::RunAsNonRoot;
    let already = spec.effective_run_as_non_root() == Some(true);
    if already && spec.effective_run_as_user().is_some() {
        return;
    }
    if let Some(why) = execs_unknown(profile) {
        if !already {
            review.withhold(KIND, why);
        }
        return;
    }
    if spec.host_users == Some(false) {
        if !already {
            review.withhold(
                KIND,
                "The pod runs in a user namespace (`hostUsers: false`) and the sensor reports \
                 host uids, so whether its programs run as uid 0 inside is unknown."
                    .to_owned(),
            );
        }
        return;
    }
    let root: Vec<&str> = profile
        .executables
        .iter()
        .filter(|e| e.uid == 0)
        .map(|e| e.path.as_str())
        .collect();
    if !root.is_empty() {
        if !already {
            review.withhold(
                KIND,
                format!(
                    "{} ran as uid 0 in container `{}`.",
                    code_list_short(&root),
                    spec.name
                ),
            );
        }
        return;
    }

    let uids: BTreeSet<u32> = profile.executables.iter().map(|e| e.uid).collect();
    let user = match (uids.len(), spec.effective_run_as_user()) {
        (1, None) => uids.first().copied(),
        _ => None,
    };
    if already && user.is_none() {
        return;
    }
    let container = FieldPath::container(spec).key("securityContext");
    let mut changes = Vec::new();
    if !already {
        changes.push(Change::Set {
            path: container.clone().key("runAsNonRoot"),
            value: json!(true),
            replaces: spec.security_context.run_as_non_root.map(Value::from),
        });
    }
    let mut notes = Vec::new();
    if let Some(uid) = user {
        changes.push(Change::Set {
            path: container.key("runAsUser"),
            value: json!(uid),
            replaces: spec.security_context.run_as_user.map(Value::from),
        });
        notes.push(
            "`runAsUser` makes the user explicit: the kubelet refuses a `runAsNonRoot` \
             container whose image names its user rather than giving a number."
                .to_owned(),
        );
    } else if uids.len() > 1 {
        let listed: Vec<String> = uids.iter().map(u32::to_string).collect();
        notes.push(format!(
            "Programs ran as uids {}, so no `runAsUser` is suggested.",
            listed.join(", ")
        ));
    }
    let listed: Vec<String> = uids.iter().map(u32::to_string).collect();
    let message = match (already, user) {
        (true, Some(uid)) => format!(
            "Set `runAsUser: {uid}`: every program of container `{}` ran as uid {uid}",
            spec.name
        ),
        (_, Some(uid)) => format!(
            "Set `runAsNonRoot: true` and `runAsUser: {uid}`: every program of container `{}` \
             ran as uid {uid}",
            spec.name
        ),
        _ => format!(
            "Set `runAsNonRoot: true`: no program of container `{}` ran as uid 0 (uids seen: {})",
            spec.name,
            listed.join(", ")
        ),
    };
    let rating = Rating::of(profile);
    review.suggestions.push(Suggestion {
        kind: KIND,
        changes,
        message,
        notes,
        evidence: SuggestionEvidence::of(
            profile,
            profile.executables.iter().map(exec_fact).collect(),
        ),
        confidence: rating.confidence(),
        lowered_by: rating.lowered_by,
    });
}

// ---------------------------------------------------------------------------------------------
// Privilege escalation.

/// Programs installed setuid or setgid on common base images (Debian, Ubuntu, Alpine, UBI).
/// `allowPrivilegeEscalation: false` sets `no_new_privs`, under which executing them grants
/// nothing, so a container that runs one needs escalation. `ping` is setuid only on older
/// images (newer ones use file capabilities or unprivileged ICMP sockets, which `no_new_privs`
/// also stops from granting); `mount`, `umount` and `fusermount` are setuid for user mounts.
pub const SETUID_PROGRAMS: &[&str] = &[
    "chage",
    "chfn",
    "chsh",
    "crontab",
    "doas",
    "expiry",
    "fusermount",
    "fusermount3",
    "gpasswd",
    "mount",
    "newgrp",
    "passwd",
    "ping",
    "ping6",
    "pkexec",
    "su",
    "sudo",
    "sudoedit",
    "umount",
    "unix_chkpwd",
];

/// Multi-call programs: which tool ran is in argv (`busybox su`, or a link named `su`).
const MULTI_CALL: &[&str] = &["busybox", "toybox"];

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The setuid program `exec` ran, `Ok(None)` for none, `Err(())` when it ran a multi-call
/// program whose tool cannot be told (argv missing or cut).
fn setuid_program(exec: &Executable) -> Result<Option<&str>, ()> {
    let name = basename(&exec.path);
    if SETUID_PROGRAMS.contains(&name) {
        return Ok(Some(name));
    }
    if !MULTI_CALL.contains(&name) {
        return Ok(None);
    }
    let tool = match exec.argv.first().map(|a| basename(a)) {
        Some(first) if !MULTI_CALL.contains(&first) => Some(first),
        _ => exec.argv.get(1).map(|a| basename(a)),
    };
    match tool {
        Some(tool) if SETUID_PROGRAMS.contains(&tool) => Ok(Some(tool)),
        Some(_) if !exec.argv_incomplete => Ok(None),
        _ => Err(()),
    }
}

fn allow_privilege_escalation(
    profile: &Profile,
    spec: &ContainerSpec,
    added: &[String],
    review: &mut Review,
) {
    const KIND: SuggestionKind = SuggestionKind::AllowPrivilegeEscalation;
    if spec.security_context.allow_privilege_escalation == Some(false) {
        return;
    }
    if spec.security_context.privileged == Some(true) {
        review.withhold(
            KIND,
            "The container is privileged, and Kubernetes rejects `allowPrivilegeEscalation: \
             false` together with `privileged: true`."
                .to_owned(),
        );
        return;
    }
    if added.iter().any(|c| c == "SYS_ADMIN") {
        review.withhold(
            KIND,
            "The container keeps `SYS_ADMIN`, and Kubernetes rejects `allowPrivilegeEscalation: \
             false` together with an added `SYS_ADMIN`."
                .to_owned(),
        );
        return;
    }
    if let Some(why) = execs_unknown(profile) {
        review.withhold(KIND, why);
        return;
    }

    let mut setuid = Vec::new();
    let mut unknown_tool = Vec::new();
    for exec in &profile.executables {
        match setuid_program(exec) {
            Ok(Some(_)) => setuid.push(exec.path.as_str()),
            Ok(None) => {}
            Err(()) => unknown_tool.push(exec.path.as_str()),
        }
    }
    if !setuid.is_empty() {
        review.withhold(
            KIND,
            format!(
                "Container `{}` ran {}, setuid on common images: with \
                 `allowPrivilegeEscalation: false` it would gain no privileges.",
                spec.name,
                code_list(&setuid)
            ),
        );
        return;
    }

    let mut rating = Rating::of(profile);
    rating.lower(
        Confidence::Medium,
        "the sensor does not record setuid bits or file capabilities of the programs run; \
         this rests on a list of programs known to be setuid",
    );
    let mut notes = Vec::new();
    if !unknown_tool.is_empty() {
        rating.lower(
            Confidence::Low,
            format!(
                "the argv of {} is missing or cut, so which tool ran is unknown",
                code_list(&unknown_tool)
            ),
        );
    }
    // A program first run as root after one first ran as another user: a setuid program (or a
    // capability-holding helper) may have raised the uid. Exec probes and `kubectl exec` run as
    // the container's user, so this is a hint, not a verdict. First sightings, because a merged
    // profile's last sightings mix runs: a root entrypoint of the last run is seen after the
    // non-root program of the first.
    let first_non_root = profile
        .executables
        .iter()
        .filter(|e| e.uid != 0)
        .map(|e| e.evidence.first_seen.as_str())
        .min();
    if let Some(first) = first_non_root {
        let raised: Vec<&str> = profile
            .executables
            .iter()
            .filter(|e| e.uid == 0 && e.evidence.first_seen.as_str() > first)
            .map(|e| e.path.as_str())
            .collect();
        if !raised.is_empty() {
            rating.lower(
                Confidence::Low,
                format!(
                    "{} ran as uid 0 after a program ran as another user",
                    code_list_short(&raised)
                ),
            );
            notes.push(format!(
                "{} ran as uid 0 after a non-root program started: exec probes and `kubectl \
                 exec` do that, and so does a setuid program; check which it was.",
                code_list_short(&raised)
            ));
        }
    }
    let rating_confidence = rating.confidence();
    review.suggestions.push(Suggestion {
        kind: KIND,
        changes: vec![Change::Set {
            path: FieldPath::container(spec)
                .key("securityContext")
                .key("allowPrivilegeEscalation"),
            value: json!(false),
            replaces: spec
                .security_context
                .allow_privilege_escalation
                .map(Value::from),
        }],
        message: match profile.executables.as_slice() {
            [one] => format!(
                "Set `allowPrivilegeEscalation: false`: the one program container `{}` ran, \
                 `{}`, is not known to be setuid",
                spec.name, one.path
            ),
            all => format!(
                "Set `allowPrivilegeEscalation: false`: none of the {} programs container `{}` \
                 ran is known to be setuid",
                all.len(),
                spec.name
            ),
        },
        notes,
        evidence: SuggestionEvidence::of(
            profile,
            profile.executables.iter().map(exec_fact).collect(),
        ),
        confidence: rating_confidence,
        lowered_by: rating.lowered_by,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(name: &str, path: &str) -> VolumeMount {
        VolumeMount {
            name: name.to_owned(),
            mount_path: path.to_owned(),
            read_only: false,
        }
    }

    fn place_of(path: &str, mounts: &[VolumeMount]) -> String {
        match place(path, mounts) {
            Place::Volume(m) => format!("volume {}", m.name),
            Place::NotImage => "not image".to_owned(),
            Place::Relative => "relative".to_owned(),
            Place::Root { dir, scratch } => format!("root {dir} scratch={scratch}"),
        }
    }

    #[test]
    fn writes_are_placed() {
        let mounts = [mount("data", "/data"), mount("cfg", "/data/cfg/")];
        let cases = [
            ("/data/x", "volume data"),
            ("/data/cfg/y", "volume cfg"),
            ("/datax/y", "root /datax scratch=false"),
            ("/dev/null", "not image"),
            ("/proc/self/oom_score_adj", "not image"),
            ("/etc/hosts", "not image"),
            ("out.log", "relative"),
            ("/tmp/a/b", "root /tmp scratch=true"),
            ("/var/run/nginx.pid", "root /var/run scratch=true"),
            (
                "/var/cache/nginx/client_temp/1",
                "root /var/cache/nginx scratch=true",
            ),
            ("/var/cache/ld.so.cache", "root /var/cache scratch=false"),
            (
                "/etc/nginx/conf.d/default.conf",
                "root /etc/nginx/conf.d scratch=false",
            ),
            ("/tmp/../etc//passwd", "root /etc scratch=false"),
            ("/app.log", "root / scratch=false"),
        ];
        for (path, want) in cases {
            assert_eq!(place_of(path, &mounts), want, "{path}");
        }
    }

    #[test]
    fn volume_names_are_dns_labels_and_unique() {
        let taken: BTreeSet<String> = ["tmp".to_owned(), "tmp-2".to_owned()].into();
        assert_eq!(volume_name("/var/cache/nginx", &taken), "var-cache-nginx");
        assert_eq!(volume_name("/tmp", &taken), "tmp-3");
        assert_eq!(volume_name("/", &taken), "scratch");
        assert_eq!(volume_name("/Opt/My_App", &taken), "opt-my-app");
        assert!(volume_name(&"/a".repeat(80), &taken).len() <= 63);
    }

    #[test]
    fn setuid_programs_are_found_in_multi_call_binaries() {
        let exec = |path: &str, argv: &[&str], incomplete| Executable {
            path: path.to_owned(),
            uid: 1000,
            argv: argv.iter().map(|a| (*a).to_owned()).collect(),
            argv_incomplete: incomplete,
            evidence: picket_profile::Evidence {
                count: 1,
                first_seen: "2026-03-01T10:00:00Z".to_owned(),
                last_seen: "2026-03-01T10:00:00Z".to_owned(),
                nodes: vec![],
                replicas: 1,
            },
        };
        assert_eq!(
            setuid_program(&exec("/bin/su", &["su"], false)),
            Ok(Some("su"))
        );
        assert_eq!(
            setuid_program(&exec("/bin/busybox", &["su", "-"], false)),
            Ok(Some("su"))
        );
        assert_eq!(
            setuid_program(&exec("/bin/busybox", &["busybox", "ping", "x"], false)),
            Ok(Some("ping"))
        );
        assert_eq!(
            setuid_program(&exec("/bin/busybox", &["ls"], false)),
            Ok(None)
        );
        assert_eq!(setuid_program(&exec("/bin/busybox", &[], true)), Err(()));
        assert_eq!(setuid_program(&exec("/usr/bin/env", &[], true)), Ok(None));
    }

    #[test]
    fn lists_read_well() {
        assert_eq!(code_list(&["a"]), "`a`");
        assert_eq!(code_list(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(
            code_list_short(&["a", "b", "c", "d"]),
            "`a`, `b`, `c` and `d`"
        );
        assert_eq!(
            code_list_short(&["a", "b", "c", "d", "e"]),
            "`a`, `b`, `c` and 2 more"
        );
    }

    #[test]
    fn capability_names_for_manifests() {
        assert_eq!(manifest_capability("CAP_NET_RAW"), "NET_RAW");
        assert_eq!(manifest_capability("net_admin"), "NET_ADMIN");
        assert!(is_known_capability("CAP_CHOWN"));
        assert!(!is_known_capability("CAP_63"));
    }
}
