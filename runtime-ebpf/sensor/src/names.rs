//! Names of capabilities and syscalls.
