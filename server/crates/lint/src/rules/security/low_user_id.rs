//! `low-user-id`: pods and containers that run as a UID below 10000.

use picket_model::Field;

use crate::engine::Cx;
use crate::rule::{ContainerCx, PodCx, Rule, declare_rule};
use crate::rules::security::common::{container_sc, pod_sc};

declare_rule! {
    /// ## What it flags
    /// `runAsUser` between 1 and 9999, in a container's or the pod's `securityContext`.
    /// UID 0 is `run-as-user-root`'s business.
    ///
    /// Off by default: many images ship a fixed user below 10000 (`nobody` is 65534, but
    /// `nginx` is 101 and Debian's first user 1000), and some teams accept that.
    ///
    /// ## Why it matters
    /// Low UIDs are the ones the node's own accounts use. If a process escapes the
    /// container, a UID it shares with a node user gives it that user's files and
    /// processes. UIDs of 10000 and above are unlikely to exist on the node.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     runAsUser: 1000
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:1.0
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
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:1.0
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) LowUserId {
        name: "low-user-id",
        category: Security,
        severity: Info,
        fix: None,
        summary: "Container runs as a UID below 10000",
        peers: [
            KubeScore: "container-security-context-user-group-id",
            Checkov: "CKV_K8S_40",
            Trivy: "KSV-0020",
        ],
        default_enabled: false,
    }
}

fn low(f: Option<Field<'_>>) -> Option<(Field<'_>, i64)> {
    let f = f?;
    let uid = f.as_int()?;
    (1..10000).contains(&uid).then_some((f, uid))
}

impl Rule for LowUserId {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some((f, uid)) = low(pod_sc(&pod).and_then(|s| s.run_as_user())) else {
            return;
        };
        cx.report(
            f.range(),
            format!("Pod sets `runAsUser: {uid}`, below 10000"),
        );
    }

    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some((f, uid)) = low(container_sc(&c).and_then(|s| s.run_as_user())) else {
            return;
        };
        let name = c.name();
        cx.report(
            f.range(),
            format!("Container `{name}` sets `runAsUser: {uid}`, below 10000"),
        );
    }
}
