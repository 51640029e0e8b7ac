//! cgroup id → cgroup path → container → pod and workload.
//!
//! The kernel programs key every fact by the cgroup v2 id of the task that caused it (the inode
//! number of the cgroup's directory under the cgroup2 mount). This module turns that id into the
//! identity a profile is filed under:
//!
//! 1. [`cgroup2_mount`] / [`find_cgroup2_mount`]: where the unified hierarchy is mounted;
//! 2. [`CgroupIndex`]: cgroup id → path below that mount (`/kubepods.slice/…`);
//! 3. [`parse_cgroup_path`]: path → [`ContainerRef`] (runtime, container id, pod UID, QoS
//!    class), from the naming conventions of the kubelet's cgroup drivers and the runtimes;
//! 4. [`read_runtime_metadata`]: container → pod name, namespace, container name, image, from
//!    the runtime's state on disk;
//! 5. [`infer_workload`] and [`subject_for`]: → the profile's [`Subject`] and replica id;
//! 6. [`read_cgroup_procs`], [`ticks_since_boot`] and [`started_before`]: whether a container's
//!    processes predate the sensor, which makes its profile `partial`.
//!
//! Everything reads below a directory the caller gives (`/`, `/proc` or the cgroup2 mount in
//! production, a temporary tree in tests), and odd input gives `None` or an error, never a panic.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use picket_profile::{Subject, Workload};

// ---------------------------------------------------------------------------------------------
// The cgroup2 mount

/// The mount point of the cgroup v2 (unified) hierarchy in a `/proc/<pid>/mountinfo` text.
///
/// Pure v2 hosts (systemd's default since v247, every current distribution) mount it at
/// `/sys/fs/cgroup`; hybrid hosts at `/sys/fs/cgroup/unified`. When several cgroup2 mounts are
/// listed (bind mounts, nested containers), the first whose root is the hierarchy's root (`/`)
/// wins, else the first. Octal escapes in the mount point (`\040` for a space) are decoded.
pub fn cgroup2_mount(mountinfo: &str) -> Option<PathBuf> {
    let mut fallback = None;
    for line in mountinfo.lines() {
        // `36 35 98:0 /root /mnt/point rw,noatime master:1 - cgroup2 cgroup2 rw`: the optional
        // fields end at a lone `-`; escaping keeps spaces out of paths, so " - " is unambiguous.
        let Some((mount, fs)) = line.split_once(" - ") else {
            continue;
        };
        if fs.split(' ').next() != Some("cgroup2") {
            continue;
        }
        let mut fields = mount.split(' ').skip(3);
        let (Some(root), Some(point)) = (fields.next(), fields.next()) else {
            continue;
        };
        let point = PathBuf::from(OsString::from_vec(unescape_mount_field(point)));
        if root == "/" {
            return Some(point);
        }
        fallback.get_or_insert(point);
    }
    fallback
}

/// Decodes the `\ooo` octal escapes the kernel writes for space, tab, newline and backslash.
fn unescape_mount_field(field: &str) -> Vec<u8> {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 4)
            .filter(|digits| bytes[i] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)))
            .and_then(|digits| {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                u8::try_from(value).ok()
            });
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// [`cgroup2_mount`] of this process's `/proc/self/mountinfo`.
pub fn find_cgroup2_mount() -> anyhow::Result<PathBuf> {
    let path = "/proc/self/mountinfo";
    let bytes = std::fs::read(path).with_context(|| format!("reading {path}"))?;
    cgroup2_mount(&String::from_utf8_lossy(&bytes))
        .context("no cgroup v2 hierarchy is mounted; picket-sensor needs cgroup v2 (unified) nodes")
}

/// The cgroup id of a cgroup v2 directory: its inode number, which is what
/// `bpf_get_current_cgroup_id()` returns for a task in it (kernfs node id; on 64-bit kernels
/// ids are never reused while the system runs).
pub fn cgroup_id(dir: &Path) -> std::io::Result<u64> {
    Ok(std::fs::metadata(dir)?.ino())
}

// ---------------------------------------------------------------------------------------------
// cgroup id → path

/// How deep [`CgroupIndex::scan`] walks below the mount. Kubernetes nests five levels
/// (`kubepods.slice/…-burstable.slice/…-pod….slice/cri-containerd-….scope/container`); kind and
/// Docker-in-Docker add a few; anything deeper is not a container layout we know.
pub const MAX_CGROUP_DEPTH: usize = 32;

/// How often [`CgroupIndex::resolve`] may rescan the hierarchy for ids it does not know.
const RESCAN_INTERVAL: Duration = Duration::from_secs(1);

/// cgroup id → path relative to the cgroup2 mount (`/` for the root,
/// `/kubepods.slice/kubepods-burstable.slice/…` below it).
///
/// Paths of cgroups that have since been removed are kept, so events that arrive after a
/// container exited still resolve; [`CgroupIndex::forget_gone`] drops them once the caller has
/// drained its events. Directory names that are not UTF-8 are stored lossily (`U+FFFD`).
#[derive(Clone, Debug)]
pub struct CgroupIndex {
    mount: PathBuf,
    entries: HashMap<u64, IndexEntry>,
    last_scan: Instant,
}

#[derive(Clone, Debug)]
struct IndexEntry {
    path: String,
    /// Seen by the last scan (or inserted since).
    live: bool,
}

impl CgroupIndex {
    /// Walks the hierarchy mounted at `mount`: directories only, symbolic links not followed,
    /// unreadable directories skipped, at most [`MAX_CGROUP_DEPTH`] levels. A missing mount
    /// gives an empty index.
    pub fn scan(mount: &Path) -> Self {
        let mut index = CgroupIndex {
            mount: mount.to_path_buf(),
            entries: HashMap::new(),
            last_scan: Instant::now(),
        };
        index.refresh();
        index
    }

    /// The directory this index walks.
    pub fn mount(&self) -> &Path {
        &self.mount
    }

    /// The path of cgroup `id`, if a scan (or [`CgroupIndex::insert`]) has seen it.
    pub fn get(&self, id: u64) -> Option<&str> {
        self.entries.get(&id).map(|entry| entry.path.as_str())
    }

    /// How many cgroups the index knows, removed ones included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index knows no cgroup (the mount was missing or unreadable).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records a cgroup learnt some other way, such as the `cgroup:cgroup_mkdir` tracepoint
    /// (whose path has the same form: relative to the hierarchy's root).
    pub fn insert(&mut self, id: u64, path: String) {
        self.entries.insert(id, IndexEntry { path, live: true });
    }

    /// Walks the hierarchy again. Cgroups found replace what was known of their id; cgroups not
    /// found any more keep their last path (see [`CgroupIndex::forget_gone`]).
    pub fn refresh(&mut self) {
        self.refresh_at(Instant::now());
    }

    fn refresh_at(&mut self, now: Instant) {
        for entry in self.entries.values_mut() {
            entry.live = false;
        }
        for (id, path) in walk_cgroups(&self.mount) {
            self.insert(id, path);
        }
        self.last_scan = now;
    }

    /// Drops the cgroups the last [`CgroupIndex::refresh`] did not find.
    pub fn forget_gone(&mut self) {
        self.entries.retain(|_, entry| entry.live);
    }

    /// The path of cgroup `id`; on a miss, rescans first, at most once per second (a burst of
    /// events from an unknown cgroup costs one walk, not one per event).
    pub fn resolve(&mut self, id: u64) -> Option<String> {
        self.resolve_at(id, Instant::now())
    }

    fn resolve_at(&mut self, id: u64, now: Instant) -> Option<String> {
        if let Some(path) = self.get(id) {
            return Some(path.to_owned());
        }
        if now.saturating_duration_since(self.last_scan) < RESCAN_INTERVAL {
            return None;
        }
        self.refresh_at(now);
        self.get(id).map(str::to_owned)
    }
}

/// (id, relative path) of `mount` and of every directory below it, depth-first.
fn walk_cgroups(mount: &Path) -> Vec<(u64, String)> {
    let Ok(id) = cgroup_id(mount) else {
        return Vec::new();
    };
    let mut found = vec![(id, "/".to_owned())];
    let mut pending = vec![(mount.to_path_buf(), String::new(), 0)];
    while let Some((dir, rel, depth)) = pending.pop() {
        if depth >= MAX_CGROUP_DEPTH {
            continue;
        }
        let Ok(children) = std::fs::read_dir(&dir) else {
            continue;
        };
        for child in children.flatten() {
            // `file_type` and `metadata` of a directory entry describe a link, not its target.
            if !child.file_type().is_ok_and(|kind| kind.is_dir()) {
                continue;
            }
            let Ok(meta) = child.metadata() else {
                continue;
            };
            let child_rel = format!("{rel}/{}", child.file_name().to_string_lossy());
            found.push((meta.ino(), child_rel.clone()));
            pending.push((child.path(), child_rel, depth + 1));
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// cgroup path → container

/// A container, as far as its cgroup path tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerRef {
    /// The runtime the path's naming convention belongs to; [`Runtime::Unknown`] when several
    /// use it (the kubelet's cgroupfs driver names containers by bare id whatever the runtime).
    pub runtime: Runtime,
    /// 64 lowercase hex digits.
    pub container_id: String,
    /// The pod's UID when the container sits directly in a Kubernetes pod cgroup: a UUID with
    /// dashes, or 32 hex digits for static pods (the kubelet hashes their manifest).
    pub pod_uid: Option<String>,
    /// The pod's QoS class, from the kubelet's cgroup layout.
    pub qos: Option<Qos>,
}

/// The container runtime a cgroup name points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// containerd's CRI plugin (`cri-containerd-<id>.scope`) or nerdctl (`nerdctl-<id>.scope`).
    Containerd,
    /// CRI-O (`crio-<id>.scope`, `crio-<id>` with the cgroupfs driver).
    CriO,
    /// Docker (`docker-<id>.scope`, `/docker/<id>`), with or without cri-dockerd.
    Docker,
    /// A bare container id: the kubelet's cgroupfs layout, or a Docker `--cgroup-parent`.
    Unknown,
}

/// A pod's Kubernetes QoS class, which the kubelet encodes in the pod's cgroup parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Qos {
    Guaranteed,
    Burstable,
    BestEffort,
}

/// The innermost container in a cgroup v2 path (relative to the mount, as [`CgroupIndex`]
/// gives it), or `None` for cgroups that are not containers: system services, the pod cgroup
/// itself, CRI-O's `crio-conmon-<id>` monitor cgroups.
///
/// Conventions recognised, anywhere in the path (so below kind's `/kubelet.slice/kubelet-…`,
/// a `--cgroup-parent` such as `/actions_job/<id>/…` or another container's cgroup):
///
/// - kubelet systemd driver: `…/kubepods[-burstable|-besteffort]-pod<uid with _>.slice/<ctr>`,
///   where `<ctr>` is `cri-containerd-<id>.scope` (containerd 1.x/2.x), `crio-<id>.scope`
///   (CRI-O) or `docker-<id>.scope` (dockershim, cri-dockerd);
/// - kubelet cgroupfs driver: `…/kubepods[/burstable|/besteffort]/pod<uid>/<id>` (containerd
///   and Docker; runtime unknown) or `…/pod<uid>/crio-<id>` (CRI-O);
/// - processes in a sub-cgroup of a container (`crio-<id>.scope/container`, where crun puts
///   them under CRI-O's systemd driver; systemd or Docker-in-Docker inside a container) belong
///   to it, unless that sub-cgroup is itself a container: the innermost one wins;
/// - without Kubernetes: Docker `/system.slice/docker-<id>.scope` (systemd) and
///   `/docker/<id>` (cgroupfs); nerdctl `/system.slice/nerdctl-<id>.scope`.
///
/// Pod sandboxes (pause containers) look like any other container here; the runtime's
/// metadata tells them apart ([`ContainerMeta::sandbox`]). Names that only look similar (ids
/// that are not 64 lowercase hex digits, `pod` without a UID, `-pod<uid>.slice` outside
/// `kubepods`) are not taken.
pub fn parse_cgroup_path(path: &str) -> Option<ContainerRef> {
    let parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
    for (i, part) in parts.iter().enumerate().rev() {
        let parent = i.checked_sub(1).map(|p| parts[p]);
        match container_component(part, parent) {
            Component::Other => continue,
            Component::Conmon => return None,
            Component::Container(runtime, id) => {
                let pod = pod_component(&parts[..i]);
                return Some(ContainerRef {
                    runtime,
                    container_id: id.to_owned(),
                    qos: pod.as_ref().map(|(_, qos)| *qos),
                    pod_uid: pod.map(|(uid, _)| uid),
                });
            }
        }
    }
    None
}

enum Component<'a> {
    Container(Runtime, &'a str),
    /// CRI-O's conmon (the container's monitor process), not the container.
    Conmon,
    Other,
}

/// What one path component names.
fn container_component<'a>(name: &'a str, parent: Option<&str>) -> Component<'a> {
    // (prefix, runtime (None: conmon), the `.scope` suffix is optional)
    const PREFIXED: [(&str, Option<Runtime>, bool); 5] = [
        ("crio-conmon-", None, true),
        ("crio-", Some(Runtime::CriO), true),
        ("cri-containerd-", Some(Runtime::Containerd), false),
        ("docker-", Some(Runtime::Docker), false),
        ("nerdctl-", Some(Runtime::Containerd), false),
    ];
    if is_container_id(name) {
        let runtime = if parent == Some("docker") {
            Runtime::Docker
        } else {
            Runtime::Unknown
        };
        return Component::Container(runtime, name);
    }
    let (stem, scoped) = match name.strip_suffix(".scope") {
        Some(stem) => (stem, true),
        None => (name, false),
    };
    for (prefix, runtime, scope_optional) in PREFIXED {
        let Some(id) = stem.strip_prefix(prefix) else {
            continue;
        };
        if !is_container_id(id) || !(scoped || scope_optional) {
            // `crio-conmon-x` must not fall through to `crio-`, nor anything to a shorter prefix.
            return Component::Other;
        }
        return match runtime {
            Some(runtime) => Component::Container(runtime, id),
            None => Component::Conmon,
        };
    }
    Component::Other
}

/// The pod UID and QoS class when the last of `ancestors` is a kubelet pod cgroup.
fn pod_component(ancestors: &[&str]) -> Option<(String, Qos)> {
    let (&pod, above) = ancestors.split_last()?;
    systemd_pod_slice(pod).or_else(|| cgroupfs_pod_dir(pod, above))
}

/// `kubepods-burstable-pod<uid>.slice`, with `-` of the UID written `_` (systemd reads `-` in
/// a slice name as nesting); any prefix before `kubepods` (kind: `kubelet-kubepods-…`).
fn systemd_pod_slice(name: &str) -> Option<(String, Qos)> {
    let (parent, uid) = name.strip_suffix(".slice")?.rsplit_once("-pod")?;
    let qos = [
        ("kubepods", Qos::Guaranteed),
        ("kubepods-burstable", Qos::Burstable),
        ("kubepods-besteffort", Qos::BestEffort),
    ]
    .into_iter()
    .find(|(slice, _)| {
        parent
            .strip_suffix(slice)
            .is_some_and(|before| before.is_empty() || before.ends_with('-'))
    })?
    .1;
    if uid.contains('-') {
        return None;
    }
    let uid = uid.replace('_', "-");
    is_pod_uid(&uid).then_some((uid, qos))
}

/// `pod<uid>` in `kubepods/`, `kubepods/burstable/` or `kubepods/besteffort/`.
fn cgroupfs_pod_dir(name: &str, above: &[&str]) -> Option<(String, Qos)> {
    let uid = name.strip_prefix("pod")?;
    let qos = match above {
        [.., "kubepods", "burstable"] => Qos::Burstable,
        [.., "kubepods", "besteffort"] => Qos::BestEffort,
        [.., "kubepods"] => Qos::Guaranteed,
        _ => return None,
    };
    is_pod_uid(uid).then(|| (uid.to_owned(), qos))
}

/// 64 lowercase hex digits: the ids Docker, containerd and CRI-O generate.
fn is_container_id(s: &str) -> bool {
    s.len() == 64 && is_lower_hex(s)
}

/// A UUID (`8-4-4-4-12` lowercase hex digits), or the 32 hex digits of a static pod's UID.
fn is_pod_uid(s: &str) -> bool {
    if s.len() == 32 {
        return is_lower_hex(s);
    }
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && is_lower_hex(group))
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

// ---------------------------------------------------------------------------------------------
// Container → pod, from the runtime's state on disk

/// What a container runtime's state on disk says about a container. Every field is optional:
/// runtimes and their versions write different subsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerMeta {
    /// Kubernetes namespace of the pod.
    pub namespace: Option<String>,
    /// Pod name.
    pub pod: Option<String>,
    /// Pod UID (from the runtime, else from the cgroup path).
    pub pod_uid: Option<String>,
    /// Container name in the pod; `None` for sandboxes.
    pub container: Option<String>,
    /// Image name as the runtime recorded it (containerd and CRI-O normalise `nginx:1.27` to
    /// `docker.io/library/nginx:1.27`; Docker usually keeps the form it was given).
    pub image: Option<String>,
    /// The pod's sandbox (pause) container, which runs no workload code: callers skip it.
    pub sandbox: bool,
}

impl ContainerMeta {
    fn says_anything(&self) -> bool {
        let ContainerMeta {
            namespace,
            pod,
            pod_uid,
            container,
            image,
            sandbox,
        } = self;
        *sandbox
            || [namespace, pod, pod_uid, container, image]
                .iter()
                .any(|field| field.is_some())
    }
}

/// The largest runtime state file [`read_runtime_metadata`] reads; an OCI `config.json` is a
/// few KiB to a few hundred (long environments, many mounts).
pub const MAX_METADATA_BYTES: u64 = 4 << 20;

/// Pod, namespace, container name and image of container `c`, from the runtimes' state under
/// `host_root` (`/` in production).
///
/// Files read, the runtime the path named first, then the others (the cgroupfs layout does
/// not name the runtime):
///
/// - containerd (CRI plugin, runc shim v2; containerd 1.4 and later, 2.x): the OCI spec
///   `run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json`, or the same below
///   `run/k3s/containerd/` (k3s, RKE2) and `run/k0s/containerd/` (k0s); its annotations
///   `io.kubernetes.cri.{sandbox-name, sandbox-namespace, sandbox-uid, container-name,
///   image-name, container-type}` (older releases lack `sandbox-uid` and `image-name`);
/// - CRI-O: the OCI spec `run/containers/storage/overlay-containers/<id>/userdata/config.json`
///   (run root), else the same below `var/lib/containers/storage/` (graph root, the bundle
///   conmon is given); annotations `io.kubernetes.pod.{name, namespace, uid}`,
///   `io.kubernetes.container.name`, `io.kubernetes.cri-o.{ImageName, Image, ContainerType}`;
/// - Docker (dockershim, cri-dockerd, plain Docker): `var/lib/docker/containers/<id>/config.v2.json`,
///   `Config.Labels` `io.kubernetes.pod.{name, namespace, uid}`, `io.kubernetes.container.name`
///   (`POD` for the sandbox) and `Config.Image`. A plain Docker container gives its image only.
///
/// `None` when no file is found or none says anything; files larger than
/// [`MAX_METADATA_BYTES`], files that are not regular files, and malformed JSON count as not
/// found. A container id that is not alphanumeric (a hand-made [`ContainerRef`]) reads nothing.
pub fn read_runtime_metadata(host_root: &Path, c: &ContainerRef) -> Option<ContainerMeta> {
    let id = c.container_id.as_str();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let order = match c.runtime {
        Runtime::Containerd | Runtime::Unknown => [Store::Containerd, Store::CriO, Store::Docker],
        Runtime::CriO => [Store::CriO, Store::Containerd, Store::Docker],
        Runtime::Docker => [Store::Docker, Store::Containerd, Store::CriO],
    };
    let mut meta = order
        .into_iter()
        .find_map(|store| store.read(host_root, id))?;
    if meta.pod_uid.is_none() {
        meta.pod_uid.clone_from(&c.pod_uid);
    }
    Some(meta)
}

#[derive(Clone, Copy)]
enum Store {
    Containerd,
    CriO,
    Docker,
}

impl Store {
    /// Where the store keeps container `id`'s state, most likely first.
    fn files(self, id: &str) -> Vec<String> {
        match self {
            Store::Containerd => ["run/containerd", "run/k3s/containerd", "run/k0s/containerd"]
                .iter()
                .map(|state| {
                    format!("{state}/io.containerd.runtime.v2.task/k8s.io/{id}/config.json")
                })
                .collect(),
            Store::CriO => ["run", "var/lib"]
                .iter()
                .map(|root| {
                    format!(
                        "{root}/containers/storage/overlay-containers/{id}/userdata/config.json"
                    )
                })
                .collect(),
            Store::Docker => vec![format!("var/lib/docker/containers/{id}/config.v2.json")],
        }
    }

    fn read(self, host_root: &Path, id: &str) -> Option<ContainerMeta> {
        self.files(id).into_iter().find_map(|file| {
            let json = read_json_capped(&host_root.join(file))?;
            let meta = match self {
                Store::Containerd => containerd_meta(&json),
                Store::CriO => crio_meta(&json),
                Store::Docker => docker_meta(&json),
            }?;
            meta.says_anything().then_some(meta)
        })
    }
}

/// A regular file of at most [`MAX_METADATA_BYTES`], parsed as JSON. Opened non-blocking, so a
/// FIFO in its place cannot stall the sensor.
fn read_json_capped(path: &Path) -> Option<serde_json::Value> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;

    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_METADATA_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > MAX_METADATA_BYTES {
        return None;
    }
    serde_json::from_slice(&bytes).ok()
}

type JsonMap = serde_json::Map<String, serde_json::Value>;

/// A non-empty string value of `map[key]`.
fn text(map: &JsonMap, key: &str) -> Option<String> {
    map.get(key)?
        .as_str()
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

fn containerd_meta(spec: &serde_json::Value) -> Option<ContainerMeta> {
    let notes = spec.get("annotations")?.as_object()?;
    let sandbox = text(notes, "io.kubernetes.cri.container-type").as_deref() == Some("sandbox");
    Some(ContainerMeta {
        namespace: text(notes, "io.kubernetes.cri.sandbox-namespace"),
        pod: text(notes, "io.kubernetes.cri.sandbox-name"),
        pod_uid: text(notes, "io.kubernetes.cri.sandbox-uid"),
        container: text(notes, "io.kubernetes.cri.container-name").filter(|_| !sandbox),
        image: text(notes, "io.kubernetes.cri.image-name"),
        sandbox,
    })
}

fn crio_meta(spec: &serde_json::Value) -> Option<ContainerMeta> {
    let notes = spec.get("annotations")?.as_object()?;
    let container = text(notes, "io.kubernetes.container.name");
    let sandbox = text(notes, "io.kubernetes.cri-o.ContainerType").as_deref() == Some("sandbox")
        || container.as_deref() == Some("POD");
    Some(ContainerMeta {
        namespace: text(notes, "io.kubernetes.pod.namespace"),
        pod: text(notes, "io.kubernetes.pod.name"),
        pod_uid: text(notes, "io.kubernetes.pod.uid"),
        container: container.filter(|_| !sandbox),
        image: text(notes, "io.kubernetes.cri-o.ImageName")
            .or_else(|| text(notes, "io.kubernetes.cri-o.Image")),
        sandbox,
    })
}

fn docker_meta(state: &serde_json::Value) -> Option<ContainerMeta> {
    let config = state.get("Config")?.as_object()?;
    let empty = JsonMap::new();
    let labels = config
        .get("Labels")
        .and_then(serde_json::Value::as_object)
        .unwrap_or(&empty);
    let container = text(labels, "io.kubernetes.container.name");
    let sandbox = container.as_deref() == Some("POD")
        || text(labels, "io.kubernetes.docker.type").as_deref() == Some("podsandbox");
    Some(ContainerMeta {
        namespace: text(labels, "io.kubernetes.pod.namespace"),
        pod: text(labels, "io.kubernetes.pod.name"),
        pod_uid: text(labels, "io.kubernetes.pod.uid"),
        container: container.filter(|_| !sandbox),
        image: text(config, "Image"),
        sandbox,
    })
}

// ---------------------------------------------------------------------------------------------
// Pod → workload, and the profile's subject

/// The characters of the random suffix `generateName` appends (5 of them) and of
/// `SafeEncodeString` (k8s.io/apimachinery `util/rand`): no vowels, no `0`, `1`, `3`.
const NAME_SUFFIX_CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The characters a ReplicaSet's `pod-template-hash` can hold: it is the decimal form of a
/// 32-bit FNV hash passed through `SafeEncodeString`, which maps the digits `0`–`9` onto these
/// ten (the label's form since it stopped being the bare decimal number).
const TEMPLATE_HASH_CHARS: &[u8] = b"456789bcdf";

/// The workload that owns a pod, guessed from the pod's name alone (`source: "pod-name"`), for
/// when the sensor cannot ask the API server for owner references.
///
/// - `<name>-<hash>-<xxxxx>` → `Deployment <name>`: a ReplicaSet's pod-template hash (6 to 10
///   of the characters `4`–`9`, `b`, `c`, `d`, `f`) then the 5-character `generateName` suffix;
/// - `<name>-<minutes>-<xxxxx>` → `CronJob <name>`: a Job named by its schedule time in minutes
///   since 1970 (8 to 10 digits, one of them `0`–`3` so that it cannot be a hash);
/// - `<name>-<ordinal>` → `StatefulSet <name>`: ordinals of 1 to 4 digits, no leading zero.
///
/// Everything else is `None`, in particular `<name>-<xxxxx>`, which a DaemonSet, a Job, a bare
/// ReplicaSet and a `generateName` Pod all produce.
///
/// Limits: a bare Pod or other controller that names its pods the same way is taken for the
/// owner above (a Pod named `web-1` for a StatefulSet; an Argo Rollout, or a ReplicaSet its
/// Deployment orphaned, for a Deployment); a ReplicaSet name over 58 characters is cut
/// before the suffix is added, which can shorten the hash below 6 characters or drop it (then
/// `None`); a Job of a CronJob whose schedule minute has only digits `4`–`9` (none before
/// 2046) reads as a Deployment; StatefulSets with `.spec.ordinals.start` of 10000 or more
/// are not recognised.
pub fn infer_workload(pod_name: &str) -> Option<Workload> {
    let (kind, name) = infer_owner(pod_name)?;
    Some(Workload {
        kind: kind.to_owned(),
        name: name.to_owned(),
        source: "pod-name".to_owned(),
    })
}

fn infer_owner(pod: &str) -> Option<(&'static str, &str)> {
    if let Some((rest, suffix)) = pod.rsplit_once('-')
        && suffix.len() == 5
        && only(suffix, NAME_SUFFIX_CHARS)
        && let Some((owner, middle)) = rest.rsplit_once('-')
        && is_object_name(owner)
    {
        if is_schedule_minute(middle) {
            return Some(("CronJob", owner));
        }
        if (6..=10).contains(&middle.len()) && only(middle, TEMPLATE_HASH_CHARS) {
            return Some(("Deployment", owner));
        }
    }
    let (owner, ordinal) = pod.rsplit_once('-')?;
    let is_ordinal = (1..=4).contains(&ordinal.len())
        && ordinal.bytes().all(|b| b.is_ascii_digit())
        && (ordinal == "0" || !ordinal.starts_with('0'));
    (is_ordinal && is_object_name(owner)).then_some(("StatefulSet", owner))
}

fn is_schedule_minute(s: &str) -> bool {
    (8..=10).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.bytes().any(|b| matches!(b, b'0'..=b'3'))
}

fn only(s: &str, chars: &[u8]) -> bool {
    s.bytes().all(|b| chars.contains(&b))
}

/// A plausible Kubernetes object name: lowercase letters, digits, `-` and `.`, starting and
/// ending with a letter or digit.
fn is_object_name(s: &str) -> bool {
    let edge = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    edge(s.bytes().next())
        && edge(s.bytes().last())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// The profile subject for the cgroup at `cgroup_path` and the replica id its facts count
/// towards ([`picket_profile::Coverage::replicas`]).
///
/// With Kubernetes metadata (a pod name or namespace): namespace, pod, container, image, and
/// the workload [`infer_workload`] guesses from the pod name; the replica is the pod UID
/// (from the metadata, else the cgroup path). Otherwise the subject is the cgroup (plus the
/// image when a plain Docker container has one) and the replica is the cgroup path. Sandboxes
/// get a subject like any container; callers skip them ([`ContainerMeta::sandbox`]).
pub fn subject_for(cgroup_path: &str, meta: Option<&ContainerMeta>) -> (Subject, String) {
    let kubernetes = meta.filter(|meta| meta.pod.is_some() || meta.namespace.is_some());
    let Some(meta) = kubernetes else {
        let subject = Subject {
            image: meta.and_then(|meta| meta.image.clone()),
            cgroup: Some(cgroup_path.to_owned()),
            ..Subject::default()
        };
        return (subject, cgroup_path.to_owned());
    };
    let replica = meta
        .pod_uid
        .clone()
        .or_else(|| parse_cgroup_path(cgroup_path)?.pod_uid)
        .unwrap_or_else(|| cgroup_path.to_owned());
    let subject = Subject {
        namespace: meta.namespace.clone(),
        workload: meta.pod.as_deref().and_then(infer_workload),
        pod: meta.pod.clone(),
        container: meta.container.clone(),
        image: meta.image.clone(),
        cgroup: None,
    };
    (subject, replica)
}

// ---------------------------------------------------------------------------------------------
// Did a container start before the sensor?

/// Clock ticks per second of the times in `/proc` (`USER_HZ`, what `sysconf(_SC_CLK_TCK)`
/// returns): 100 on every architecture Linux supports but Alpha.
pub const USER_HZ: u64 = 100;

/// The process ids in a cgroup: its `cgroup.procs`, one id a line. Lines that are not an id,
/// and `0` (a process in a pid namespace the reader cannot see), are skipped.
pub fn read_cgroup_procs(cgroup_dir: &Path) -> std::io::Result<Vec<u32>> {
    let text = std::fs::read_to_string(cgroup_dir.join("cgroup.procs"))?;
    Ok(text
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .filter(|&pid| pid != 0)
        .collect())
}

/// Now, in the unit of a process's start time: clock ticks ([`USER_HZ`]) since boot, from
/// `<proc_root>/uptime`. Take it when the programs are attached and pass it to
/// [`started_before`].
pub fn ticks_since_boot(proc_root: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(proc_root.join("uptime")).ok()?;
    parse_uptime_ticks(&text)
}

/// `12345.67 23456.78` (seconds since boot, seconds idle) → ticks since boot.
fn parse_uptime_ticks(text: &str) -> Option<u64> {
    let uptime = text.split_ascii_whitespace().next()?;
    let (seconds, fraction) = uptime.split_once('.').unwrap_or((uptime, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if seconds.is_empty() || !digits(seconds) || !digits(fraction) {
        return None;
    }
    let seconds: u64 = seconds.parse().ok()?;
    // Hundredths, whatever precision the kernel printed.
    let hundredths: u64 = format!("{fraction:0<2}").get(..2)?.parse().ok()?;
    seconds
        .checked_mul(USER_HZ)?
        .checked_add(hundredths * USER_HZ / 100)
}

/// When process `pid` started, in clock ticks since boot: field 22 of `<proc_root>/<pid>/stat`.
/// `None` when the process is gone or the file is odd.
pub fn process_start_ticks(proc_root: &Path, pid: u32) -> Option<u64> {
    let stat = std::fs::read(proc_root.join(pid.to_string()).join("stat")).ok()?;
    parse_stat_start_ticks(&stat)
}

/// Field 22 (`starttime`) of a `/proc/<pid>/stat` line. The second field is the command name
/// in parentheses, and may itself hold spaces, parentheses and bytes that are not UTF-8, so
/// fields are counted from the last `)`.
fn parse_stat_start_ticks(stat: &[u8]) -> Option<u64> {
    let close = stat.iter().rposition(|&b| b == b')')?;
    let rest = std::str::from_utf8(&stat[close + 1..]).ok()?;
    // After the name come fields 3 (`state`), 4, …; field 22 is the 20th of them.
    rest.split_ascii_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether any of `pids` started at or before `threshold_ticks` (from [`ticks_since_boot`]
/// when the sensor began recording): then the sensor missed the start of that container and
/// its profile is `partial`. Processes that have exited are left out. Ticks are 10 ms, so a
/// process started in the same tick as the threshold counts as before: better a profile
/// wrongly marked partial than one wrongly complete.
pub fn started_before(pids: &[u32], proc_root: &Path, threshold_ticks: u64) -> bool {
    pids.iter()
        .filter_map(|&pid| process_start_ticks(proc_root, pid))
        .any(|start| start <= threshold_ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs;

    // -- mount --------------------------------------------------------------------------------

    /// Trimmed from this machine's `/proc/self/mountinfo` (a hybrid host).
    const HYBRID_MOUNTINFO: &str = "\
23 1 0:22 / / rw,relatime shared:1 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn cgroup2_mount_on_a_hybrid_host() {
        assert_eq!(
            cgroup2_mount(HYBRID_MOUNTINFO),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
    }

    #[test]
    fn cgroup2_mount_on_a_pure_v2_host_with_optional_fields() {
        let text = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";
        assert_eq!(cgroup2_mount(text), Some(PathBuf::from("/sys/fs/cgroup")));
    }

    #[test]
    fn cgroup2_mount_prefers_the_hierarchy_root_and_decodes_escapes() {
        let text = "\
50 23 0:38 /kubepods.slice /var/lib/kubelet/cg rw - cgroup2 cgroup2 rw
51 23 0:38 / /run/my\\040cgroup\\134x rw - cgroup2 cgroup2 rw
";
        assert_eq!(
            cgroup2_mount(text),
            Some(PathBuf::from("/run/my cgroup\\x"))
        );
        // Only a bind mount of a sub-tree: better than nothing.
        assert_eq!(
            cgroup2_mount(text.lines().next().unwrap()),
            Some(PathBuf::from("/var/lib/kubelet/cg"))
        );
    }

    #[test]
    fn cgroup2_mount_absent_or_garbled() {
        assert_eq!(cgroup2_mount(""), None);
        let v1_only = "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n";
        assert_eq!(cgroup2_mount(v1_only), None);
        assert_eq!(
            cgroup2_mount("- cgroup2\n41 31 - cgroup2 cgroup2 rw\n\\\n"),
            None
        );
        assert_eq!(
            cgroup2_mount("41 31 0:38 / /a\\04 rw - cgroup2 cgroup2 rw\n"),
            Some(PathBuf::from("/a\\04"))
        );
    }

    // -- index --------------------------------------------------------------------------------

    fn mkdirs(root: &Path, rel: &[&str]) {
        for dir in rel {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
    }

    #[test]
    fn cgroup_id_is_the_inode() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        fs::create_dir(&a).unwrap();
        assert_eq!(cgroup_id(&a).unwrap(), fs::metadata(&a).unwrap().ino());
        assert!(cgroup_id(&tmp.path().join("missing")).is_err());
    }

    #[test]
    fn index_maps_ids_to_paths_below_the_mount() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let pod = "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice";
        mkdirs(root, &[pod, "system.slice/sshd.service"]);
        fs::write(root.join("cgroup.procs"), "1\n").unwrap();
        let index = CgroupIndex::scan(root);

        assert_eq!(index.get(cgroup_id(root).unwrap()), Some("/"));
        let id = cgroup_id(&root.join(pod)).unwrap();
        assert_eq!(index.get(id), Some(format!("/{pod}").as_str()));
        let id = cgroup_id(&root.join("system.slice/sshd.service")).unwrap();
        assert_eq!(index.get(id), Some("/system.slice/sshd.service"));
        // Root, 3 + 2 directories; the file is not a cgroup.
        assert_eq!(index.len(), 6);
        assert_eq!(index.mount(), root);
    }

    #[test]
    fn index_does_not_follow_links_and_stops_at_the_depth_bound() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let deep: Vec<String> = (0..MAX_CGROUP_DEPTH + 3).map(|i| format!("d{i}")).collect();
        let deep = deep.join("/");
        mkdirs(root, &[&deep, "outside/target"]);
        std::os::unix::fs::symlink(root.join("outside"), root.join("d0/link")).unwrap();
        // A loop back to the root must not make the walk spin.
        std::os::unix::fs::symlink(root, root.join("outside/loop")).unwrap();
        let index = CgroupIndex::scan(root);

        let target = cgroup_id(&root.join("outside/target")).unwrap();
        assert_eq!(index.get(target), Some("/outside/target"));
        assert!(index.entries.values().all(|e| !e.path.contains("link")));
        assert!(index.entries.values().all(|e| !e.path.contains("loop")));
        let deepest = index
            .entries
            .values()
            .map(|e| e.path.matches('/').count())
            .max();
        assert_eq!(deepest, Some(MAX_CGROUP_DEPTH));
    }

    #[test]
    fn index_of_a_missing_mount_is_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let index = CgroupIndex::scan(&tmp.path().join("missing"));
        assert!(index.is_empty());
    }

    #[test]
    fn index_skips_unreadable_directories() {
        use std::os::unix::fs::PermissionsExt;

        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        mkdirs(root, &["closed/inner", "open"]);
        let closed = root.join("closed");
        fs::set_permissions(&closed, fs::Permissions::from_mode(0o000)).unwrap();
        let index = CgroupIndex::scan(root);
        fs::set_permissions(&closed, fs::Permissions::from_mode(0o755)).unwrap();

        // The closed directory itself is listed by its parent; its content is read only where
        // permissions do not apply (as root).
        assert_eq!(index.get(cgroup_id(&closed).unwrap()), Some("/closed"));
        assert_eq!(
            index.get(cgroup_id(&root.join("open")).unwrap()),
            Some("/open")
        );
        assert!(index.len() == 3 || index.len() == 4, "{index:?}");
    }

    #[test]
    fn refresh_keeps_removed_cgroups_until_forgotten() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        mkdirs(root, &["a", "b"]);
        let a = cgroup_id(&root.join("a")).unwrap();
        let mut index = CgroupIndex::scan(root);
        // Created before `a` goes, so it cannot take `a`'s inode number.
        fs::create_dir(root.join("c")).unwrap();
        let c = cgroup_id(&root.join("c")).unwrap();
        fs::remove_dir(root.join("a")).unwrap();

        index.refresh();
        assert_eq!(index.get(c), Some("/c"));
        // A late event of the removed cgroup still resolves.
        assert_eq!(index.get(a), Some("/a"));
        index.forget_gone();
        assert_eq!(index.get(a), None);
        assert_eq!(index.get(c), Some("/c"));
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn resolve_rescans_on_a_miss_at_most_once_a_second() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let mut index = CgroupIndex::scan(root);
        let scanned = index.last_scan;
        fs::create_dir(root.join("new")).unwrap();
        let new = cgroup_id(&root.join("new")).unwrap();

        // Just after a scan: no second walk, the miss stays a miss.
        assert_eq!(index.resolve_at(new, scanned), None);
        let later = scanned + RESCAN_INTERVAL;
        assert_eq!(index.resolve_at(new, later).as_deref(), Some("/new"));
        assert_eq!(index.last_scan, later);
        // A hit never rescans.
        assert_eq!(
            index.resolve_at(new, later + RESCAN_INTERVAL).as_deref(),
            Some("/new")
        );
        assert_eq!(index.last_scan, later);
    }

    #[test]
    fn insert_records_cgroups_from_mkdir_events() {
        let tmp = tempfile::tempdir().unwrap();
        let mut index = CgroupIndex::scan(tmp.path());
        index.insert(u64::MAX, "/kubepods.slice/x".to_owned());
        assert_eq!(index.get(u64::MAX), Some("/kubepods.slice/x"));
        index.refresh();
        index.forget_gone();
        assert_eq!(index.get(u64::MAX), None);
    }

    // -- cgroup paths -------------------------------------------------------------------------

    const CID: &str = "3f1c9e0b8a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d4c";
    const CID2: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const UID: &str = "8c3f0a52-1b7e-4d29-9f60-2a7b5c1e9d04";
    const UID_: &str = "8c3f0a52_1b7e_4d29_9f60_2a7b5c1e9d04";

    #[track_caller]
    fn check_container(path: &str, runtime: Runtime, id: &str, pod: Option<(&str, Qos)>) {
        let expected = ContainerRef {
            runtime,
            container_id: id.to_owned(),
            pod_uid: pod.map(|(uid, _)| uid.to_owned()),
            qos: pod.map(|(_, qos)| qos),
        };
        assert_eq!(parse_cgroup_path(path), Some(expected), "{path}");
    }

    #[track_caller]
    fn check_not_container(path: &str) {
        assert_eq!(parse_cgroup_path(path), None, "{path}");
    }

    #[test]
    fn systemd_driver_containerd() {
        check_container(
            &format!(
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID_}.slice/cri-containerd-{CID}.scope"
            ),
            Runtime::Containerd,
            CID,
            Some((UID, Qos::Burstable)),
        );
    }

    #[test]
    fn systemd_driver_crio() {
        check_container(
            &format!(
                "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{UID_}.slice/crio-{CID}.scope"
            ),
            Runtime::CriO,
            CID,
            Some((UID, Qos::BestEffort)),
        );
    }

    #[test]
    fn systemd_driver_docker_guaranteed() {
        check_container(
            &format!("/kubepods.slice/kubepods-pod{UID_}.slice/docker-{CID}.scope"),
            Runtime::Docker,
            CID,
            Some((UID, Qos::Guaranteed)),
        );
    }

    #[test]
    fn systemd_driver_static_pod_uid() {
        // Static (mirror) pods: the kubelet's md5 of the manifest, no dashes.
        let uid = "6a9b4e3f0c1d2e3f4a5b6c7d8e9f0a1b";
        check_container(
            &format!(
                "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{uid}.slice/cri-containerd-{CID}.scope"
            ),
            Runtime::Containerd,
            CID,
            Some((uid, Qos::Burstable)),
        );
    }

    #[test]
    fn cgroupfs_driver() {
        for (path, runtime, qos) in [
            (
                format!("/kubepods/burstable/pod{UID}/{CID}"),
                Runtime::Unknown,
                Qos::Burstable,
            ),
            (
                format!("/kubepods/pod{UID}/{CID}"),
                Runtime::Unknown,
                Qos::Guaranteed,
            ),
            (
                format!("/kubepods/besteffort/pod{UID}/{CID}"),
                Runtime::Unknown,
                Qos::BestEffort,
            ),
            // CRI-O's cgroupfs manager names containers `crio-<id>`.
            (
                format!("/kubepods/burstable/pod{UID}/crio-{CID}"),
                Runtime::CriO,
                Qos::Burstable,
            ),
        ] {
            check_container(&path, runtime, CID, Some((UID, qos)));
        }
    }

    #[test]
    fn crio_conmon_is_not_a_container() {
        let pod =
            format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID_}.slice");
        check_not_container(&format!("{pod}/crio-conmon-{CID}.scope"));
        check_not_container(&format!("/kubepods/burstable/pod{UID}/crio-conmon-{CID}"));
        // Before CRI-O moved it into the pod, conmon ran in system.slice.
        check_not_container(&format!("/system.slice/crio-conmon-{CID}.scope"));
    }

    #[test]
    fn sub_cgroups_belong_to_their_container() {
        let pod =
            format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID_}.slice");
        let expected = Some((UID, Qos::Burstable));
        check_container(
            &format!("{pod}/crio-{CID}.scope/container"),
            Runtime::CriO,
            CID,
            expected,
        );
        check_container(
            &format!("{pod}/cri-containerd-{CID}.scope/init.scope"),
            Runtime::Containerd,
            CID,
            expected,
        );
    }

    #[test]
    fn plain_docker_and_nerdctl() {
        for (path, runtime, id) in [
            (
                format!("/system.slice/docker-{CID}.scope"),
                Runtime::Docker,
                CID,
            ),
            (format!("/docker/{CID}"), Runtime::Docker, CID),
            // Docker in Docker: the inner container.
            (
                format!("/docker/{CID}/docker/{CID2}"),
                Runtime::Docker,
                CID2,
            ),
            (
                format!("/system.slice/nerdctl-{CID}.scope"),
                Runtime::Containerd,
                CID,
            ),
            // `docker run --cgroup-parent=/actions_job`: runtime unknown from the path.
            (format!("/actions_job/{CID}"), Runtime::Unknown, CID),
        ] {
            check_container(&path, runtime, id, None);
        }
    }

    #[test]
    fn nested_kubernetes_nodes_take_the_innermost_container() {
        let kind = format!(
            "/system.slice/docker-{CID}.scope/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice"
        );
        for (path, runtime, pod) in [
            // kind (systemd driver, kubelet cgroup root /kubelet) inside a Docker node container.
            (
                format!(
                    "{kind}/kubelet-kubepods-besteffort-pod{UID_}.slice/cri-containerd-{CID2}.scope"
                ),
                Runtime::Containerd,
                Some((UID, Qos::BestEffort)),
            ),
            // A node container with a cgroup parent (GitHub Actions), cgroupfs inside (k3s).
            (
                format!("/actions_job/{CID}/kubepods/burstable/pod{UID}/{CID2}"),
                Runtime::Unknown,
                Some((UID, Qos::Burstable)),
            ),
            (
                format!("/kubelet/kubepods/pod{UID}/{CID2}"),
                Runtime::Unknown,
                Some((UID, Qos::Guaranteed)),
            ),
            // A container in a container in a pod has no pod of its own.
            (
                format!("/kubepods/burstable/pod{UID}/{CID}/docker/{CID2}"),
                Runtime::Docker,
                None,
            ),
        ] {
            check_container(&path, runtime, CID2, pod);
        }
        // The node container itself, seen from the host.
        check_container(
            &format!("/system.slice/docker-{CID}.scope/system.slice/containerd.service"),
            Runtime::Docker,
            CID,
            None,
        );
    }

    #[test]
    fn cgroups_that_are_not_containers() {
        for path in [
            "",
            "/",
            "//",
            "/init.scope",
            "/system.slice/containerd.service",
            "/user.slice/user-1000.slice/session-3.scope",
            "/kubepods.slice",
            "/kubepods.slice/kubepods-burstable.slice",
            &format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID_}.slice"),
            &format!("/kubepods/burstable/pod{UID}"),
        ] {
            check_not_container(path);
        }
    }

    #[test]
    fn look_alikes_are_rejected() {
        let short = &CID[..63];
        let upper = CID.to_uppercase();
        let long = format!("{CID}0");
        let not_hex = format!("{}g", &CID[..63]);
        for id in [short, &upper, &long, &not_hex] {
            check_not_container(&format!("/system.slice/docker-{id}.scope"));
            check_not_container(&format!("/kubepods/pod{UID}/{id}"));
            check_not_container(&format!("/kubepods/pod{UID}/cri-containerd-{id}.scope"));
        }
        // Only CRI-O drops `.scope`; a `.slice` is never a container.
        check_not_container(&format!("/system.slice/docker-{CID}"));
        check_not_container(&format!("/system.slice/docker-{CID}.slice"));
        check_not_container(&format!("/system.slice/crio-conmon-{short}.scope"));
        check_not_container(&format!("/system.slice/podman-{CID}.scope"));
    }

    #[test]
    fn pods_that_only_look_like_pods_give_no_uid() {
        for pod in [
            "/kubepods/burstable/pod".to_owned(),
            "/kubepods/burstable/podnot-a-uid".to_owned(),
            format!("/kubepods/burstable/pod{UID_}"),
            format!("/kubepods/burstable/pod{}", &UID[..35]),
            format!("/kubepods/burstable/pod{}", UID.to_uppercase()),
            format!("/elsewhere/pod{UID}"),
            format!("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID}.slice"),
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod.slice".to_owned(),
            format!("/kubepods.slice/kubepods-guaranteed-pod{UID_}.slice"),
            format!("/system.slice/mykubepods-pod{UID_}.slice"),
            format!("/system.slice/pod{UID_}.slice"),
        ] {
            check_container(&format!("{pod}/{CID}"), Runtime::Unknown, CID, None);
        }
    }

    // -- runtime metadata ---------------------------------------------------------------------

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn container(runtime: Runtime, id: &str, pod_uid: Option<&str>) -> ContainerRef {
        ContainerRef {
            runtime,
            container_id: id.to_owned(),
            pod_uid: pod_uid.map(str::to_owned),
            qos: None,
        }
    }

    fn containerd_config(id: &str) -> String {
        format!("run/containerd/io.containerd.runtime.v2.task/k8s.io/{id}/config.json")
    }

    fn crio_config(id: &str) -> String {
        format!("run/containers/storage/overlay-containers/{id}/userdata/config.json")
    }

    fn docker_config(id: &str) -> String {
        format!("var/lib/docker/containers/{id}/config.v2.json")
    }

    /// An OCI runtime spec shaped like those containerd's CRI plugin writes, trimmed.
    fn containerd_spec(container_type: &str, container_name: &str) -> String {
        format!(
            r#"{{
  "ociVersion": "1.1.0",
  "process": {{"user": {{"uid": 101, "gid": 101}}, "args": ["nginx", "-g", "daemon off;"], "cwd": "/"}},
  "root": {{"path": "rootfs"}},
  "annotations": {{
    "io.kubernetes.cri.container-type": "{container_type}",
    "io.kubernetes.cri.container-name": "{container_name}",
    "io.kubernetes.cri.image-name": "docker.io/library/nginx:1.27",
    "io.kubernetes.cri.sandbox-id": "{CID2}",
    "io.kubernetes.cri.sandbox-name": "web-7d9f8b6c5-x2k4p",
    "io.kubernetes.cri.sandbox-namespace": "shop",
    "io.kubernetes.cri.sandbox-uid": "{UID}"
  }},
  "linux": {{"cgroupsPath": "kubepods-burstable-pod{UID_}.slice:cri-containerd:{CID}"}}
}}"#
        )
    }

    fn web_meta() -> ContainerMeta {
        ContainerMeta {
            namespace: Some("shop".to_owned()),
            pod: Some("web-7d9f8b6c5-x2k4p".to_owned()),
            pod_uid: Some(UID.to_owned()),
            container: Some("nginx".to_owned()),
            image: Some("docker.io/library/nginx:1.27".to_owned()),
            sandbox: false,
        }
    }

    #[test]
    fn containerd_metadata() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &containerd_config(CID),
            &containerd_spec("container", "nginx"),
        );
        let meta = read_runtime_metadata(root, &container(Runtime::Containerd, CID, None));
        assert_eq!(meta, Some(web_meta()));
    }

    #[test]
    fn containerd_sandbox() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &containerd_config(CID),
            &containerd_spec("sandbox", "ignored"),
        );
        let meta = read_runtime_metadata(root, &container(Runtime::Containerd, CID, None)).unwrap();
        assert!(meta.sandbox);
        assert_eq!(meta.container, None);
        assert_eq!(meta.pod.as_deref(), Some("web-7d9f8b6c5-x2k4p"));
    }

    #[test]
    fn containerd_of_k3s_and_k0s() {
        for state in ["run/k3s/containerd", "run/k0s/containerd"] {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path();
            let file = format!("{state}/io.containerd.runtime.v2.task/k8s.io/{CID}/config.json");
            write(root, &file, &containerd_spec("container", "nginx"));
            let meta = read_runtime_metadata(root, &container(Runtime::Unknown, CID, None));
            assert_eq!(meta, Some(web_meta()), "{state}");
        }
    }

    /// An OCI runtime spec with CRI-O's annotations, trimmed; `image_key` varies.
    fn crio_spec(container_type: &str, container_name: &str, image_key: &str) -> String {
        format!(
            r#"{{
  "ociVersion": "1.0.2-dev",
  "process": {{"args": ["/usr/sbin/nginx"]}},
  "annotations": {{
    "io.container.manager": "cri-o",
    "io.kubernetes.container.name": "{container_name}",
    "io.kubernetes.cri-o.ContainerType": "{container_type}",
    "io.kubernetes.cri-o.{image_key}": "docker.io/library/nginx:1.27",
    "io.kubernetes.cri-o.Labels": "{{\"io.kubernetes.pod.name\":\"web-7d9f8b6c5-x2k4p\"}}",
    "io.kubernetes.pod.name": "web-7d9f8b6c5-x2k4p",
    "io.kubernetes.pod.namespace": "shop",
    "io.kubernetes.pod.uid": "{UID}"
  }}
}}"#
        )
    }

    #[test]
    fn crio_metadata() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &crio_config(CID),
            &crio_spec("container", "nginx", "ImageName"),
        );
        let c = container(Runtime::CriO, CID, Some(UID));
        assert_eq!(read_runtime_metadata(root, &c), Some(web_meta()));
        // Older CRI-O: only `Image`.
        write(
            root,
            &crio_config(CID),
            &crio_spec("container", "nginx", "Image"),
        );
        assert_eq!(read_runtime_metadata(root, &c), Some(web_meta()));
    }

    #[test]
    fn crio_sandbox_and_graph_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let file =
            format!("var/lib/containers/storage/overlay-containers/{CID}/userdata/config.json");
        write(root, &file, &crio_spec("sandbox", "POD", "ImageName"));
        let meta = read_runtime_metadata(root, &container(Runtime::CriO, CID, None)).unwrap();
        assert!(meta.sandbox);
        assert_eq!(meta.container, None);
        assert_eq!(meta.namespace.as_deref(), Some("shop"));
    }

    /// A `config.v2.json` shaped like Docker's for a cri-dockerd container, trimmed.
    fn docker_state(container_name: &str) -> String {
        format!(
            r#"{{
  "ID": "{CID}",
  "Created": "2024-05-01T10:00:00.000000000Z",
  "Name": "/k8s_{container_name}_web-7d9f8b6c5-x2k4p_shop_{UID}_0",
  "Image": "sha256:1e5f3c5b981a9f91ca91cf13ce87c2eedfc7a083f4f279552084dd08fc477512",
  "Config": {{
    "Hostname": "web-7d9f8b6c5-x2k4p",
    "Image": "docker.io/library/nginx:1.27",
    "Labels": {{
      "annotation.io.kubernetes.container.restartCount": "0",
      "io.kubernetes.container.name": "{container_name}",
      "io.kubernetes.docker.type": "container",
      "io.kubernetes.pod.name": "web-7d9f8b6c5-x2k4p",
      "io.kubernetes.pod.namespace": "shop",
      "io.kubernetes.pod.uid": "{UID}"
    }}
  }},
  "State": {{"Running": true, "Pid": 4242}}
}}"#
        )
    }

    #[test]
    fn docker_metadata() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, &docker_config(CID), &docker_state("nginx"));
        let meta = read_runtime_metadata(root, &container(Runtime::Docker, CID, None));
        assert_eq!(meta, Some(web_meta()));

        write(root, &docker_config(CID), &docker_state("POD"));
        let meta = read_runtime_metadata(root, &container(Runtime::Docker, CID, None)).unwrap();
        assert!(meta.sandbox);
        assert_eq!(meta.container, None);
    }

    #[test]
    fn plain_docker_gives_its_image() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let state =
            r#"{"ID": "x", "Config": {"Image": "redis:7", "Labels": null}, "Name": "/cache"}"#;
        write(root, &docker_config(CID), state);
        let meta = read_runtime_metadata(root, &container(Runtime::Docker, CID, None));
        let expected = ContainerMeta {
            image: Some("redis:7".to_owned()),
            ..ContainerMeta::default()
        };
        assert_eq!(meta, Some(expected));
    }

    #[test]
    fn the_paths_runtime_is_tried_first_then_the_others() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            root,
            &containerd_config(CID),
            &containerd_spec("container", "from-containerd"),
        );
        write(root, &docker_config(CID), &docker_state("from-docker"));
        write(
            root,
            &crio_config(CID),
            &crio_spec("container", "from-crio", "ImageName"),
        );
        let name = |runtime| {
            read_runtime_metadata(root, &container(runtime, CID, None)).and_then(|m| m.container)
        };
        assert_eq!(name(Runtime::Docker).as_deref(), Some("from-docker"));
        assert_eq!(name(Runtime::CriO).as_deref(), Some("from-crio"));
        assert_eq!(
            name(Runtime::Containerd).as_deref(),
            Some("from-containerd")
        );
        assert_eq!(name(Runtime::Unknown).as_deref(), Some("from-containerd"));

        // A cgroupfs path names no runtime: Docker's state is found after the others.
        write(root, &docker_config(CID2), &docker_state("nginx"));
        let meta = read_runtime_metadata(root, &container(Runtime::Unknown, CID2, None));
        assert_eq!(meta, Some(web_meta()));
    }

    #[test]
    fn the_cgroup_paths_pod_uid_fills_in() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // Older containerd releases wrote no sandbox-uid.
        let spec = containerd_spec("container", "nginx").replace("sandbox-uid", "x-uid");
        write(root, &containerd_config(CID), &spec);
        let meta = read_runtime_metadata(root, &container(Runtime::Containerd, CID, Some(UID)));
        assert_eq!(meta, Some(web_meta()));
    }

    #[test]
    fn metadata_that_is_missing_or_malformed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let c = container(Runtime::Containerd, CID, Some(UID));
        assert_eq!(read_runtime_metadata(root, &c), None);

        let odd = [
            "",
            "{",
            "null",
            "[]",
            r#"{"annotations": null}"#,
            r#"{"annotations": ["a"]}"#,
            r#"{"annotations": {}}"#,
            r#"{"annotations": {"io.kubernetes.cri.sandbox-name": ""}}"#,
            r#"{"annotations": {"io.kubernetes.cri.sandbox-name": 7}}"#,
            "\u{feff}{\"annotations\": {}}",
        ];
        for text in odd {
            write(root, &containerd_config(CID), text);
            write(root, &docker_config(CID), text);
            write(root, &crio_config(CID), text);
            assert_eq!(read_runtime_metadata(root, &c), None, "{text:?}");
        }

        // One good key among bad ones is enough.
        let mixed = r#"{"annotations": {"io.kubernetes.cri.sandbox-name": "web-0", "io.kubernetes.cri.image-name": {"x": 1}}}"#;
        write(root, &containerd_config(CID), mixed);
        let meta = read_runtime_metadata(root, &c).unwrap();
        assert_eq!(meta.pod.as_deref(), Some("web-0"));
        assert_eq!(meta.image, None);
    }

    #[test]
    fn metadata_files_that_are_too_big_or_not_files() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let c = container(Runtime::Containerd, CID, None);
        let spec = containerd_spec("container", "nginx");
        let padding = " ".repeat(MAX_METADATA_BYTES as usize + 1 - spec.len());
        write(root, &containerd_config(CID), &format!("{spec}{padding}"));
        assert_eq!(read_runtime_metadata(root, &c), None);
        write(
            root,
            &containerd_config(CID),
            &format!("{spec}{}", &padding[1..]),
        );
        assert_eq!(read_runtime_metadata(root, &c), Some(web_meta()));

        fs::remove_file(root.join(containerd_config(CID))).unwrap();
        fs::create_dir(root.join(containerd_config(CID))).unwrap();
        assert_eq!(read_runtime_metadata(root, &c), None);
    }

    #[test]
    fn hand_made_ids_cannot_leave_the_state_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // `run/containerd/io.containerd.runtime.v2.task/k8s.io/../../../../x/config.json`
        write(
            root,
            "x/config.json",
            &containerd_spec("container", "nginx"),
        );
        for id in ["../../../../x", "", "a/b", ".."] {
            let c = container(Runtime::Containerd, id, None);
            assert_eq!(read_runtime_metadata(root, &c), None, "{id}");
        }
    }

    // -- workload and subject -----------------------------------------------------------------

    #[track_caller]
    fn check_owner(pod: &str, expected: Option<(&str, &str)>) {
        let workload = infer_workload(pod);
        let got = workload
            .as_ref()
            .map(|w| (w.kind.as_str(), w.name.as_str()));
        assert_eq!(got, expected, "{pod}");
        if let Some(workload) = workload {
            assert_eq!(workload.source, "pod-name");
        }
    }

    #[test]
    fn deployment_pods() {
        check_owner("web-7d9f8b6c5-x2k4p", Some(("Deployment", "web")));
        check_owner("coredns-5d78c9869d-6v8wq", Some(("Deployment", "coredns")));
        check_owner(
            "my-app.v2-644f9b79c8-24567",
            Some(("Deployment", "my-app.v2")),
        );
        check_owner("api-4fcd8d6b9b-bcdfg", Some(("Deployment", "api")));
    }

    #[test]
    fn statefulset_pods() {
        check_owner("db-0", Some(("StatefulSet", "db")));
        check_owner("kafka-broker-12", Some(("StatefulSet", "kafka-broker")));
        check_owner("etcd-9999", Some(("StatefulSet", "etcd")));
    }

    #[test]
    fn cronjob_pods() {
        check_owner("backup-29164320-x2k4p", Some(("CronJob", "backup")));
        // Only digits a hash can hold: ambiguous, and a hash is far more likely today.
        check_owner("backup-49764567-x2k4p", Some(("Deployment", "backup")));
    }

    #[test]
    fn pod_names_that_tell_no_owner() {
        for pod in [
            // DaemonSet, Job, bare ReplicaSet or generateName Pod: cannot tell.
            "web-x2k4p",
            "kube-proxy-x2k4p",
            "fluent-bit-24567",
            // Plain names.
            "my-pod",
            "nginx",
            "",
            "-",
            "-0",
            "web-",
            "web--0",
            // Ordinals: leading zero, too long; not a name before them.
            "db-00",
            "db-01",
            "db-12345",
            "DB-0",
            "db_x-0",
            // Hash or suffix of the wrong characters or length.
            "web-7d9f8b6c5-x2k4",
            "web-7d9f8b6c5-x2k4pp",
            "web-7d9f8b6c5-X2K4P",
            "web-7d9f8b6c5-x2k4a",
            "web-7a9f8b6c5-x2k4p",
            "web-7d9f8-x2k4p",
            "web-7d9f8b6c54d-x2k4p",
            // OpenShift DeploymentConfig (`<name>-<version>-<suffix>`), an indexed Job's pod.
            "web-3-x2k4p",
            "etl-0-x2k4p",
            "émoji-0",
        ] {
            check_owner(pod, None);
        }
    }

    #[test]
    fn subject_of_a_kubernetes_container() {
        let path = format!(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{UID_}.slice/cri-containerd-{CID}.scope"
        );
        let (subject, replica) = subject_for(&path, Some(&web_meta()));
        let expected = Subject {
            namespace: Some("shop".to_owned()),
            workload: Some(Workload {
                kind: "Deployment".to_owned(),
                name: "web".to_owned(),
                source: "pod-name".to_owned(),
            }),
            pod: Some("web-7d9f8b6c5-x2k4p".to_owned()),
            container: Some("nginx".to_owned()),
            image: Some("docker.io/library/nginx:1.27".to_owned()),
            cgroup: None,
        };
        assert_eq!(subject, expected);
        assert_eq!(replica, UID);

        // Without a UID in the metadata, the path's; without either, the path.
        let meta = ContainerMeta {
            pod_uid: None,
            pod: Some("web-x2k4p".to_owned()),
            ..web_meta()
        };
        let (subject, replica) = subject_for(&path, Some(&meta));
        assert_eq!(subject.workload, None);
        assert_eq!(replica, UID);
        let (_, replica) = subject_for("/somewhere", Some(&meta));
        assert_eq!(replica, "/somewhere");
    }

    #[test]
    fn subject_of_a_plain_cgroup() {
        let path = "/system.slice/sshd.service";
        let (subject, replica) = subject_for(path, None);
        let expected = Subject {
            cgroup: Some(path.to_owned()),
            ..Subject::default()
        };
        assert_eq!(subject, expected);
        assert_eq!(replica, path);

        let docker = format!("/system.slice/docker-{CID}.scope");
        let meta = ContainerMeta {
            image: Some("redis:7".to_owned()),
            ..ContainerMeta::default()
        };
        let (subject, replica) = subject_for(&docker, Some(&meta));
        assert_eq!(subject.image.as_deref(), Some("redis:7"));
        assert_eq!(subject.cgroup.as_deref(), Some(docker.as_str()));
        assert_eq!(subject.pod, None);
        assert_eq!(replica, docker);
    }

    // -- process start ------------------------------------------------------------------------

    /// A `/proc/<pid>/stat` line shaped like the kernel's, with `comm` and `starttime` given.
    fn stat_line(pid: u32, comm: &[u8], start: u64) -> Vec<u8> {
        let mut line = format!("{pid} (").into_bytes();
        line.extend_from_slice(comm);
        let rest = format!(
            ") S 1 {pid} {pid} 0 -1 4194560 873 0 0 0 2 1 0 0 20 0 1 0 {start} 11268096 1082 18446744073709551615 1 1 0 0 0 0 0 4096 16387 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        );
        line.extend_from_slice(rest.as_bytes());
        line
    }

    #[test]
    fn stat_start_time_with_tricky_command_names() {
        let names: [&[u8]; 9] = [
            b"nginx",
            b"",
            b"a b c",
            b"x) S 1 2 3",
            b")",
            b"((",
            b") 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 99 (",
            b"tab\tnew\nline",
            b"\xff\xfe)\xc3",
        ];
        for comm in names {
            let line = stat_line(4242, comm, 987654);
            assert_eq!(parse_stat_start_ticks(&line), Some(987654), "{comm:?}");
        }
    }

    #[test]
    fn odd_stat_lines() {
        for line in [
            &b""[..],
            b"4242 (nginx",
            b"4242 nginx S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
            b"4242 (nginx) S 1 2 3",
            b"4242 (nginx) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -19 20",
            b"4242 (nginx) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x 20",
            b"4242 (nginx) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99999999999999999999999",
            b"4242 (nginx) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 \xff 20",
        ] {
            assert_eq!(parse_stat_start_ticks(line), None, "{line:?}");
        }
    }

    #[test]
    fn uptime_in_ticks() {
        assert_eq!(
            parse_uptime_ticks("350735.47 234388.90\n"),
            Some(35_073_547)
        );
        assert_eq!(parse_uptime_ticks("12.3 4.00"), Some(1230));
        assert_eq!(parse_uptime_ticks("12.345 4"), Some(1234));
        assert_eq!(parse_uptime_ticks("12 4"), Some(1200));
        assert_eq!(parse_uptime_ticks("12."), Some(1200));
        for odd in [
            "",
            " ",
            "x",
            ".5",
            "-1.00 2",
            "+1.00 2",
            "1.-5",
            "1.2.3",
            "18446744073709551615.00",
        ] {
            assert_eq!(parse_uptime_ticks(odd), None, "{odd:?}");
        }
    }

    #[test]
    fn processes_that_started_before_the_sensor() {
        let tmp = tempfile::tempdir().unwrap();
        let proc_root = tmp.path();
        for (pid, start) in [(100, 5_000), (200, 9_000), (300, 12_000)] {
            write(
                proc_root,
                &format!("{pid}/stat"),
                &String::from_utf8(stat_line(pid, b"sh", start)).unwrap(),
            );
        }
        write(proc_root, "uptime", "100.00 50.00\n");
        let threshold = ticks_since_boot(proc_root).unwrap();
        assert_eq!(threshold, 10_000);

        assert!(started_before(&[300, 100], proc_root, threshold));
        assert!(started_before(&[200], proc_root, threshold));
        assert!(!started_before(&[300], proc_root, threshold));
        // The same tick counts as before.
        assert!(started_before(&[300], proc_root, 12_000));
        // Exited processes and an empty cgroup tell nothing.
        assert!(!started_before(&[400, 300], proc_root, threshold));
        assert!(!started_before(&[], proc_root, threshold));
        assert_eq!(process_start_ticks(proc_root, 100), Some(5_000));
        assert_eq!(process_start_ticks(proc_root, 400), None);
        assert_eq!(ticks_since_boot(&proc_root.join("missing")), None);
    }

    #[test]
    fn cgroup_procs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, "cgroup.procs", "12\n34\n\n0\nx\n 56 \n4294967296\n");
        assert_eq!(read_cgroup_procs(dir).unwrap(), vec![12, 34, 56]);
        write(dir, "cgroup.procs", "");
        assert_eq!(read_cgroup_procs(dir).unwrap(), Vec::<u32>::new());
        assert!(read_cgroup_procs(&dir.join("gone")).is_err());
    }
}
