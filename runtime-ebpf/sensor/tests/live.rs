//! The sensor, live: real eBPF programs in this kernel, real cgroups, real processes.
//!
//! Needs root (CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN) and cgroup v2; skips with the reason
//! otherwise (and fails under `PICKET_CI`, where it must run). Built only with the `ebpf`
//! feature (`cargo xtask test` turns it on when the eBPF toolchain is installed).
// The load test prints its figures.
#![allow(clippy::print_stderr)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use picket_profile::{Direction, Profile, Protocol};
use picket_test_utils::skip;

mod common;

use common::{Recorder, SENSOR, unsupported};

/// A cgroup v2 directory made for one test, removed at the end.
struct TempCgroup {
    path: PathBuf,
}

impl TempCgroup {
    fn new(name: &str) -> TempCgroup {
        let root = picket_sensor::attribution::find_cgroup2_mount().unwrap();
        let path = root.join(format!("picket-live-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir(&path);
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
        TempCgroup { path }
    }

    /// The path relative to the cgroup2 mount, as profiles name it.
    fn rel(&self) -> String {
        format!("/{}", self.path.file_name().unwrap().to_string_lossy())
    }

    /// Runs `picket-sensor workload <args>` inside this cgroup: a shell joins it, then execs.
    fn spawn(&self, args: &[String], stdout: Stdio) -> Child {
        let script = format!(
            "echo $$ > '{}/cgroup.procs' && exec \"$0\" \"$@\"",
            self.path.display()
        );
        Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg(SENSOR)
            .arg("workload")
            .args(args)
            .stdout(stdout)
            .spawn()
            .unwrap()
    }
}

impl Drop for TempCgroup {
    fn drop(&mut self) {
        // Whatever is left in it goes; then the directory.
        if let Ok(procs) = std::fs::read_to_string(self.path.join("cgroup.procs")) {
            for pid in procs.lines() {
                let _ = Command::new("kill").arg("-9").arg(pid).status();
            }
        }
        for _ in 0..50 {
            if std::fs::remove_dir(&self.path).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `picket-sensor record` of `cgroups` into `out`.
fn record(cgroups: &[&TempCgroup], out: &Path, extra: &[&str]) -> Recorder {
    let mut args: Vec<std::ffi::OsString> = extra.iter().map(Into::into).collect();
    for cg in cgroups {
        args.push("--cgroup".into());
        args.push(cg.path.clone().into());
    }
    Recorder::start(out, &args)
}

fn profile_of<'a>(profiles: &'a [Profile], cg: &TempCgroup, log: &str) -> &'a Profile {
    profiles
        .iter()
        .find(|p| p.subject.cgroup.as_deref() == Some(&cg.rel()))
        .unwrap_or_else(|| panic!("no profile for {}:\n{profiles:#?}\n{log}", cg.rel()))
}

/// Starts `workload --serve` (TCP) or `--serve-udp` in `cg` and returns it with its port.
fn server(cg: &TempCgroup, addr: &str) -> (Child, u16) {
    server_with(cg, "--serve", addr)
}

fn server_with(cg: &TempCgroup, mode: &str, addr: &str) -> (Child, u16) {
    server_args(cg, &[mode, addr])
}

fn server_args(cg: &TempCgroup, args: &[&str]) -> (Child, u16) {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let mut child = cg.spawn(&args, Stdio::piped());
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("server said {line:?}"))
        .parse()
        .unwrap();
    (child, port)
}

fn stat_of(log: &str, name: &str) -> u64 {
    let line = log
        .lines()
        .rev()
        .find(|l| l.starts_with("stats "))
        .unwrap_or_else(|| panic!("no stats line:\n{log}"));
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
        .parse()
        .unwrap()
}

fn ipv6_loopback() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

#[test]
fn a_cgroup_profile_holds_exactly_what_its_processes_did() {
    if let Some(reason) = unsupported() {
        return skip(&format!("live sensor test: {reason}"));
    }
    if !ipv6_loopback() {
        return skip("live sensor test: no IPv6 loopback (::1) on this machine");
    }
    let tmp = tempfile::tempdir().unwrap();
    let client = TempCgroup::new("client");
    let srv = TempCgroup::new("server");
    let rec = record(&[&client, &srv], &tmp.path().join("profiles"), &[]);

    // The server listens on both families, in its own cgroup.
    let (mut server4, port4) = server(&srv, "127.0.0.1:0");
    let (mut server6, port6) = server(&srv, "[::1]:0");
    // The UDP servers answer what parses as a DNS query (the client's datagrams do), so that
    // replies are exchanged both ways; they are not new peers on either side.
    let (mut udp4, uport4) = server_args(
        &srv,
        &["--serve-udp", "127.0.0.1:0", "--answer", "127.0.0.1"],
    );
    let (mut udp6, uport6) = server_args(&srv, &["--serve-udp", "[::1]:0", "--answer", "::1"]);
    // A DNS server on 127.0.0.1:53 telling that example.com is 127.0.0.1: the client's peers
    // at that address get the name. ([::1]:53 has no server: the query goes unanswered.)
    let (mut dns4, _) = server_args(
        &srv,
        &["--serve-udp", "127.0.0.1:53", "--answer", "127.0.0.1"],
    );

    // A decoy outside the tracked cgroups: a listener, an exec, a connection and a write that
    // must appear in no profile.
    let decoy = TcpListener::bind("127.0.0.1:0").unwrap();
    let decoy_port = decoy.local_addr().unwrap().port();
    let decoy_file = tmp.path().join("decoy-written");
    picket_sensor::workload::run(&picket_sensor::workload::Script {
        exec: vec!["/bin/echo".into()],
        connect: vec![SocketAddr::from(([127, 0, 0, 1], decoy_port))],
        write: vec![decoy_file.clone()],
        count: 1,
        ..Default::default()
    })
    .unwrap();

    let written = tmp.path().join("written");
    let chowned = tmp.path().join("chowned");
    let args: Vec<String> = vec![
        "--exec".into(),
        "/bin/true".into(),
        "--connect".into(),
        format!("127.0.0.1:{port4}"),
        "--connect".into(),
        format!("[::1]:{port6}"),
        "--dns".into(),
        "127.0.0.1:53".into(),
        "--dns".into(),
        "[::1]:53".into(),
        "--dns".into(),
        format!("127.0.0.1:{uport4}"),
        "--dns".into(),
        format!("[::1]:{uport6}"),
        "--chown".into(),
        chowned.display().to_string(),
        "--write".into(),
        written.display().to_string(),
    ];
    let status = client.spawn(&args, Stdio::null()).wait().unwrap();
    assert!(status.success());
    // Let the server side finish its handshakes before stopping.
    std::thread::sleep(Duration::from_millis(300));
    let (profiles, log) = rec.finish_with_profiles();
    for server in [&mut server4, &mut server6, &mut udp4, &mut udp6, &mut dns4] {
        let _ = server.kill();
        let _ = server.wait();
    }

    let c = profile_of(&profiles, &client, &log);
    let s = profile_of(&profiles, &srv, &log);
    assert_eq!(
        profiles.len(),
        2,
        "one profile per tracked cgroup, none for the decoy:\n{profiles:#?}"
    );

    // Programs: the workload binary (exec'd by the shell that joined the cgroup) and /bin/true.
    let mut execs: Vec<&str> = c.executables.iter().map(|e| e.path.as_str()).collect();
    execs.sort();
    let mut want = vec![SENSOR, "/bin/true"];
    want.sort();
    assert_eq!(execs, want, "{log}");
    let exec = |path: &str| c.executables.iter().find(|e| e.path == path).unwrap();
    let true_exec = exec("/bin/true");
    assert_eq!((true_exec.uid, true_exec.evidence.count), (0, 1));
    assert_eq!(true_exec.argv, ["/bin/true"]);
    assert_eq!(exec(SENSOR).argv[..2], [SENSOR, "workload"]);

    // Network: exactly the two connections and the four datagrams (two DNS queries to port 53,
    // two to the server's UDP ports), all outbound.
    let peers: Vec<(Direction, Protocol, &str, u16, bool, u64)> = c
        .network
        .iter()
        .map(|p| {
            (
                p.direction,
                p.protocol,
                p.address.as_str(),
                p.port,
                p.dns,
                p.evidence.count,
            )
        })
        .collect();
    let mut expected = vec![
        (
            Direction::Egress,
            Protocol::Tcp,
            "127.0.0.1",
            port4,
            false,
            1,
        ),
        (Direction::Egress, Protocol::Tcp, "::1", port6, false, 1),
        (Direction::Egress, Protocol::Udp, "127.0.0.1", 53, true, 1),
        (Direction::Egress, Protocol::Udp, "::1", 53, true, 1),
        (
            Direction::Egress,
            Protocol::Udp,
            "127.0.0.1",
            uport4,
            false,
            1,
        ),
        (Direction::Egress, Protocol::Udp, "::1", uport6, false, 1),
    ];
    expected.sort();
    let mut got = peers.clone();
    got.sort();
    assert_eq!(got, expected, "{log}");
    // Names: the DNS answer named 127.0.0.1 for the client; nothing named ::1 (the answers
    // from the servers' other ports are not DNS).
    for p in &c.network {
        let want: &[&str] = if p.address == "127.0.0.1" {
            &["example.com"]
        } else {
            &[]
        };
        assert_eq!(p.names, want, "{p:#?}\n{log}");
    }

    // Capabilities: chown to another user needs CAP_CHOWN, which root has. The tracepoint
    // exists from Linux 6.14 on; before, the hook is reported missing instead.
    let caps_missing = c
        .sensor
        .missing_hooks
        .iter()
        .find(|m| m.hook == "capabilities");
    match caps_missing {
        None => assert!(
            c.capabilities
                .iter()
                .any(|k| k.name == "CAP_CHOWN" && k.granted),
            "{:#?}",
            c.capabilities
        ),
        Some(m) => skip(&format!("capability facts not checked: {}", m.reason)),
    }
    // Files written: exactly the two the workload wrote.
    let mut files: Vec<&str> = c.file_writes.iter().map(|f| f.path.as_str()).collect();
    files.sort();
    let mut want = vec![chowned.to_str().unwrap(), written.to_str().unwrap()];
    want.sort();
    assert_eq!(files, want, "{log}");
    // Syscalls: the ones the script must have made.
    let syscalls: Vec<&str> = c.syscalls.iter().map(|s| s.name.as_str()).collect();
    for name in ["execve", "connect", "sendto", "openat", "write"] {
        assert!(syscalls.contains(&name), "{name} missing from {syscalls:?}");
    }
    assert!(
        syscalls
            .iter()
            .any(|s| ["chown", "fchownat", "lchown", "fchown"].contains(s)),
        "no chown syscall in {syscalls:?}"
    );
    assert!(c.syscalls.iter().all(|s| s.evidence.count > 0));

    // Inbound: attributed to the server's cgroup, from each family's client address, at the
    // local port, for TCP and UDP.
    let ingress: Vec<(Protocol, &str, u16)> = s
        .network
        .iter()
        .filter(|p| p.direction == Direction::Ingress)
        .map(|p| (p.protocol, p.address.as_str(), p.port))
        .collect();
    let mut want = vec![
        (Protocol::Tcp, "127.0.0.1", port4),
        (Protocol::Tcp, "::1", port6),
        (Protocol::Udp, "127.0.0.1", uport4),
        (Protocol::Udp, "::1", uport6),
        (Protocol::Udp, "127.0.0.1", 53),
    ];
    want.sort();
    let mut ingress_sorted = ingress.clone();
    ingress_sorted.sort();
    assert_eq!(ingress_sorted, want, "{:#?}\n{log}", s.network);
    assert!(
        s.network.iter().all(|p| p.direction == Direction::Ingress),
        "{:#?}",
        s.network
    );
    assert!(c.network.iter().all(|p| p.direction == Direction::Egress));
    assert!(s.file_writes.is_empty(), "{:#?}", s.file_writes);

    // Nothing of the decoy anywhere.
    for p in &profiles {
        assert!(p.executables.iter().all(|e| e.path != "/bin/echo"));
        assert!(p.network.iter().all(|n| n.port != decoy_port));
        assert!(
            p.file_writes
                .iter()
                .all(|f| f.path != decoy_file.to_str().unwrap())
        );
    }
    // Evidence and bookkeeping.
    for p in [c, s] {
        assert_eq!(p.version, 1);
        // Partial only for a hook this kernel lacks.
        assert!(
            p.partial_reasons
                .iter()
                .all(|r| r.starts_with("hook capabilities missing")),
            "{:?}",
            p.partial_reasons
        );
        assert_eq!(p.coverage.replicas, [p.subject.cgroup.clone().unwrap()]);
        assert!(p.window.start <= p.window.end);
        for e in &p.executables {
            assert!(
                e.evidence.first_seen >= p.window.start && e.evidence.last_seen <= p.window.end
            );
        }
    }
    assert_eq!(stat_of(&log, "drops"), 0, "{log}");
    assert_eq!(stat_of(&log, "events"), stat_of(&log, "received"), "{log}");
}

#[test]
fn under_load_every_connection_and_exec_is_accounted_for() {
    if let Some(reason) = unsupported() {
        return skip(&format!("live sensor load test: {reason}"));
    }
    const CONNECTIONS: u64 = 100_000;
    const EXECS: u64 = 1_000;
    let tmp = tempfile::tempdir().unwrap();
    let client = TempCgroup::new("load-client");
    let srv = TempCgroup::new("load-server");
    let rec = record(&[&client, &srv], &tmp.path().join("profiles"), &["--stats"]);
    let (mut server, port) = server(&srv, "127.0.0.1:0");

    let connect = client.spawn(
        &[
            "--connect".into(),
            format!("127.0.0.1:{port}"),
            "--count".into(),
            CONNECTIONS.to_string(),
        ],
        Stdio::null(),
    );
    let exec = client.spawn(
        &[
            "--exec".into(),
            "/bin/true".into(),
            "--count".into(),
            EXECS.to_string(),
        ],
        Stdio::null(),
    );
    for mut child in [connect, exec] {
        assert!(child.wait().unwrap().success());
    }
    std::thread::sleep(Duration::from_millis(500));
    let (profiles, log) = rec.finish_with_profiles();
    let _ = server.kill();
    let _ = server.wait();

    let c = profile_of(&profiles, &client, &log);
    let s = profile_of(&profiles, &srv, &log);
    let egress: u64 = c
        .network
        .iter()
        .filter(|p| p.direction == Direction::Egress && p.port == port)
        .map(|p| p.evidence.count)
        .sum();
    assert_eq!(egress, CONNECTIONS, "{log}");
    let ingress: u64 = s
        .network
        .iter()
        .filter(|p| p.direction == Direction::Ingress && p.port == port)
        .map(|p| p.evidence.count)
        .sum();
    assert_eq!(ingress, CONNECTIONS, "{log}");
    let execs: u64 = c
        .executables
        .iter()
        .filter(|e| e.path == "/bin/true")
        .map(|e| e.evidence.count)
        .sum();
    assert_eq!(execs, EXECS, "{log}");
    // Every event the kernel wrote was received, and drops are reported as a number.
    let (events, drops, received) = (
        stat_of(&log, "events"),
        stat_of(&log, "drops"),
        stat_of(&log, "received"),
    );
    assert_eq!(events, received, "{log}");
    assert_eq!(drops, 0, "{log}");
    assert_eq!(stat_of(&log, "lost_inserts"), 0, "{log}");
    eprintln!(
        "load: {CONNECTIONS} connections, {EXECS} execs; kernel events={events} drops={drops} received={received}"
    );
}

#[test]
fn without_privileges_it_names_what_is_missing_and_creates_nothing() {
    if let Some(reason) = unsupported() {
        return skip(&format!("live sensor privilege test: {reason}"));
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        return skip("live sensor privilege test: setpriv (util-linux) is not installed");
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("profiles");
    // Root, with every capability but CAP_NET_ADMIN dropped from the bounding set.
    let o = Command::new("setpriv")
        .args(["--bounding-set=-all,+bpf,+perfmon", "--inh-caps=-all"])
        .arg(SENSOR)
        .args(["record", "--all", "--duration", "1s", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN"),
        "{stderr}"
    );
    assert!(stderr.contains("lacks CAP_NET_ADMIN."), "{stderr}");
    assert!(
        !out.exists(),
        "nothing is created before the privileges are checked"
    );
}
