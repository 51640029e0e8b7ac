//! What a profile says about a manifest as it stands: privileges it declares that the
//! container never used, and behaviour it does not allow (drift).
//!
//! Suggestions (in [`security_context`](crate::security_context)) say what to change; findings
//! say what is wrong now, to be shown as diagnostics on the declaring field. A drift finding
//! means one of two things, and the message says both: the pods that ran are not what this
//! manifest describes, or applying the manifest as written would break what the pods do.

use serde::Serialize;

use picket_profile::Profile;

use crate::common::missing_hook;
use crate::security_context::{Place, is_known_capability, manifest_capability, place, times};
use crate::spec::ContainerSpec;
use crate::suggestion::{Fact, FieldPath};

/// One finding about a container's manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeFinding {
    /// A stable code: `unused-capability`, `unused-privileged`, `drift-capability`,
    /// `drift-root-write`, `drift-run-as-root`, `drift-network`.
    pub code: &'static str,
    /// What was found, with values in backticks.
    pub message: String,
    /// The field the finding is about, relative to the pod template; `None` for the workload
    /// as a whole.
    pub path: Option<FieldPath>,
    /// The observations behind it.
    pub facts: Vec<Fact>,
    /// True for drift (behaviour the manifest does not allow), false for a privilege never used.
    pub drift: bool,
}

/// The capabilities containerd gives a container by default. CRI-O's default set is smaller
/// (no `AUDIT_WRITE`, `MKNOD`, `NET_RAW`, `SYS_CHROOT`), so on CRI-O a grant of one of those
/// that the manifest does not add is drift this list does not report.
pub const RUNTIME_DEFAULT_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The findings for one container: what `spec` declares that `profile` never saw used, and
/// what `profile` saw that `spec` does not allow. Findings that rest on a hook the profile
/// lacks are not made.
pub fn check(profile: &Profile, spec: &ContainerSpec) -> Vec<RuntimeFinding> {
    let mut out = Vec::new();
    if missing_hook(profile, "capabilities").is_none() {
        capabilities(profile, spec, &mut out);
    }
    if missing_hook(profile, "file-writes").is_none() {
        root_writes(profile, spec, &mut out);
    }
    if missing_hook(profile, "exec").is_none() {
        root_processes(profile, spec, &mut out);
    }
    out
}

fn capabilities(profile: &Profile, spec: &ContainerSpec, out: &mut Vec<RuntimeFinding>) {
    let sc = &spec.security_context;
    let container = FieldPath::container(spec).key("securityContext");
    let declared = sc.capabilities.clone().unwrap_or_default();
    let add: Vec<String> = declared
        .add
        .iter()
        .map(|c| manifest_capability(c))
        .collect();
    let drop: Vec<String> = declared
        .drop
        .iter()
        .map(|c| manifest_capability(c))
        .collect();
    let granted: Vec<(String, &picket_profile::Capability)> = profile
        .capabilities
        .iter()
        .filter(|c| c.granted && is_known_capability(&c.name))
        .map(|c| (manifest_capability(&c.name), c))
        .collect();
    let used = |name: &str| granted.iter().any(|(n, _)| n == name);

    for name in &add {
        if name != "ALL" && !used(name) {
            out.push(RuntimeFinding {
                code: "unused-capability",
                message: format!(
                    "`{name}` is added but the container was never seen using it; \
                     remove it from `capabilities.add`."
                ),
                path: Some(container.clone().key("capabilities").key("add")),
                facts: Vec::new(),
                drift: false,
            });
        }
    }

    if sc.privileged == Some(true) {
        let beyond: Vec<&(String, &picket_profile::Capability)> = granted
            .iter()
            .filter(|(n, _)| !RUNTIME_DEFAULT_CAPABILITIES.contains(&n.as_str()))
            .collect();
        if beyond.is_empty() {
            out.push(RuntimeFinding {
                code: "unused-privileged",
                message: "`privileged: true`, but the container used no capability beyond the \
                          runtime's default set; the sensor does not see device access, so \
                          check that before dropping it."
                    .to_owned(),
                path: Some(container.clone().key("privileged")),
                facts: granted.iter().map(|(_, c)| capability_fact(c)).collect(),
                drift: false,
            });
        }
        return;
    }

    // What the manifest gives: everything when `drop` has ALL is taken away, the runtime's
    // defaults otherwise; then `add`.
    let allowed = |name: &str| {
        if add.iter().any(|a| a == name || a == "ALL") {
            return true;
        }
        if drop.iter().any(|d| d == name || d == "ALL") {
            return false;
        }
        RUNTIME_DEFAULT_CAPABILITIES.contains(&name)
    };
    for (name, cap) in &granted {
        if !allowed(name) {
            out.push(RuntimeFinding {
                code: "drift-capability",
                message: format!(
                    "`{name}` was granted {} at runtime, but this manifest does not give it: \
                     the pods that ran differ from this manifest, or applying it will break \
                     what they do.",
                    times(cap.evidence.count)
                ),
                path: Some(container.clone().key("capabilities")),
                facts: vec![capability_fact(cap)],
                drift: true,
            });
        }
    }
}

fn capability_fact(cap: &picket_profile::Capability) -> Fact {
    Fact {
        what: format!(
            "capability {} {}",
            cap.name,
            if cap.granted { "granted" } else { "denied" }
        ),
        evidence: cap.evidence.clone(),
    }
}

fn root_writes(profile: &Profile, spec: &ContainerSpec, out: &mut Vec<RuntimeFinding>) {
    if spec.security_context.read_only_root_filesystem != Some(true) {
        return;
    }
    let facts: Vec<Fact> = profile
        .file_writes
        .iter()
        .filter(|w| matches!(place(&w.path, &spec.volume_mounts), Place::Root { .. }))
        .map(|w| Fact {
            what: format!("write {}", w.path),
            evidence: w.evidence.clone(),
        })
        .collect();
    if facts.is_empty() {
        return;
    }
    let shown: Vec<String> = facts
        .iter()
        .take(3)
        .map(|f| format!("`{}`", f.what.trim_start_matches("write ")))
        .collect();
    let more = if facts.len() > shown.len() {
        format!(" and {} more", facts.len() - shown.len())
    } else {
        String::new()
    };
    out.push(RuntimeFinding {
        code: "drift-root-write",
        message: format!(
            "`readOnlyRootFilesystem: true`, but the container wrote to its root filesystem \
             ({}{more}): mount a volume there, or the pods that ran differ from this manifest.",
            shown.join(", ")
        ),
        path: Some(
            FieldPath::container(spec)
                .key("securityContext")
                .key("readOnlyRootFilesystem"),
        ),
        facts,
        drift: true,
    });
}

fn root_processes(profile: &Profile, spec: &ContainerSpec, out: &mut Vec<RuntimeFinding>) {
    if spec.effective_run_as_non_root() != Some(true) || spec.host_users == Some(false) {
        return;
    }
    let facts: Vec<Fact> = profile
        .executables
        .iter()
        .filter(|e| e.uid == 0)
        .map(|e| Fact {
            what: format!("exec {} as uid 0", e.path),
            evidence: e.evidence.clone(),
        })
        .collect();
    if facts.is_empty() {
        return;
    }
    let path = if spec.security_context.run_as_non_root.is_some() {
        FieldPath::container(spec)
            .key("securityContext")
            .key("runAsNonRoot")
    } else {
        FieldPath::pod_spec()
            .key("securityContext")
            .key("runAsNonRoot")
    };
    out.push(RuntimeFinding {
        code: "drift-run-as-root",
        message: format!(
            "`runAsNonRoot: true`, but {} ran as uid 0: the kubelet refuses to start such a \
             container, so the pods that ran differ from this manifest.",
            facts[0]
                .what
                .trim_start_matches("exec ")
                .trim_end_matches(" as uid 0")
        ),
        path: Some(path),
        facts,
        drift: true,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Capabilities, SecurityContext, VolumeMount};

    fn nginx() -> Profile {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/profiles/shop_Deployment-web_nginx.json"
        );
        Profile::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn spec(security_context: SecurityContext) -> ContainerSpec {
        ContainerSpec {
            name: "nginx".to_owned(),
            security_context,
            ..ContainerSpec::default()
        }
    }

    fn codes(findings: &[RuntimeFinding]) -> Vec<&str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_manifest_that_matches_the_profile_has_no_findings() {
        let profile = nginx();
        let granted: Vec<String> = profile
            .capabilities
            .iter()
            .filter(|c| c.granted)
            .map(|c| manifest_capability(&c.name))
            .collect();
        let findings = check(
            &profile,
            &spec(SecurityContext {
                capabilities: Some(Capabilities {
                    add: granted,
                    drop: vec!["ALL".to_owned()],
                }),
                ..SecurityContext::default()
            }),
        );
        assert_eq!(findings, []);
    }

    #[test]
    fn an_added_capability_never_used_is_found() {
        let findings = check(
            &nginx(),
            &spec(SecurityContext {
                capabilities: Some(Capabilities {
                    add: vec!["CAP_NET_ADMIN".to_owned(), "SYS_TIME".to_owned()],
                    drop: Vec::new(),
                }),
                ..SecurityContext::default()
            }),
        );
        let unused: Vec<&str> = findings
            .iter()
            .filter(|f| f.code == "unused-capability")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(unused.len(), 2, "{findings:#?}");
        assert!(unused[0].starts_with("`NET_ADMIN` is added"), "{unused:?}");
        assert!(unused[1].starts_with("`SYS_TIME` is added"), "{unused:?}");
        assert_eq!(
            findings[0].path.as_ref().unwrap().to_string(),
            "spec.containers[name=nginx].securityContext.capabilities.add"
        );
    }

    #[test]
    fn a_granted_capability_the_manifest_drops_is_drift() {
        let findings = check(
            &nginx(),
            &spec(SecurityContext {
                capabilities: Some(Capabilities {
                    add: Vec::new(),
                    drop: vec!["ALL".to_owned()],
                }),
                ..SecurityContext::default()
            }),
        );
        assert!(!findings.is_empty());
        assert!(
            findings
                .iter()
                .all(|f| f.code == "drift-capability" && f.drift)
        );
        assert!(findings[0].message.contains("CHOWN"), "{findings:#?}");
        assert_eq!(findings[0].facts.len(), 1);
    }

    #[test]
    fn privileged_without_extra_capabilities_is_unused() {
        let findings = check(
            &nginx(),
            &spec(SecurityContext {
                privileged: Some(true),
                ..SecurityContext::default()
            }),
        );
        assert_eq!(codes(&findings), ["unused-privileged"]);
    }

    #[test]
    fn root_writes_under_a_read_only_root_are_drift_unless_a_volume_is_there() {
        let profile = nginx();
        let read_only = SecurityContext {
            read_only_root_filesystem: Some(true),
            ..SecurityContext::default()
        };
        let findings = check(&profile, &spec(read_only.clone()));
        let drift: Vec<&RuntimeFinding> = findings
            .iter()
            .filter(|f| f.code == "drift-root-write")
            .collect();
        assert_eq!(drift.len(), 1, "{findings:#?}");
        assert!(drift[0].message.contains("/var/cache/nginx"), "{drift:#?}");

        let mut mounted = spec(read_only);
        for dir in ["/var/cache/nginx", "/var/run", "/run", "/tmp"] {
            mounted.volume_mounts.push(VolumeMount {
                name: dir.trim_start_matches('/').replace('/', "-"),
                mount_path: dir.to_owned(),
                read_only: false,
            });
        }
        let findings = check(&profile, &mounted);
        assert!(
            findings.iter().all(|f| f.code != "drift-root-write"),
            "{findings:#?}"
        );
    }

    #[test]
    fn root_processes_under_run_as_non_root_are_drift() {
        let findings = check(
            &nginx(),
            &spec(SecurityContext {
                run_as_non_root: Some(true),
                ..SecurityContext::default()
            }),
        );
        let drift: Vec<&RuntimeFinding> = findings
            .iter()
            .filter(|f| f.code == "drift-run-as-root")
            .collect();
        assert_eq!(drift.len(), 1);
        assert_eq!(
            drift[0].path.as_ref().unwrap().to_string(),
            "spec.containers[name=nginx].securityContext.runAsNonRoot"
        );
    }

    #[test]
    fn nothing_is_said_without_the_hook() {
        let mut profile = nginx();
        profile.sensor.hooks.retain(|h| h != "capabilities");
        let findings = check(
            &profile,
            &spec(SecurityContext {
                capabilities: Some(Capabilities {
                    add: vec!["NET_ADMIN".to_owned()],
                    drop: vec!["ALL".to_owned()],
                }),
                ..SecurityContext::default()
            }),
        );
        assert_eq!(findings, []);
    }
}
