//! `missing-seccomp-profile`: pods whose containers run without a seccomp profile.

use picket_model::View;

use crate::engine::Cx;
use crate::edit::Fix;
use crate::helpers::set_path;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::security::common::{
    SECCOMP_CONTAINER_PREFIX, SECCOMP_POD_ANNOTATION, containers_phrase, is_windows,
    pod_annotations, pod_sc, profile_type, set,
};

declare_rule! {
    /// ## What it flags
    /// A pod with a container that no seccomp profile applies to: neither the container's
    /// `securityContext.seccompProfile` nor the pod's sets a `type`, and no legacy
    /// annotation (`seccomp.security.alpha.kubernetes.io/pod`,
    /// `container.seccomp.security.alpha.kubernetes.io/<name>`) stands in. One finding per
    /// pod, naming the containers. A profile set to `Unconfined` is
    /// `unconfined-seccomp-profile`'s business. Pods with `spec.os.name: windows` are
    /// skipped.
    ///
    /// ## Why it matters
    /// Without a profile the container runs `Unconfined`: every one of the kernel's ~400
    /// system calls is open to it, including the rarely used ones most kernel exploits go
    /// through. `RuntimeDefault` blocks those and is harmless for almost every program. The
    /// Pod Security Standards' restricted level requires `RuntimeDefault` or `Localhost`.
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
    /// ## Fix safety
    /// Unsafe: the fix sets the pod's `seccompProfile.type: RuntimeDefault`. A program that
    /// uses a system call the runtime's default profile blocks (`ptrace`, `mount`,
    /// `unshare`, `keyctl`, …) fails with `EPERM`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/seccomp/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    pub(crate) MissingSeccompProfile {
        name: "missing-seccomp-profile",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container runs without a seccomp profile",
        peers: [
            KubeScore: "container-seccomp-profile",
            Kubescape: "C-0210",
            Checkov: "CKV_K8S_31",
            Trivy: "KSV-0030",
        ],
    }
}

impl Rule for MissingSeccompProfile {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        if is_windows(&pod) {
            return;
        }
        // The alpha annotations have no effect from Kubernetes 1.27 (the kubelet stopped
        // reading them): they count only for older targets.
        let annotations = pod_annotations(&pod).filter(|_| !cx.config().targets_at_least((1, 27)));
        let annotation = |key: &str| annotations.and_then(|a| set(a.field(key)));
        // A profile on the pod (field or annotation) applies to every container without its
        // own: either it confines them, or `unconfined-seccomp-profile` reports it.
        if profile_type(pod_sc(&pod).and_then(|s| s.field("seccompProfile"))).is_some()
            || annotation(SECCOMP_POD_ANNOTATION).is_some()
        {
            return;
        }
        let mut missing = Vec::new();
        for (_, c) in pod.spec.all_containers() {
            let own = profile_type(c.security_context().and_then(|s| s.field("seccompProfile")));
            if own.is_some() {
                continue;
            }
            let name = c.name().and_then(|n| n.text());
            let by_annotation = name
                .is_some_and(|n| annotation(&format!("{SECCOMP_CONTAINER_PREFIX}{n}")).is_some());
            if !by_annotation {
                missing.push(name.unwrap_or("<unnamed>"));
            }
        }
        if missing.is_empty() {
            return;
        }
        let fix = set_path(
            cx.doc(),
            pod.spec,
            &["securityContext", "seccompProfile", "type"],
            "RuntimeDefault",
        )
        .map(|e| Fix::unsafe_("Set the pod's `seccompProfile.type: RuntimeDefault`", e));
        cx.report(
            pod.anchor(),
            format!("Pod sets no seccomp profile for {}", containers_phrase(&missing)),
        )
        .fix(fix);
    }
}
