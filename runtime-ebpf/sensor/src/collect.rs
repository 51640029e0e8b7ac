//! Turning kernel events and map snapshots into profiles.
//!
//! The kernel's maps are the record of counts and first and last sightings; events add what
//! the maps do not keep (argv, the sighting of a syscall) and the facts that did not fit in a
//! map (flagged unaggregated, counted here).

use std::collections::{BTreeMap, HashMap};

use picket_profile::{
    Capability, Coverage, Direction, Evidence, Executable, FileWrite, NetworkPeer, Profile,
    Protocol, SensorInfo, Subject, Syscall, Window,
};
use picket_sensor_common::{
    AF_INET, ARGS_MAX, FLAG_NO_ARGV, FLAG_TRUNCATED, FLAG_UNAGGREGATED, FactStats, IPPROTO_TCP,
    NetKey, c_str, direction,
};

use crate::names;
use crate::sensor::{Event, Snapshot};

/// Converts the kernel's boot-time clock to wall-clock time.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// Wall-clock minus boot-time, in nanoseconds.
    offset_ns: i128,
}

impl Clock {
    pub fn now() -> Clock {
        let boot = clock_ns(libc::CLOCK_BOOTTIME);
        let real = clock_ns(libc::CLOCK_REALTIME);
        Clock {
            offset_ns: real - boot,
        }
    }

    /// RFC 3339, UTC, millisecond precision (fixed width, so strings sort by time).
    pub fn format_boot(&self, boot_ns: u64) -> String {
        rfc3339(i128::from(boot_ns) + self.offset_ns)
    }

    pub fn boot_now(&self) -> u64 {
        clock_ns(libc::CLOCK_BOOTTIME) as u64
    }
}

fn clock_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    #[allow(unsafe_code)]
    // SAFETY: `ts` is a valid timespec for the call to write into.
    unsafe {
        libc::clock_gettime(clock, &mut ts);
    }
    i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec)
}

/// `2026-12-01T10:00:00.123Z` for nanoseconds since the Unix epoch.
pub fn rfc3339(unix_ns: i128) -> String {
    match jiff::Timestamp::from_nanosecond(unix_ns) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        Err(_) => "1970-01-01T00:00:00.000Z".to_string(),
    }
}

/// Who a cgroup's facts belong to.
#[derive(Clone, Debug, Default)]
pub struct Attribution {
    pub subject: Subject,
    /// The replica id for `coverage.replicas`: the pod UID, or the cgroup path.
    pub replica: String,
    /// Why the profile may miss behaviour (e.g. processes older than the sensor).
    pub partial_reasons: Vec<String>,
    /// Not a workload container (a pod sandbox): write no profile.
    pub skip: bool,
}

impl Attribution {
    /// A cgroup that was gone before it could be named: only its id is known.
    pub fn unnamed(id: u64) -> Attribution {
        Attribution {
            subject: Subject {
                cgroup: Some(format!("cgroup-id:{id}")),
                ..Default::default()
            },
            replica: format!("cgroup-id:{id}"),
            partial_reasons: vec!["the cgroup was gone before it could be named".into()],
            skip: false,
        }
    }
}

/// What is known of a run as a whole.
#[derive(Clone, Debug)]
pub struct Run {
    pub start: String,
    pub end: String,
    pub seconds: u64,
    pub node: String,
    pub sensor: SensorInfo,
}

#[derive(Clone, Debug, Default)]
struct ExecSeen {
    argv: Vec<String>,
    argv_incomplete: bool,
    first_ns: u64,
    /// Sightings the kernel could not count in its map.
    unaggregated: FactStats,
}

/// Facts of one cgroup known from events only.
#[derive(Default)]
struct FromEvents {
    execs: HashMap<(u32, Vec<u8>), ExecSeen>,
    nets: HashMap<NetKey, FactStats>,
    caps: HashMap<(u32, u32), FactStats>,
    files: HashMap<Vec<u8>, FactStats>,
    /// Syscall number → first sighting.
    syscall_first: BTreeMap<u32, u64>,
    /// Syscalls of a cgroup the counts map had no room for: seen, count unknown (at least 1).
    syscall_uncounted: BTreeMap<u32, FactStats>,
    /// Names the cgroup's DNS answers gave each address.
    dns_names: BTreeMap<std::net::IpAddr, std::collections::BTreeSet<String>>,
}

/// At most this many addresses with names, and names per address, are kept per cgroup: a
/// workload that resolves without end (a crawler) must not grow the sensor without end.
const DNS_ADDRESSES_MAX: usize = 4096;
const DNS_NAMES_PER_ADDRESS_MAX: usize = 16;

/// Syscall counts between snapshots, to date the last call.
#[derive(Default)]
struct SyscallTrack {
    counts: Vec<u64>,
    last_change_ns: Vec<u64>,
}

/// Collects everything of a run.
#[derive(Default)]
pub struct Collector {
    cgroups: BTreeMap<u64, FromEvents>,
    syscalls: HashMap<u64, SyscallTrack>,
    /// Events handled.
    pub events: u64,
}

fn add_unaggregated(stats: &mut FactStats, ts: u64) {
    if stats.count == 0 || ts < stats.first_ns {
        stats.first_ns = ts;
    }
    stats.last_ns = stats.last_ns.max(ts);
    stats.count += 1;
}

impl Collector {
    /// Cgroups seen so far.
    pub fn cgroups(&self) -> impl Iterator<Item = u64> + '_ {
        self.cgroups.keys().copied()
    }

    /// Number of cgroups seen so far.
    pub fn cgroup_count(&self) -> usize {
        self.cgroups.len()
    }

    /// Makes a cgroup known even if it does nothing (a tracked cgroup gets a profile).
    pub fn touch(&mut self, cgroup: u64) {
        self.cgroups.entry(cgroup).or_default();
    }

    /// Number of distinct facts seen in events.
    pub fn facts(&self) -> usize {
        self.cgroups
            .values()
            .map(|f| {
                f.execs.len() + f.nets.len() + f.caps.len() + f.files.len() + f.syscall_first.len()
            })
            .sum()
    }

    pub fn handle(&mut self, event: &Event) {
        self.events += 1;
        let header = *event.header();
        let unaggregated = header.flags & FLAG_UNAGGREGATED != 0;
        let facts = self.cgroups.entry(header.cgroup_id).or_default();
        let ts = header.ts_ns;
        match event {
            Event::Exec(e) => {
                let path = c_str(&e.key.path).to_vec();
                let seen = facts.execs.entry((e.key.uid, path)).or_default();
                if seen.first_ns == 0 || ts < seen.first_ns {
                    seen.first_ns = ts;
                    let argc = (e.argv.argc as usize).min(ARGS_MAX);
                    seen.argv = e.argv.args[..argc]
                        .iter()
                        .map(|a| String::from_utf8_lossy(c_str(a)).into_owned())
                        .collect();
                    seen.argv_incomplete =
                        header.flags & FLAG_NO_ARGV != 0 || e.argv.flags & FLAG_TRUNCATED != 0;
                }
                if unaggregated {
                    add_unaggregated(&mut seen.unaggregated, ts);
                }
            }
            Event::Net(e) => {
                let s = facts.nets.entry(e.key).or_default();
                if unaggregated {
                    add_unaggregated(s, ts);
                }
            }
            Event::Cap(e) => {
                let s = facts.caps.entry((e.key.cap, e.key.denied)).or_default();
                if unaggregated {
                    add_unaggregated(s, ts);
                }
            }
            Event::Syscall(e) => {
                let first = facts.syscall_first.entry(e.nr).or_insert(ts);
                *first = (*first).min(ts);
                if unaggregated {
                    add_unaggregated(facts.syscall_uncounted.entry(e.nr).or_default(), ts);
                }
            }
            Event::File(e) => {
                let s = facts.files.entry(c_str(&e.key.path).to_vec()).or_default();
                if unaggregated {
                    add_unaggregated(s, ts);
                }
            }
            Event::Dns(e) => {
                let len = (e.len as usize).min(e.data.len());
                for (ip, name) in crate::dns::answers(&e.data[..len]) {
                    let full = facts.dns_names.len() >= DNS_ADDRESSES_MAX;
                    if full && !facts.dns_names.contains_key(&ip) {
                        continue;
                    }
                    let names = facts.dns_names.entry(ip).or_default();
                    if names.len() < DNS_NAMES_PER_ADDRESS_MAX {
                        names.insert(name);
                    }
                }
            }
        }
    }

    /// Notes syscall counts at `now_ns` (boot clock), so a count that moved dates its last call.
    pub fn observe_syscalls(&mut self, syscalls: &[(u64, Vec<u64>)], now_ns: u64) {
        for (cgroup, counts) in syscalls {
            let track = self.syscalls.entry(*cgroup).or_default();
            if track.counts.len() < counts.len() {
                track.counts.resize(counts.len(), 0);
                track.last_change_ns.resize(counts.len(), 0);
            }
            for (nr, &c) in counts.iter().enumerate() {
                if c != track.counts[nr] {
                    track.counts[nr] = c;
                    track.last_change_ns[nr] = now_ns;
                }
            }
        }
    }

    /// One profile per cgroup with facts (or touched), from the final snapshot.
    pub fn profiles(
        &self,
        snapshot: &Snapshot,
        clock: &Clock,
        run: &Run,
        attribution: &dyn Fn(u64) -> Attribution,
    ) -> Vec<Profile> {
        let mut cgroups = snapshot.cgroups();
        cgroups.extend(self.cgroups.keys());
        let empty = FromEvents::default();
        let mut out = Vec::new();
        for &cgroup in &cgroups {
            let who = attribution(cgroup);
            if who.skip {
                continue;
            }
            let events = self.cgroups.get(&cgroup).unwrap_or(&empty);
            let evidence = |s: &FactStats| Evidence {
                count: s.count,
                first_seen: clock.format_boot(s.first_ns),
                last_seen: clock.format_boot(s.last_ns),
                nodes: vec![run.node.clone()],
                replicas: 1,
            };
            let merge = |a: Option<&FactStats>, b: Option<&FactStats>| -> FactStats {
                let mut s = a.copied().unwrap_or_default();
                if let Some(b) = b.filter(|b| b.count > 0) {
                    if s.count == 0 {
                        s = *b;
                    } else {
                        s.count += b.count;
                        s.first_ns = s.first_ns.min(b.first_ns);
                        s.last_ns = s.last_ns.max(b.last_ns);
                    }
                }
                s
            };

            let mut executables = Vec::new();
            let mut exec_keys: BTreeMap<(u32, Vec<u8>), Option<&FactStats>> = BTreeMap::new();
            for (k, s) in snapshot.execs.iter().filter(|(k, _)| k.cgroup_id == cgroup) {
                exec_keys.insert((k.uid, c_str(&k.path).to_vec()), Some(s));
            }
            for key in events.execs.keys() {
                exec_keys.entry(key.clone()).or_insert(None);
            }
            for ((uid, path), kernel) in exec_keys {
                let seen = events.execs.get(&(uid, path.clone()));
                let stats = merge(kernel, seen.map(|s| &s.unaggregated));
                let (argv, argv_incomplete) = match seen {
                    Some(s) => (
                        picket_profile::redact::redact_argv(&s.argv),
                        s.argv_incomplete,
                    ),
                    // Its event was lost (drops are counted): the fact stands without argv.
                    None => (Vec::new(), true),
                };
                executables.push(Executable {
                    path: String::from_utf8_lossy(&path).into_owned(),
                    uid,
                    argv,
                    argv_incomplete,
                    evidence: evidence(&stats),
                });
            }

            let mut net_keys: BTreeMap<[u8; 32], (NetKey, FactStats)> = BTreeMap::new();
            for (k, s) in snapshot.nets.iter().filter(|(k, _)| k.cgroup_id == cgroup) {
                net_keys.insert(net_id(k), (*k, *s));
            }
            for (k, s) in &events.nets {
                let entry = net_keys
                    .entry(net_id(k))
                    .or_insert((*k, FactStats::default()));
                entry.1 = merge(Some(&entry.1), Some(s));
            }
            let network = net_keys
                .values()
                .filter(|(_, s)| s.count > 0)
                .map(|(k, s)| {
                    let mut p = peer(k, evidence(s));
                    if p.direction == Direction::Egress
                        && let Ok(ip) = p.address.parse::<std::net::IpAddr>()
                        && let Some(names) = events.dns_names.get(&ip)
                    {
                        p.names = names.iter().cloned().collect();
                    }
                    p
                })
                .collect();

            let mut cap_keys: BTreeMap<(u32, u32), FactStats> = BTreeMap::new();
            for (k, s) in snapshot.caps.iter().filter(|(k, _)| k.cgroup_id == cgroup) {
                cap_keys.insert((k.cap, k.denied), *s);
            }
            for (k, s) in &events.caps {
                let entry = cap_keys.entry(*k).or_default();
                *entry = merge(Some(entry), Some(s));
            }
            let capabilities = cap_keys
                .iter()
                .filter(|(_, s)| s.count > 0)
                .map(|((cap, denied), s)| Capability {
                    name: names::capability(*cap),
                    granted: *denied == 0,
                    evidence: evidence(s),
                })
                .collect();

            let mut file_keys: BTreeMap<Vec<u8>, FactStats> = BTreeMap::new();
            for (k, s) in snapshot.files.iter().filter(|(k, _)| k.cgroup_id == cgroup) {
                file_keys.insert(c_str(&k.path).to_vec(), *s);
            }
            for (k, s) in &events.files {
                let entry = file_keys.entry(k.clone()).or_default();
                *entry = merge(Some(entry), Some(s));
            }
            let file_writes = file_keys
                .iter()
                .filter(|(_, s)| s.count > 0)
                .map(|(path, s)| FileWrite {
                    path: String::from_utf8_lossy(path).into_owned(),
                    evidence: evidence(s),
                })
                .collect();

            let mut syscalls = Vec::new();
            for (&nr, s) in &events.syscall_uncounted {
                let counted = snapshot.syscalls.iter().any(|(c, counts)| {
                    *c == cgroup && counts.get(nr as usize).is_some_and(|&n| n > 0)
                });
                if !counted {
                    syscalls.push(Syscall {
                        name: names::syscall(nr),
                        nr,
                        evidence: evidence(s),
                    });
                }
            }
            if let Some((_, counts)) = snapshot.syscalls.iter().find(|(c, _)| *c == cgroup) {
                let track = self.syscalls.get(&cgroup);
                for (nr, &count) in counts.iter().enumerate() {
                    if count == 0 {
                        continue;
                    }
                    let nr = nr as u32;
                    let first = events.syscall_first.get(&nr).copied();
                    let last = track
                        .and_then(|t| t.last_change_ns.get(nr as usize).copied())
                        .filter(|&t| t != 0)
                        .or(first)
                        .unwrap_or(0);
                    let first = first.unwrap_or(last);
                    syscalls.push(Syscall {
                        name: names::syscall(nr),
                        nr,
                        evidence: evidence(&FactStats {
                            count,
                            first_ns: first,
                            last_ns: last.max(first),
                        }),
                    });
                }
            }

            let mut partial_reasons = who.partial_reasons.clone();
            partial_reasons.extend(
                run.sensor
                    .missing_hooks
                    .iter()
                    .map(|m| format!("hook {} missing: {}", m.hook, m.reason)),
            );
            let stats = &run.sensor.stats;
            if stats.drops > 0 {
                partial_reasons.push(format!(
                    "{} events were dropped (ring buffer full): facts counted in maps keep their counts but may lack argv",
                    stats.drops
                ));
            }
            if stats.lost_inserts > 0 {
                partial_reasons.push(format!(
                    "{} facts did not fit in the kernel's maps: they were sent as events, so a dropped one is missing and counts may be low",
                    stats.lost_inserts
                ));
            }
            let mut profile = Profile {
                version: picket_profile::VERSION,
                subject: who.subject.clone(),
                window: Window {
                    start: run.start.clone(),
                    end: run.end.clone(),
                    seconds: run.seconds,
                },
                partial: !partial_reasons.is_empty(),
                partial_reasons,
                coverage: Coverage {
                    nodes: vec![run.node.clone()],
                    replicas: vec![who.replica.clone()],
                },
                sensor: run.sensor.clone(),
                executables,
                network,
                capabilities,
                syscalls,
                file_writes,
            };
            profile.normalize();
            out.push(profile);
        }
        out
    }
}

/// A sortable identity of a peer (the key's bytes, cgroup included).
fn net_id(k: &NetKey) -> [u8; 32] {
    let mut id = [0u8; 32];
    id[..8].copy_from_slice(&k.cgroup_id.to_be_bytes());
    id[8..24].copy_from_slice(&k.addr);
    id[24..26].copy_from_slice(&k.port.to_be_bytes());
    id[26] = k.family;
    id[27] = k.protocol;
    id[28] = k.direction;
    id
}

/// A profile's network peer from a kernel key; IPv4-mapped IPv6 addresses become IPv4.
pub fn peer(k: &NetKey, evidence: Evidence) -> NetworkPeer {
    let address = if k.family == AF_INET {
        std::net::Ipv4Addr::new(k.addr[0], k.addr[1], k.addr[2], k.addr[3]).to_string()
    } else {
        let v6 = std::net::Ipv6Addr::from(k.addr);
        match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        }
    };
    let protocol = if k.protocol == IPPROTO_TCP {
        Protocol::Tcp
    } else {
        Protocol::Udp
    };
    NetworkPeer {
        direction: if k.direction == direction::INGRESS {
            Direction::Ingress
        } else {
            Direction::Egress
        },
        protocol,
        address,
        port: k.port,
        dns: k.port == 53,
        peer: None,
        names: Vec::new(),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use picket_sensor_common::{
        AF_INET6, ARG_LEN, Argv, DnsEvent, ExecEvent, ExecKey, Header, IPPROTO_UDP, NetEvent,
        PATH_LEN, kind,
    };

    use super::*;

    fn header(kind: u32, flags: u32, cgroup: u64, ts: u64) -> Header {
        Header {
            kind,
            flags,
            cgroup_id: cgroup,
            ts_ns: ts,
            pid: 1,
            uid: 0,
            comm: [0; 16],
        }
    }

    fn path(p: &str) -> [u8; PATH_LEN] {
        let mut b = [0; PATH_LEN];
        b[..p.len()].copy_from_slice(p.as_bytes());
        b
    }

    fn run() -> Run {
        Run {
            start: rfc3339(0),
            end: rfc3339(10_000_000_000),
            seconds: 10,
            node: "node-a".into(),
            sensor: SensorInfo::default(),
        }
    }

    fn net(cgroup: u64, family: u8, addr: [u8; 16], port: u16, protocol: u8, dir: u8) -> NetKey {
        NetKey {
            cgroup_id: cgroup,
            addr,
            port,
            family,
            protocol,
            direction: dir,
            _pad: [0; 3],
        }
    }

    #[test]
    fn rfc3339_is_fixed_width_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(1_764_557_000_123_456_789),
            "2025-12-01T02:43:20.123Z"
        );
    }

    #[test]
    fn peers_normalise_addresses() {
        let mut v4 = [0u8; 16];
        v4[..4].copy_from_slice(&[10, 0, 0, 7]);
        let e = Evidence {
            count: 1,
            first_seen: String::new(),
            last_seen: String::new(),
            nodes: vec![],
            replicas: 1,
        };
        let p = peer(
            &net(1, AF_INET, v4, 53, IPPROTO_UDP, direction::EGRESS),
            e.clone(),
        );
        assert_eq!(
            (p.address.as_str(), p.port, p.dns, p.protocol),
            ("10.0.0.7", 53, true, Protocol::Udp)
        );
        let mapped = std::net::Ipv4Addr::new(127, 0, 0, 1)
            .to_ipv6_mapped()
            .octets();
        let p = peer(
            &net(1, AF_INET6, mapped, 80, IPPROTO_TCP, direction::INGRESS),
            e.clone(),
        );
        assert_eq!(
            (p.address.as_str(), p.direction),
            ("127.0.0.1", Direction::Ingress)
        );
        let p = peer(
            &net(
                1,
                AF_INET6,
                std::net::Ipv6Addr::LOCALHOST.octets(),
                80,
                IPPROTO_TCP,
                direction::EGRESS,
            ),
            e,
        );
        assert_eq!(p.address, "::1");
    }

    #[test]
    fn counts_come_from_maps_and_unaggregated_events() {
        let mut c = Collector::default();
        let key = net(
            7,
            AF_INET,
            [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            80,
            IPPROTO_TCP,
            direction::EGRESS,
        );
        // First sighting (counted in the map) and two that did not fit in it.
        c.handle(&Event::Net(NetEvent {
            header: header(kind::NET, 0, 7, 5),
            key,
        }));
        c.handle(&Event::Net(NetEvent {
            header: header(kind::NET, FLAG_UNAGGREGATED, 7, 6),
            key,
        }));
        c.handle(&Event::Net(NetEvent {
            header: header(kind::NET, FLAG_UNAGGREGATED, 7, 9),
            key,
        }));
        let snapshot = Snapshot {
            nets: vec![(
                key,
                FactStats {
                    count: 40,
                    first_ns: 5,
                    last_ns: 8,
                },
            )],
            ..Default::default()
        };
        let clock = Clock { offset_ns: 0 };
        let profiles = c.profiles(&snapshot, &clock, &run(), &|id| Attribution {
            subject: Subject {
                cgroup: Some(format!("/cg{id}")),
                ..Default::default()
            },
            replica: format!("/cg{id}"),
            ..Default::default()
        });
        assert_eq!(profiles.len(), 1);
        let p = &profiles[0];
        assert_eq!(p.network.len(), 1);
        assert_eq!(p.network[0].evidence.count, 42);
        assert_eq!(p.network[0].evidence.last_seen, rfc3339(9));
        assert_eq!(p.coverage.replicas, vec!["/cg7".to_string()]);
        assert!(!p.partial);
    }

    #[test]
    fn dns_answers_name_the_egress_peers_of_their_cgroup() {
        let mut c = Collector::default();
        let ip = [140, 82, 112, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let egress = net(7, AF_INET, ip, 443, IPPROTO_TCP, direction::EGRESS);
        let ingress = net(7, AF_INET, ip, 8080, IPPROTO_TCP, direction::INGRESS);
        let mut query = simple_dns::Packet::new_query(1);
        query.questions.push(simple_dns::Question::new(
            simple_dns::Name::new_unchecked("api.github.com"),
            simple_dns::TYPE::A.into(),
            simple_dns::CLASS::IN.into(),
            false,
        ));
        let query = query.build_bytes_vec().unwrap();
        let answer = crate::dns::answer_to(&query, &["140.82.112.3".parse().unwrap()]).unwrap();
        let mut event = DnsEvent {
            header: header(kind::DNS, 0, 7, 4),
            len: answer.len() as u32,
            _pad: 0,
            data: [0; picket_sensor_common::DNS_MAX],
        };
        event.data[..answer.len()].copy_from_slice(&answer);
        c.handle(&Event::Dns(Box::new(event)));
        // The same answer for another cgroup names nothing here.
        event.header.cgroup_id = 8;
        c.handle(&Event::Dns(Box::new(event)));
        let stats = FactStats {
            count: 1,
            first_ns: 5,
            last_ns: 5,
        };
        let snapshot = Snapshot {
            nets: vec![(egress, stats), (ingress, stats)],
            ..Default::default()
        };
        let profiles = c.profiles(&snapshot, &Clock { offset_ns: 0 }, &run(), &|id| {
            Attribution {
                subject: Subject {
                    cgroup: Some(format!("/cg{id}")),
                    ..Default::default()
                },
                replica: format!("/cg{id}"),
                ..Default::default()
            }
        });
        let p = profiles
            .iter()
            .find(|p| p.subject.cgroup.as_deref() == Some("/cg7"))
            .unwrap();
        let names: Vec<(Direction, &[String])> = p
            .network
            .iter()
            .map(|n| (n.direction, &n.names[..]))
            .collect();
        assert_eq!(
            names,
            [
                (Direction::Egress, &["api.github.com".to_owned()][..]),
                (Direction::Ingress, &[][..])
            ]
        );
    }

    #[test]
    fn exec_argv_is_kept_from_the_first_event_and_redacted() {
        let mut c = Collector::default();
        let mut args = [[0u8; ARG_LEN]; ARGS_MAX];
        for (i, a) in ["mysql", "--password=hunter2", "-h", "db"]
            .iter()
            .enumerate()
        {
            args[i][..a.len()].copy_from_slice(a.as_bytes());
        }
        let key = ExecKey {
            cgroup_id: 3,
            uid: 1000,
            _pad: 0,
            path: path("/usr/bin/mysql"),
        };
        let argv = Argv {
            argc: 4,
            flags: 0,
            args,
        };
        c.handle(&Event::Exec(Box::new(ExecEvent {
            header: header(kind::EXEC, 0, 3, 100),
            key,
            argv,
        })));
        let snapshot = Snapshot {
            execs: vec![(
                key,
                FactStats {
                    count: 3,
                    first_ns: 100,
                    last_ns: 300,
                },
            )],
            ..Default::default()
        };
        let profiles = c.profiles(&snapshot, &Clock { offset_ns: 0 }, &run(), &|_| {
            Attribution::default()
        });
        let e = &profiles[0].executables[0];
        assert_eq!(e.path, "/usr/bin/mysql");
        assert_eq!(e.uid, 1000);
        assert_eq!(e.evidence.count, 3);
        assert_eq!(e.argv, ["mysql", "--password=<redacted>", "-h", "db"]);
        assert!(!e.argv_incomplete);
    }

    #[test]
    fn skipped_cgroups_get_no_profile_and_drops_make_profiles_partial() {
        let mut c = Collector::default();
        c.touch(1);
        c.touch(2);
        let mut r = run();
        r.sensor.stats.drops = 3;
        let profiles = c.profiles(&Snapshot::default(), &Clock { offset_ns: 0 }, &r, &|id| {
            Attribution {
                skip: id == 2,
                ..Default::default()
            }
        });
        assert_eq!(profiles.len(), 1);
        assert!(profiles[0].partial);
        assert!(
            profiles[0].partial_reasons[0].contains("3 events were dropped"),
            "{:?}",
            profiles[0].partial_reasons
        );
    }

    #[test]
    fn syscalls_take_first_sighting_from_events_and_last_from_count_changes() {
        let mut c = Collector::default();
        c.handle(&Event::Syscall(picket_sensor_common::SyscallEvent {
            header: header(kind::SYSCALL, 0, 4, 50),
            nr: 42,
            _pad: 0,
        }));
        let mut counts = vec![0u64; 512];
        counts[42] = 2;
        c.observe_syscalls(&[(4, counts.clone())], 1_000);
        counts[42] = 5;
        c.observe_syscalls(&[(4, counts.clone())], 2_000);
        c.observe_syscalls(&[(4, counts.clone())], 3_000);
        let snapshot = Snapshot {
            syscalls: vec![(4, counts)],
            ..Default::default()
        };
        let profiles = c.profiles(&snapshot, &Clock { offset_ns: 0 }, &run(), &|_| {
            Attribution::default()
        });
        let s = &profiles[0].syscalls[0];
        assert_eq!((s.nr, s.evidence.count), (42, 5));
        assert_eq!(s.evidence.first_seen, rfc3339(50));
        assert_eq!(s.evidence.last_seen, rfc3339(2_000));
    }
}
