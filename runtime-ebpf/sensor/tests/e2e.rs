//! End to end, live: the sensor records a workload that looks to it like a Kubernetes
//! container, `picket suggest` turns the profile into policies, and the policies allow what the
//! workload did and nothing it did not need.
//!
//! The workload's cgroup sits where the kubelet's cgroupfs driver puts a container
//! (`…/kubepods/besteffort/pod<uid>/<container id>`), and a containerd state file under
//! `record --host-root` names its namespace (`e2e`), pod (`api-5d8f7c9b4-x7k2p`, so Deployment
//! `api`), container (`app`) and image. Its peers are the addresses of a test interface
//! (`192.0.2.1`, `2001:db8:e2e::1`), served outside the tracked cgroup, by this process and by a
//! DNS server that says `example.com` is `192.0.2.1`. The expectations come from the workload's
//! script, not from recorded output.
//!
//! Needs root, cgroup v2 and `ip` (iproute2); skips with the reason otherwise, and fails under
//! `PICKET_CI=1`, where it must run. Built only with the `ebpf` feature. The `picket` binary
//! comes from cargo ([`picket_binary`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use picket_profile::{Direction, Profile, Protocol};
use picket_test_utils::skip;
use serde_json::{Value, json};

mod common;

use common::{Recorder, SENSOR};

const NAMESPACE: &str = "e2e";
/// A ReplicaSet's pod name: the sensor infers Deployment `api` from it.
const POD: &str = "api-5d8f7c9b4-x7k2p";
const DEPLOYMENT: &str = "api";
const CONTAINER: &str = "app";
const IMAGE: &str = "registry.example/e2e/api:1.0";

/// The test's network interface ([`TestLink`]) and its addresses (documentation ranges:
/// nothing real is reached).
const LINK: &str = "picket-e2e0";
/// The other end, when [`LINK`] has to be a veth pair.
const LINK_PEER: &str = "picket-e2e1";
const V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0xe2e, 0, 0, 0, 0, 1);

/// Why this machine cannot run the test, if it cannot.
fn unsupported() -> Option<String> {
    if let Some(reason) = common::unsupported() {
        return Some(format!("{reason} and a network interface"));
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("`ip` (iproute2) is not installed".into());
    }
    None
}

/// A network interface holding [`V4`] and [`V6`], deleted on drop: a dummy interface, or
/// where the kernel has none (`CONFIG_DUMMY` unset, as on some VM kernels) a veth pair.
struct TestLink;

impl TestLink {
    /// The interface, or why it could not be made.
    fn create() -> Result<TestLink, String> {
        // A run that was killed leaves it behind (runs do not overlap: see `one_run_at_a_time`).
        let _ = ip(&["link", "del", LINK]);
        let link = TestLink;
        let mut steps: Vec<&[&str]> = Vec::new();
        if let Err(no_dummy) = ip(&["link", "add", LINK, "type", "dummy"]) {
            ip(&[
                "link", "add", LINK, "type", "veth", "peer", "name", LINK_PEER,
            ])
            .map_err(|no_veth| format!("{no_dummy}; {no_veth}"))?;
            steps.push(&["link", "set", LINK_PEER, "up"]);
        }
        steps.extend([
            &["addr", "add", "192.0.2.1/24", "dev", LINK][..],
            &[
                "-6",
                "addr",
                "add",
                "2001:db8:e2e::1/64",
                "dev",
                LINK,
                "nodad",
            ],
            &["link", "set", LINK, "up"],
        ]);
        for args in steps {
            ip(args)?;
        }
        Ok(link)
    }
}

/// Holds a lock that another run of this test on the machine waits for: runs share the
/// interface's name, its addresses and the DNS port. Released when the process ends, however.
fn one_run_at_a_time() -> std::fs::File {
    let path = Path::new("/tmp/picket-sensor-e2e.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("locking {}: {e}", path.display()));
    file
}

/// Runs `ip <args>`; what went wrong, if anything.
fn ip(args: &[&str]) -> Result<(), String> {
    let o = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

impl Drop for TestLink {
    fn drop(&mut self) {
        let _ = ip(&["link", "del", LINK]);
    }
}

/// A cgroup where the kubelet's cgroupfs driver puts a container, below a directory of this
/// test's own (the sensor reads the convention anywhere in the path), removed on drop.
struct ContainerCgroup {
    /// `<cgroup2 mount>/picket-e2e-<pid>`.
    top: PathBuf,
    /// `<top>/kubepods/besteffort/pod<uid>/<id>`.
    dir: PathBuf,
    pod_uid: String,
    id: String,
}

impl ContainerCgroup {
    fn create() -> ContainerCgroup {
        let mount = picket_sensor::attribution::find_cgroup2_mount().unwrap();
        let pid = std::process::id();
        let pod_uid = format!("{pid:08x}-e2e0-4e2e-8e2e-00000000e2e0");
        let id = format!("{pid:08x}{}", "e2e0".repeat(14));
        let top = mount.join(format!("picket-e2e-{pid}"));
        let dir = top
            .join("kubepods/besteffort")
            .join(format!("pod{pod_uid}"))
            .join(&id);
        let cgroup = ContainerCgroup {
            top,
            dir,
            pod_uid,
            id,
        };
        cgroup.remove();
        std::fs::create_dir_all(&cgroup.dir)
            .unwrap_or_else(|e| panic!("mkdir {}: {e}", cgroup.dir.display()));
        cgroup
    }

    /// Runs `picket-sensor workload <args>` in the cgroup: a shell joins it, then execs.
    fn run_workload(&self, args: &[String]) -> Output {
        let script = format!(
            "echo $$ > '{}/cgroup.procs' && exec \"$0\" \"$@\"",
            self.dir.display()
        );
        Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg(SENSOR)
            .arg("workload")
            .args(args)
            .output()
            .unwrap()
    }

    /// Kills what is left in it and removes its directories, deepest first.
    fn remove(&self) {
        if let Ok(procs) = std::fs::read_to_string(self.dir.join("cgroup.procs")) {
            for pid in procs.lines() {
                let _ = Command::new("kill").arg("-9").arg(pid).status();
            }
        }
        let dirs: Vec<&Path> = self
            .dir
            .ancestors()
            .take_while(|d| d.starts_with(&self.top))
            .collect();
        for dir in dirs {
            for _ in 0..50 {
                match std::fs::remove_dir(dir) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    _ => break,
                }
            }
        }
    }
}

impl Drop for ContainerCgroup {
    fn drop(&mut self) {
        self.remove();
    }
}

/// containerd's state for the container, as its CRI plugin writes it, under `host_root`; and
/// `host_root/proc`, the host's `/proc`.
fn write_runtime_state(host_root: &Path, cgroup: &ContainerCgroup) {
    std::os::unix::fs::symlink("/proc", host_root.join("proc")).unwrap();
    let dir = host_root
        .join("run/containerd/io.containerd.runtime.v2.task/k8s.io")
        .join(&cgroup.id);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = json!({
        "ociVersion": "1.2.0",
        "process": {"args": [SENSOR, "workload"], "cwd": "/"},
        "annotations": {
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": CONTAINER,
            "io.kubernetes.cri.image-name": IMAGE,
            "io.kubernetes.cri.sandbox-id": "e2e0".repeat(16),
            "io.kubernetes.cri.sandbox-name": POD,
            "io.kubernetes.cri.sandbox-namespace": NAMESPACE,
            "io.kubernetes.cri.sandbox-uid": cgroup.pod_uid,
        }
    });
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string_pretty(&spec).unwrap(),
    )
    .unwrap();
}

/// `picket-sensor workload --serve-udp [V4]:53 --answer V4`: a DNS server, outside the tracked
/// cgroup, answering every A query with [`V4`]; killed on drop.
struct DnsServer(Child);

impl DnsServer {
    /// The server, or `None` when it could not take the port (a resolver on `0.0.0.0:53`).
    fn start() -> Option<DnsServer> {
        let mut child = Command::new(SENSOR)
            .args([
                "workload",
                "--serve-udp",
                "192.0.2.1:53",
                "--answer",
                "192.0.2.1",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line);
        let server = DnsServer(child);
        (line.trim() == "listening 53").then_some(server)
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `picket` binary, as cargo builds it now: `cargo build -p picket` in this workspace and
/// target directory (the one this test was built into), its path read from cargo's JSON
/// messages. Built rather than found, so it is never a stale binary from an earlier build.
/// Under `cargo xtask test` most of it was just built for `picket`'s own tests (dependencies
/// whose features the whole workspace's tests unify differently are built once more).
fn picket_binary() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // This test is `<target dir>/<profile>/deps/e2e-<hash>`.
    let exe = std::env::current_exe().unwrap();
    let target_dir = exe.ancestors().nth(3).unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let o = Command::new(cargo)
        .current_dir(&workspace)
        .args(["build", "--locked", "-p", "picket", "--bin", "picket"])
        .args(["--message-format", "json-render-diagnostics"])
        .arg("--target-dir")
        .arg(target_dir)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(o.status.success(), "cargo build -p picket: {}", o.status);
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "picket")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo named no `picket` executable")
}

fn picket(bin: &Path, args: &[&str]) -> Output {
    Command::new(bin).args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The Deployment the profile is matched with: one container, with a volume mounted at
/// `data_dir` (writes there are not on the root filesystem).
fn manifest(data_dir: &Path) -> String {
    format!(
        "\
# The workload the e2e test records, as it would be deployed.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {DEPLOYMENT}
  namespace: {NAMESPACE}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {DEPLOYMENT}}}
  template:
    metadata:
      labels: {{app: {DEPLOYMENT}}}
    spec:
      containers:
        - name: {CONTAINER}
          image: {IMAGE}
          volumeMounts:
            - name: data  # the one volume it has today
              mountPath: {data}
      volumes:
        - name: data
          emptyDir: {{}}
",
        data = data_dir.display()
    )
}

/// Rule → the messages of its findings, as `picket check` reports them under `dir`.
fn findings(bin: &Path, dir: &Path) -> BTreeMap<String, Vec<String>> {
    let o = picket(bin, &["check", "--format", "json", dir.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in v["diagnostics"].as_array().unwrap() {
        found
            .entry(d["code"].as_str().unwrap().to_owned())
            .or_default()
            .push(d["message"].as_str().unwrap().to_owned());
    }
    for messages in found.values_mut() {
        messages.sort();
    }
    found
}

/// Applies a unified diff of one file (as `picket suggest --diff` prints it) to `original`,
/// checking every context and removed line against it.
fn apply_patch(original: &str, patch: &str) -> String {
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut next = 0; // The next line of `old` not yet copied.
    let mut lines = patch.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let Some(header) = line.strip_prefix("@@ -") else {
            assert!(
                line.starts_with("--- ") || line.starts_with("+++ "),
                "unexpected {line:?} in:\n{patch}"
            );
            continue;
        };
        // `@@ -start,len +start,len @@`; a hunk of an empty old range starts after `start`.
        let range = |r: &str| -> (usize, usize) {
            let (start, len) = r.split_once(',').unwrap_or((r, "1"));
            (start.parse().unwrap(), len.parse().unwrap())
        };
        let mut ranges = header.split(' ');
        let (start, mut old_left) = range(ranges.next().unwrap());
        let (_, mut new_left) = range(ranges.next().unwrap().trim_start_matches('+'));
        let first = if old_left == 0 { start } else { start - 1 };
        assert!(first >= next, "overlapping hunks in:\n{patch}");
        for l in &old[next..first] {
            out.push_str(l);
        }
        next = first;
        while old_left + new_left > 0 {
            let body = lines.next().expect("a hunk cut short");
            if body.starts_with('\\') {
                continue;
            }
            let (tag, content) = body.split_at(1);
            if tag != "+" {
                assert_eq!(
                    old.get(next).map(|l| l.trim_end_matches('\n')),
                    Some(content.trim_end_matches('\n')),
                    "the patch does not apply at line {}:\n{patch}",
                    next + 1
                );
                old_left -= 1;
                next += 1;
            }
            match tag {
                " " => {
                    out.push_str(old[next - 1]);
                    new_left -= 1;
                }
                "-" => {}
                "+" => {
                    out.push_str(content);
                    new_left -= 1;
                }
                _ => panic!("unexpected patch line {body:?}"),
            }
        }
    }
    for l in &old[next..] {
        out.push_str(l);
    }
    out
}

/// The first object of a YAML file, as JSON, read the way Kubernetes reads it.
fn yaml_object(text: &str) -> Value {
    let file = picket_syntax::ParsedFile::parse(text);
    file.documents()
        .iter()
        .find_map(|d| match picket_model::classify(&d.doc) {
            picket_model::DocumentClass::Object(o) => Some(o.to_json()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no object in:\n{text}"))
}

/// The findings a suggestion of this kind resolves (`picket check` rules).
fn resolves(kind: &str) -> &'static [&'static str] {
    match kind {
        "capabilities" => &["capabilities-not-dropped", "net-raw-capability"],
        "readOnlyRootFilesystem" => &["writable-root-filesystem"],
        "allowPrivilegeEscalation" => &["privilege-escalation-allowed"],
        "runAsNonRoot" => &["run-as-root-allowed"],
        _ => &[],
    }
}

#[test]
fn a_recorded_container_gets_policies_that_allow_what_it_did() {
    if let Some(reason) = unsupported() {
        return skip(&format!("sensor end-to-end test: {reason}"));
    }
    let _lock = one_run_at_a_time();
    let _link = match TestLink::create() {
        Ok(link) => link,
        Err(reason) => {
            return skip(&format!(
                "sensor end-to-end test: cannot create a network interface: {reason}"
            ));
        }
    };
    // The peers, outside the tracked cgroup: TCP on both families, UDP on a port above 1024,
    // and a DNS server telling that example.com is at the IPv4 address.
    let tcp4 = TcpListener::bind((V4, 0)).unwrap();
    let tcp6 = TcpListener::bind((V6, 0)).unwrap();
    let udp = UdpSocket::bind((V4, 0)).unwrap();
    let dns_server = DnsServer::start();
    if dns_server.is_none() {
        // The query is still sent, and its peer recorded; no name comes back.
        skip("sensor end-to-end test: DNS names not checked: 192.0.2.1:53 is taken");
    }
    let tcp4_addr = tcp4.local_addr().unwrap();
    let tcp6_addr = tcp6.local_addr().unwrap();
    let udp_addr = udp.local_addr().unwrap();
    let dns_addr = SocketAddr::from((V4, 53));
    assert!(udp_addr.port() > 1024, "{udp_addr}");

    // Files: one on a volume the manifest mounts, one elsewhere under /tmp (a scratch
    // directory, for which the read-only root filesystem suggestion adds an emptyDir).
    let files = tempfile::Builder::new()
        .prefix("picket-e2e-")
        .tempdir_in("/tmp")
        .unwrap();
    let data_dir = files.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    let written = data_dir.join("written");
    let chowned = files.path().join("chowned");

    let work = tempfile::tempdir().unwrap();
    let host_root = work.path().join("host");
    let profiles_dir = work.path().join("profiles");
    let manifests = work.path().join("manifests");
    let out = work.path().join("out");
    std::fs::create_dir_all(&host_root).unwrap();
    std::fs::create_dir_all(&manifests).unwrap();
    let manifest_path = manifests.join("api.yaml");
    let manifest_text = manifest(&data_dir);
    std::fs::write(&manifest_path, &manifest_text).unwrap();

    let cgroup = ContainerCgroup::create();
    write_runtime_state(&host_root, &cgroup);
    let rec = Recorder::start(
        &profiles_dir,
        &[
            "--cgroup".into(),
            cgroup.dir.clone().into(),
            "--host-root".into(),
            host_root.clone().into(),
            // A bound, should the test die without stopping it.
            "--duration".into(),
            "10m".into(),
        ],
    );
    let args: Vec<String> = [
        "--exec".to_owned(),
        "/bin/true".to_owned(),
        "--connect".to_owned(),
        tcp4_addr.to_string(),
        "--connect".to_owned(),
        tcp6_addr.to_string(),
        "--udp".to_owned(),
        udp_addr.to_string(),
        "--dns".to_owned(),
        dns_addr.to_string(),
        "--chown".to_owned(),
        chowned.display().to_string(),
        "--write".to_owned(),
        written.display().to_string(),
    ]
    .into();
    let o = cgroup.run_workload(&args);
    assert!(o.status.success(), "workload: {}", text(&o).1);
    let log = rec.finish();

    // The peers saw the workload.
    for listener in [&tcp4, &tcp6] {
        listener.set_nonblocking(true).unwrap();
        assert!(listener.accept().is_ok(), "no connection to {listener:?}");
    }
    udp.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 512];
    assert_eq!(udp.recv(&mut buf).ok(), Some(b"picket".len()));

    // ------------------------------------------------------------------------------------------
    // The profile: filed under the Kubernetes identity, holding what the script did.
    let profiles =
        picket_profile::io::read_dir(&profiles_dir).unwrap_or_else(|e| panic!("{e:#}\n{log}"));
    let [(profile_path, p)] = profiles.as_slice() else {
        panic!("one profile expected:\n{profiles:#?}\n{log}");
    };
    let p: &Profile = p;
    // One pod's profile (`merge` would fold replicas into `e2e_Deployment-api_app.json`).
    assert_eq!(
        profile_path.file_name().unwrap(),
        format!("{NAMESPACE}_Deployment-{DEPLOYMENT}_{POD}_{CONTAINER}.json").as_str(),
        "{log}"
    );
    assert_eq!(p.subject.namespace.as_deref(), Some(NAMESPACE));
    assert_eq!(p.subject.pod.as_deref(), Some(POD));
    assert_eq!(p.subject.container.as_deref(), Some(CONTAINER));
    assert_eq!(p.subject.image.as_deref(), Some(IMAGE));
    let workload = p.subject.workload.as_ref().unwrap();
    assert_eq!(
        (
            workload.kind.as_str(),
            workload.name.as_str(),
            workload.source.as_str()
        ),
        ("Deployment", DEPLOYMENT, "pod-name")
    );
    assert_eq!(
        p.subject.cgroup, None,
        "a container is not named by its cgroup"
    );
    assert_eq!(p.coverage.replicas, std::slice::from_ref(&cgroup.pod_uid));
    assert!(p.partial_reasons.is_empty(), "{:?}", p.partial_reasons);

    let mut execs: Vec<&str> = p.executables.iter().map(|e| e.path.as_str()).collect();
    execs.sort_unstable();
    let mut want = vec![SENSOR, "/bin/true"];
    want.sort_unstable();
    assert_eq!(execs, want, "{log}");
    assert!(p.executables.iter().all(|e| e.uid == 0));

    let egress: BTreeSet<(Protocol, String, u16, bool)> = p
        .network
        .iter()
        .map(|n| {
            assert_eq!(n.direction, Direction::Egress, "{n:?}");
            (n.protocol, n.address.clone(), n.port, n.dns)
        })
        .collect();
    let observed: BTreeSet<(Protocol, String, u16, bool)> = [
        (Protocol::Tcp, V4.to_string(), tcp4_addr.port(), false),
        (Protocol::Tcp, V6.to_string(), tcp6_addr.port(), false),
        (Protocol::Udp, V4.to_string(), udp_addr.port(), false),
        (Protocol::Udp, V4.to_string(), 53, true),
    ]
    .into();
    assert_eq!(egress, observed, "{log}");
    // The DNS answer named the IPv4 address, wherever the workload went at it.
    for n in &p.network {
        let named = dns_server.is_some() && n.address == V4.to_string();
        let want: &[&str] = if named { &["example.com"] } else { &[] };
        assert_eq!(n.names, want, "{n:?}");
    }

    let mut writes: Vec<&str> = p.file_writes.iter().map(|f| f.path.as_str()).collect();
    writes.sort_unstable();
    let mut want = vec![chowned.to_str().unwrap(), written.to_str().unwrap()];
    want.sort_unstable();
    assert_eq!(writes, want, "{log}");

    let syscalls: BTreeSet<&str> = p.syscalls.iter().map(|s| s.name.as_str()).collect();
    for name in ["execve", "connect", "openat", "write"] {
        assert!(syscalls.contains(name), "{name} missing from {syscalls:?}");
    }
    assert!(
        syscalls.contains("sendto") || syscalls.contains("sendmsg"),
        "no send syscall in {syscalls:?}"
    );
    assert!(
        ["chown", "fchownat", "lchown", "fchown"]
            .iter()
            .any(|s| syscalls.contains(s)),
        "no chown syscall in {syscalls:?}"
    );

    // ------------------------------------------------------------------------------------------
    // `picket suggest`, the real binary.
    let bin = picket_binary();
    let profiles_arg = profiles_dir.to_str().unwrap();
    let manifest_arg = manifest_path.to_str().unwrap();
    let o = picket(
        &bin,
        &[
            "suggest",
            "--profiles",
            profiles_arg,
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
            manifest_arg,
        ],
    );
    let (report, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let report: Value = serde_json::from_str(&report).unwrap_or_else(|e| panic!("{e}: {report}"));
    check_report(&report, p, &files);
    check_seccomp(&bin, &report, p, &out);
    check_network_policy(&report, &out, &observed, dns_server.is_some());

    // ------------------------------------------------------------------------------------------
    // The manifest changes, at the default confidence and at `low`.
    let policy = out.join(format!("picket-{DEPLOYMENT}-networkpolicy.yaml"));
    let before = findings(&bin, &manifests);
    for min in ["medium", "low"] {
        let copy = work.path().join(format!("patched-{min}"));
        std::fs::create_dir(&copy).unwrap();
        let copy_path = copy.join("api.yaml");
        std::fs::write(&copy_path, &manifest_text).unwrap();
        let common = [
            "suggest",
            "--profiles",
            profiles_arg,
            "--min-confidence",
            min,
        ];
        let o = picket(&bin, &[&common[..], &["--diff", manifest_arg]].concat());
        let (diff, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let o = picket(
            &bin,
            &[&common[..], &["--write", copy_path.to_str().unwrap()]].concat(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
        let patched = std::fs::read_to_string(&copy_path).unwrap();
        assert_eq!(
            apply_patch(&manifest_text, &diff),
            patched,
            "--diff and --write differ"
        );
        assert!(
            patched.contains("# the one volume it has today"),
            "{patched}"
        );

        // What the applied suggestions fix is gone; what they do not touch stays.
        let applied: Vec<&Value> = report["containers"][0]["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| confidence_rank(&s["confidence"]) >= confidence_rank(&json!(min)))
            .collect();
        assert!(!applied.is_empty());
        let mut fixed: BTreeSet<&str> = applied
            .iter()
            .flat_map(|s| resolves(s["kind"].as_str().unwrap()).iter().copied())
            .collect();
        let added: Vec<String> = applied
            .iter()
            .filter(|s| s["kind"] == "capabilities")
            .flat_map(|s| s["changes"][0]["value"]["add"].as_array().unwrap())
            .map(|c| format!("`{}`", c.as_str().unwrap()))
            .collect();
        if added.iter().any(|c| c == "`SYS_ADMIN`") {
            // With SYS_ADMIN added, Kubernetes rejects `allowPrivilegeEscalation: false` (so
            // the suggestion was withheld), and `check` reports the capability instead.
            fixed.insert("privilege-escalation-allowed");
        }
        // With the generated NetworkPolicy beside it, the workload is isolated.
        std::fs::copy(&policy, copy.join("networkpolicy.yaml")).unwrap();
        let after = findings(&bin, &copy);
        let mut want = before.clone();
        for rule in fixed.iter().chain(&["pod-not-isolated-by-network-policy"]) {
            assert!(before.contains_key(*rule), "{rule} not reported before");
            want.remove(*rule);
        }
        for (rule, messages) in &after {
            if want.get(rule) == Some(messages) {
                continue;
            }
            // New findings only about the capabilities the low-confidence suggestion keeps.
            assert!(
                !want.contains_key(rule)
                    && messages
                        .iter()
                        .all(|m| added.iter().any(|cap| m.contains(cap.as_str()))),
                "{min}: {rule}: {messages:?}, was {:?}",
                want.get(rule)
            );
        }
        for rule in want.keys() {
            assert!(after.contains_key(rule), "{min}: {rule} went away");
        }
    }
}

fn confidence_rank(c: &Value) -> u8 {
    match c.as_str() {
        Some("low") => 1,
        Some("medium") => 2,
        Some("high") => 3,
        other => panic!("confidence {other:?}"),
    }
}

/// The securityContext suggestions and what was withheld, derived from the script and the
/// profile.
fn check_report(report: &Value, p: &Profile, files: &tempfile::TempDir) {
    let containers = report["containers"].as_array().unwrap();
    assert_eq!(containers.len(), 1, "{report:#}");
    let c = &containers[0];
    assert_eq!(
        (&c["namespace"], &c["kind"], &c["name"], &c["container"]),
        (
            &json!(NAMESPACE),
            &json!("Deployment"),
            &json!(DEPLOYMENT),
            &json!(CONTAINER)
        )
    );
    assert_eq!(report["unmatchedProfiles"], json!([]));
    assert_eq!(report["workloadsWithoutProfile"], json!([]));
    let suggestions: BTreeMap<&str, &Value> = c["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap(), s))
        .collect();
    let withheld: BTreeMap<&str, &str> = c["withheld"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["kind"].as_str().unwrap(), w["reason"].as_str().unwrap()))
        .collect();

    // Every suggestion rests on one replica watched for a few seconds: at most medium.
    for (kind, s) in &suggestions {
        let reasons: Vec<&str> = s["loweredBy"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["to"] == "medium")
            .map(|l| l["reason"].as_str().unwrap())
            .collect();
        assert!(reasons.contains(&"1 replica seen"), "{kind}: {reasons:?}");
        if p.window.seconds < 3600 {
            assert!(
                reasons.iter().any(|r| r.contains("less than 1 h")),
                "{kind}: {reasons:?}"
            );
        }
        assert_eq!(
            s["selected"],
            confidence_rank(&s["confidence"]) >= 2,
            "{kind}: selected at the default minimum, medium"
        );
    }

    // Capabilities: drop ALL, add what the kernel granted: CHOWN for the chown, and whatever
    // it checked on the process's behalf (mapping memory checks SYS_ADMIN), which makes the
    // suggestion low.
    let granted: BTreeSet<&str> = p
        .capabilities
        .iter()
        .filter(|k| k.granted)
        .map(|k| k.name.as_str())
        .collect();
    let caps_missing = p
        .sensor
        .missing_hooks
        .iter()
        .find(|m| m.hook == "capabilities");
    if let Some(m) = caps_missing {
        assert!(withheld.contains_key("capabilities"), "{withheld:?}");
        skip(&format!("capability suggestion not checked: {}", m.reason));
    } else {
        assert!(granted.contains("CAP_CHOWN"), "{:#?}", p.capabilities);
        let on_behalf: BTreeSet<&str> = granted
            .iter()
            .copied()
            .filter(|c| picket_policy::security_context::NO_AUDIT_PRONE.contains(c))
            .collect();
        let mut expected: BTreeSet<&str> = on_behalf.clone();
        expected.insert("CAP_CHOWN");
        assert_eq!(
            granted, expected,
            "the workload uses CHOWN; anything else is a check made on its behalf"
        );
        let add: Vec<&str> = granted
            .iter()
            .map(|c| c.strip_prefix("CAP_").unwrap())
            .collect();
        let caps = suggestions["capabilities"];
        assert_eq!(
            caps["changes"],
            json!([{
                "op": "set",
                "path": format!("spec.containers[name={CONTAINER}].securityContext.capabilities"),
                "replaces": null,
                "value": {"add": add, "drop": ["ALL"]},
            }])
        );
        let confidence = if on_behalf.is_empty() {
            "medium"
        } else {
            "low"
        };
        assert_eq!(caps["confidence"], confidence, "{caps:#}");
    }

    // The root filesystem: the write under the manifest's volume needs nothing, the one
    // under /tmp an emptyDir there.
    let data = files.path().join("data/written");
    let chowned = files.path().join("chowned");
    let ro = suggestions["readOnlyRootFilesystem"];
    assert_eq!(ro["confidence"], "medium", "{ro:#}");
    assert_eq!(
        ro["changes"],
        json!([
            {
                "op": "set",
                "path": format!("spec.containers[name={CONTAINER}].securityContext.readOnlyRootFilesystem"),
                "replaces": null,
                "value": true,
            },
            {"op": "append", "path": "spec.volumes", "items": [{"emptyDir": {}, "name": "tmp"}]},
            {
                "op": "append",
                "path": format!("spec.containers[name={CONTAINER}].volumeMounts"),
                "items": [{"mountPath": "/tmp", "name": "tmp"}],
            },
        ])
    );
    let facts: BTreeSet<&str> = ro["evidence"]["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        facts,
        [
            format!("write {} (on volume `data`)", data.display()).as_str(),
            format!("write {} (root filesystem, under /tmp)", chowned.display()).as_str(),
        ]
        .into(),
    );

    // Root ran every program: no runAsNonRoot. No setuid program ran, so privilege escalation
    // can be turned off, unless the capabilities kept include SYS_ADMIN (Kubernetes rejects
    // the two together).
    assert!(
        withheld["runAsNonRoot"].contains("ran as uid 0"),
        "{withheld:?}"
    );
    if granted.contains("CAP_SYS_ADMIN") {
        assert!(
            withheld["allowPrivilegeEscalation"].contains("SYS_ADMIN"),
            "{withheld:?}"
        );
        assert!(!suggestions.contains_key("allowPrivilegeEscalation"));
    } else {
        assert_eq!(
            suggestions["allowPrivilegeEscalation"]["changes"][0]["value"],
            false
        );
    }
    let mut kinds: Vec<&str> = suggestions.keys().copied().collect();
    kinds.retain(|k| {
        ![
            "capabilities",
            "readOnlyRootFilesystem",
            "allowPrivilegeEscalation",
        ]
        .contains(k)
    });
    assert_eq!(kinds, Vec::<&str>::new(), "unexpected suggestions");
}

/// The seccomp profiles: every system call the profile saw, plus the runtime's start-up set.
fn check_seccomp(bin: &Path, report: &Value, p: &Profile, out: &Path) {
    let s = &report["containers"][0]["seccomp"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    let name = format!("{DEPLOYMENT}-{CONTAINER}");
    assert_eq!(s["name"], name.as_str());
    assert_eq!(s["namespace"], NAMESPACE);
    assert_eq!(s["selected"], true, "{s:#}");
    let mut observed: Vec<String> = p.syscalls.iter().map(|c| c.name.clone()).collect();
    observed.sort();
    assert_eq!(strings(&s["observed"]), observed);
    let runtime = strings(&s["runtime"]);
    assert!(
        runtime
            .iter()
            .all(|c| picket_policy::seccomp::RUNTIME_STARTUP.contains(&c.as_str())),
        "{runtime:?}"
    );
    let allowed: BTreeSet<String> = observed.iter().chain(&runtime).cloned().collect();
    assert_eq!(strings(&s["syscalls"]), Vec::from_iter(allowed.clone()));
    for call in ["execve", "connect", "sendto", "chown", "openat", "write"] {
        assert!(allowed.contains(call), "{call} not allowed: {allowed:?}");
    }

    let localhost: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join(format!("{name}.json"))).unwrap())
            .unwrap();
    let arch = match p.sensor.arch.as_str() {
        "x86_64" => "SCMP_ARCH_X86_64",
        "aarch64" => "SCMP_ARCH_AARCH64",
        other => panic!("no seccomp architecture for {other}"),
    };
    assert_eq!(localhost["defaultAction"], "SCMP_ACT_LOG");
    assert_eq!(localhost["architectures"], json!([arch]));
    assert_eq!(
        localhost["syscalls"],
        json!([{"action": "SCMP_ACT_ALLOW", "names": Vec::from_iter(allowed.clone())}])
    );
    let spo = yaml_object(
        &std::fs::read_to_string(out.join(format!("{name}.seccompprofile.yaml"))).unwrap(),
    );
    assert_eq!(spo["kind"], "SeccompProfile");
    assert_eq!(
        spo["metadata"],
        json!({"name": name, "namespace": NAMESPACE})
    );
    assert_eq!(spo["spec"]["defaultAction"], "SCMP_ACT_LOG");
    assert_eq!(
        spo["spec"]["syscalls"],
        json!([{"action": "SCMP_ACT_ALLOW", "names": Vec::from_iter(allowed)}])
    );
    // Everything `--out` wrote is valid and lints clean.
    let o = picket(bin, &["check", out.to_str().unwrap()]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
}

/// The NetworkPolicy: egress to exactly the peers the workload reached (and the cluster DNS),
/// no ingress; checked rule by rule, then flow by flow with the project's evaluator.
fn check_network_policy(
    report: &Value,
    out: &Path,
    observed: &BTreeSet<(Protocol, String, u16, bool)>,
    named: bool,
) {
    use picket_policy::netpol::eval::{
        self, Endpoint, Evaluator, Flow, Namespace, NetworkPolicy, Pod,
    };

    let networks = report["networks"].as_array().unwrap();
    assert_eq!(networks.len(), 1, "{report:#}");
    let n = &networks[0];
    assert_eq!(
        n["workload"],
        format!("Deployment {NAMESPACE}/{DEPLOYMENT}")
    );
    let kinds: Vec<&str> = n["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["networkPolicy", "ciliumNetworkPolicy"]);
    let np = &n["suggestions"][0];
    assert_eq!(np["confidence"], "medium", "{np:#}");
    assert_eq!(np["selected"], true);
    let file = format!("picket-{DEPLOYMENT}-networkpolicy.yaml");
    assert_eq!(np["changes"][0]["file_name"], file.as_str());
    let text = std::fs::read_to_string(out.join(&file)).unwrap();
    assert_eq!(
        np["changes"][0]["content"],
        text.as_str(),
        "--out wrote the suggestion"
    );
    assert!(
        out.join(format!("picket-{DEPLOYMENT}-ciliumnetworkpolicy.yaml"))
            .is_file()
    );

    // The name the DNS server gave is the reader's, in the comment of the address's rule.
    assert_eq!(
        text.contains(&format!("# {V4}/32 (example.com): ")),
        named,
        "{text}"
    );

    // Rule by rule: (peer, protocol, port).
    let policy = yaml_object(&text);
    assert_eq!(policy["metadata"]["namespace"], NAMESPACE);
    assert_eq!(
        policy["spec"]["podSelector"],
        json!({"matchLabels": {"app": DEPLOYMENT}})
    );
    assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(
        policy["spec"]["ingress"],
        json!([]),
        "nothing connected to it"
    );
    let mut allowed = BTreeSet::new();
    for rule in policy["spec"]["egress"].as_array().unwrap() {
        for peer in rule["to"].as_array().unwrap() {
            let who = match peer {
                p if p.get("ipBlock").is_some() => {
                    assert_eq!(p["ipBlock"].as_object().unwrap().len(), 1, "{p}");
                    p["ipBlock"]["cidr"].as_str().unwrap().to_owned()
                }
                p => {
                    assert_eq!(
                        p,
                        &json!({
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                        })
                    );
                    "kube-dns".to_owned()
                }
            };
            for port in rule["ports"].as_array().unwrap() {
                allowed.insert((
                    who.clone(),
                    port["protocol"].as_str().unwrap().to_owned(),
                    port["port"].as_u64().unwrap(),
                ));
            }
        }
    }
    // Each peer the workload reached as its one address; a DNS server outside the cluster
    // over UDP and TCP; the cluster DNS always.
    let mut expected = BTreeSet::new();
    for (protocol, address, port, dns) in observed {
        let cidr = match address.parse::<std::net::IpAddr>().unwrap() {
            std::net::IpAddr::V4(_) => format!("{address}/32"),
            std::net::IpAddr::V6(_) => format!("{address}/128"),
        };
        let protocols: &[&str] = match (protocol, dns) {
            (_, true) => &["UDP", "TCP"],
            (Protocol::Tcp, false) => &["TCP"],
            (Protocol::Udp, false) => &["UDP"],
        };
        for proto in protocols {
            expected.insert((cidr.clone(), (*proto).to_owned(), u64::from(*port)));
        }
    }
    for proto in ["UDP", "TCP"] {
        expected.insert(("kube-dns".to_owned(), proto.to_owned(), 53));
    }
    assert_eq!(allowed, expected, "{text}");

    // Flow by flow.
    let evaluator = Evaluator::new(
        vec![NetworkPolicy::from_json(&policy).unwrap()],
        vec![
            Namespace {
                name: NAMESPACE.into(),
                ..Namespace::default()
            },
            Namespace {
                name: "kube-system".into(),
                ..Namespace::default()
            },
        ],
    );
    let api = Pod {
        name: POD.into(),
        namespace: NAMESPACE.into(),
        labels: [
            ("app".to_owned(), DEPLOYMENT.to_owned()),
            ("pod-template-hash".to_owned(), "5d8f7c9b4".to_owned()),
        ]
        .into(),
        ..Pod::default()
    };
    let kube_dns = Pod {
        name: "coredns-7db6d8ff4d-abcde".into(),
        namespace: "kube-system".into(),
        labels: [("k8s-app".to_owned(), "kube-dns".to_owned())].into(),
        ..Pod::default()
    };
    let flow = |to: Endpoint, protocol: eval::Protocol, port: u16| Flow {
        from: Endpoint::Pod(api.clone()),
        to,
        protocol,
        port,
    };
    let proto = |p: Protocol| match p {
        Protocol::Tcp => eval::Protocol::Tcp,
        Protocol::Udp => eval::Protocol::Udp,
    };
    for (protocol, address, port, _) in observed {
        let f = flow(
            Endpoint::External(address.parse().unwrap()),
            proto(*protocol),
            *port,
        );
        let verdict = evaluator.evaluate(&f);
        assert!(verdict.allowed, "{f:?}: {verdict:?}");
        assert!(
            matches!(verdict.egress, eval::Decision::Allowed { .. }),
            "{verdict:?}"
        );
    }
    let dns = flow(Endpoint::Pod(kube_dns.clone()), eval::Protocol::Udp, 53);
    assert!(evaluator.evaluate(&dns).allowed, "{dns:?}");

    // What it did not do is denied: another port of a peer, the other protocol, another
    // address, the cluster DNS on another port, and any connection to it.
    let (tcp4, tcp6, udp) =
        observed
            .iter()
            .fold((0, 0, 0), |acc, (proto, addr, port, dns)| {
                match (proto, addr.contains(':'), dns) {
                    (Protocol::Tcp, false, false) => (*port, acc.1, acc.2),
                    (Protocol::Tcp, true, false) => (acc.0, *port, acc.2),
                    (Protocol::Udp, _, false) => (acc.0, acc.1, *port),
                    _ => acc,
                }
            });
    let unused_port = (1025..u16::MAX)
        .find(|p| ![tcp4, tcp6, udp].contains(p))
        .unwrap();
    let denied = [
        flow(
            Endpoint::External(V4.into()),
            eval::Protocol::Tcp,
            unused_port,
        ),
        flow(
            Endpoint::External(V6.into()),
            eval::Protocol::Tcp,
            unused_port,
        ),
        flow(Endpoint::External(V6.into()), eval::Protocol::Udp, tcp6),
        flow(Endpoint::External(V4.into()), eval::Protocol::Udp, tcp4),
        flow(
            Endpoint::External(Ipv4Addr::new(198, 51, 100, 7).into()),
            eval::Protocol::Tcp,
            tcp4,
        ),
        flow(Endpoint::Pod(kube_dns.clone()), eval::Protocol::Tcp, 80),
        Flow {
            from: Endpoint::Pod(kube_dns),
            to: Endpoint::Pod(api.clone()),
            protocol: eval::Protocol::Tcp,
            port: tcp4,
        },
    ];
    for f in denied {
        let verdict = evaluator.evaluate(&f);
        assert!(!verdict.allowed, "{f:?}: {verdict:?}");
    }
}
