//! `pod-create-access`: a Role or ClusterRole that can create pods, directly or through a
//! workload controller.

use picket_model::Object;

use super::common::{Target, report_grants};
use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};

/// Pods and the controllers that create them.
const TARGETS: &[Target<'static>] = &[
    Target::new("", "pods"),
    Target::new("", "replicationcontrollers"),
    Target::new("apps", "deployments"),
    Target::new("apps", "replicasets"),
    Target::new("apps", "statefulsets"),
    Target::new("apps", "daemonsets"),
    Target::new("batch", "jobs"),
    Target::new("batch", "cronjobs"),
    Target::new("extensions", "deployments"),
    Target::new("extensions", "replicasets"),
    Target::new("extensions", "daemonsets"),
];

declare_rule! {
    /// ## What it flags
    /// A rule of a Role or ClusterRole granting `create` (or `*`) on `pods`, or on a controller
    /// that creates pods: Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs and
    /// ReplicationControllers (`*` included). Roles the platform owns (`system:`, `gce:`, `eks:`
    /// names) and the default ClusterRoles are left alone.
    ///
    /// ## Why it matters
    /// Whoever can create a pod in a namespace can run it as any service account of that
    /// namespace, mount any of its Secrets and, unless Pod Security Admission stops it, run it
    /// privileged on a node of their choice. Creating pods is as powerful as everything those
    /// service accounts and Secrets can do.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: job-runner
    ///   namespace: batch
    /// rules:
    ///   - apiGroups: ["batch"]
    ///     resources: ["jobs"]
    ///     verbs: ["create", "get", "list"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: job-watcher
    ///   namespace: batch
    /// rules:
    ///   - apiGroups: ["batch"]
    ///     resources: ["jobs"]
    ///     verbs: ["get", "list", "watch"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation
    pub(crate) PodCreateAccess {
        name: "pod-create-access",
        category: Rbac,
        severity: Warning,
        fix: None,
        summary: "Role or ClusterRole can create pods or workloads",
        peers: [
            KubeLinter: "access-to-create-pods",
            Kubescape: "C-0188",
            Trivy: "KSV-0048",
        ],
    }
}

impl Rule for PodCreateAccess {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        report_grants(cx, object, TARGETS, &["create"], true, |kind, name, g| {
            format!(
                "{kind} `{name}` can create pods: {} on `{}`",
                g.verb_list(),
                g.resource.0
            )
        });
    }
}
