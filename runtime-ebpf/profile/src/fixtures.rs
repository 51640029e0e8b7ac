//! Profiles for tests: one with every list filled, and small builders for merge cases.

use crate::{
    Capability, Coverage, Direction, Evidence, Executable, FileWrite, MissingHook, NetworkPeer,
    PeerIdentity, PeerKind, Profile, Protocol, SensorInfo, Stats, Subject, Syscall, VERSION,
    Window, Workload,
};

pub(crate) fn evidence(first: &str, last: &str, count: u64, node: &str) -> Evidence {
    Evidence {
        count,
        first_seen: first.to_owned(),
        last_seen: last.to_owned(),
        nodes: vec![node.to_owned()],
        replicas: 1,
    }
}

fn seen(count: u64) -> Evidence {
    evidence(
        "2026-03-01T10:00:05Z",
        "2026-03-01T10:59:58Z",
        count,
        "node-a",
    )
}

/// One replica of Deployment `shop/web`, container `nginx`, with every list non-empty, in
/// normal form.
pub(crate) fn full_profile() -> Profile {
    let argv = |args: &[&str]| args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
    let peer = |direction, protocol, address: &str, port, dns| NetworkPeer {
        direction,
        protocol,
        address: address.to_owned(),
        port,
        dns,
        peer: None,
        names: Vec::new(),
        evidence: seen(3),
    };
    Profile {
        version: VERSION,
        subject: Subject {
            namespace: Some("shop".to_owned()),
            workload: Some(Workload {
                kind: "Deployment".to_owned(),
                name: "web".to_owned(),
                source: "kubernetes-api".to_owned(),
            }),
            pod: Some("web-7d9c5b6f4-x2x9z".to_owned()),
            container: Some("nginx".to_owned()),
            image: Some("registry.example/nginx:1.27".to_owned()),
            cgroup: Some(
                "kubepods.slice/kubepods-pod3f2a.slice/cri-containerd-0c1d.scope".to_owned(),
            ),
        },
        window: Window {
            start: "2026-03-01T10:00:00Z".to_owned(),
            end: "2026-03-01T11:00:00Z".to_owned(),
            seconds: 3600,
        },
        partial: true,
        partial_reasons: vec![
            "hook `file-writes` was not attached".to_owned(),
            "the container started before the sensor".to_owned(),
        ],
        coverage: Coverage {
            nodes: vec!["node-a".to_owned()],
            replicas: vec!["3f2a9c1e-0b7d-4c3e-9d3b-0e2f8c9a1b2c".to_owned()],
        },
        sensor: SensorInfo {
            version: "0.1.0".to_owned(),
            arch: "x86_64".to_owned(),
            hooks: argv(&[
                "capabilities",
                "exec",
                "network-egress",
                "network-ingress",
                "syscalls",
            ]),
            missing_hooks: vec![MissingHook {
                hook: "file-writes".to_owned(),
                reason: "kernel has no BTF for security_file_open".to_owned(),
            }],
            stats: Stats {
                events: 1234,
                drops: 2,
                lost_inserts: 1,
                read_errors: 3,
            },
        },
        executables: vec![
            Executable {
                path: "/docker-entrypoint.sh".to_owned(),
                uid: 0,
                argv: argv(&["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]),
                argv_incomplete: false,
                evidence: seen(1),
            },
            Executable {
                path: "/usr/bin/curl".to_owned(),
                uid: 101,
                argv: argv(&[
                    "curl",
                    "-H",
                    "Authorization: Bearer <redacted>",
                    "https://api.example/v1/orders",
                ]),
                argv_incomplete: true,
                evidence: seen(12),
            },
        ],
        network: vec![
            NetworkPeer {
                names: vec!["api.example".to_owned()],
                ..peer(
                    Direction::Egress,
                    Protocol::Tcp,
                    "93.184.215.14",
                    443,
                    false,
                )
            },
            peer(
                Direction::Egress,
                Protocol::Tcp,
                "2001:db8::25",
                5432,
                false,
            ),
            NetworkPeer {
                peer: Some(PeerIdentity {
                    kind: PeerKind::Service,
                    namespace: Some("kube-system".to_owned()),
                    name: "kube-dns".to_owned(),
                    workload: None,
                    labels: [("k8s-app".to_owned(), "kube-dns".to_owned())].into(),
                }),
                ..peer(Direction::Egress, Protocol::Udp, "10.96.0.10", 53, true)
            },
            NetworkPeer {
                peer: Some(PeerIdentity {
                    kind: PeerKind::Pod,
                    namespace: Some("shop".to_owned()),
                    name: "web-7d4b9c6f5-xk2lp".to_owned(),
                    workload: Some(Workload {
                        kind: "Deployment".to_owned(),
                        name: "web".to_owned(),
                        source: "kubernetes-api".to_owned(),
                    }),
                    labels: [("app".to_owned(), "web".to_owned())].into(),
                }),
                ..peer(Direction::Ingress, Protocol::Tcp, "10.244.1.7", 8080, false)
            },
            peer(Direction::Ingress, Protocol::Tcp, "fd00::7", 8080, false),
        ],
        capabilities: vec![
            Capability {
                name: "CAP_NET_BIND_SERVICE".to_owned(),
                granted: true,
                evidence: seen(1),
            },
            Capability {
                name: "CAP_SYS_ADMIN".to_owned(),
                granted: false,
                evidence: seen(4),
            },
        ],
        syscalls: vec![
            Syscall {
                name: "read".to_owned(),
                nr: 0,
                evidence: seen(90_000),
            },
            Syscall {
                name: "write".to_owned(),
                nr: 1,
                evidence: seen(40_000),
            },
            Syscall {
                name: "openat".to_owned(),
                nr: 257,
                evidence: seen(700),
            },
        ],
        file_writes: vec![
            FileWrite {
                path: "/tmp/upload.part".to_owned(),
                evidence: seen(2),
            },
            FileWrite {
                path: "/var/cache/nginx/client_temp/0000000001".to_owned(),
                evidence: seen(30),
            },
        ],
    }
}
