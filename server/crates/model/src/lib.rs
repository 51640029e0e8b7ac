//! Typed views of Kubernetes objects over Picket's YAML trees.
//!
//! Architecture Invariant: views are computed from the syntax tree on demand and never stored
//! back into it. Every getter returns an `Option`, because YAML being edited is incomplete,
//! and every value carries its range.
//!
//! Architecture Invariant: this is the one place that knows where each workload kind keeps
//! its pod template ([`Object::pod_spec`]); rules and the rest never spell
//! `spec.jobTemplate.spec.template.spec` themselves.

mod json;
pub mod kinds;
mod object;
pub mod view;

pub use json::to_json;
pub use kinds::*;
pub use object::{
    DocumentClass, GroupVersionKind, Object, WorkloadKind, classify, is_template,
    is_template_document,
};
pub use view::{Field, StrMap, View};

#[cfg(test)]
mod tests;
