//! Profiles as files: JSON text in and out, one stable file name per subject, atomic writes and
//! reading a folder of profiles.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};

use crate::{Profile, Subject, VERSION};

impl Profile {
    /// The profile as pretty-printed JSON with a trailing newline, in normal form (see
    /// [`Profile::normalize`]): the same behaviour always gives the same text.
    pub fn to_json(&self) -> String {
        let mut normal = self.clone();
        normal.normalize();
        let mut text = serde_json::to_string_pretty(&normal).expect("a profile serializes to JSON");
        text.push('\n');
        text
    }

    /// Reads a profile. A `version` other than [`VERSION`] is an error naming both, checked
    /// before anything else so that a newer file is reported as newer rather than as having
    /// unknown fields. Other errors give the line and column: `line 3 column 5: unknown field
    /// `foo`, expected …`.
    pub fn from_json(text: &str) -> anyhow::Result<Profile> {
        #[derive(serde::Deserialize)]
        struct Probe {
            version: Option<serde_json::Value>,
        }
        let probe: Probe = serde_json::from_str(text).map_err(located)?;
        match probe.version {
            None => bail!("no `version`: this reader supports version {VERSION}"),
            Some(v) if v == VERSION => {}
            Some(v) => {
                bail!("unsupported profile version {v}: this reader supports version {VERSION}")
            }
        }
        serde_json::from_str(text).map_err(located)
    }
}

/// A serde_json error as `line L column C: message`.
fn located(err: serde_json::Error) -> anyhow::Error {
    let (line, column) = (err.line(), err.column());
    let text = err.to_string();
    let message = text
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(&text);
    anyhow::anyhow!("line {line} column {column}: {message}")
}

/// Longest file name [`file_name`] returns, in bytes.
pub const MAX_FILE_NAME: usize = 200;

/// A safe, stable file name for a subject's profile.
///
/// - With a workload: `<namespace>_<Kind>-<name>_<container>.json`, with the pod before the
///   container when there is one (`shop_Deployment-web_web-7d9c5-x2x9z_nginx.json`); merged
///   profiles have no pod, so one workload container keeps one file.
/// - With a pod but no workload: `<namespace>_<pod>_<container>.json`.
/// - Otherwise with a cgroup: `cgroup_<path>.json`, `/` written as `_`
///   (`cgroup_system.slice_cron.service.json`).
/// - Otherwise: `subject_H<hash>.json`.
///
/// The name depends only on what identifies the subject: not on the image, the workload's
/// `source`, or the cgroup of a Kubernetes container, so a new image or a restarted container
/// keeps its file.
///
/// Names use only `[A-Za-z0-9._-]`, never start with a dot and are at most
/// [`MAX_FILE_NAME`] bytes. A part is kept as it is when it is a valid Kubernetes name
/// (lowercase letters, digits, `.` and `-`; kinds in `CamelCase`); other characters become `-`,
/// and then, as also when the name had to be cut, `_H` and 12 hex digits of a hash of the
/// identifying parts are appended, so two subjects never share a name: names without a hash
/// are different because their parts are, and a name with one ends in a part (`H…`) that no
/// unchanged name has.
pub fn file_name(subject: &Subject) -> String {
    let mut name = NameBuilder::default();
    if let Some(workload) = &subject.workload {
        name.namespace(subject.namespace.as_deref());
        name.joined_part(&workload.kind, is_kind, &workload.name);
        if subject.pod.is_some() {
            name.part(subject.pod.as_deref(), is_k8s_name);
        }
        name.part(subject.container.as_deref(), is_k8s_name);
    } else if subject.pod.is_some() {
        name.namespace(subject.namespace.as_deref());
        name.part(subject.pod.as_deref(), is_k8s_name);
        name.part(subject.container.as_deref(), is_k8s_name);
    } else if let Some(cgroup) = &subject.cgroup {
        name.literal("cgroup");
        for segment in cgroup.split('/') {
            name.part(Some(segment), is_k8s_name);
        }
    } else {
        name.literal("subject");
        name.changed = true;
    }
    name.finish(subject)
}

#[derive(Default)]
struct NameBuilder {
    stem: String,
    changed: bool,
}

impl NameBuilder {
    fn literal(&mut self, text: &str) {
        if !self.stem.is_empty() {
            self.stem.push('_');
        }
        self.stem.push_str(text);
    }

    /// Adds one part; a missing, empty or invalid one marks the name as changed.
    fn part(&mut self, text: Option<&str>, valid: fn(&str) -> bool) {
        let text = text.unwrap_or("");
        self.changed |= !valid(text);
        self.literal(&sanitize(text));
    }

    /// The namespace of a Kubernetes name. The namespace `cgroup` counts as changed, so that
    /// only names of plain cgroups start with `cgroup_` and no hash.
    fn namespace(&mut self, namespace: Option<&str>) {
        self.changed |= namespace == Some("cgroup");
        self.part(namespace, is_k8s_name);
    }

    /// Adds `<first>-<second>`; the first may not contain `-`, so the split is unambiguous.
    fn joined_part(&mut self, first: &str, valid_first: fn(&str) -> bool, second: &str) {
        self.changed |= !valid_first(first) || !is_k8s_name(second);
        self.literal(&format!("{}-{}", sanitize(first), sanitize(second)));
    }

    fn finish(mut self, subject: &Subject) -> String {
        const EXTENSION: &str = ".json";
        if self.stem.starts_with('.') {
            self.stem.replace_range(..1, "-");
            self.changed = true;
        }
        if self.stem.len() + EXTENSION.len() > MAX_FILE_NAME {
            self.changed = true;
        }
        if self.changed {
            let suffix = format!("_H{:012x}", identity_hash(subject) >> 16);
            // The stem is ASCII after sanitizing, so any byte index is a character boundary.
            self.stem
                .truncate(MAX_FILE_NAME - EXTENSION.len() - suffix.len());
            self.stem.push_str(&suffix);
        }
        self.stem.push_str(EXTENSION);
        self.stem
    }
}

/// A DNS subdomain as Kubernetes names are: `[a-z0-9.-]`, starting and ending alphanumeric.
fn is_k8s_name(text: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    text.starts_with(alnum)
        && text.ends_with(alnum)
        && text.chars().all(|c| alnum(c) || c == '.' || c == '-')
}

/// A kind as Kubernetes writes them: `CamelCase`, letters and digits.
fn is_kind(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.chars().all(|c| c.is_ascii_alphanumeric())
}

fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// FNV-1a (64 bit) over the identifying fields, each with a presence tag and its length, so
/// that moving bytes from one field to the next changes the hash. FNV is fixed by its
/// definition, unlike `std`'s hasher, so names stay the same across Rust versions.
fn identity_hash(subject: &Subject) -> u64 {
    let workload = subject.workload.as_ref();
    let fields = [
        subject.namespace.as_deref(),
        workload.map(|w| w.kind.as_str()),
        workload.map(|w| w.name.as_str()),
        subject.pod.as_deref(),
        subject.container.as_deref(),
        // The cgroup identifies only subjects without a pod or workload, and the image only
        // subjects with nothing else (see `file_name`).
        (workload.is_none() && subject.pod.is_none())
            .then_some(subject.cgroup.as_deref())
            .flatten(),
        (workload.is_none() && subject.pod.is_none() && subject.cgroup.is_none())
            .then_some(subject.image.as_deref())
            .flatten(),
    ];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for field in fields {
        match field {
            None => eat(&[0]),
            Some(text) => {
                eat(&[1]);
                eat(&(text.len() as u64).to_le_bytes());
                eat(text.as_bytes());
            }
        }
    }
    hash
}

/// Writes `profile` to `dir/`[`file_name`]`(&profile.subject)` so that readers never see half a
/// file: the JSON goes to a temporary file in `dir` (a name starting with `.` and not ending in
/// `.json`, which [`read_dir`] skips), is flushed to disk, then renamed over the target.
/// Creates `dir` if needed. Returns the path written.
pub fn write_atomic(dir: &Path, profile: &Profile) -> anyhow::Result<PathBuf> {
    write_atomic_named(dir, &file_name(&profile.subject), profile)
}

/// [`write_atomic`] under a name the caller chose (e.g. one told apart from another profile's
/// with the same subject).
pub fn write_atomic_named(dir: &Path, name: &str, profile: &Profile) -> anyhow::Result<PathBuf> {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let target = dir.join(name);
    let temp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_then_rename(&temp, &target, profile.to_json().as_bytes());
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = fs::remove_file(&temp);
    }
    result?;
    // Makes the rename itself durable. Not every file system can sync a directory; the data is
    // already safe in the file, so a failure here is not an error.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(target)
}

fn write_then_rename(temp: &Path, target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file =
        fs::File::create(temp).with_context(|| format!("creating {}", temp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", temp.display()))?;
    fs::rename(temp, target)
        .with_context(|| format!("renaming {} to {}", temp.display(), target.display()))
}

/// Reads every `*.json` file under `dir` (recursively, in path order; names starting with `.`
/// are skipped) as a profile. Fails if any cannot be read, with one line per bad file naming
/// it and what is wrong: `profiles/x.json: line 3 column 5: unknown field `foo`, …`.
pub fn read_dir(dir: &Path) -> anyhow::Result<Vec<(PathBuf, Profile)>> {
    let mut profiles = Vec::new();
    let mut errors = Vec::new();
    for (path, read) in read_dir_each(dir)? {
        match read {
            Ok(profile) => profiles.push((path, profile)),
            Err(err) => errors.push(format!("{}: {err:#}", path.display())),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(profiles)
}

/// The files [`read_dir`] reads, each with its profile or what is wrong with it, for callers
/// that go on without the bad ones (the language server). Fails only when `dir` itself, or a
/// folder under it, cannot be listed.
pub fn read_dir_each(dir: &Path) -> anyhow::Result<Vec<(PathBuf, anyhow::Result<Profile>)>> {
    let mut paths = Vec::new();
    collect_json(dir, &mut paths)?;
    paths.sort();
    Ok(paths
        .into_iter()
        .map(|path| {
            let read = fs::read_to_string(&path)
                .map_err(anyhow::Error::from)
                .and_then(|text| Profile::from_json(&text));
            (path, read)
        })
        .collect())
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .with_context(|| format!("reading {}", path.display()))?;
        // Links to folders are not followed: a link cycle would never end.
        if kind.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workload;
    use crate::fixtures::full_profile;

    fn subject(ns: &str, kind: &str, name: &str, pod: Option<&str>, container: &str) -> Subject {
        Subject {
            namespace: Some(ns.to_owned()),
            workload: Some(Workload {
                kind: kind.to_owned(),
                name: name.to_owned(),
                source: "kubernetes-api".to_owned(),
            }),
            pod: pod.map(str::to_owned),
            container: Some(container.to_owned()),
            image: Some("nginx:1.27".to_owned()),
            cgroup: None,
        }
    }

    fn cgroup(path: &str) -> Subject {
        Subject {
            cgroup: Some(path.to_owned()),
            ..Subject::default()
        }
    }

    #[track_caller]
    fn assert_safe(name: &str) {
        assert!(name.len() <= MAX_FILE_NAME, "{name} is too long");
        assert!(!name.starts_with('.'), "{name}");
        assert!(name.ends_with(".json"), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')),
            "{name}"
        );
    }

    #[test]
    fn kubernetes_names_are_readable() {
        let merged = subject("shop", "Deployment", "web", None, "nginx");
        assert_eq!(file_name(&merged), "shop_Deployment-web_nginx.json");
        let replica = subject(
            "shop",
            "Deployment",
            "web",
            Some("web-7d9c5-x2x9z"),
            "nginx",
        );
        assert_eq!(
            file_name(&replica),
            "shop_Deployment-web_web-7d9c5-x2x9z_nginx.json"
        );
        let bare_pod = Subject {
            workload: None,
            ..replica.clone()
        };
        assert_eq!(file_name(&bare_pod), "shop_web-7d9c5-x2x9z_nginx.json");
    }

    #[test]
    fn name_ignores_image_source_and_cgroup_of_a_container() {
        let a = subject("shop", "Deployment", "web", None, "nginx");
        let mut b = a.clone();
        b.image = Some("nginx:1.28".to_owned());
        b.workload.as_mut().unwrap().source = "pod-name".to_owned();
        b.cgroup = Some("kubepods.slice/x.scope".to_owned());
        assert_eq!(file_name(&a), file_name(&b));
    }

    #[test]
    fn cgroup_names() {
        let name = file_name(&cgroup("system.slice/cron.service"));
        assert_eq!(name, "cgroup_system.slice_cron.service.json");
        // The same cgroup, but another subject: both can be in one folder.
        let rooted = file_name(&cgroup("/system.slice/cron.service"));
        assert!(
            rooted.starts_with("cgroup__system.slice_cron.service_H"),
            "{rooted}"
        );
        // systemd writes pod UIDs with `_`: sanitized, so hashed.
        let systemd = cgroup(
            "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f0c2a1e_4b7d.slice",
        );
        let name = file_name(&systemd);
        assert_safe(&name);
        assert!(
            name.starts_with(
                "cgroup_kubepods.slice_kubepods-burstable.slice_kubepods-burstable-pod6f0c2a1e-4b7d.slice_H"
            ),
            "{name}"
        );
    }

    #[test]
    fn names_are_stable() {
        // The hash is part of the file names: it must not change between builds. The value
        // was computed apart from this code, from the FNV-1a definition.
        assert_eq!(file_name(&cgroup("a_b")), "cgroup_a-b_H932f0d980288.json");
    }

    #[test]
    fn sanitized_names_do_not_collide() {
        let subjects = [
            cgroup("a/b"),
            cgroup("a_b"),
            cgroup("a-b"),
            cgroup("A/b"),
            cgroup("a/b/"),
            subject("cgroup", "Deployment", "x", None, "b"),
            Subject {
                namespace: Some("cgroup".to_owned()),
                pod: Some("a".to_owned()),
                container: Some("b".to_owned()),
                ..Subject::default()
            },
            cgroup("x"),
            subject("a_b", "Deployment", "web", None, "c"),
            subject("a", "Deployment", "b_web", None, "c"),
            subject("a", "Deployment", "web", None, "b_c"),
            subject("a", "Deployment", "web", Some("b"), "c"),
            subject("a", "Stateful-Set", "web", None, "c"),
            subject("a", "Stateful", "set-web", None, "c"),
            subject("a", "deployment", "web", None, "c"),
            subject("a", "Deployment", "web", None, "c"),
            subject("a", "Deployment", "Web", None, "c"),
            subject("", "Deployment", "web", None, "c"),
            Subject {
                namespace: None,
                ..subject("", "Deployment", "web", None, "c")
            },
            Subject::default(),
            Subject {
                image: Some("busybox".to_owned()),
                ..Subject::default()
            },
            subject(".hidden", "Deployment", "web", None, "c"),
        ];
        // A pod in namespace `cgroup` is hashed whether its cgroup is known or not.
        let with_cgroup = Subject {
            cgroup: Some("a/b".to_owned()),
            ..subjects[6].clone()
        };
        assert_eq!(file_name(&with_cgroup), file_name(&subjects[6]));
        assert!(file_name(&with_cgroup).contains("_H"));
        let mut names: Vec<String> = subjects.iter().map(file_name).collect();
        for name in &names {
            assert_safe(name);
        }
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "{names:#?}");
    }

    #[test]
    fn long_names_are_cut_with_a_hash() {
        let long = "x".repeat(150);
        let a = subject("shop", "Deployment", &long, None, &format!("{long}-a"));
        let b = subject("shop", "Deployment", &long, None, &format!("{long}-b"));
        let (name_a, name_b) = (file_name(&a), file_name(&b));
        assert_safe(&name_a);
        assert_safe(&name_b);
        assert_eq!(name_a.len(), MAX_FILE_NAME);
        assert_ne!(name_a, name_b);
        assert!(name_a.starts_with("shop_Deployment-xxx"));
    }

    #[test]
    fn odd_characters_become_dashes() {
        let name = file_name(&cgroup("système/../ü\\x2d.scope"));
        assert_safe(&name);
        assert!(
            name.starts_with("cgroup_syst-me_.._--x2d.scope_H"),
            "{name}"
        );
        assert_safe(&file_name(&cgroup("..")));
        assert!(!file_name(&subject(".x", "Deployment", "w", None, "c")).starts_with('.'));
    }

    #[test]
    fn write_then_read_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let profile = full_profile();
        let path = write_atomic(dir.path(), &profile).unwrap();
        assert_eq!(path, dir.path().join(file_name(&profile.subject)));
        let mut other = full_profile();
        other.subject.container = Some("sidecar".to_owned());
        let nested = dir.path().join("node-b");
        write_atomic(&nested, &other).unwrap();
        // Written again: replaced, not duplicated.
        write_atomic(dir.path(), &profile).unwrap();
        fs::write(dir.path().join("notes.txt"), "not a profile").unwrap();
        fs::write(dir.path().join(".partial.json"), "{").unwrap();

        let read = read_dir(dir.path()).unwrap();
        let got: Vec<(&Path, &Profile)> = read.iter().map(|(p, q)| (p.as_path(), q)).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            (nested.join(file_name(&other.subject)).as_path(), &other)
        );
        assert_eq!(got[1], (path.as_path(), &profile));
        assert_eq!(fs::read_to_string(&path).unwrap(), profile.to_json());
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn read_errors_name_the_file_and_the_place() {
        let dir = tempfile::tempdir().unwrap();
        let good = write_atomic(dir.path(), &full_profile()).unwrap();
        let text = fs::read_to_string(&good).unwrap();
        let bad = text.replacen("\"version\": 1,", "\"version\": 1,\n  \"foo\": 2,", 1);
        fs::write(dir.path().join("x.json"), bad).unwrap();
        fs::write(
            dir.path().join("y.json"),
            text.replacen("\"version\": 1", "\"version\": 7", 1),
        )
        .unwrap();
        let err = format!("{:#}", read_dir(dir.path()).unwrap_err());
        let lines: Vec<&str> = err.lines().collect();
        let x = dir.path().join("x.json");
        assert!(
            lines[0].starts_with(&format!(
                "{}: line 3 column 7: unknown field `foo`",
                x.display()
            )),
            "{err}"
        );
        assert_eq!(
            lines[1],
            format!(
                "{}: unsupported profile version 7: this reader supports version 1",
                dir.path().join("y.json").display()
            )
        );
    }

    #[test]
    fn read_dir_each_keeps_the_good_files_beside_the_bad() {
        let dir = tempfile::tempdir().unwrap();
        let good = write_atomic(dir.path(), &full_profile()).unwrap();
        fs::write(dir.path().join("a-broken.json"), "{ not json").unwrap();
        let read = read_dir_each(dir.path()).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, dir.path().join("a-broken.json"));
        assert!(read[0].1.is_err());
        assert_eq!(read[1].0, good);
        assert!(read[1].1.is_ok());
    }

    #[test]
    fn read_dir_of_a_missing_folder_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = format!("{:#}", read_dir(&missing).unwrap_err());
        assert!(
            err.starts_with(&format!("reading {}: ", missing.display())),
            "{err}"
        );
    }

    #[test]
    fn write_error_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, "").unwrap();
        let err = format!("{:#}", write_atomic(&file, &full_profile()).unwrap_err());
        assert!(err.contains(&file.display().to_string()), "{err}");
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = Profile::from_json("{\n  \"version\": 1,\n  oops\n}").unwrap_err();
        assert_eq!(err.to_string(), "line 3 column 3: key must be a string");
    }
}
