//! Kubernetes NetworkPolicies (`networking.k8s.io/v1`).
//!
//! [`eval`] decides whether a set of policies allows a flow between two endpoints, so that a
//! suggested policy can be checked against the traffic it was derived from: every observed flow
//! allowed, anything else denied.

pub mod eval;
