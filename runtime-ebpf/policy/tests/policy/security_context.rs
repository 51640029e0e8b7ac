//! `securityContext` suggestions: a snapshot per fixture profile, and the cases where a
//! suggestion must not be made.

use picket_policy::security_context::{Review, review, suggest};
use picket_policy::{
    Capabilities, Change, Confidence, ContainerSpec, PodSecurityContext, SecurityContext,
    SuggestionKind, VolumeMount,
};
use picket_profile::{Capability, Evidence, Executable, FileWrite, MissingHook, Profile};

use crate::{check_snapshot, pretty, profile};

const NGINX: &str = "shop_Deployment-web_nginx";
const API: &str = "shop_Deployment-api_api";
const BATCH: &str = "batch_CronJob-nightly-report_report";
const LEGACY: &str = "legacy_Deployment-legacy_legacy-6c9f7d8b5-q4zt2_app";
const OTEL: &str = "telemetry_Deployment-otel-collector_collector";

/// A container whose manifest sets nothing of its security context.
fn bare(name: &str) -> ContainerSpec {
    ContainerSpec {
        name: name.to_owned(),
        image: Some(format!("registry.example/{name}:1")),
        ..ContainerSpec::default()
    }
}

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: name.to_owned(),
        mount_path: path.to_owned(),
        read_only: false,
    }
}

fn kinds(review: &Review) -> Vec<SuggestionKind> {
    review.suggestions.iter().map(|s| s.kind).collect()
}

fn withheld(review: &Review, kind: SuggestionKind) -> Option<&str> {
    review
        .withheld
        .iter()
        .find(|w| w.kind == kind)
        .map(|w| w.reason.as_str())
}

fn evidence(count: u64) -> Evidence {
    Evidence {
        count,
        first_seen: "2026-03-01T10:00:01Z".to_owned(),
        last_seen: "2026-03-01T10:00:02Z".to_owned(),
        nodes: vec!["node-a".to_owned()],
        replicas: 1,
    }
}

fn capability(name: &str, granted: bool) -> Capability {
    Capability {
        name: name.to_owned(),
        granted,
        evidence: evidence(3),
    }
}

fn write(path: &str) -> FileWrite {
    FileWrite {
        path: path.to_owned(),
        evidence: evidence(1),
    }
}

#[test]
fn nginx_as_deployed_by_default() {
    // The official image's start-up runs as root, then its workers as 101 (nginx switches user
    // itself); it writes its cache and pid file on the image.
    let review = review(&profile(NGINX), &bare("nginx"));
    assert_eq!(
        kinds(&review),
        [
            SuggestionKind::Capabilities,
            SuggestionKind::ReadOnlyRootFilesystem,
            SuggestionKind::AllowPrivilegeEscalation,
        ]
    );
    assert!(withheld(&review, SuggestionKind::RunAsNonRoot).is_some());
    check_snapshot("security_context-nginx.json", &pretty(&review));
}

#[test]
fn go_api_gets_every_suggestion() {
    let review = review(&profile(API), &bare("api"));
    assert_eq!(
        kinds(&review),
        [
            SuggestionKind::Capabilities,
            SuggestionKind::ReadOnlyRootFilesystem,
            SuggestionKind::RunAsNonRoot,
            SuggestionKind::AllowPrivilegeEscalation,
        ]
    );
    assert!(review.withheld.is_empty(), "{:#?}", review.withheld);
    check_snapshot("security_context-api.json", &pretty(&review));
}

#[test]
fn batch_job_with_a_data_volume() {
    let mut spec = bare("report");
    spec.volume_mounts = vec![mount("exports", "/data/exports")];
    spec.pod_volume_names = vec!["exports".to_owned(), "tmp".to_owned()];
    let review = review(&profile(BATCH), &spec);
    check_snapshot("security_context-batch.json", &pretty(&review));
}

#[test]
fn partial_profile_without_the_capabilities_hook() {
    let review = review(&profile(LEGACY), &bare("app"));
    assert!(!kinds(&review).contains(&SuggestionKind::Capabilities));
    let reason = withheld(&review, SuggestionKind::Capabilities).unwrap();
    assert!(
        reason.contains("`capabilities` hook was missing"),
        "{reason}"
    );
    assert!(reason.contains("cap_capable"), "{reason}");
    check_snapshot("security_context-legacy.json", &pretty(&review));
}

#[test]
fn collector_on_arm64() {
    let review = review(&profile(OTEL), &bare("collector"));
    check_snapshot("security_context-otel.json", &pretty(&review));
}

/// The Go API's manifest after applying every suggestion.
fn api_least_privileged() -> ContainerSpec {
    ContainerSpec {
        security_context: SecurityContext {
            capabilities: Some(Capabilities {
                add: vec![],
                drop: vec!["ALL".to_owned()],
            }),
            read_only_root_filesystem: Some(true),
            run_as_non_root: None,
            run_as_user: Some(65532),
            allow_privilege_escalation: Some(false),
            privileged: None,
            seccomp_profile: None,
        },
        pod_security_context: PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: None,
            seccomp_profile: None,
        },
        ..bare("api")
    }
}

#[test]
fn nothing_is_suggested_for_a_least_privileged_container() {
    let review = review(&profile(API), &api_least_privileged());
    assert_eq!(review, Review::default());
}

#[test]
fn applying_the_suggestions_leaves_nothing_to_suggest() {
    // Each change of the API's suggestions, applied to the bare spec by hand, gives the
    // least-privileged spec (up to where runAsNonRoot is set).
    let suggestions = suggest(&profile(API), &bare("api"));
    let mut spec = bare("api");
    for change in suggestions.iter().flat_map(|s| &s.changes) {
        let Change::Set { path, value, .. } = change else {
            panic!("unexpected {change:?}");
        };
        let sc = &mut spec.security_context;
        match path.to_string().as_str() {
            "spec.containers[name=api].securityContext.capabilities" => {
                assert_eq!(value, &serde_json::json!({"drop": ["ALL"]}));
                sc.capabilities = Some(Capabilities {
                    add: vec![],
                    drop: vec!["ALL".to_owned()],
                });
            }
            "spec.containers[name=api].securityContext.readOnlyRootFilesystem" => {
                sc.read_only_root_filesystem = value.as_bool();
            }
            "spec.containers[name=api].securityContext.runAsNonRoot" => {
                sc.run_as_non_root = value.as_bool();
            }
            "spec.containers[name=api].securityContext.runAsUser" => {
                sc.run_as_user = value.as_i64();
            }
            "spec.containers[name=api].securityContext.allowPrivilegeEscalation" => {
                sc.allow_privilege_escalation = value.as_bool();
            }
            other => panic!("unexpected path {other}"),
        }
    }
    assert_eq!(review(&profile(API), &spec), Review::default());
}

#[test]
fn denied_only_capabilities_are_not_added() {
    let mut p = profile(API);
    p.capabilities = vec![
        capability("CAP_NET_RAW", false),
        capability("CAP_NET_BIND_SERVICE", true),
        capability("CAP_NET_BIND_SERVICE", false),
    ];
    let suggestions = suggest(&p, &bare("api"));
    let caps = &suggestions[0];
    assert_eq!(caps.kind, SuggestionKind::Capabilities);
    let Change::Set { value, .. } = &caps.changes[0] else {
        panic!()
    };
    assert_eq!(
        value,
        &serde_json::json!({"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]})
    );
    assert_eq!(caps.notes.len(), 1, "{:?}", caps.notes);
    assert!(caps.notes[0].contains("`CAP_NET_RAW` was checked and denied 3 times"));
}

#[test]
fn no_audit_prone_capabilities_are_added_with_low_confidence() {
    let mut p = profile(API);
    p.capabilities = vec![capability("CAP_SYS_ADMIN", true)];
    let review = review(&p, &bare("api"));
    let caps = &review.suggestions[0];
    assert_eq!(caps.confidence, Confidence::Low);
    assert!(
        caps.lowered_by[0]
            .reason
            .contains("`SYS_ADMIN` may have been checked")
    );
    // Kubernetes rejects allowPrivilegeEscalation: false next to an added SYS_ADMIN.
    let reason = withheld(&review, SuggestionKind::AllowPrivilegeEscalation).unwrap();
    assert!(reason.contains("SYS_ADMIN"), "{reason}");
}

#[test]
fn unchanged_capabilities_are_not_suggested_again() {
    let mut spec = bare("nginx");
    spec.security_context.capabilities = Some(Capabilities {
        add: vec![
            "CAP_SETUID".to_owned(),
            "chown".to_owned(),
            "NET_BIND_SERVICE".to_owned(),
            "SETGID".to_owned(),
        ],
        drop: vec!["all".to_owned()],
    });
    assert!(!kinds(&review(&profile(NGINX), &spec)).contains(&SuggestionKind::Capabilities));
}

#[test]
fn extra_capabilities_are_replaced() {
    let mut spec = bare("nginx");
    spec.security_context.capabilities = Some(Capabilities {
        add: vec!["NET_ADMIN".to_owned()],
        drop: vec![],
    });
    let suggestions = suggest(&profile(NGINX), &spec);
    let Change::Set { replaces, .. } = &suggestions[0].changes[0] else {
        panic!()
    };
    assert_eq!(replaces, &Some(serde_json::json!({"add": ["NET_ADMIN"]})));
}

#[test]
fn missing_hooks_withhold_their_suggestions() {
    let mut p = profile(API);
    for hook in ["capabilities", "exec", "file-writes"] {
        p.sensor.hooks.retain(|h| h != hook);
        p.sensor.missing_hooks.push(MissingHook {
            hook: hook.to_owned(),
            reason: "test".to_owned(),
        });
    }
    let review = review(&p, &bare("api"));
    assert!(review.suggestions.is_empty(), "{:#?}", review.suggestions);
    check_snapshot(
        "security_context-missing-hooks.json",
        &pretty(&review.withheld),
    );
}

#[test]
fn a_read_only_root_filesystem_is_not_suggested_twice() {
    let mut spec = bare("nginx");
    spec.security_context.read_only_root_filesystem = Some(true);
    assert!(
        !kinds(&review(&profile(NGINX), &spec)).contains(&SuggestionKind::ReadOnlyRootFilesystem)
    );
}

#[test]
fn writes_to_system_directories_withhold_a_read_only_root_filesystem() {
    let mut p = profile(API);
    p.file_writes = vec![write("/etc/passwd"), write("/tmp/x")];
    let review = review(&p, &bare("api"));
    let reason = withheld(&review, SuggestionKind::ReadOnlyRootFilesystem).unwrap();
    assert_eq!(
        reason,
        "Container `api` wrote directly in `/etc`: a volume there would hide the image's \
         system files."
    );
}

#[test]
fn writes_in_many_directories_withhold_a_read_only_root_filesystem() {
    let mut p = profile(API);
    p.file_writes = ["/a/1", "/b/1", "/c/1", "/d/1", "/e/1"].map(write).to_vec();
    let review = review(&p, &bare("api"));
    let reason = withheld(&review, SuggestionKind::ReadOnlyRootFilesystem).unwrap();
    assert!(reason.contains("in 5 directories"), "{reason}");
}

#[test]
fn writes_that_hide_image_content_lower_confidence() {
    let mut p = profile(API);
    p.file_writes = vec![
        write("/var/log/nginx/access.log"),
        write("/var/cache/nginx/a/b"),
        write("/var/cache/nginx/c"),
        write("/proc/self/oom_score_adj"),
    ];
    let review = review(&p, &bare("api"));
    let suggestion = &review.suggestions[1];
    assert_eq!(suggestion.kind, SuggestionKind::ReadOnlyRootFilesystem);
    assert_eq!(suggestion.confidence, Confidence::Low);
    assert_eq!(
        suggestion.message,
        "Set `readOnlyRootFilesystem: true` and mount an `emptyDir` volume at \
         `/var/cache/nginx` and `/var/log/nginx`: the only places container `api` was seen \
         writing to its root filesystem"
    );
    assert!(suggestion.notes[0].contains("`/dev/stdout`"));
}

#[test]
fn run_as_non_root_respects_user_namespaces_and_existing_settings() {
    let mut spec = bare("api");
    spec.host_users = Some(false);
    let r = review(&profile(API), &spec);
    assert!(withheld(&r, SuggestionKind::RunAsNonRoot).is_some());

    // runAsNonRoot already set on the pod: only runAsUser is left to suggest.
    let mut spec = bare("api");
    spec.pod_security_context.run_as_non_root = Some(true);
    let suggestions = suggest(&profile(API), &spec);
    let run_as = suggestions
        .iter()
        .find(|s| s.kind == SuggestionKind::RunAsNonRoot)
        .unwrap();
    assert_eq!(run_as.changes.len(), 1);
    assert_eq!(
        run_as.message,
        "Set `runAsUser: 65532`: every program of container `api` ran as uid 65532"
    );
}

#[test]
fn setuid_programs_and_privileged_containers_withhold_allow_privilege_escalation() {
    let mut p = profile(API);
    p.executables.push(Executable {
        path: "/bin/su".to_owned(),
        uid: 65532,
        argv: vec!["su".to_owned(), "-".to_owned()],
        argv_incomplete: false,
        evidence: evidence(1),
    });
    let r = review(&p, &bare("api"));
    let reason = withheld(&r, SuggestionKind::AllowPrivilegeEscalation).unwrap();
    assert!(reason.contains("`/bin/su`"), "{reason}");

    let mut spec = bare("api");
    spec.security_context.privileged = Some(true);
    let r = review(&profile(API), &spec);
    let reason = withheld(&r, SuggestionKind::AllowPrivilegeEscalation).unwrap();
    assert!(reason.contains("privileged"), "{reason}");
}

#[test]
fn init_containers_have_their_own_paths() {
    let mut spec = bare("migrate");
    spec.init = true;
    let suggestions = suggest(&profile(API), &spec);
    let Change::Set { path, .. } = &suggestions[0].changes[0] else {
        panic!()
    };
    assert_eq!(
        path.to_string(),
        "spec.initContainers[name=migrate].securityContext.capabilities"
    );
}

#[test]
fn profile_rules_lower_confidence() {
    // One replica for a short time.
    let mut p: Profile = profile(API);
    p.coverage.replicas.truncate(1);
    p.window.end = "2026-03-01T00:20:00Z".to_owned();
    let suggestion = &suggest(&p, &bare("api"))[0];
    let reasons: Vec<&str> = suggestion
        .lowered_by
        .iter()
        .map(|l| l.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        ["observed for 20 min only (less than 1 h)", "1 replica seen"]
    );
    assert_eq!(suggestion.confidence, Confidence::Medium);
}
