//! Shared helpers of the security rules: the settings a container inherits from its pod,
//! the pod's annotations, capability names and the legacy seccomp and AppArmor annotations.

use picket_model::{Field, PodSecurityContext, SecurityContext, StrMap, View};
use picket_syntax::Node;

use crate::rule::{ContainerCx, PodCx};

/// Where an effective `securityContext` setting comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Container,
    Pod,
}

/// A field that is present and not null.
pub(crate) fn set(f: Option<Field<'_>>) -> Option<Field<'_>> {
    f.filter(|f| !f.value().is_null())
}

/// The container's `securityContext`, if it is a mapping.
pub(crate) fn container_sc<'a>(c: &ContainerCx<'a>) -> Option<SecurityContext<'a>> {
    c.container.security_context()
}

/// The pod's `securityContext`, if it is a mapping.
pub(crate) fn pod_sc<'a>(pod: &PodCx<'a>) -> Option<PodSecurityContext<'a>> {
    pod.spec.security_context()
}

/// The setting `key` as Kubernetes applies it to the container: the container's own if set,
/// else the pod's (`runAsUser`, `runAsGroup`, `runAsNonRoot`, `seLinuxOptions`, …).
pub(crate) fn effective<'a>(c: &ContainerCx<'a>, key: &str) -> Option<(Field<'a>, Level)> {
    if let Some(f) = set(container_sc(c).and_then(|s| s.field(key))) {
        return Some((f, Level::Container));
    }
    set(pod_sc(&c.pod).and_then(|s| s.field(key))).map(|f| (f, Level::Pod))
}

/// `type` of a `seccompProfile` or `appArmorProfile` field, when set.
pub(crate) fn profile_type(profile: Option<Field<'_>>) -> Option<Field<'_>> {
    let m = set(profile)?.as_mapping()?;
    set(m.get_entry("type").map(Field::new))
}

/// The profile `key` (`seccompProfile` or `appArmorProfile`) that applies to the container:
/// its own if it has a `type`, else the pod's. Returns the `type` field.
pub(crate) fn effective_profile<'a>(c: &ContainerCx<'a>, key: &str) -> Option<(Field<'a>, Level)> {
    if let Some(t) = profile_type(container_sc(c).and_then(|s| s.field(key))) {
        return Some((t, Level::Container));
    }
    profile_type(pod_sc(&c.pod).and_then(|s| s.field(key))).map(|t| (t, Level::Pod))
}

/// Whether a profile `type` confines the process (`RuntimeDefault` or `Localhost`).
pub(crate) fn confining(t: Field<'_>) -> bool {
    matches!(t.text(), Some("RuntimeDefault" | "Localhost"))
}

/// The pod's annotations: the template's for a workload, the object's for a bare Pod.
pub(crate) fn pod_annotations<'a>(pod: &PodCx<'a>) -> Option<StrMap<'a>> {
    match pod.template {
        Some(t) => t.metadata()?.annotations(),
        None => pod.object.annotations(),
    }
}

/// The legacy pod-wide seccomp annotation.
pub(crate) const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// The prefix of the legacy per-container seccomp annotation.
pub(crate) const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
/// The prefix of the legacy per-container AppArmor annotation.
pub(crate) const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Whether a legacy seccomp or AppArmor annotation value confines the process.
pub(crate) fn confining_annotation(value: &str) -> bool {
    matches!(value, "runtime/default" | "docker/default") || value.starts_with("localhost/")
}

/// The annotation `prefix<container>` of the container's pod.
pub(crate) fn container_annotation<'a>(c: &ContainerCx<'a>, prefix: &str) -> Option<Field<'a>> {
    let name = c.container.name()?.text()?;
    set(pod_annotations(&c.pod)?.field(&format!("{prefix}{name}")))
}

/// Whether the pod runs on Windows (`spec.os.name: windows`), where the Linux-only settings
/// (capabilities, seccomp, read-only root filesystem) do not apply.
pub(crate) fn is_windows(pod: &PodCx<'_>) -> bool {
    pod.spec
        .field("os")
        .and_then(|f| f.as_mapping())
        .and_then(|m| m.get("name"))
        .and_then(|n| n.resolve().as_scalar().map(|s| s.value()))
        == Some("windows")
}

/// A capability name as the runtime reads it: upper case, without `CAP_`.
pub(crate) fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_owned(),
        None => upper,
    }
}

/// The items of a capability list with their normalised names.
pub(crate) fn capability_items(f: Option<Field<'_>>) -> Vec<(Node<'_>, String)> {
    let Some(f) = f else { return Vec::new() };
    f.items()
        .filter_map(|n| {
            let name = capability(n.as_scalar()?.value());
            (!name.is_empty()).then_some((n, name))
        })
        .collect()
}

/// The container's `capabilities.add` and `capabilities.drop` fields.
pub(crate) fn capability_fields<'a>(
    c: &ContainerCx<'a>,
) -> (Option<Field<'a>>, Option<Field<'a>>) {
    match container_sc(c).and_then(|s| s.capabilities()) {
        Some(caps) => (caps.add(), caps.drop()),
        None => (None, None),
    }
}

/// `container `a``, or `containers `a`, `b``.
pub(crate) fn containers_phrase(names: &[&str]) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    if names.len() == 1 {
        format!("container {}", list[0])
    } else {
        format!("containers {}", list.join(", "))
    }
}

/// Capabilities that come close to root on the node: `dangerous-capability-added` reports
/// them, `capability-added-beyond-baseline` the others.
pub(crate) const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "BPF",
    "PERFMON",
    "SYS_TIME",
];

/// What a fix that removes `privileged: true` or `CAP_SYS_ADMIN` must add so that the
/// container does not then fall under `privilege-escalation-allowed` (while privileged or
/// holding SYS_ADMIN it escalates by definition, and that rule stays quiet): `Ok(None)` when
/// `allowPrivilegeEscalation` is already `false` (or the pod runs Windows), `Ok(Some(edit))`
/// setting it, `Err(())` when no edit can (then the fix is not offered).
pub(crate) fn disallow_escalation(
    doc: &picket_syntax::Document,
    c: &ContainerCx<'_>,
) -> Result<Option<crate::edit::Edit>, ()> {
    if is_windows(&c.pod) {
        return Ok(None);
    }
    let flag = c
        .container
        .security_context()
        .and_then(|s| s.allow_privilege_escalation());
    if crate::helpers::is_false(flag) {
        return Ok(None);
    }
    crate::helpers::set_path(
        doc,
        c.container,
        &["securityContext", "allowPrivilegeEscalation"],
        "false",
    )
    .map(Some)
    .ok_or(())
}

/// The pod-level `key` profile (`seccompProfile`, `appArmorProfile`) when it is `Unconfined`
/// and some container inherits it (one with its own profile does not).
pub(crate) fn inherited_unconfined<'a>(pod: &PodCx<'a>, key: &str) -> Option<Field<'a>> {
    let t = profile_type(pod_sc(pod).and_then(|s| s.field(key)))?;
    let inherited = pod
        .spec
        .all_containers()
        .any(|(_, c)| profile_type(c.security_context().and_then(|s| s.field(key))).is_none());
    (inherited && t.text() == Some("Unconfined")).then_some(t)
}

/// The pod's annotations whose value is `unconfined`, with their keys.
pub(crate) fn unconfined_annotations<'a>(pod: &PodCx<'a>) -> Vec<(Field<'a>, &'a str)> {
    let Some(annotations) = pod_annotations(pod) else {
        return Vec::new();
    };
    annotations
        .fields()
        .filter(|f| f.text() == Some("unconfined"))
        .filter_map(|f| Some((f, f.key().as_scalar()?.value())))
        .collect()
}
