//! Picket's eBPF programs, except the one that reads kernel structs (`c/inbound.bpf.c`).
//!
//! Every program starts the same way: the current task's cgroup v2 id, and out if that cgroup
//! is not tracked. That check is the whole cost paid by the rest of the node. Then the fact is
//! counted in its map ([`record`]); only a fact seen for the first time goes to the ring buffer.
//!
//! Layouts of tracepoint records come from tracefs at load time (`*_OFF` globals), so a kernel
//! that moves a field does not break the programs.
#![no_std]
#![no_main]
#![allow(internal_features)]
#![feature(core_intrinsics)]
// Map values go to map helpers by reference: by value they would be copied to the 512-byte stack.
#![allow(clippy::needless_borrows_for_generic_args)]

use core::intrinsics::{AtomicOrdering, atomic_or, atomic_xadd};

use aya_ebpf::{
    EbpfContext,
    bindings::{BPF_F_NO_PREALLOC, BPF_NOEXIST},
    helpers::{
        bpf_get_current_cgroup_id, bpf_get_current_comm, bpf_get_current_pid_tgid,
        bpf_get_current_uid_gid, bpf_ktime_get_boot_ns, bpf_probe_read_kernel_buf,
        bpf_probe_read_kernel_str_bytes, bpf_probe_read_user, bpf_probe_read_user_str_bytes,
        bpf_skb_cgroup_id, bpf_skb_load_bytes,
    },
    macros::{cgroup_skb, cgroup_sock_addr, map, raw_tracepoint, tracepoint},
    maps::{Array, HashMap, LruHashMap, PerCpuArray, PerCpuHashMap, RingBuf},
    programs::{RawTracePointContext, SkBuffContext, SockAddrContext, TracePointContext},
};
use picket_sensor_common::{
    AF_INET, AF_INET6, ARG_LEN, ARGS_MAX, Argv, CapEvent, CapKey, DNS_MAX, DnsEvent, ExecEvent,
    ExecKey, FLAG_NO_ARGV, FLAG_TRUNCATED, FLAG_UNAGGREGATED, FactStats, FileEvent, FileKey,
    Header, IPPROTO_TCP, IPPROTO_UDP, NetEvent, NetKey, PATH_LEN, PendingOpen, SYSCALL_MAX,
    SyscallCounts, SyscallEvent, direction, kind, stat,
};

// Set by the loader.
/// Track every cgroup but the sensor's own and the root, instead of those in `TRACKED`.
#[unsafe(no_mangle)]
static TRACK_ALL: u8 = 0;
#[unsafe(no_mangle)]
static SELF_CGROUP: u64 = 0;
#[unsafe(no_mangle)]
static ROOT_CGROUP: u64 = 0;
/// `sched:sched_process_exec`: `__data_loc char[] filename` and `pid_t old_pid`.
#[unsafe(no_mangle)]
static EXEC_FILENAME_OFF: u32 = 8;
#[unsafe(no_mangle)]
static EXEC_OLD_PID_OFF: u32 = 16;
/// `capability:cap_capable`: `int cap` and `int ret`.
#[unsafe(no_mangle)]
static CAP_CAP_OFF: u32 = 32;
#[unsafe(no_mangle)]
static CAP_RET_OFF: u32 = 36;

/// Reads a loader-set global; volatile, or the compiler would fold the default in.
#[inline(always)]
fn global<T: Copy>(v: &T) -> T {
    unsafe { core::ptr::read_volatile(v) }
}

#[map]
static EVENTS: RingBuf = RingBuf::with_byte_size(1 << 22, 0);
#[map]
static STATS: PerCpuArray<u64> = PerCpuArray::with_max_entries(stat::LEN, 0);
#[map]
static TRACKED: HashMap<u64, u8> = HashMap::with_max_entries(4096, 0);

// Fact maps allocate entries as they fill (BPF_F_NO_PREALLOC): their memory follows the facts
// seen, not their capacity (preallocated, these would hold tens of MiB on every node, and the
// per-CPU syscall counts 2 KiB × CPUs × entries).
const GROW: u32 = BPF_F_NO_PREALLOC;

#[map]
static EXECS: HashMap<ExecKey, FactStats> = HashMap::with_max_entries(16384, GROW);
#[map]
static NETS: HashMap<NetKey, FactStats> = HashMap::with_max_entries(65536, GROW);
#[map]
static CAPS: HashMap<CapKey, FactStats> = HashMap::with_max_entries(16384, GROW);
#[map]
static FILES: HashMap<FileKey, FactStats> = HashMap::with_max_entries(65536, GROW);
#[map]
static SYSCALL_COUNTS: PerCpuHashMap<u64, SyscallCounts> =
    PerCpuHashMap::with_max_entries(4096, GROW);
#[map]
static SYSCALL_SEEN: HashMap<u64, [u64; SYSCALL_MAX / 64]> = HashMap::with_max_entries(16384, GROW);

/// Argv read at `execve` entry, by thread id, until `sched_process_exec` takes it.
#[map]
static ARGV: LruHashMap<u32, Argv> = LruHashMap::with_max_entries(1024, 0);
/// `open*` entries waiting for their exit, by thread id.
#[map]
static PENDING_OPENS: LruHashMap<u32, PendingOpen> = LruHashMap::with_max_entries(8192, 0);

// Per-CPU scratch space: these are too big for the 512-byte stack.
#[map]
static SCRATCH_EXEC: PerCpuArray<ExecKey> = PerCpuArray::with_max_entries(1, 0);
#[map]
static SCRATCH_ARGV: PerCpuArray<Argv> = PerCpuArray::with_max_entries(1, 0);
#[map]
static SCRATCH_FILE: PerCpuArray<FileKey> = PerCpuArray::with_max_entries(1, 0);
/// Never written: a source of zeros to clear scratch keys and create map entries from.
#[map]
static ZEROS: Array<SyscallCounts> = Array::with_max_entries(1, 0);

#[inline(always)]
fn count(slot: u32) {
    if let Some(p) = STATS.get_ptr_mut(slot) {
        // Atomic even though per CPU: cgroup socket programs can be preempted on their CPU.
        unsafe { atomic_xadd::<u64, u64, { AtomicOrdering::Relaxed }>(p, 1) };
    }
}

#[inline(always)]
fn tracked(cgroup: u64) -> bool {
    if global(&TRACK_ALL) != 0 {
        return cgroup != global(&SELF_CGROUP) && cgroup != global(&ROOT_CGROUP);
    }
    unsafe { TRACKED.get(cgroup) }.is_some()
}

/// The current task's cgroup when it is tracked.
#[inline(always)]
fn current_tracked_cgroup() -> Option<u64> {
    let cgroup = unsafe { bpf_get_current_cgroup_id() };
    tracked(cgroup).then_some(cgroup)
}

#[inline(always)]
fn now() -> u64 {
    unsafe { bpf_ktime_get_boot_ns() }
}

#[inline(always)]
fn header(kind: u32, flags: u32, cgroup_id: u64, ts_ns: u64) -> Header {
    Header {
        kind,
        flags,
        cgroup_id,
        ts_ns,
        pid: (bpf_get_current_pid_tgid() >> 32) as u32,
        uid: bpf_get_current_uid_gid() as u32,
        comm: bpf_get_current_comm().unwrap_or([0; 16]),
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Fact {
    /// Seen before: only its count moved.
    Known,
    /// First sighting: send an event.
    New,
    /// The map is full: send an event flagged for userspace to count.
    Unaggregated,
}

impl Fact {
    fn flags(self) -> u32 {
        if self == Fact::Unaggregated {
            FLAG_UNAGGREGATED
        } else {
            0
        }
    }
}

/// Counts one sighting of `key` in `map`.
#[inline(always)]
fn record<K>(map: &HashMap<K, FactStats>, key: &K, now: u64) -> Fact {
    if let Some(v) = map.get_ptr_mut(key) {
        bump(v, now);
        return Fact::Known;
    }
    let fresh = FactStats {
        count: 1,
        first_ns: now,
        last_ns: now,
    };
    if map.insert(key, fresh, BPF_NOEXIST as u64).is_ok() {
        return Fact::New;
    }
    // Another CPU inserted it first, or the map is full.
    if let Some(v) = map.get_ptr_mut(key) {
        bump(v, now);
        return Fact::Known;
    }
    count(stat::LOST_INSERTS);
    Fact::Unaggregated
}

#[inline(always)]
fn bump(v: *mut FactStats, now: u64) {
    unsafe {
        atomic_xadd::<u64, u64, { AtomicOrdering::Relaxed }>(&raw mut (*v).count, 1);
        (*v).last_ns = now;
    }
}

/// Sends a small event (one that fits on the stack) to userspace, counting it or its drop.
#[inline(always)]
fn emit<T: 'static>(event: T) {
    match EVENTS.reserve::<T>(0) {
        Some(mut entry) => {
            entry.write(event);
            entry.submit(0);
            count(stat::EVENTS);
        }
        None => count(stat::DROPS),
    }
}

/// Overwrites `dst` with zeros from the `ZEROS` map (a helper call, not 256 stores).
#[inline(always)]
fn zero(dst: &mut [u8]) {
    if let Some(z) = ZEROS.get_ptr(0) {
        let _ = unsafe { bpf_probe_read_kernel_buf(z.cast::<u8>(), dst) };
    }
}

// ---- exec ----------------------------------------------------------------------------------

#[tracepoint(category = "syscalls", name = "sys_enter_execve")]
pub fn sys_enter_execve(ctx: TracePointContext) -> u32 {
    stash_argv(&ctx, 24);
    0
}

#[tracepoint(category = "syscalls", name = "sys_enter_execveat")]
pub fn sys_enter_execveat(ctx: TracePointContext) -> u32 {
    stash_argv(&ctx, 32);
    0
}

/// Reads the argv of an `execve` about to happen, keyed by thread id.
#[inline(always)]
fn stash_argv(ctx: &TracePointContext, argv_off: usize) -> Option<()> {
    current_tracked_cgroup()?;
    let argv: u64 = unsafe { ctx.read_at(argv_off) }.ok()?;
    let a = SCRATCH_ARGV.get_ptr_mut(0)?;
    let a = unsafe { &mut *a };
    a.argc = 0;
    a.flags = 0;
    let mut i = 0;
    while i < ARGS_MAX {
        let p: u64 =
            unsafe { bpf_probe_read_user((argv as *const u64).wrapping_add(i)) }.unwrap_or(0);
        if p == 0 {
            break;
        }
        match unsafe { bpf_probe_read_user_str_bytes(p as *const u8, &mut a.args[i]) } {
            Ok(s) if s.len() >= ARG_LEN - 1 => a.flags |= FLAG_TRUNCATED,
            Ok(_) => {}
            Err(_) => {
                a.args[i][0] = 0;
                a.flags |= FLAG_TRUNCATED;
                count(stat::READ_ERRORS);
            }
        }
        i += 1;
        a.argc = i as u32;
    }
    if i == ARGS_MAX {
        let more: u64 =
            unsafe { bpf_probe_read_user((argv as *const u64).wrapping_add(i)) }.unwrap_or(0);
        if more != 0 {
            a.flags |= FLAG_TRUNCATED;
        }
    }
    let tid = bpf_get_current_pid_tgid() as u32;
    ARGV.insert(tid, &*a, 0).ok()
}

#[tracepoint(category = "sched", name = "sched_process_exec")]
pub fn sched_process_exec(ctx: TracePointContext) -> u32 {
    let _ = exec(&ctx);
    0
}

#[inline(always)]
fn exec(ctx: &TracePointContext) -> Option<()> {
    let cgroup = current_tracked_cgroup()?;
    let ts = now();
    let key = SCRATCH_EXEC.get_ptr_mut(0)?;
    let key = unsafe { &mut *key };
    zero(&mut key.path);
    key.cgroup_id = cgroup;
    key.uid = bpf_get_current_uid_gid() as u32;
    key._pad = 0;
    let mut flags = 0;
    let loc: u32 = unsafe { ctx.read_at(global(&EXEC_FILENAME_OFF) as usize) }.ok()?;
    let src = unsafe { (ctx.as_ptr() as *const u8).add((loc & 0xffff) as usize) };
    match unsafe { bpf_probe_read_kernel_str_bytes(src, &mut key.path) } {
        Ok(s) if s.len() >= PATH_LEN - 1 => flags |= FLAG_TRUNCATED,
        Ok(_) => {}
        Err(_) => count(stat::READ_ERRORS),
    }
    // The stash is keyed by the thread that called execve, which `old_pid` names.
    let old_pid: i32 = unsafe { ctx.read_at(global(&EXEC_OLD_PID_OFF) as usize) }.unwrap_or(0);
    let old_tid = old_pid as u32;
    let fact = record(&EXECS, key, ts);
    if fact != Fact::Known {
        emit_exec(key, old_tid, flags | fact.flags(), ts);
    }
    let _ = ARGV.remove(old_tid);
    Some(())
}

#[inline(always)]
fn emit_exec(key: &ExecKey, tid: u32, mut flags: u32, ts: u64) {
    let Some(mut entry) = EVENTS.reserve::<ExecEvent>(0) else {
        count(stat::DROPS);
        return;
    };
    let ev = entry.as_mut_ptr();
    unsafe {
        let key_bytes = core::slice::from_raw_parts_mut(
            (&raw mut (*ev).key).cast::<u8>(),
            core::mem::size_of::<ExecKey>(),
        );
        let _ = bpf_probe_read_kernel_buf((key as *const ExecKey).cast(), key_bytes);
        let argv_bytes = core::slice::from_raw_parts_mut(
            (&raw mut (*ev).argv).cast::<u8>(),
            core::mem::size_of::<Argv>(),
        );
        match ARGV.get_ptr(tid) {
            Some(a) => {
                let _ = bpf_probe_read_kernel_buf(a.cast(), argv_bytes);
            }
            None => {
                (*ev).argv.argc = 0;
                (*ev).argv.flags = 0;
                flags |= FLAG_NO_ARGV;
            }
        }
        (*ev).header = header(kind::EXEC, flags, key.cgroup_id, ts);
    }
    entry.submit(0);
    count(stat::EVENTS);
}

// ---- network -------------------------------------------------------------------------------

#[cgroup_sock_addr(connect4)]
pub fn connect4(ctx: SockAddrContext) -> i32 {
    sock_addr(&ctx, AF_INET, direction::EGRESS);
    1
}

#[cgroup_sock_addr(connect6)]
pub fn connect6(ctx: SockAddrContext) -> i32 {
    sock_addr(&ctx, AF_INET6, direction::EGRESS);
    1
}

#[cgroup_sock_addr(sendmsg4)]
pub fn sendmsg4(ctx: SockAddrContext) -> i32 {
    sock_addr(&ctx, AF_INET, direction::EGRESS);
    1
}

#[cgroup_sock_addr(sendmsg6)]
pub fn sendmsg6(ctx: SockAddrContext) -> i32 {
    sock_addr(&ctx, AF_INET6, direction::EGRESS);
    1
}

/// Datagrams an unconnected UDP socket receives: inbound UDP, in the receiver's process.
#[cgroup_sock_addr(recvmsg4)]
pub fn recvmsg4(ctx: SockAddrContext) -> i32 {
    sock_addr(&ctx, AF_INET, direction::INGRESS);
    1
}

#[cgroup_sock_addr(recvmsg6)]
pub fn recvmsg6(ctx: SockAddrContext) -> i32 {
    sock_addr(&ctx, AF_INET6, direction::INGRESS);
    1
}

/// One UDP exchange as both ends' ports name it, for telling replies from new flows.
#[repr(C)]
#[derive(Clone, Copy)]
struct UdpFlow {
    cgroup_id: u64,
    addr: [u8; 16],
    remote_port: u16,
    local_port: u16,
    family: u8,
    _pad: [u8; 3],
}

/// Datagrams sent (`sendmsg`) and received (`recvmsg` with the sender's address), by
/// exchange: what a reply answers. LRU: an old exchange may be forgotten, and its next reply
/// is then recorded as a peer of its own.
#[map]
static UDP_SENT: LruHashMap<UdpFlow, u8> = LruHashMap::with_max_entries(16384, 0);
#[map]
static UDP_RECEIVED: LruHashMap<UdpFlow, u8> = LruHashMap::with_max_entries(16384, 0);

/// Whether a UDP datagram is a reply, part of a flow already recorded from its other end: a
/// datagram received from the peer the socket is connected to, or from an address and port
/// this socket's local port sent to (a DNS answer); a datagram sent to an address and port
/// from which this local port received one (a server answering). Matched on both ports, so
/// that peers using the same port at both ends (gossip) are still seen both ways. Also notes
/// the datagram for the replies to come.
#[inline(always)]
fn udp_reply(
    sa: *mut aya_ebpf::bindings::bpf_sock_addr,
    cgroup: u64,
    addr: [u8; 16],
    user_port: u32,
    family: u8,
    dir: u8,
) -> bool {
    let sk = unsafe { (*sa).__bindgen_anon_1.sk };
    if sk.is_null() {
        return false;
    }
    let remote_port = u16::from_be(user_port as u16);
    let flow = UdpFlow {
        cgroup_id: cgroup,
        addr,
        remote_port,
        local_port: unsafe { (*sk).src_port as u16 },
        family,
        _pad: [0; 3],
    };
    if dir == direction::INGRESS {
        let connected_to_it = unsafe {
            u16::from_be((*sk).dst_port) == remote_port
                && if family == AF_INET {
                    (*sk).dst_ip4 == (*sa).user_ip4
                } else {
                    (*sk).dst_ip6 == (*sa).user_ip6
                }
        };
        if connected_to_it || unsafe { UDP_SENT.get(&flow) }.is_some() {
            return true;
        }
        let _ = UDP_RECEIVED.insert(&flow, &1, 0);
    } else {
        // Before the first datagram of an unbound socket there is no local port yet.
        if flow.local_port == 0 {
            return false;
        }
        if unsafe { UDP_RECEIVED.get(&flow) }.is_some() {
            return true;
        }
        let _ = UDP_SENT.insert(&flow, &1, 0);
    }
    false
}

/// Records the address a process connects or sends to (egress), or the source of a datagram
/// it receives with the local port it arrived at (ingress). Always allows the call.
#[inline(always)]
fn sock_addr(ctx: &SockAddrContext, family: u8, dir: u8) -> Option<()> {
    let cgroup = current_tracked_cgroup()?;
    let sa = ctx.sock_addr;
    let (protocol, sock_type, port) = unsafe { ((*sa).protocol, (*sa).type_, (*sa).user_port) };
    let protocol = match protocol {
        6 => IPPROTO_TCP,
        17 => IPPROTO_UDP,
        // Protocol 0 means the default for the socket type.
        0 if sock_type == 1 => IPPROTO_TCP,
        0 if sock_type == 2 => IPPROTO_UDP,
        _ => return None,
    };
    let mut addr = [0u8; 16];
    if family == AF_INET {
        let ip = unsafe { (*sa).user_ip4 };
        addr[..4].copy_from_slice(&ip.to_ne_bytes());
    } else {
        let ip = unsafe { (*sa).user_ip6 };
        addr[..4].copy_from_slice(&ip[0].to_ne_bytes());
        addr[4..8].copy_from_slice(&ip[1].to_ne_bytes());
        addr[8..12].copy_from_slice(&ip[2].to_ne_bytes());
        addr[12..].copy_from_slice(&ip[3].to_ne_bytes());
    }
    if protocol == IPPROTO_UDP && udp_reply(sa, cgroup, addr, port, family, dir) {
        return None;
    }
    let port = if dir == direction::INGRESS {
        // The local port: the socket's, in host order.
        let sk = unsafe { (*sa).__bindgen_anon_1.sk };
        if sk.is_null() {
            return None;
        }
        unsafe { (*sk).src_port as u16 }
    } else {
        u16::from_be(port as u16)
    };
    let key = NetKey {
        cgroup_id: cgroup,
        addr,
        port,
        family,
        protocol,
        direction: dir,
        _pad: [0; 3],
    };
    let ts = now();
    let fact = record(&NETS, &key, ts);
    if fact != Fact::Known {
        emit(NetEvent {
            header: header(kind::NET, fact.flags(), cgroup, ts),
            key,
        });
    }
    Some(())
}

// ---- DNS answers ---------------------------------------------------------------------------

/// DNS answers delivered to a tracked cgroup's sockets: UDP datagrams from port 53, whose
/// message goes to userspace, which reads the names the workload resolved for its peers.
/// `skb` data starts at the IP header here. Always lets the packet through.
#[cgroup_skb]
pub fn dns_answers(ctx: SkBuffContext) -> i32 {
    let _ = dns_answer(&ctx);
    1
}

#[inline(always)]
fn dns_answer(ctx: &SkBuffContext) -> Option<()> {
    // The cgroup of the socket the packet is delivered to.
    let cgroup = unsafe { bpf_skb_cgroup_id(ctx.skb.skb) };
    if !tracked(cgroup) {
        return None;
    }
    let udp = match u16::from_be(ctx.skb.protocol() as u16) {
        0x0800 => {
            let version_ihl: u8 = ctx.load(0).ok()?;
            let protocol: u8 = ctx.load(9).ok()?;
            if version_ihl >> 4 != 4 || protocol != IPPROTO_UDP {
                return None;
            }
            usize::from(version_ihl & 0x0f) * 4
        }
        // Extension headers before UDP are rare for DNS and not followed.
        0x86dd => {
            let next: u8 = ctx.load(6).ok()?;
            if next != IPPROTO_UDP {
                return None;
            }
            40
        }
        _ => return None,
    };
    let source_port: u16 = ctx.load(udp).ok()?;
    if u16::from_be(source_port) != 53 {
        return None;
    }
    let offset = udp + 8;
    let available = (ctx.len() as usize).checked_sub(offset)?;
    let len = available.min(DNS_MAX) as u32;
    // DNS headers are 12 bytes; shorter is not an answer. The mask shows the verifier a bound.
    if len < 12 {
        return None;
    }
    let len = len & (DNS_MAX as u32 * 2 - 1);
    if len > DNS_MAX as u32 {
        return None;
    }
    let Some(mut entry) = EVENTS.reserve::<DnsEvent>(0) else {
        count(stat::DROPS);
        return None;
    };
    let event = entry.as_mut_ptr();
    let read = unsafe {
        (*event).header = Header {
            kind: kind::DNS,
            flags: 0,
            cgroup_id: cgroup,
            ts_ns: now(),
            // Delivered in softirq context: no process to name.
            pid: 0,
            uid: u32::MAX,
            comm: [0; 16],
        };
        (*event).len = len;
        (*event)._pad = 0;
        bpf_skb_load_bytes(
            ctx.skb.skb as *const _,
            offset as u32,
            (*event).data.as_mut_ptr().cast(),
            len,
        )
    };
    if read != 0 {
        entry.discard(0);
        count(stat::READ_ERRORS);
        return None;
    }
    entry.submit(0);
    count(stat::EVENTS);
    Some(())
}

// ---- capabilities --------------------------------------------------------------------------

#[tracepoint(category = "capability", name = "cap_capable")]
pub fn cap_capable(ctx: TracePointContext) -> u32 {
    let _ = capability(&ctx);
    0
}

#[inline(always)]
fn capability(ctx: &TracePointContext) -> Option<()> {
    let cgroup = current_tracked_cgroup()?;
    let cap: i32 = unsafe { ctx.read_at(global(&CAP_CAP_OFF) as usize) }.ok()?;
    let ret: i32 = unsafe { ctx.read_at(global(&CAP_RET_OFF) as usize) }.ok()?;
    let key = CapKey {
        cgroup_id: cgroup,
        cap: cap as u32,
        denied: (ret != 0) as u32,
    };
    let ts = now();
    let fact = record(&CAPS, &key, ts);
    if fact != Fact::Known {
        emit(CapEvent {
            header: header(kind::CAP, fact.flags(), cgroup, ts),
            key,
        });
    }
    Some(())
}

// ---- syscalls ------------------------------------------------------------------------------

/// Runs on every syscall of the node: the tracked check comes first, then one per-CPU lookup
/// and an increment. Only a syscall new to this CPU looks at the shared bitmap.
#[raw_tracepoint(tracepoint = "sys_enter")]
pub fn sys_enter(ctx: RawTracePointContext) -> i32 {
    let _ = syscall(&ctx);
    0
}

#[inline(always)]
fn syscall(ctx: &RawTracePointContext) -> Option<()> {
    let cgroup = current_tracked_cgroup()?;
    let id: i64 = ctx.arg(1);
    if !(0..SYSCALL_MAX as i64).contains(&id) {
        return None;
    }
    let nr = id as usize;
    let counts = match SYSCALL_COUNTS.get_ptr_mut(cgroup) {
        Some(c) => Some(c),
        None => {
            let zeros = ZEROS.get_ptr(0)?;
            let _ = SYSCALL_COUNTS.insert(cgroup, unsafe { &*zeros }, BPF_NOEXIST as u64);
            SYSCALL_COUNTS.get_ptr_mut(cgroup)
        }
    };
    let mut flags = 0;
    match counts {
        Some(counts) => {
            let seen_here = unsafe {
                let c = &mut (*counts).counts[nr];
                let before = *c;
                *c = before.wrapping_add(1);
                before != 0
            };
            if seen_here {
                return Some(());
            }
        }
        None => {
            // The counts map is full: the first use of each syscall still reaches userspace
            // through the (larger) bitmap map, without a count.
            count(stat::LOST_INSERTS);
            flags = FLAG_UNAGGREGATED;
        }
    }
    let word = nr / 64;
    let bit = 1u64 << (nr % 64);
    let seen = match SYSCALL_SEEN.get_ptr_mut(cgroup) {
        Some(s) => s,
        None => {
            let _ = SYSCALL_SEEN.insert(cgroup, [0u64; SYSCALL_MAX / 64], BPF_NOEXIST as u64);
            SYSCALL_SEEN.get_ptr_mut(cgroup)?
        }
    };
    unsafe {
        let w = &raw mut (*seen)[word];
        if *w & bit != 0 {
            return Some(());
        }
        atomic_or::<u64, u64, { AtomicOrdering::Relaxed }>(w, bit);
    }
    let ts = now();
    emit(SyscallEvent {
        header: header(kind::SYSCALL, flags, cgroup, ts),
        nr: nr as u32,
        _pad: 0,
    });
    Some(())
}

// ---- files opened for writing --------------------------------------------------------------

const O_WRONLY: u32 = 0o1;
const O_RDWR: u32 = 0o2;
const O_CREAT: u32 = 0o100;
const O_TRUNC: u32 = 0o1000;
const O_APPEND: u32 = 0o2000;
const WRITE_FLAGS: u32 = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;

// Arguments of `syscalls:sys_enter_*` records sit at 16 + 8 × index; the loader checks that
// against tracefs before attaching these.
#[tracepoint(category = "syscalls", name = "sys_enter_openat")]
pub fn sys_enter_openat(ctx: TracePointContext) -> u32 {
    let flags: u64 = unsafe { ctx.read_at(32) }.unwrap_or(0);
    open_enter(&ctx, 24, flags as u32);
    0
}

#[tracepoint(category = "syscalls", name = "sys_enter_open")]
pub fn sys_enter_open(ctx: TracePointContext) -> u32 {
    let flags: u64 = unsafe { ctx.read_at(24) }.unwrap_or(0);
    open_enter(&ctx, 16, flags as u32);
    0
}

#[tracepoint(category = "syscalls", name = "sys_enter_creat")]
pub fn sys_enter_creat(ctx: TracePointContext) -> u32 {
    open_enter(&ctx, 16, O_CREAT | O_WRONLY | O_TRUNC);
    0
}

#[tracepoint(category = "syscalls", name = "sys_enter_openat2")]
pub fn sys_enter_openat2(ctx: TracePointContext) -> u32 {
    // `struct open_how` starts with `__u64 flags`.
    let how: u64 = unsafe { ctx.read_at(32) }.unwrap_or(0);
    let flags: u64 = unsafe { bpf_probe_read_user(how as *const u64) }.unwrap_or(0);
    open_enter(&ctx, 24, flags as u32);
    0
}

#[inline(always)]
fn open_enter(ctx: &TracePointContext, filename_off: usize, flags: u32) -> Option<()> {
    if flags & WRITE_FLAGS == 0 {
        return None;
    }
    current_tracked_cgroup()?;
    let filename: u64 = unsafe { ctx.read_at(filename_off) }.ok()?;
    let tid = bpf_get_current_pid_tgid() as u32;
    PENDING_OPENS
        .insert(
            tid,
            PendingOpen {
                filename,
                flags,
                _pad: 0,
            },
            0,
        )
        .ok()
}

#[tracepoint(category = "syscalls", name = "sys_exit_openat")]
pub fn sys_exit_openat(ctx: TracePointContext) -> u32 {
    let _ = open_exit(&ctx);
    0
}

#[tracepoint(category = "syscalls", name = "sys_exit_open")]
pub fn sys_exit_open(ctx: TracePointContext) -> u32 {
    let _ = open_exit(&ctx);
    0
}

#[tracepoint(category = "syscalls", name = "sys_exit_creat")]
pub fn sys_exit_creat(ctx: TracePointContext) -> u32 {
    let _ = open_exit(&ctx);
    0
}

#[tracepoint(category = "syscalls", name = "sys_exit_openat2")]
pub fn sys_exit_openat2(ctx: TracePointContext) -> u32 {
    let _ = open_exit(&ctx);
    0
}

/// The path is read at exit: at entry its page may not be resident yet, and a tracing program
/// cannot fault it in.
#[inline(always)]
fn open_exit(ctx: &TracePointContext) -> Option<()> {
    let cgroup = current_tracked_cgroup()?;
    let tid = bpf_get_current_pid_tgid() as u32;
    let pending = unsafe { *PENDING_OPENS.get(tid)? };
    let _ = PENDING_OPENS.remove(tid);
    let ret: i64 = unsafe { ctx.read_at(16) }.ok()?;
    if ret < 0 {
        return None;
    }
    let key = SCRATCH_FILE.get_ptr_mut(0)?;
    let key = unsafe { &mut *key };
    zero(&mut key.path);
    key.cgroup_id = cgroup;
    let mut flags = 0;
    match unsafe { bpf_probe_read_user_str_bytes(pending.filename as *const u8, &mut key.path) } {
        Ok(s) if s.len() >= PATH_LEN - 1 => flags |= FLAG_TRUNCATED,
        Ok(_) => {}
        Err(_) => {
            count(stat::READ_ERRORS);
            return None;
        }
    }
    let ts = now();
    let fact = record(&FILES, key, ts);
    if fact != Fact::Known {
        let Some(mut entry) = EVENTS.reserve::<FileEvent>(0) else {
            count(stat::DROPS);
            return None;
        };
        let ev = entry.as_mut_ptr();
        unsafe {
            let key_bytes = core::slice::from_raw_parts_mut(
                (&raw mut (*ev).key).cast::<u8>(),
                core::mem::size_of::<FileKey>(),
            );
            let _ = bpf_probe_read_kernel_buf((key as *const FileKey).cast(), key_bytes);
            (*ev).flags = pending.flags;
            (*ev)._pad = 0;
            (*ev).header = header(kind::FILE, flags | fact.flags(), cgroup, ts);
        }
        entry.submit(0);
        count(stat::EVENTS);
    }
    Some(())
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 13] = *b"Dual MIT/GPL\0";
