//! Placeholder.
pub mod table;
