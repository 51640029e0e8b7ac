//! `csr-approval-access`: a Role or ClusterRole that can approve certificate signing requests.

use picket_model::Object;

use super::common::{Target, report_grants};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

const CERTIFICATES: &str = "certificates.k8s.io";

declare_rule! {
    /// ## What it flags
    /// A rule of a ClusterRole (or Role) granting either half of CSR approval in the
    /// `certificates.k8s.io` group (`*` included):
    /// - `update` or `patch` (or `*`) on `certificatesigningrequests/approval`;
    /// - `approve` (or `*`) on `signers`.
    ///
    /// Roles the platform owns (`system:`, `gce:`, `eks:` names) and the default ClusterRoles
    /// are left alone.
    ///
    /// ## Why it matters
    /// An approved CSR for the `kubernetes.io/kube-apiserver-client` signer is a client
    /// certificate for any user and group the requester chose, `system:masters` included: a
    /// credential that RBAC cannot revoke and that stays valid until it expires.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: csr-approver
    /// rules:
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["certificatesigningrequests/approval"]
    ///     verbs: ["update"]
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["signers"]
    ///     verbs: ["approve"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: csr-viewer
    /// rules:
    ///   - apiGroups: ["certificates.k8s.io"]
    ///     resources: ["certificatesigningrequests"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing
    pub(crate) CsrApprovalAccess {
        name: "csr-approval-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can approve certificate signing requests",
        peers: [
            Kubescape: "C-0280",
            Checkov: "CKV_K8S_156",
        ],
    }
}

impl Rule for CsrApprovalAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        report_grants(
            cx,
            object,
            &[Target::new(CERTIFICATES, "certificatesigningrequests/approval")],
            &["update", "patch"],
            true,
            |kind, name, g| {
                format!(
                    "{kind} `{name}` can approve certificate signing requests: {} on `{}`",
                    g.verb_list(),
                    g.resource.0
                )
            },
        );
        report_grants(
            cx,
            object,
            &[Target::new(CERTIFICATES, "signers")],
            &["approve"],
            true,
            |kind, name, g| {
                format!(
                    "{kind} `{name}` can approve certificates for signers: {} on `{}`",
                    g.verb_list(),
                    g.resource.0
                )
            },
        );
    }
}
