//! Picket's runtime sensor: loads the eBPF programs, attributes what they see to containers and
//! writes behaviour profiles (`picket_profile::Profile`).
//!
//! - [`attribution`]: cgroup id → cgroup path → container → pod and workload;
//! - [`tracefs`]: tracepoint record layouts, read from tracefs at start-up;
//! - [`names`]: capability and syscall names;
//! - [`sensor`]: loading, attaching, reading the kernel side;
//! - [`collect`]: events and map snapshots → profiles;
//! - [`record`]: the `record` command;
//! - [`bench`]: the sensor's overhead, measured;
//! - [`workload`]: a workload with known behaviour, for tests and benchmarks.

pub mod attribution;
pub mod bench;
pub mod collect;
pub mod dns;
pub mod names;
pub mod record;
pub mod sensor;
pub mod tracefs;
pub mod workload;
