//! `run-as-user-root`: pods and containers that set `runAsUser: 0`.

use picket_model::Field;

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, pod_sc};

declare_rule! {
    /// ## What it flags
    /// `runAsUser: 0` in a container's or the pod's `securityContext`. A pod-level value is
    /// flagged even when every container sets its own, as the Pod Security Standards do:
    /// ephemeral containers added later take the pod's.
    ///
    /// ## Why it matters
    /// UID 0 is root: the process holds root's rights over everything the container can
    /// reach, and a container escape lands as root on the node. An explicit `runAsUser: 0`
    /// also overrides a safer `USER` in the image. The Pod Security Standards' restricted
    /// level forbids it.
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
    ///       securityContext:
    ///         runAsUser: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginxinc/nginx-unprivileged:1.27
    ///       securityContext:
    ///         runAsUser: 10001
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `runAsUser: 10001`. A process that needs root (binding ports
    /// below 1024 without `NET_BIND_SERVICE`, writing root-owned files, `chown`) fails, and
    /// files in volumes may not be readable by the new UID.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) RunAsUserRoot {
        name: "run-as-user-root",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Container runs as UID 0 (root)",
        peers: [
            KubeLinter: "run-as-non-root",
            KubeScore: "container-security-context-user-group-id",
            Kubescape: "C-0013",
            Trivy: "KSV-0105",
        ],
    }
}

fn is_root(f: Option<Field<'_>>) -> Option<Field<'_>> {
    f.filter(|f| f.as_int() == Some(0))
}

fn fix(f: Field<'_>) -> Option<Fix> {
    set_scalar(f, "10001").map(|e| Fix::unsafe_("Set `runAsUser: 10001`", e))
}

impl Rule for RunAsUserRoot {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(f) = is_root(pod_sc(&pod).and_then(|s| s.run_as_user())) else {
            return;
        };
        cx.report(f.range(), "Pod sets `runAsUser: 0` (root)")
            .fix(fix(f));
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some(f) = is_root(container_sc(&c).and_then(|s| s.run_as_user())) else {
            return;
        };
        let name = c.name();
        cx.report(
            f.range(),
            format!("Container `{name}` sets `runAsUser: 0` (root)"),
        )
        .fix(fix(f));
    }
}
