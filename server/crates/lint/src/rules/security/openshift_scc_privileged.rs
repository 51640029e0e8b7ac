//! `openshift-scc-privileged`: OpenShift SecurityContextConstraints that admit privileged
//! containers.

use picket_model::{Object, View};

use crate::edit::{Fix, set_scalar};
use crate::engine::Cx;
use crate::helpers::is_true;
use crate::rule::{Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An OpenShift `SecurityContextConstraints` (`security.openshift.io`) with
    /// `allowPrivilegedContainer: true`.
    ///
    /// Off by default: it only concerns OpenShift clusters.
    ///
    /// ## Why it matters
    /// Every pod whose service account or user may use this SCC can run privileged
    /// containers: every device of the node, every capability, no confinement. OpenShift's
    /// own `privileged` SCC is meant for cluster components only; an application's SCC
    /// should not allow it.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: security.openshift.io/v1
    /// kind: SecurityContextConstraints
    /// metadata:
    ///   name: app
    /// allowPrivilegedContainer: true
    /// runAsUser:
    ///   type: MustRunAsRange
    /// seLinuxContext:
    ///   type: MustRunAs
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: security.openshift.io/v1
    /// kind: SecurityContextConstraints
    /// metadata:
    ///   name: app
    /// allowPrivilegedContainer: false
    /// runAsUser:
    ///   type: MustRunAsRange
    /// seLinuxContext:
    ///   type: MustRunAs
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `allowPrivilegedContainer: false`. Pods that use this SCC and
    /// request `privileged: true` are no longer admitted.
    ///
    /// ## References
    /// - https://docs.openshift.com/container-platform/latest/authentication/managing-security-context-constraints.html
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
    pub(crate) OpenshiftSccPrivileged {
        name: "openshift-scc-privileged",
        category: Security,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "OpenShift SCC allows privileged containers",
        peers: [KubeLinter: "scc-deny-privileged-container"],
        default_enabled: false,
    }
}

impl Rule for OpenshiftSccPrivileged {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&["security.openshift.io"], "SecurityContextConstraints") {
            return;
        }
        let flag = object.field("allowPrivilegedContainer");
        if !is_true(flag) {
            return;
        }
        let Some(flag) = flag else { return };
        let name = object.name().unwrap_or("<unnamed>");
        cx.report(
            flag.range(),
            format!("SecurityContextConstraints `{name}` allows privileged containers"),
        )
        .fix(set_scalar(flag, "false").map(|e| Fix::unsafe_("Set `allowPrivilegedContainer: false`", e)));
    }
}
