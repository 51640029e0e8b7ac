//! Loading and attaching the eBPF programs, and reading what they collected.
//!
//! Two objects: the Rust programs (`sensor-ebpf`) and the C object for inbound TCP
//! (`sensor-ebpf/c/inbound.bpf.c`). Each hook is attached on its own; one the kernel lacks is
//! reported in [`Sensor::hooks`] with the reason, and the others run.

use std::os::fd::{AsFd, AsRawFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use aya::maps::{HashMap, MapData, PerCpuArray, PerCpuHashMap, RingBuf};
use aya::programs::{
    BtfTracePoint, CgroupAttachMode, CgroupSkb, CgroupSkbAttachType, CgroupSockAddr, RawTracePoint,
    TracePoint,
};
use aya::{Btf, Ebpf, EbpfLoader};
use picket_profile::{MissingHook, Stats};
use picket_sensor_common::{
    CapEvent, CapKey, DnsEvent, ExecEvent, ExecKey, FactStats, FileEvent, FileKey, Header,
    NetEvent, NetKey, SYSCALL_MAX, SyscallCounts, SyscallEvent, kind, stat,
};

use crate::tracefs;

/// What the sensor watches; `name()` is how profiles and messages call it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    Exec,
    NetworkEgress,
    NetworkIngress,
    Capabilities,
    Syscalls,
    FileWrites,
    DnsAnswers,
}

impl Hook {
    pub const ALL: [Hook; 7] = [
        Hook::Exec,
        Hook::NetworkEgress,
        Hook::NetworkIngress,
        Hook::Capabilities,
        Hook::Syscalls,
        Hook::FileWrites,
        Hook::DnsAnswers,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Hook::Exec => "exec",
            Hook::NetworkEgress => "network-egress",
            Hook::NetworkIngress => "network-ingress",
            Hook::Capabilities => "capabilities",
            Hook::Syscalls => "syscalls",
            Hook::FileWrites => "file-writes",
            Hook::DnsAnswers => "dns-answers",
        }
    }

    /// The kernel hooks behind it, for the start-up report.
    pub fn detail(self) -> &'static str {
        match self {
            Hook::Exec => "sched:sched_process_exec, argv from syscalls:sys_enter_execve(at)",
            Hook::NetworkEgress => "cgroup connect4/6, sendmsg4/6",
            Hook::NetworkIngress => {
                "TCP: tp_btf/inet_sock_set_state (socket cgroup, CO-RE); UDP: cgroup recvmsg4/6"
            }
            Hook::Capabilities => "capability:cap_capable",
            Hook::Syscalls => "raw_tp/sys_enter",
            Hook::FileWrites => "syscalls:sys_{enter,exit}_{openat,openat2,open,creat}",
            Hook::DnsAnswers => "cgroup_skb ingress (UDP from port 53): names of peers",
        }
    }
}

/// How to load.
#[derive(Clone, Debug)]
pub struct Options {
    /// The cgroup v2 mount.
    pub cgroup_root: PathBuf,
    /// Track every cgroup (but the root and the sensor's own) instead of those passed to
    /// [`Sensor::track`].
    pub track_all: bool,
    /// Ring buffer size in bytes (a power of two, at least a page); 4 MiB by default.
    pub ring_bytes: Option<u32>,
    /// Where the host's `/proc` is: `/proc`, or e.g. `/host/proc` in a container.
    pub proc_root: PathBuf,
}

/// One event from the kernel.
#[derive(Clone)]
pub enum Event {
    Exec(Box<ExecEvent>),
    Net(NetEvent),
    Cap(CapEvent),
    Syscall(SyscallEvent),
    File(Box<FileEvent>),
    Dns(Box<DnsEvent>),
}

impl Event {
    /// Decodes a ring-buffer record; `None` for a kind or size this build does not know.
    pub fn decode(bytes: &[u8]) -> Option<Event> {
        fn read<T: Copy>(bytes: &[u8]) -> Option<T> {
            (bytes.len() >= size_of::<T>()).then(|| {
                #[allow(unsafe_code)]
                // SAFETY: the length is checked; `T` is a plain-data `repr(C)` event type for
                // which any bit pattern is valid; the read is unaligned-safe.
                unsafe {
                    std::ptr::read_unaligned(bytes.as_ptr().cast::<T>())
                }
            })
        }
        let header: Header = read(bytes)?;
        Some(match header.kind {
            kind::EXEC => Event::Exec(Box::new(read(bytes)?)),
            kind::NET => Event::Net(read(bytes)?),
            kind::CAP => Event::Cap(read(bytes)?),
            kind::SYSCALL => Event::Syscall(read(bytes)?),
            kind::FILE => Event::File(Box::new(read(bytes)?)),
            kind::DNS => Event::Dns(Box::new(read(bytes)?)),
            _ => return None,
        })
    }

    pub fn header(&self) -> &Header {
        match self {
            Event::Exec(e) => &e.header,
            Event::Net(e) => &e.header,
            Event::Cap(e) => &e.header,
            Event::Syscall(e) => &e.header,
            Event::File(e) => &e.header,
            Event::Dns(e) => &e.header,
        }
    }
}

/// The facts the kernel aggregated, read from its maps.
#[derive(Default)]
pub struct Snapshot {
    pub execs: Vec<(ExecKey, FactStats)>,
    pub nets: Vec<(NetKey, FactStats)>,
    pub caps: Vec<(CapKey, FactStats)>,
    pub files: Vec<(FileKey, FactStats)>,
    /// Per cgroup, calls per syscall number summed over CPUs.
    pub syscalls: Vec<(u64, Vec<u64>)>,
}

impl Snapshot {
    /// Every cgroup with a fact.
    pub fn cgroups(&self) -> std::collections::BTreeSet<u64> {
        self.execs
            .iter()
            .map(|(k, _)| k.cgroup_id)
            .chain(self.nets.iter().map(|(k, _)| k.cgroup_id))
            .chain(self.caps.iter().map(|(k, _)| k.cgroup_id))
            .chain(self.files.iter().map(|(k, _)| k.cgroup_id))
            .chain(self.syscalls.iter().map(|(c, _)| *c))
            .collect()
    }
}

/// The embedded objects: the Rust programs and the C one.
fn objects() -> anyhow::Result<(&'static [u8], &'static [u8])> {
    #[cfg(feature = "ebpf")]
    {
        Ok((
            aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/picket-sensor-ebpf")),
            aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/inbound.bpf.o")),
        ))
    }
    #[cfg(not(feature = "ebpf"))]
    {
        bail!(
            "this picket-sensor was built without its eBPF programs. Install the eBPF toolchain \
             (runtime-ebpf/scripts/install-ebpf-toolchain.sh), then build with \
             `cargo build --release -p picket-sensor --features ebpf`"
        )
    }
}

/// The maps userspace reads, owned apart from the programs so that they outlive them.
struct Maps {
    stats: Vec<PerCpuArray<MapData, u64>>,
    tracked: Vec<HashMap<MapData, u64, u8>>,
    execs: HashMap<MapData, ExecKey, FactStats>,
    nets: Vec<HashMap<MapData, NetKey, FactStats>>,
    caps: HashMap<MapData, CapKey, FactStats>,
    files: HashMap<MapData, FileKey, FactStats>,
    syscall_counts: PerCpuHashMap<MapData, u64, SyscallCounts>,
}

/// Per-CPU syscall counters are 32 bits wide and wrap; userspace adds up their deltas.
#[derive(Default)]
struct SyscallTotals {
    /// Last value seen per cgroup, CPU-major (`cpu * SYSCALL_MAX + nr`).
    previous: std::collections::HashMap<u64, Vec<u32>>,
    totals: std::collections::HashMap<u64, Vec<u64>>,
}

/// Loaded and attached programs.
pub struct Sensor {
    /// The loaded objects; dropping them detaches and unloads the programs.
    programs: Vec<Ebpf>,
    maps: Maps,
    syscalls: SyscallTotals,
    events: RingBuf<MapData>,
    events_in: Option<RingBuf<MapData>>,
    /// Every hook, attached (`Ok`) or not (`Err(reason)`).
    pub hooks: Vec<(Hook, Result<(), String>)>,
    /// What works only in part (e.g. execs without argv).
    pub warnings: Vec<String>,
}

fn take<T>(ebpf: &mut Ebpf, name: &str) -> anyhow::Result<T>
where
    T: TryFrom<aya::maps::Map, Error = aya::maps::MapError>,
{
    let map = ebpf
        .take_map(name)
        .with_context(|| format!("the object has no map {name}"))?;
    T::try_from(map).with_context(|| format!("map {name}"))
}

impl Sensor {
    /// Checks privileges, loads both objects and attaches every hook the kernel allows.
    pub fn load(options: &Options) -> anyhow::Result<Sensor> {
        let (main_obj, inbound_obj) = objects()?;
        check_privileges()?;
        raise_memlock();
        let root_cgroup = inode(&options.cgroup_root)?;
        let self_cgroup =
            own_cgroup(&options.proc_root, &options.cgroup_root).unwrap_or(root_cgroup);
        let track_all = u8::from(options.track_all);

        let tracefs = tracefs::ensure_mounted();
        let exec_format = tracefs
            .as_ref()
            .map_err(|e| anyhow!("{e:#}"))
            .and_then(|t| tracefs::format(t, "sched", "sched_process_exec"));
        let cap_format = tracefs
            .as_ref()
            .map_err(|e| anyhow!("{e:#}"))
            .and_then(|t| tracefs::format(t, "capability", "cap_capable"));
        let offset = |format: &anyhow::Result<tracefs::Format>, field: &str, default: u32| {
            format
                .as_ref()
                .ok()
                .and_then(|f| f.field(field))
                .map_or(default, |f| f.offset)
        };
        let exec_filename = offset(&exec_format, "filename", 8);
        let exec_old_pid = offset(&exec_format, "old_pid", 16);
        let cap_cap = offset(&cap_format, "cap", 32);
        let cap_ret = offset(&cap_format, "ret", 36);

        let mut loader = EbpfLoader::new();
        loader
            .override_global("TRACK_ALL", &track_all, true)
            .override_global("SELF_CGROUP", &self_cgroup, true)
            .override_global("ROOT_CGROUP", &root_cgroup, true)
            .override_global("EXEC_FILENAME_OFF", &exec_filename, true)
            .override_global("EXEC_OLD_PID_OFF", &exec_old_pid, true)
            .override_global("CAP_CAP_OFF", &cap_cap, true)
            .override_global("CAP_RET_OFF", &cap_ret, true);
        if let Some(bytes) = options.ring_bytes {
            loader.map_max_entries("EVENTS", bytes);
        }
        let mut main = loader
            .load(main_obj)
            .map_err(|e| load_error("the eBPF programs", e))?;

        let mut hooks = Vec::new();
        let mut warnings = Vec::new();
        // exec: the record is required, argv is best effort.
        let exec = (|| -> anyhow::Result<()> {
            let tracefs = tracefs.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            let format = exec_format.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            if format.field("filename").is_none() {
                bail!("sched:sched_process_exec has no `filename` field");
            }
            attach_tracepoint(
                &mut main,
                "sched_process_exec",
                "sched",
                "sched_process_exec",
            )?;
            // Argv is best effort: without it execs are still recorded, flagged incomplete.
            for (name, argv_index) in [("sys_enter_execve", 1), ("sys_enter_execveat", 2)] {
                let attached = tracefs::format(tracefs, "syscalls", name).and_then(|f| {
                    tracefs::check_syscall_arg(&f, "argv", argv_index)
                        .with_context(|| format!("syscalls:{name}"))?;
                    attach_tracepoint(&mut main, name, "syscalls", name)
                });
                if let Err(e) = attached {
                    warnings.push(format!("exec: no argv from {name}: {e:#}"));
                }
            }
            Ok(())
        })();
        hooks.push((Hook::Exec, exec));

        let cgroup = std::fs::File::open(&options.cgroup_root)
            .with_context(|| format!("opening {}", options.cgroup_root.display()));
        let egress = (|| -> anyhow::Result<()> {
            let cgroup = cgroup.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            attach_sock_addr(
                &mut main,
                &["connect4", "connect6", "sendmsg4", "sendmsg6"],
                cgroup,
                &options.cgroup_root,
            )
        })();
        let udp_ingress = cgroup
            .as_ref()
            .map_err(|e| anyhow!("{e:#}"))
            .and_then(|cgroup| {
                attach_sock_addr(
                    &mut main,
                    &["recvmsg4", "recvmsg6"],
                    cgroup,
                    &options.cgroup_root,
                )
            });
        hooks.push((Hook::NetworkEgress, egress));
        let dns = (|| -> anyhow::Result<()> {
            let cgroup = cgroup.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            let prog: &mut CgroupSkb = program(&mut main, "dns_answers")?.try_into()?;
            prog.load().context("loading cgroup_skb dns_answers")?;
            prog.attach(
                cgroup.as_fd(),
                CgroupSkbAttachType::Ingress,
                CgroupAttachMode::Single,
            )
            .with_context(|| {
                format!(
                    "attaching cgroup_skb ingress to {}",
                    options.cgroup_root.display()
                )
            })?;
            Ok(())
        })();
        hooks.push((Hook::DnsAnswers, dns));

        let caps = (|| -> anyhow::Result<()> {
            let format = cap_format
                .as_ref()
                .map_err(|e| anyhow!("{e:#} (it was added in Linux 6.14)"))?;
            if format.field("cap").is_none() || format.field("ret").is_none() {
                bail!("capability:cap_capable lacks the `cap` or `ret` field");
            }
            attach_tracepoint(&mut main, "cap_capable", "capability", "cap_capable")
        })();
        hooks.push((Hook::Capabilities, caps));

        let syscalls = (|| -> anyhow::Result<()> {
            let prog: &mut RawTracePoint = program(&mut main, "sys_enter")?.try_into()?;
            prog.load().context("loading sys_enter")?;
            prog.attach("sys_enter")
                .context("attaching raw_tp/sys_enter")?;
            Ok(())
        })();
        hooks.push((Hook::Syscalls, syscalls));

        let files = (|| -> anyhow::Result<()> {
            let tracefs = tracefs.as_ref().map_err(|e| anyhow!("{e:#}"))?;
            for (name, checks) in [
                ("openat", &[("filename", 1), ("flags", 2)][..]),
                ("openat2", &[("filename", 1), ("how", 2)][..]),
                ("open", &[("filename", 0), ("flags", 1)][..]),
                ("creat", &[("pathname", 0)][..]),
            ] {
                let enter = format!("sys_enter_{name}");
                let exit = format!("sys_exit_{name}");
                let f = match tracefs::format(tracefs, "syscalls", &enter) {
                    Ok(f) => f,
                    // `open` and `creat` do not exist on arm64.
                    Err(_) if matches!(name, "open" | "creat") => continue,
                    Err(e) => return Err(e),
                };
                for (field, index) in checks {
                    tracefs::check_syscall_arg(&f, field, *index)
                        .with_context(|| format!("syscalls:{enter}"))?;
                }
                let exit_format = tracefs::format(tracefs, "syscalls", &exit)?;
                match exit_format.field("ret") {
                    Some(f) if f.offset == 16 => {}
                    _ => bail!("syscalls:{exit}: `ret` is not at offset 16"),
                }
                attach_tracepoint(&mut main, &enter, "syscalls", &enter)?;
                attach_tracepoint(&mut main, &exit, "syscalls", &exit)?;
            }
            Ok(())
        })();
        hooks.push((Hook::FileWrites, files));

        let inbound = (|| -> anyhow::Result<Ebpf> {
            let btf = Btf::from_sys_fs().context(
                "reading the kernel's BTF (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF)",
            )?;
            let mut loader = EbpfLoader::new();
            loader
                .btf(Some(&btf))
                .override_global("TRACK_ALL", &track_all, true)
                .override_global("SELF_CGROUP", &self_cgroup, true)
                .override_global("ROOT_CGROUP", &root_cgroup, true);
            let mut ebpf = loader
                .load(inbound_obj)
                .map_err(|e| load_error("the inbound TCP program", e))?;
            let prog: &mut BtfTracePoint = program(&mut ebpf, "inet_sock_set_state")?.try_into()?;
            prog.load("inet_sock_set_state", &btf)
                .context("loading tp_btf/inet_sock_set_state")?;
            prog.attach()
                .context("attaching tp_btf/inet_sock_set_state")?;
            Ok(ebpf)
        })();
        let (mut inbound, ingress) = match (inbound, udp_ingress) {
            (Ok(ebpf), Ok(())) => (Some(ebpf), Ok(())),
            (Ok(ebpf), Err(e)) => (Some(ebpf), Err(e.context("UDP (TCP is recorded)"))),
            (Err(e), Ok(())) => (None, Err(e.context("TCP (UDP is recorded)"))),
            (Err(tcp), Err(udp)) => (None, Err(anyhow!("TCP: {tcp:#}; UDP: {udp:#}"))),
        };
        hooks.push((Hook::NetworkIngress, ingress));

        let events = take(&mut main, "EVENTS")?;
        let mut maps = Maps {
            stats: vec![take(&mut main, "STATS")?],
            tracked: vec![take(&mut main, "TRACKED")?],
            execs: take(&mut main, "EXECS")?,
            nets: vec![take(&mut main, "NETS")?],
            caps: take(&mut main, "CAPS")?,
            files: take(&mut main, "FILES")?,
            syscall_counts: take(&mut main, "SYSCALL_COUNTS")?,
        };
        let events_in = match inbound.as_mut() {
            Some(ebpf) => {
                maps.stats.push(take(ebpf, "STATS_IN")?);
                maps.tracked.push(take(ebpf, "TRACKED_IN")?);
                maps.nets.push(take(ebpf, "NETS_IN")?);
                Some(take(ebpf, "EVENTS_IN")?)
            }
            None => None,
        };
        let hooks = hooks
            .into_iter()
            .map(|(h, r)| (h, r.map_err(|e| format!("{e:#}"))))
            .collect();
        Ok(Sensor {
            programs: std::iter::once(main).chain(inbound).collect(),
            warnings,
            maps,
            syscalls: SyscallTotals::default(),
            events,
            events_in,
            hooks,
        })
    }

    /// Detaches and unloads every program; the maps and ring buffers stay readable. Called
    /// before the last read, so that nothing arrives after it.
    pub fn stop(&mut self) {
        self.programs.clear();
    }

    /// The hooks that are not attached, with reasons, as profiles list them.
    pub fn missing_hooks(&self) -> Vec<MissingHook> {
        self.hooks
            .iter()
            .filter_map(|(h, r)| {
                r.as_ref().err().map(|e| MissingHook {
                    hook: h.name().into(),
                    reason: e.clone(),
                })
            })
            .collect()
    }

    pub fn active_hooks(&self) -> Vec<String> {
        self.hooks
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(h, _)| h.name().to_string())
            .collect()
    }

    /// Starts watching a cgroup (by id, the inode of its directory).
    pub fn track(&mut self, cgroup_id: u64) -> anyhow::Result<()> {
        for map in &mut self.maps.tracked {
            map.insert(cgroup_id, 1, 0)
                .context("adding a cgroup to the tracked set (at most 4096 cgroups)")?;
        }
        Ok(())
    }

    /// Waits until an event is ready or `timeout` passes (interrupted by signals).
    pub fn wait(&self, timeout: Duration) {
        let mut fds = vec![libc::pollfd {
            fd: self.events.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        if let Some(rb) = &self.events_in {
            fds.push(libc::pollfd {
                fd: rb.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
        }
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        #[allow(unsafe_code)]
        // SAFETY: `fds` is a valid array of `fds.len()` pollfd structs for the whole call.
        unsafe {
            libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms);
        }
    }

    /// Hands pending events to `f` (at most 65,536 per ring, so a flood cannot starve the
    /// caller); returns how many there were. Records this build cannot decode are counted in
    /// `undecodable`.
    pub fn drain(&mut self, mut f: impl FnMut(Event), undecodable: &mut u64) -> usize {
        const BATCH: usize = 65_536;
        let mut n = 0;
        for rb in std::iter::once(&mut self.events).chain(self.events_in.as_mut()) {
            let mut taken = 0;
            while taken < BATCH
                && let Some(item) = rb.next()
            {
                taken += 1;
                n += 1;
                match Event::decode(&item) {
                    Some(e) => f(e),
                    None => *undecodable += 1,
                }
            }
        }
        n
    }

    /// Kernel counters summed over CPUs and objects.
    pub fn stats(&self) -> anyhow::Result<Stats> {
        let mut totals = [0u64; stat::LEN as usize];
        for map in &self.maps.stats {
            for (slot, total) in totals.iter_mut().enumerate() {
                let values = map.get(&(slot as u32), 0)?;
                *total += values.iter().sum::<u64>();
            }
        }
        Ok(Stats {
            events: totals[stat::EVENTS as usize],
            drops: totals[stat::DROPS as usize],
            lost_inserts: totals[stat::LOST_INSERTS as usize],
            read_errors: totals[stat::READ_ERRORS as usize],
        })
    }

    /// Calls per syscall number of every cgroup so far. Call it at least every hour: the
    /// kernel's per-CPU counters are 32 bits wide.
    pub fn syscall_counts(&mut self) -> Vec<(u64, Vec<u64>)> {
        for entry in self.maps.syscall_counts.iter() {
            let Ok((cgroup, per_cpu)) = entry else {
                continue;
            };
            let previous = self.syscalls.previous.entry(cgroup).or_default();
            let totals = self
                .syscalls
                .totals
                .entry(cgroup)
                .or_insert_with(|| vec![0; SYSCALL_MAX]);
            for (cpu, values) in per_cpu.iter().enumerate() {
                let base = cpu * SYSCALL_MAX;
                if previous.len() < base + SYSCALL_MAX {
                    previous.resize(base + SYSCALL_MAX, 0);
                }
                for (nr, &now) in values.counts.iter().enumerate() {
                    let before = &mut previous[base + nr];
                    totals[nr] += u64::from(now.wrapping_sub(*before));
                    *before = now;
                }
            }
        }
        self.syscalls
            .totals
            .iter()
            .map(|(cgroup, counts)| (*cgroup, counts.clone()))
            .collect()
    }

    /// Everything the kernel aggregated so far.
    pub fn snapshot(&mut self) -> anyhow::Result<Snapshot> {
        fn facts<K: aya::Pod>(map: &HashMap<MapData, K, FactStats>) -> Vec<(K, FactStats)> {
            // Entries are never deleted, so listing and reading agree; skip errors rather
            // than stop.
            map.iter().filter_map(Result::ok).collect()
        }
        Ok(Snapshot {
            execs: facts(&self.maps.execs),
            nets: self.maps.nets.iter().flat_map(facts).collect(),
            caps: facts(&self.maps.caps),
            files: facts(&self.maps.files),
            syscalls: self.syscall_counts(),
        })
    }
}

fn program<'a>(ebpf: &'a mut Ebpf, name: &str) -> anyhow::Result<&'a mut aya::programs::Program> {
    ebpf.program_mut(name)
        .ok_or_else(|| anyhow!("the object has no program `{name}`"))
}

/// Loads cgroup socket-address programs and attaches them to the cgroup2 root.
fn attach_sock_addr(
    ebpf: &mut Ebpf,
    names: &[&str],
    cgroup: &std::fs::File,
    root: &Path,
) -> anyhow::Result<()> {
    for &name in names {
        let prog: &mut CgroupSockAddr = program(ebpf, name)?.try_into()?;
        prog.load().with_context(|| format!("loading {name}"))?;
        // `AllowMultiple` fails with EINVAL through aya 0.14's link API (EBPF.md P4); links of
        // other programs on the same cgroup coexist anyway.
        prog.attach(cgroup.as_fd(), CgroupAttachMode::Single)
            .with_context(|| format!("attaching {name} to {}", root.display()))?;
    }
    Ok(())
}

fn attach_tracepoint(
    ebpf: &mut Ebpf,
    prog: &str,
    category: &str,
    name: &str,
) -> anyhow::Result<()> {
    let tp: &mut TracePoint = program(ebpf, prog)?.try_into()?;
    tp.load().with_context(|| format!("loading {prog}"))?;
    tp.attach(category, name)
        .with_context(|| format!("attaching {category}:{name}"))?;
    Ok(())
}

fn load_error(what: &str, e: aya::EbpfError) -> anyhow::Error {
    let text = format!("{e:#}");
    if text.contains("Operation not permitted") || text.contains("EPERM") {
        anyhow!(
            "loading {what}: {text}. picket-sensor needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (or root)"
        )
    } else {
        anyhow!("loading {what}: {text}")
    }
}

/// The capabilities loading needs: CAP_BPF and CAP_PERFMON for the tracing programs,
/// CAP_NET_ADMIN for the cgroup socket hooks (CAP_SYS_ADMIN covers all three on any kernel).
pub fn check_privileges() -> anyhow::Result<()> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let effective = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .context("no CapEff line in /proc/self/status")?;
    missing_privileges(effective)
}

/// The error for an effective capability set lacking what loading needs.
pub fn missing_privileges(effective: u64) -> anyhow::Result<()> {
    const CAP_NET_ADMIN: u32 = 12;
    const CAP_SYS_ADMIN: u32 = 21;
    const CAP_PERFMON: u32 = 38;
    const CAP_BPF: u32 = 39;
    let has = |cap: u32| effective & (1 << cap) != 0;
    if has(CAP_SYS_ADMIN) {
        return Ok(());
    }
    let missing: Vec<&str> = [
        (CAP_BPF, "CAP_BPF"),
        (CAP_PERFMON, "CAP_PERFMON"),
        (CAP_NET_ADMIN, "CAP_NET_ADMIN"),
    ]
    .into_iter()
    .filter(|(c, _)| !has(*c))
    .map(|(_, n)| n)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    bail!(
        "picket-sensor needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN to load its eBPF programs; this process lacks {}. \
         Run it as root (sudo), or grant them: sudo setcap cap_bpf,cap_perfmon,cap_net_admin+ep \"$(command -v picket-sensor)\"",
        missing.join(", ")
    )
}

/// Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK; lift it (best effort).
fn raise_memlock() {
    let limit = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    #[allow(unsafe_code)]
    // SAFETY: `limit` is a valid rlimit for the duration of the call.
    unsafe {
        libc::setrlimit(libc::RLIMIT_MEMLOCK, &limit);
    }
}

fn inode(path: &Path) -> anyhow::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    Ok(std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .ino())
}

/// The cgroup v2 id of this process: the cgroup whose `cgroup.procs` lists it. `/proc/self/cgroup`
/// names it relative to this process's cgroup namespace (`/` in most containers), so that path is
/// checked, and the tree searched when it is wrong.
fn own_cgroup(proc_root: &Path, root: &Path) -> anyhow::Result<u64> {
    let pid = std::process::id().to_string();
    let lists_me = |dir: &Path| {
        std::fs::read_to_string(dir.join("cgroup.procs")).is_ok_and(|t| t.lines().any(|l| l == pid))
    };
    let text = std::fs::read_to_string(proc_root.join("self/cgroup"))?;
    if let Some(path) = text.lines().find_map(|l| l.strip_prefix("0::")) {
        let dir = root.join(path.trim_start_matches('/'));
        if lists_me(&dir) {
            return inode(&dir);
        }
    }
    let mut stack = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        if lists_me(&dir) {
            return inode(&dir);
        }
        if depth >= 32 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push((entry.path(), depth + 1));
            }
        }
    }
    bail!("this process is in no cgroup under {}", root.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_name_what_is_missing() {
        let bpf_perfmon_netadmin = (1 << 39) | (1 << 38) | (1 << 12);
        assert!(missing_privileges(bpf_perfmon_netadmin).is_ok());
        assert!(missing_privileges(1 << 21).is_ok());
        let err = missing_privileges(1 << 39).unwrap_err().to_string();
        assert!(err.contains("lacks CAP_PERFMON, CAP_NET_ADMIN"), "{err}");
        let err = missing_privileges(0).unwrap_err().to_string();
        assert!(
            err.contains("lacks CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN"),
            "{err}"
        );
        assert!(err.contains("setcap"), "{err}");
    }

    #[test]
    fn decodes_events_and_rejects_short_or_unknown_records() {
        let mut bytes = vec![0u8; size_of::<NetEvent>()];
        bytes[..4].copy_from_slice(&kind::NET.to_ne_bytes());
        bytes[8..16].copy_from_slice(&42u64.to_ne_bytes());
        match Event::decode(&bytes) {
            Some(Event::Net(e)) => assert_eq!(e.header.cgroup_id, 42),
            _ => panic!("expected a network event"),
        }
        assert!(Event::decode(&bytes[..40]).is_none());
        bytes[..4].copy_from_slice(&99u32.to_ne_bytes());
        assert!(Event::decode(&bytes).is_none());
        // An exec record needs its full size.
        bytes[..4].copy_from_slice(&kind::EXEC.to_ne_bytes());
        assert!(Event::decode(&bytes).is_none());
    }
}
