//! What Picket's eBPF programs and their loader agree on: map keys and values, ring-buffer events,
//! counter slots and limits.
//!
//! Every type is `#[repr(C)]` with explicit padding, so the kernel side (`sensor-ebpf`, and the C
//! object's `sensor.h`), and userspace see the same bytes. The layout tests at the bottom pin
//! sizes and offsets; `sensor-ebpf/c/sensor.h` asserts the same numbers at compile time.
//!
//! The kernel aggregates: each fact (an executable, a network peer, a capability check, a
//! syscall, a file opened for writing) is a key in a per-kind hash map whose value counts it.
//! Only the first sighting of a key goes through the ring buffer, as an event; later sightings
//! only bump the count. When a map is full the event is sent anyway, flagged
//! [`FLAG_UNAGGREGATED`], and userspace counts it.
#![no_std]

/// Length of `comm` (the kernel's `TASK_COMM_LEN`).
pub const COMM_LEN: usize = 16;
/// Longest path kept, NUL included; longer ones are cut (and flagged).
pub const PATH_LEN: usize = 256;
/// Number of argv entries kept from an exec.
pub const ARGS_MAX: usize = 8;
/// Longest argv entry kept, NUL included.
pub const ARG_LEN: usize = 128;
/// Syscall numbers at or above this are not tracked (x86-64 ends below 512).
pub const SYSCALL_MAX: usize = 512;

/// Event kinds, the first field of every event.
pub mod kind {
    pub const EXEC: u32 = 1;
    pub const NET: u32 = 2;
    pub const CAP: u32 = 3;
    pub const SYSCALL: u32 = 4;
    pub const FILE: u32 = 5;
    pub const DNS: u32 = 6;
}

/// Longest DNS message kept from an answer (the classic UDP limit).
pub const DNS_MAX: usize = 512;

/// Set in [`Header::flags`] when the fact's map was full: the event was not counted in a map,
/// so userspace must count it.
pub const FLAG_UNAGGREGATED: u32 = 1;
/// Set in [`Header::flags`] when a string was cut at its buffer's length.
pub const FLAG_TRUNCATED: u32 = 2;
/// Set on an exec event when its argv could not be read (or was not seen at `execve` entry).
pub const FLAG_NO_ARGV: u32 = 4;

/// Slots of the per-CPU `STATS` array of each object.
pub mod stat {
    /// Events written to the ring buffer.
    pub const EVENTS: u32 = 0;
    /// Events lost because the ring buffer was full.
    pub const DROPS: u32 = 1;
    /// Facts that did not fit in their map (sent unaggregated).
    pub const LOST_INSERTS: u32 = 2;
    /// Kernel or user memory reads that failed.
    pub const READ_ERRORS: u32 = 3;
    /// Number of slots.
    pub const LEN: u32 = 4;
}

/// Network directions in [`NetKey::direction`].
pub mod direction {
    pub const EGRESS: u8 = 0;
    pub const INGRESS: u8 = 1;
}

/// Address families in [`NetKey::family`] (the kernel's `AF_INET`, `AF_INET6`).
pub const AF_INET: u8 = 2;
pub const AF_INET6: u8 = 10;
/// IP protocols in [`NetKey::protocol`].
pub const IPPROTO_TCP: u8 = 6;
pub const IPPROTO_UDP: u8 = 17;

/// How often and when a fact was seen; the value of every fact map.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FactStats {
    pub count: u64,
    /// `bpf_ktime_get_boot_ns` of the first and the latest sighting.
    pub first_ns: u64,
    pub last_ns: u64,
}

/// Common start of every event.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Header {
    /// One of [`kind`].
    pub kind: u32,
    /// `FLAG_*` bits.
    pub flags: u32,
    /// The cgroup v2 id (the inode of the cgroup's directory) the fact belongs to.
    pub cgroup_id: u64,
    /// `bpf_ktime_get_boot_ns`.
    pub ts_ns: u64,
    /// Process (thread-group) id; 0 when the event ran outside process context.
    pub pid: u32,
    /// Real user id; `u32::MAX` outside process context.
    pub uid: u32,
    pub comm: [u8; COMM_LEN],
}

/// Key of the `EXECS` map: a program run in a cgroup by a user.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ExecKey {
    pub cgroup_id: u64,
    pub uid: u32,
    pub _pad: u32,
    /// NUL-terminated, zero-filled (the key is hashed whole).
    pub path: [u8; PATH_LEN],
}

/// The arguments of an exec, read at `execve` entry and kept by thread id until the exec succeeds.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Argv {
    /// Entries read (at most [`ARGS_MAX`]).
    pub argc: u32,
    /// `FLAG_TRUNCATED` when there were more entries or an entry was cut.
    pub flags: u32,
    pub args: [[u8; ARG_LEN]; ARGS_MAX],
}

/// First exec of a program in a cgroup.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ExecEvent {
    pub header: Header,
    pub key: ExecKey,
    pub argv: Argv,
}

/// Key of the `NET` maps: one peer of a cgroup.
///
/// Egress: `addr`:`port` is the destination. Ingress: `addr` is the client, `port` the local
/// port it connected to (the client's ephemeral port is not part of the fact).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NetKey {
    pub cgroup_id: u64,
    /// IPv4 in the first 4 bytes, network order.
    pub addr: [u8; 16],
    /// Host order.
    pub port: u16,
    pub family: u8,
    pub protocol: u8,
    pub direction: u8,
    pub _pad: [u8; 3],
}

/// First sighting of a network peer.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NetEvent {
    pub header: Header,
    pub key: NetKey,
}

/// Key of the `CAPS` map: a capability check in a cgroup and its outcome.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapKey {
    pub cgroup_id: u64,
    pub cap: u32,
    /// 0 granted, 1 denied.
    pub denied: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CapEvent {
    pub header: Header,
    pub key: CapKey,
}

/// Per-CPU syscall counts of one cgroup, the value of `SYSCALL_COUNTS`; indexed by number.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SyscallCounts {
    pub counts: [u32; SYSCALL_MAX],
}

/// First use of a syscall in a cgroup (on any CPU).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SyscallEvent {
    pub header: Header,
    pub nr: u32,
    pub _pad: u32,
}

/// Key of the `FILES` map: a path opened for writing in a cgroup, as the process named it.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct FileKey {
    pub cgroup_id: u64,
    pub path: [u8; PATH_LEN],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct FileEvent {
    pub header: Header,
    pub key: FileKey,
    /// The `open` flags.
    pub flags: u32,
    pub _pad: u32,
}

/// A DNS answer (a UDP datagram from port 53) delivered to a tracked cgroup's socket: its
/// message, for userspace to read the names and addresses from. Not aggregated.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct DnsEvent {
    pub header: Header,
    /// Bytes of `data` that hold the message (the message may be longer).
    pub len: u32,
    pub _pad: u32,
    pub data: [u8; DNS_MAX],
}

/// What `openat` entry leaves for its exit, by thread id.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PendingOpen {
    pub filename: u64,
    pub flags: u32,
    pub _pad: u32,
}

#[cfg(feature = "user")]
mod pod {
    // SAFETY: every type is `repr(C)`, `Copy`, made of integers and byte arrays with explicit
    // padding fields, so any bit pattern is valid.
    #![allow(unsafe_code)]
    use super::*;
    unsafe impl aya::Pod for FactStats {}
    unsafe impl aya::Pod for ExecKey {}
    unsafe impl aya::Pod for Argv {}
    unsafe impl aya::Pod for NetKey {}
    unsafe impl aya::Pod for CapKey {}
    unsafe impl aya::Pod for SyscallCounts {}
    unsafe impl aya::Pod for FileKey {}
}

/// The bytes of `buf` up to its first NUL (all of it when there is none).
pub fn c_str(buf: &[u8]) -> &[u8] {
    match buf.iter().position(|&b| b == 0) {
        Some(end) => &buf[..end],
        None => buf,
    }
}

#[cfg(test)]
mod tests {
    use core::mem::{offset_of, size_of};

    use super::*;

    // The same numbers are asserted by `sensor-ebpf/c/sensor.h` with `_Static_assert`.
    #[test]
    fn header_layout() {
        assert_eq!(size_of::<Header>(), 48);
        assert_eq!(offset_of!(Header, cgroup_id), 8);
        assert_eq!(offset_of!(Header, ts_ns), 16);
        assert_eq!(offset_of!(Header, pid), 24);
        assert_eq!(offset_of!(Header, uid), 28);
        assert_eq!(offset_of!(Header, comm), 32);
    }

    #[test]
    fn net_layout() {
        assert_eq!(size_of::<NetKey>(), 32);
        assert_eq!(offset_of!(NetKey, addr), 8);
        assert_eq!(offset_of!(NetKey, port), 24);
        assert_eq!(offset_of!(NetKey, family), 26);
        assert_eq!(offset_of!(NetKey, protocol), 27);
        assert_eq!(offset_of!(NetKey, direction), 28);
        assert_eq!(size_of::<NetEvent>(), 80);
        assert_eq!(offset_of!(NetEvent, key), 48);
        assert_eq!(size_of::<FactStats>(), 24);
    }

    #[test]
    fn dns_layout() {
        assert_eq!(size_of::<DnsEvent>(), 48 + 8 + DNS_MAX);
        assert_eq!(offset_of!(DnsEvent, len), 48);
        assert_eq!(offset_of!(DnsEvent, data), 56);
    }

    #[test]
    fn other_layouts() {
        assert_eq!(size_of::<ExecKey>(), 16 + PATH_LEN);
        assert_eq!(size_of::<Argv>(), 8 + ARGS_MAX * ARG_LEN);
        assert_eq!(
            size_of::<ExecEvent>(),
            48 + 16 + PATH_LEN + 8 + ARGS_MAX * ARG_LEN
        );
        assert_eq!(size_of::<CapKey>(), 16);
        assert_eq!(size_of::<CapEvent>(), 64);
        assert_eq!(size_of::<SyscallEvent>(), 56);
        assert_eq!(size_of::<SyscallCounts>(), 4 * SYSCALL_MAX);
        assert_eq!(size_of::<FileKey>(), 8 + PATH_LEN);
        assert_eq!(size_of::<FileEvent>(), 48 + 8 + PATH_LEN + 8);
        assert_eq!(size_of::<PendingOpen>(), 16);
    }

    #[test]
    fn c_str_stops_at_nul() {
        assert_eq!(c_str(b"ab\0cd"), b"ab");
        assert_eq!(c_str(b"abc"), b"abc");
        assert_eq!(c_str(b"\0"), b"");
    }
}
