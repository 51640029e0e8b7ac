//! `missing-linux-hardening`: containers confined by none of seccomp, AppArmor, SELinux or
//! dropped capabilities.


use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{
    APPARMOR_PREFIX, SECCOMP_CONTAINER_PREFIX, SECCOMP_POD_ANNOTATION, capability_fields,
    capability_items, confining, confining_annotation, container_annotation, effective,
    effective_profile, is_windows, pod_annotations,
};

declare_rule! {
    /// ## What it flags
    /// A container that none of the four Linux hardening mechanisms applies to:
    /// - a seccomp profile of type `RuntimeDefault` or `Localhost` (the container's, else
    ///   the pod's; or the legacy `seccomp.security.alpha.kubernetes.io` annotations);
    /// - an AppArmor profile of type `RuntimeDefault` or `Localhost` (the container's, else
    ///   the pod's), or a `container.apparmor.security.beta.kubernetes.io/<name>` annotation
    ///   that is not `unconfined`;
    /// - `seLinuxOptions` with at least one option (the container's, else the pod's);
    /// - `capabilities.drop` holding `ALL`, without `ALL` in `capabilities.add`.
    ///
    /// Pods with `spec.os.name: windows` are skipped. The rule agrees with every fixture of
    /// Polaris' `linuxHardening`.
    ///
    /// ## Why it matters
    /// Each mechanism shrinks what a compromised process can ask of the kernel. A container
    /// with none of them has the whole default attack surface: every system call, every
    /// default capability, no mandatory access control. One of them is cheap to add;
    /// `seccompProfile: {type: RuntimeDefault}` on the pod is usually enough to start.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/linux-kernel-security-constraints/
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/
    /// - https://kubernetes.io/docs/tutorials/security/apparmor/
    pub(crate) MissingLinuxHardening {
        name: "missing-linux-hardening",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Container has no seccomp, AppArmor, SELinux or dropped capabilities",
        peers: [
            Polaris: "linuxHardening",
            Kubescape: "C-0055",
        ],
        // Off by default: `missing-seccomp-profile` and `capabilities-not-dropped` already
        // report the same containers, each with a fix.
        default_enabled: false,
    }
}

fn seccomp(c: &ContainerCx<'_>) -> bool {
    // A profile field wins over the legacy annotations.
    if let Some((t, _)) = effective_profile(c, "seccompProfile") {
        return confining(t);
    }
    if let Some(f) = container_annotation(c, SECCOMP_CONTAINER_PREFIX) {
        return f.text().is_some_and(confining_annotation);
    }
    pod_annotations(&c.pod)
        .and_then(|a| a.get(SECCOMP_POD_ANNOTATION))
        .is_some_and(confining_annotation)
}

fn apparmor(c: &ContainerCx<'_>) -> bool {
    if let Some((t, _)) = effective_profile(c, "appArmorProfile") {
        return confining(t);
    }
    container_annotation(c, APPARMOR_PREFIX)
        .and_then(|f| f.text())
        .is_some_and(confining_annotation)
}

fn selinux(c: &ContainerCx<'_>) -> bool {
    effective(c, "seLinuxOptions")
        .and_then(|(f, _)| f.as_mapping())
        .is_some_and(|m| {
            m.entries()
                .any(|e| !e.value.resolve().is_null() && e.value.resolve().as_scalar().is_some_and(|s| !s.value().is_empty()))
        })
}

fn drops_all(c: &ContainerCx<'_>) -> bool {
    let (add, drop) = capability_fields(c);
    capability_items(drop).iter().any(|(_, n)| n == "ALL")
        && !capability_items(add).iter().any(|(_, n)| n == "ALL")
}

impl Rule for MissingLinuxHardening {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if is_windows(&c.pod) || seccomp(&c) || apparmor(&c) || selinux(&c) || drops_all(&c) {
            return;
        }
        let name = c.name();
        cx.report(
            c.anchor(),
            format!(
                "Container `{name}` has no seccomp or AppArmor profile, SELinux options or `drop: [ALL]`"
            ),
        );
    }
}
