//! Picket's runtime sensor: loads the eBPF programs, attributes what they see to containers and
//! writes behaviour profiles (`picket_profile::Profile`).
//!
//! - [`attribution`]: cgroup id → cgroup path → container → pod and workload;
//! - [`tracefs`]: tracepoint record layouts, read from tracefs at start-up;
//! - [`names`]: capability and syscall names.

pub mod attribution;
pub mod names;
pub mod tracefs;
