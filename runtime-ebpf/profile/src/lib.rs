//! Behaviour profiles: what one container of one workload was seen doing, with evidence.
//!
//! The sensor writes one [`Profile`] per container (`picket-sensor record`); `picket-sensor
//! merge` folds the profiles of many replicas and nodes into one per workload container; the
//! policy side reads them. The JSON format is versioned by [`Profile::version`] and described by
//! the JSON Schema in `docs/profile-v1.schema.json` (generated from these types); the format is
//! described field by field in `docs/profiles.md`.
//!
//! - [`io`]: JSON in and out ([`Profile::to_json`], [`Profile::from_json`]), file names, atomic
//!   writes, reading a folder of profiles;
//! - [`merge`]: folds profiles of many replicas and nodes into one per workload container;
//! - [`redact`]: replaces values that look like secrets in command lines;
//! - [`schema`]: the JSON Schema of the format.
//!
//! Architecture Invariant: the types here are the format. A field renamed or retyped is a new
//! [`VERSION`]; a field added with a default is not (see `docs/profiles.md`, "Versioning").

pub mod io;
pub mod merge;
mod normalize;
pub mod redact;
pub mod schema;

#[cfg(test)]
mod fixtures;

use serde::{Deserialize, Serialize};

/// The format version this crate reads and writes.
pub const VERSION: u32 = 1;

/// One container's observed behaviour over a learning window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    /// Format version; always 1 for this schema.
    #[schemars(extend("const" = 1))]
    pub version: u32,
    /// What was observed: a Kubernetes container, or a plain cgroup.
    pub subject: Subject,
    /// When the observation ran.
    pub window: Window,
    /// True when the observation may have missed behaviour: the container started before the
    /// sensor, a hook was missing, or events were dropped. `partialReasons` says which.
    pub partial: bool,
    /// Why the profile is partial, one sentence each (sorted, no duplicates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial_reasons: Vec<String>,
    /// The nodes and replicas (pods) the facts come from.
    pub coverage: Coverage,
    /// The sensor that recorded it.
    pub sensor: SensorInfo,
    /// Programs executed.
    #[serde(default)]
    pub executables: Vec<Executable>,
    /// Network peers, both directions.
    #[serde(default)]
    pub network: Vec<NetworkPeer>,
    /// Capability checks, granted and denied.
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// System calls made (names for `sensor.arch`).
    #[serde(default)]
    pub syscalls: Vec<Syscall>,
    /// Files opened for writing (paths as the process named them, inside its mount namespace).
    #[serde(default)]
    pub file_writes: Vec<FileWrite>,
}

/// What a profile is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subject {
    /// Kubernetes namespace, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The owning workload, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
    /// Pod name (of one replica; merged profiles drop it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// Container name within the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Container image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The cgroup v2 path (relative to the cgroup2 mount), when the profile is of one cgroup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
}

/// A workload: the top owner of a pod.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Workload {
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, `ReplicaSet` or `Pod`.
    pub kind: String,
    /// The workload's name.
    pub name: String,
    /// Where the owner came from: `kubernetes-api` (owner references), `pod-name` (inferred
    /// from the pod's generated name) or `user`.
    pub source: String,
}

/// The learning window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Window {
    /// RFC 3339, UTC.
    #[schemars(extend("format" = "date-time"))]
    pub start: String,
    /// RFC 3339, UTC.
    #[schemars(extend("format" = "date-time"))]
    pub end: String,
    /// Seconds actually observed (merged profiles: summed over sources).
    pub seconds: u64,
}

/// Where the facts come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Coverage {
    /// Node names (host names).
    pub nodes: Vec<String>,
    /// Replica ids: pod UIDs, or cgroup paths for plain cgroups.
    pub replicas: Vec<String>,
}

/// The sensor and the kernel hooks it had.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SensorInfo {
    /// `picket-sensor` version.
    pub version: String,
    /// Machine architecture (`x86_64`, `aarch64`); syscall names are for it.
    pub arch: String,
    /// Hooks that were attached (`exec`, `network-egress`, `network-ingress`, `capabilities`,
    /// `syscalls`, `file-writes`).
    pub hooks: Vec<String>,
    /// Hooks that were not, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_hooks: Vec<MissingHook>,
    /// Counters of the kernel side while this profile was recorded (whole sensor, all cgroups).
    pub stats: Stats,
}

/// A hook the sensor could not attach: facts of its kind may be missing from the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MissingHook {
    /// The hook's name, as in [`SensorInfo::hooks`].
    pub hook: String,
    /// Why it is missing (the kernel's error, or the missing kernel feature).
    pub reason: String,
}

/// Kernel-side counters: events written, events dropped (ring buffer full), facts that did not
/// fit in their map (counted in userspace instead), failed memory reads.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stats {
    /// Events written to the ring buffer.
    pub events: u64,
    /// Events dropped because the ring buffer was full.
    pub drops: u64,
    /// Facts that did not fit in their kernel map and were counted in userspace instead.
    pub lost_inserts: u64,
    /// Failed reads of user or kernel memory (argv, paths, addresses).
    pub read_errors: u64,
}

/// How much backs a fact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Evidence {
    /// Times seen (for syscalls and capabilities: calls or checks).
    pub count: u64,
    /// RFC 3339, UTC.
    #[schemars(extend("format" = "date-time"))]
    pub first_seen: String,
    /// RFC 3339, UTC. Within the sensor's poll interval (1 s) of the true time.
    #[schemars(extend("format" = "date-time"))]
    pub last_seen: String,
    /// Nodes it was seen on.
    pub nodes: Vec<String>,
    /// Number of replicas (of `coverage.replicas`) it was seen in.
    pub replicas: u32,
}

/// A program that was executed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Executable {
    /// The path the kernel executed (inside the container's mount namespace).
    pub path: String,
    /// The real user id it ran as.
    pub uid: u32,
    /// The arguments of its first execution (at most 8, each at most 127 bytes); values that look
    /// like secrets are replaced by `<redacted>`.
    #[serde(default)]
    pub argv: Vec<String>,
    /// True when argv was cut or could not be read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub argv_incomplete: bool,
    /// How much backs it.
    pub evidence: Evidence,
}

/// A network peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPeer {
    /// `egress` (this container connected or sent) or `ingress` (it accepted).
    pub direction: Direction,
    /// `tcp` or `udp`.
    pub protocol: Protocol,
    /// The peer's address (egress: destination; ingress: the client). IPv4-mapped IPv6
    /// addresses are written as IPv4.
    pub address: String,
    /// Egress: the destination port. Ingress: the local port that was connected to.
    pub port: u16,
    /// True for DNS traffic (port 53).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dns: bool,
    /// Who the peer is in the cluster, when whoever wrote the profile could tell (an
    /// attribution with access to the Kubernetes API, or a person); absent for external peers
    /// and when unknown. Policies select peers by it, never by a pod's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerIdentity>,
    /// DNS names the workload resolved to this address, sorted; empty when none were seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// How much backs it.
    pub evidence: Evidence,
}

/// A network peer's identity in the cluster.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeerIdentity {
    /// What the address belongs to.
    pub kind: PeerKind,
    /// The namespace of a pod or Service; absent for a node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The pod's, Service's or node's name.
    pub name: String,
    /// A pod's workload (its top owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Workload>,
    /// A pod's labels, or a Service's `spec.selector`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
}

/// What a peer address belongs to.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PeerKind {
    /// A pod's address.
    Pod,
    /// A Service's cluster IP (egress is seen before the Service's address is translated).
    Service,
    /// A node's address (host-network pods, the kubelet, node-local agents).
    Node,
}

/// Which side opened the connection (TCP) or sent the first datagram (UDP).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The container connected or sent.
    Egress,
    /// The container accepted.
    Ingress,
}

/// The transport protocol.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// A capability check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Capability {
    /// `CAP_NET_RAW`, … (or `CAP_<number>` for one this sensor does not know).
    pub name: String,
    /// Whether the kernel granted it.
    pub granted: bool,
    /// How much backs it.
    pub evidence: Evidence,
}

/// A system call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Syscall {
    /// The name for `sensor.arch` (`openat`).
    pub name: String,
    /// The number for `sensor.arch`.
    pub nr: u32,
    /// How much backs it.
    pub evidence: Evidence,
}

/// A file opened for writing (created, truncated, appended or opened read-write).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileWrite {
    /// As the process named it: absolute, or relative to its working directory.
    pub path: String,
    /// How much backs it.
    pub evidence: Evidence,
}
