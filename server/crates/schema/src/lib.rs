//! The Kubernetes API schema, workspace CRD schemas, and validation against them.
//!
//! The built-in schema is generated from `k8s-openapi` by `cargo xtask codegen` into
//! `data/kubernetes.json` (shapes) and `data/kubernetes-docs.json` (field descriptions, for
//! hover), and embedded in the binary. CRDs found in the workspace add schemas at run time.
//!
//! Architecture Invariant: no IO and no network. The schema is embedded; CRDs come from
//! documents the caller has already read.

mod builtin;
pub mod crd;
pub mod formats;
pub mod table;
mod validate;

pub use builtin::{Builtin, builtin, group_of};
pub use crd::{CrdDef, CrdRegistry, CrdVersion, read_crd};
pub use validate::{CODES, Finding, Severity, did_you_mean, validate_document};

#[cfg(test)]
mod tests;
