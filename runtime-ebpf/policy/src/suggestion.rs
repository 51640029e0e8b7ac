//! A suggestion: what to change in a manifest (or which file to create), why, and how sure.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::confidence::{Confidence, Lowering};
use crate::spec::ContainerSpec;

/// One least-privilege suggestion for one container.
///
/// A suggestion is applied whole: its [`changes`](Suggestion::changes) belong together (a
/// read-only root filesystem together with the `emptyDir` volumes the container writes to).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// What the suggestion is about.
    pub kind: SuggestionKind,
    /// What to change, in order.
    pub changes: Vec<Change>,
    /// What it does and why, in a sentence or two, with values in backticks.
    pub message: String,
    /// Remarks the user should read before applying it (one sentence each).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The observations it rests on.
    pub evidence: SuggestionEvidence,
    /// How sure the suggestion is.
    pub confidence: Confidence,
    /// What lowered the confidence below [`Confidence::High`], each with the level it allows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lowered_by: Vec<Lowering>,
}

/// The kinds of suggestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SuggestionKind {
    /// `securityContext.capabilities`: drop all, add back what was granted.
    Capabilities,
    /// `securityContext.readOnlyRootFilesystem`, with `emptyDir` volumes for written paths.
    ReadOnlyRootFilesystem,
    /// `securityContext.runAsNonRoot`, with `runAsUser` when one user was seen.
    RunAsNonRoot,
    /// `securityContext.allowPrivilegeEscalation: false`.
    AllowPrivilegeEscalation,
    /// A seccomp profile file and the `seccompProfile` that uses it.
    SeccompProfile,
    /// A NetworkPolicy file for the workload.
    NetworkPolicy,
    /// A CiliumNetworkPolicy file for the workload, with DNS names for external peers.
    CiliumNetworkPolicy,
}

/// One edit a suggestion makes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum Change {
    /// Set the field at `path` to `value`, creating the mappings on the way.
    Set {
        /// Where, relative to the pod template.
        path: FieldPath,
        /// The new value.
        value: Value,
        /// What the manifest has there today; `None` when the field is absent.
        replaces: Option<Value>,
    },
    /// Append `items` to the list at `path`, creating it when absent.
    Append {
        /// Where, relative to the pod template.
        path: FieldPath,
        /// The entries to add, in order.
        items: Vec<Value>,
    },
    /// Create a file beside the manifest (a policy object, a seccomp profile).
    CreateFile {
        /// A suggested file name, without a directory.
        file_name: String,
        /// The file's text.
        content: String,
    },
}

/// A path to a field of a pod template: `spec.containers[name=app].securityContext`.
///
/// Paths start at the pod template (`spec` is the pod's spec), so the same path serves a Pod,
/// a Deployment and a CronJob; the caller knows where the template sits in its workload.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(pub Vec<PathSegment>);

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathSegment {
    /// A mapping key.
    Key(String),
    /// The entry of a list whose `name` is this.
    Named(String),
}

impl FieldPath {
    /// `spec`: the pod's spec.
    pub fn pod_spec() -> FieldPath {
        FieldPath(vec![PathSegment::Key("spec".to_owned())])
    }

    /// `spec.containers[name=<name>]` (or `spec.initContainers[…]`).
    pub fn container(spec: &ContainerSpec) -> FieldPath {
        let list = if spec.init {
            "initContainers"
        } else {
            "containers"
        };
        FieldPath::pod_spec().key(list).named(spec.name.clone())
    }

    /// This path, then a mapping key.
    pub fn key(mut self, key: &str) -> FieldPath {
        self.0.push(PathSegment::Key(key.to_owned()));
        self
    }

    /// This path, then the list entry named `name`.
    pub fn named(mut self, name: String) -> FieldPath {
        self.0.push(PathSegment::Named(name));
        self
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => f.write_str(key)?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Named(name) => write!(f, "[name={name}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for FieldPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// What a suggestion rests on: the facts it used, and how much the profile covered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionEvidence {
    /// The facts used, each with its counts, sightings, nodes and replicas. A suggestion made
    /// because something was *not* seen lists the facts that were looked at and set aside.
    pub facts: Vec<Fact>,
    /// The learning window (of all profiles used: earliest start, latest end, summed seconds).
    pub window: picket_profile::Window,
    /// Nodes the profiles cover.
    pub nodes: Vec<String>,
    /// Replicas the profiles cover.
    pub replicas: usize,
    /// Why the profiles may miss behaviour (their `partialReasons`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partial_reasons: Vec<String>,
}

/// One observed fact and its evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fact {
    /// What was seen: `capability CAP_CHOWN granted`, `exec /usr/sbin/nginx as uid 0`.
    pub what: String,
    /// How much backs it.
    pub evidence: picket_profile::Evidence,
}

impl SuggestionEvidence {
    /// The profile's window, coverage and partial reasons, with `facts`.
    pub(crate) fn of(profile: &picket_profile::Profile, facts: Vec<Fact>) -> SuggestionEvidence {
        SuggestionEvidence {
            facts,
            window: profile.window.clone(),
            nodes: profile.coverage.nodes.clone(),
            replicas: profile.coverage.replicas.len(),
            partial_reasons: profile.partial_reasons.clone(),
        }
    }
}
