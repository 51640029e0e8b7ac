//! Behaviour profiles meet manifests: the workload containers of a file with what each one's
//! manifest declares ([`workloads`]), which profiles are about which container, and a
//! suggestion's changes made in the YAML text ([`apply`]), and what an editor shows of it
//! ([`editor`]).
//!
//! `picket suggest` and the language server share this; `picket-policy` decides what to
//! suggest. Values come and go as `picket-policy`'s `serde_json::Value`s, ranges as bytes.

pub mod apply;
pub mod editor;
pub mod workloads;

pub use apply::apply;
pub use editor::{
    Observed, RuntimeAction, RuntimeContainer, RuntimeDiagnostic, RuntimeWorkload, actions,
    diagnostics, network_actions, network_files, network_review, objects_json, workloads,
};
pub use workloads::{ObjectAt, WorkloadContainer, find, object_at};

pub use picket_policy::netpol::NetworkReview;
use picket_profile::Profile;

/// Who a profile is about: namespace (when known), workload kind and name, container.
pub fn profile_key(profile: &Profile) -> Option<(Option<&str>, &str, &str, &str)> {
    let subject = &profile.subject;
    let workload = subject.workload.as_ref()?;
    Some((
        subject.namespace.as_deref(),
        workload.kind.as_str(),
        workload.name.as_str(),
        subject.container.as_deref()?,
    ))
}

/// Whether `profile` is about the container `workload`: same workload kind and name, same
/// container name, and the same namespace unless the profile names none.
pub fn profile_matches(profile: &Profile, workload: &WorkloadContainer) -> bool {
    profile_key(profile).is_some_and(|(ns, kind, name, container)| {
        ns.is_none_or(|ns| ns == workload.namespace)
            && kind == workload.kind
            && name == workload.name
            && container == workload.spec.name
    })
}
