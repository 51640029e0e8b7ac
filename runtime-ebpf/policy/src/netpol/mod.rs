//! Kubernetes NetworkPolicies (`networking.k8s.io/v1`).
//!
//! [`review`] turns the traffic a workload's profiles saw into a NetworkPolicy (and a Cilium
//! variant), and reports observed flows the workspace's policies deny (drift).
//!
//! [`eval`] decides whether a set of policies allows a flow between two endpoints, so that a
//! suggested policy can be checked against the traffic it was derived from: every observed flow
//! allowed, anything else denied.

pub mod eval;
mod suggest;

pub use suggest::{
    NetworkReview, ObservedFlow, PER_INSTANCE_LABELS, PortValue, ResolvedPeer, Selector,
    SelectorExpression, Workspace, review,
};
