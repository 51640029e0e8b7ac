//! Seccomp profiles: the Localhost JSON and the `SeccompProfile` object per fixture, and the
//! errors for profiles that cannot make one.

use picket_policy::seccomp::{SeccompSuggestion, suggest};
use picket_profile::MissingHook;

use crate::{check_snapshot, pretty, profile};

const NGINX: &str = "shop_Deployment-web_nginx";
const API: &str = "shop_Deployment-api_api";
const OTEL: &str = "telemetry_Deployment-otel-collector_collector";

/// Everything but the files and the per-syscall facts, which have snapshots of their own or
/// would only repeat the profile. A struct, not a `serde_json::Value`, so that its key order
/// does not depend on serde_json's `preserve_order` feature being on in a build.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    arch: &'a str,
    scmp_arch: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
    observed: usize,
    runtime: &'a [String],
    syscalls: usize,
    notes: &'a [String],
    facts: usize,
    window: &'a picket_profile::Window,
    nodes: &'a [String],
    replicas: usize,
    partial_reasons: &'a [String],
    confidence: picket_policy::Confidence,
    lowered_by: &'a [picket_policy::Lowering],
}

fn summary(s: &SeccompSuggestion) -> String {
    pretty(&Summary {
        arch: &s.arch,
        scmp_arch: &s.scmp_arch,
        name: &s.name,
        namespace: s.namespace.as_deref(),
        observed: s.observed.len(),
        runtime: &s.runtime,
        syscalls: s.syscalls.len(),
        notes: &s.notes,
        facts: s.evidence.facts.len(),
        window: &s.evidence.window,
        nodes: &s.evidence.nodes,
        replicas: s.evidence.replicas,
        partial_reasons: &s.evidence.partial_reasons,
        confidence: s.confidence,
        lowered_by: &s.lowered_by,
    })
}

#[track_caller]
fn check(name: &str, s: &SeccompSuggestion) {
    check_snapshot(&format!("seccomp-{name}.json"), &s.localhost_json);
    check_snapshot(&format!("seccomp-{name}.seccompprofile.yaml"), &s.spo_yaml);
    check_snapshot(&format!("seccomp-{name}.summary.json"), &summary(s));
}

#[test]
fn nginx_x86_64() {
    let s = suggest(&[profile(NGINX)]).unwrap();
    assert_eq!(s.scmp_arch, "SCMP_ARCH_X86_64");
    assert!(
        s.localhost_json
            .starts_with("{\n  \"defaultAction\": \"SCMP_ACT_LOG\",")
    );
    // Seen in the container's cgroup while runc built it: kept, with a note.
    assert!(s.syscalls.contains(&"pivot_root".to_owned()));
    assert!(
        s.notes
            .iter()
            .any(|n| n.starts_with("`keyctl`, `mount`, `pivot_root`"))
    );
    check("nginx", &s);
}

#[test]
fn collector_aarch64() {
    let s = suggest(&[profile(OTEL)]).unwrap();
    assert_eq!(s.scmp_arch, "SCMP_ARCH_AARCH64");
    // The sensor's `fstatat` is libseccomp's `newfstatat` on arm64; x86-only names are out.
    assert!(s.syscalls.contains(&"newfstatat".to_owned()));
    assert!(!s.syscalls.contains(&"fstatat".to_owned()));
    assert!(!s.syscalls.contains(&"arch_prctl".to_owned()));
    assert!(!s.syscalls.contains(&"dup2".to_owned()));
    check("otel", &s);
}

#[test]
fn replicas_profiled_apart_are_united() {
    // Two per-replica profiles of one workload container give the same allow list as their
    // merge, and the evidence adds up.
    let merged = profile(API);
    let mut one = merged.clone();
    let mut two = merged.clone();
    one.coverage.replicas.truncate(1);
    two.coverage.replicas.drain(..1);
    two.syscalls.retain(|s| s.name != "getpeername");
    let apart = suggest(&[one, two]).unwrap();
    let together = suggest(&[merged]).unwrap();
    assert_eq!(apart.syscalls, together.syscalls);
    assert_eq!(apart.localhost_json, together.localhost_json);
    assert_eq!(apart.evidence.replicas, 3);
    let read = |s: &SeccompSuggestion| {
        s.evidence
            .facts
            .iter()
            .find(|f| f.what == "syscall read")
            .unwrap()
            .evidence
            .count
    };
    assert_eq!(read(&apart), 2 * read(&together));
}

#[test]
fn output_is_deterministic() {
    let a = suggest(&[profile(NGINX), profile(API)]).unwrap();
    let b = suggest(&[profile(API), profile(NGINX)]).unwrap();
    assert_eq!(a.localhost_json, b.localhost_json);
    assert_eq!(a.syscalls, b.syscalls);
    // Two workloads: no common name, no common namespace besides `shop`.
    assert_eq!(a.name, "seccomp");
    assert_eq!(a.namespace.as_deref(), Some("shop"));
}

#[test]
fn errors_say_why_no_profile_can_be_made() {
    let error = |profiles: &[picket_profile::Profile]| suggest(profiles).unwrap_err().to_string();

    assert_eq!(
        error(&[]),
        "no profiles: a seccomp profile needs observed system calls"
    );
    assert_eq!(
        error(&[profile(NGINX), profile(OTEL)]),
        "the profiles are for different architectures (`x86_64` for shop/Deployment web, \
         container nginx, `aarch64` for telemetry/Deployment otel-collector, container \
         collector): suggest a seccomp profile per architecture"
    );

    let mut missing = profile(API);
    missing.sensor.hooks.retain(|h| h != "syscalls");
    missing.sensor.missing_hooks.push(MissingHook {
        hook: "syscalls".to_owned(),
        reason: "raw_tp/sys_enter: permission denied".to_owned(),
    });
    assert_eq!(
        error(&[profile(API), missing]),
        "the `syscalls` hook was missing (raw_tp/sys_enter: permission denied) for \
         shop/Deployment api, container api: its system calls are unknown, and a seccomp \
         profile without them would stop the container"
    );

    let mut empty = profile(API);
    empty.syscalls.clear();
    assert_eq!(
        error(&[empty]),
        "no system call was seen in shop/Deployment api, container api: a seccomp profile \
         needs observed system calls"
    );

    let mut riscv = profile(API);
    riscv.sensor.arch = "riscv64".to_owned();
    assert_eq!(
        error(&[riscv]),
        "no system call table for architecture `riscv64` (supported: x86_64, aarch64)"
    );
}

#[test]
fn unknown_syscall_numbers_are_left_out() {
    let mut p = profile(API);
    let mut odd = p.syscalls[0].clone();
    odd.name = "syscall_511".to_owned();
    odd.nr = 511;
    p.syscalls.push(odd);
    let s = suggest(&[p]).unwrap();
    assert!(!s.syscalls.contains(&"syscall_511".to_owned()));
    assert_eq!(s.confidence, picket_policy::Confidence::Low);
    assert!(s.notes.iter().any(|n| n.contains("syscall_511")));
}

#[test]
fn files_to_create_are_named_after_the_object() {
    let s = suggest(&[profile(NGINX)]).unwrap();
    let names: Vec<String> = [s.localhost_file(), s.spo_file()]
        .into_iter()
        .map(|c| match c {
            picket_policy::Change::CreateFile { file_name, .. } => file_name,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(names, ["web-nginx.json", "web-nginx.seccompprofile.yaml"]);
}
