//! Least-privilege suggestions from behaviour profiles.
//!
//! The runtime sensor writes [`Profile`](picket_profile::Profile)s: what a container was seen
//! doing. This crate turns them into suggestions for the manifest that runs the container:
//!
//! - [`security_context::suggest`]: `capabilities`, `readOnlyRootFilesystem` (with `emptyDir`
//!   volumes for the directories that were written), `runAsNonRoot`/`runAsUser` and
//!   `allowPrivilegeEscalation`, compared with what a [`ContainerSpec`] sets today;
//! - [`seccomp::suggest`]: a seccomp profile, as Localhost JSON and as a
//!   security-profiles-operator `SeccompProfile`;
//! - [`findings::check`]: privileges the manifest declares that were never used, and
//!   behaviour it does not allow (drift), as diagnostics;
//! - [`netpol::eval`]: whether NetworkPolicies allow a flow, to check a suggested policy
//!   against the traffic it came from.
//!
//! Every [`Suggestion`] carries the evidence it rests on and a [`Confidence`] with the reasons
//! that lowered it; `docs/policy.md` says how each one is derived.
//!
//! Architecture Invariant: this crate does no IO and knows no YAML model or editor: the caller
//! fills a [`ContainerSpec`] and gets values (`serde_json::Value`) and field paths back. Where a
//! suggestion's change goes in a file is the caller's business (`picket suggest` places it
//! with `picket-lint`'s edit helpers).
//!
//! Architecture Invariant: the same inputs always give the same output, in the same order.

mod common;
mod confidence;
pub mod findings;
pub mod netpol;
pub mod seccomp;
pub mod security_context;
mod spec;
mod suggestion;
mod yaml;

pub use confidence::{Confidence, Lowering};
pub use spec::{
    Capabilities, ContainerSpec, PodSecurityContext, SeccompProfileType, SecurityContext,
    VolumeMount,
};
pub use suggestion::{
    Change, Fact, FieldPath, PathSegment, Suggestion, SuggestionEvidence, SuggestionKind,
};
