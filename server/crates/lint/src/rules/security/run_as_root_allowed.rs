//! `run-as-root-allowed`: containers that Kubernetes does not stop from running as root.

use crate::edit::Fix;
use crate::engine::Cx;
use crate::helpers::set_path;
use crate::rule::{ContainerCx, Rule, declare_rule};
use crate::rules::security::common::{Level, effective};

declare_rule! {
    /// ## What it flags
    /// A container that may run as root: `runAsNonRoot` is not `true` and `runAsUser` is not
    /// a non-zero UID, neither in the container's `securityContext` nor in the pod's. The
    /// container's setting overrides the pod's, as in Kubernetes: `runAsNonRoot: false` on the
    /// container beats `runAsNonRoot: true` on the pod.
    ///
    /// Like Polaris, an explicit `runAsUser` above 0 is accepted without `runAsNonRoot`.
    ///
    /// Polaris' `runAsRootAllowed/failure.yaml` is an explained exception: it is written
    /// `apiVersion: v1` / `kind: Deployment`, which is no Kubernetes kind (Deployments are
    /// `apps/v1`), so Picket finds no pod in it.
    ///
    /// ## Why it matters
    /// Root in a container is root on the node's kernel: a container escape or a writable
    /// host mount gives the attacker the node. Most images run fine as another user. With
    /// `runAsNonRoot: true` the kubelet refuses to start a container whose image would run
    /// as UID 0. The Pod Security Standards' restricted level requires it.
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
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: web
    ///       image: nginxinc/nginx-unprivileged:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `runAsNonRoot: true` on the container. If the image's user is
    /// root (no `USER` in the Dockerfile, or `USER 0`) and no `runAsUser` is set, the kubelet
    /// refuses to start the container (`CreateContainerConfigError`). Set a `runAsUser` or
    /// use an image built for a non-root user.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) RunAsRootAllowed {
        name: "run-as-root-allowed",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container may run as root",
        peers: [
            KubeLinter: "run-as-non-root",
            Polaris: "runAsRootAllowed",
            Kubescape: "C-0013",
            Checkov: "CKV_K8S_23",
            Trivy: "KSV-0012",
        ],
    }
}

impl Rule for RunAsRootAllowed {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let non_root = effective(&c, "runAsNonRoot");
        if non_root.is_some_and(|(f, _)| f.as_bool() == Some(true)) {
            return;
        }
        let user = effective(&c, "runAsUser");
        if user.and_then(|(f, _)| f.as_int()).is_some_and(|u| u > 0) {
            return;
        }
        let name = c.name();
        let (range, message) = match non_root {
            Some((f, Level::Container)) => (
                f.range(),
                format!(
                    "Container `{name}` sets `runAsNonRoot: {}`",
                    f.text().unwrap_or("")
                ),
            ),
            Some((f, Level::Pod)) => (
                c.anchor(),
                format!(
                    "Container `{name}` takes `runAsNonRoot: {}` from its pod",
                    f.text().unwrap_or("")
                ),
            ),
            None => (
                c.anchor(),
                format!("Container `{name}` may run as root: `runAsNonRoot` is not set"),
            ),
        };
        let fix = set_path(
            cx.doc(),
            c.container,
            &["securityContext", "runAsNonRoot"],
            "true",
        )
        .map(|e| Fix::unsafe_("Set `runAsNonRoot: true`", e));
        cx.report(range, message).fix(fix);
    }
}
