//! `windows-host-process`: Windows pods and containers that run as host processes.

use picket_model::{Field, View};
use picket_syntax::Mapping;

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::helpers::{field_at, is_true};
use crate::rule::{Applicability, ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, pod_sc};

declare_rule! {
    /// ## What it flags
    /// `windowsOptions.hostProcess: true` in the pod's `securityContext` or in a container's.
    /// When the pod sets it, only the pod's is reported, and the fix turns every container's
    /// off too: Kubernetes rejects a pod whose containers disagree with the pod.
    ///
    /// ## Why it matters
    /// A HostProcess container runs directly on the Windows node, as a node user, with the
    /// node's network and filesystem: it is the Windows equivalent of a privileged
    /// container. The Pod Security Standards forbid it from the baseline level.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   hostNetwork: true
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/agent:1.0
    ///   nodeSelector:
    ///     kubernetes.io/os: windows
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   containers:
    ///     - name: agent
    ///       image: registry.example.com/agent:1.0
    ///   nodeSelector:
    ///     kubernetes.io/os: windows
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `hostProcess: false`. A node agent that manages the Windows host
    /// stops working, and a pod that still sets `hostNetwork: true` or a node user in
    /// `runAsUserName` may need those removed as well.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) WindowsHostProcess {
        name: "windows-host-process",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Windows pod or container runs as a host process",
        peers: [
            Polaris: "hostProcess",
            Kubescape: "C-0202",
            Trivy: "KSV-0103",
        ],
    }
}

const PATH: &[&str] = &["windowsOptions", "hostProcess"];
const FIX_TITLE: &str = "Set `hostProcess: false`";

fn host_process(m: Option<Mapping<'_>>) -> Option<Field<'_>> {
    let f = field_at(m?, PATH);
    is_true(f).then_some(f).flatten()
}

impl Rule for WindowsHostProcess {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(f) = host_process(pod_sc(&pod).map(|s| s.mapping())) else {
            return;
        };
        let mut edits = vec![set_scalar(f, "false")];
        for (_, c) in pod.spec.all_containers() {
            if let Some(cf) = host_process(c.security_context().map(|s| s.mapping())) {
                edits.push(set_scalar(cf, "false"));
            }
        }
        // Every flag or none: an anchored one cannot be edited alone.
        let edits: Option<Vec<_>> = edits.into_iter().collect();
        cx.report(f.range(), "Pod runs as a Windows host process")
            .fix(edits.map(|e| Fix::new(FIX_TITLE, Applicability::Unsafe, e)));
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        if host_process(pod_sc(&c.pod).map(|s| s.mapping())).is_some() {
            return;
        }
        let Some(f) = host_process(container_sc(&c).map(|s| s.mapping())) else {
            return;
        };
        let name = c.name();
        cx.report(
            f.range(),
            format!("Container `{name}` runs as a Windows host process"),
        )
        .fix(set_scalar(f, "false").map(|e| Fix::unsafe_(FIX_TITLE, e)));
    }
}
