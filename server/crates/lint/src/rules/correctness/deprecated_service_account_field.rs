//! `deprecated-service-account-field`: pod specs that use `serviceAccount`.

use picket_model::View;

use crate::edit::{Edit, Fix, remove_entry};
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};
use crate::rules::reliability::common::describe;

declare_rule! {
    /// ## What it flags
    /// A pod spec with `serviceAccount`, the deprecated alias of `serviceAccountName`.
    ///
    /// ## Why it matters
    /// `serviceAccount` has been deprecated since Kubernetes 1.8 and only survives for old
    /// clients. Tools that read `serviceAccountName` (policy engines, RBAC audits, this
    /// linter's own cross-resource checks) may miss the account the pod really runs as.
    /// When both fields are set and differ, Kubernetes uses `serviceAccountName` and ignores
    /// the other without a word.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   serviceAccount: web
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
    ///   serviceAccountName: web
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Fix safety
    /// Safe: without `serviceAccountName`, the fix renames the key (Kubernetes copies
    /// `serviceAccount` into `serviceAccountName` anyway); with a `serviceAccountName` of the
    /// same value, it removes the duplicate. When the two differ no fix is offered: which one
    /// was meant is for a person to decide.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
    pub(crate) DeprecatedServiceAccountField {
        name: "deprecated-service-account-field",
        category: Correctness,
        severity: Warning,
        fix: Some(Safe),
        summary: "Pod spec uses the deprecated serviceAccount field",
        peers: [
            KubeLinter: "deprecated-service-account-field",
            Kubescape: "C-0294",
        ],
    }
}

impl Rule for DeprecatedServiceAccountField {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let Some(sa) = pod.spec.deprecated_service_account() else {
            return;
        };
        let what = describe(pod.object);
        let spec = pod.spec.mapping();
        // Edit only what is written in this pod spec, never what is merged from an anchor.
        let written = spec.entry("serviceAccount").is_some() && !spec.has_merge();
        let sa_value = sa.text().unwrap_or_default();
        match pod.spec.service_account_name() {
            None => {
                let fix = written.then(|| {
                    Fix::safe(
                        "Rename to `serviceAccountName`",
                        Edit::replace(sa.key_range(), "serviceAccountName"),
                    )
                });
                cx.report(
                    sa.range(),
                    format!("{what} uses the deprecated `serviceAccount` field instead of `serviceAccountName`"),
                )
                .fix(fix);
            }
            Some(san) => {
                let san_value = san.text().unwrap_or_default();
                if san_value == sa_value || sa_value.is_empty() {
                    let fix = written
                        .then(|| remove_entry(cx.doc(), spec, sa))
                        .flatten()
                        .map(|e| Fix::safe("Remove `serviceAccount`", e));
                    cx.report(
                        sa.range(),
                        format!("{what} repeats `serviceAccountName` in the deprecated `serviceAccount` field"),
                    )
                    .fix(fix);
                } else {
                    cx.report(
                        sa.range(),
                        format!("{what} sets the deprecated `serviceAccount` to `{sa_value}`, which Kubernetes ignores in favour of `serviceAccountName` (`{san_value}`)"),
                    )
                    .related(san.range(), "`serviceAccountName` wins");
                }
            }
        }
    }
}
