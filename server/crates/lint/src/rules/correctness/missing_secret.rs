//! `missing-secret`: a pod that refers to a Secret, or a key of one, that the run does not
//! define.

use super::common::check_references;
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A reference from a pod to a Secret that the files checked together do not define:
    /// `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef`, a `secret` volume, a `secret`
    /// source of a `projected` volume, a CSI volume's `nodePublishSecretRef`, and
    /// `imagePullSecrets`. When the Secret is written out, a `key` the reference reads
    /// (`secretKeyRef.key`, a volume's `items[].key`) that its `data` and `stringData` lack
    /// is flagged too.
    ///
    /// References marked `optional: true` are skipped. A Secret made by another object
    /// counts as defined (its keys are not checked): a SealedSecret, an ExternalSecret
    /// (`spec.target.name`), a cert-manager Certificate (`spec.secretName`), a
    /// Kustomization's `secretGenerator`. The rule stays quiet when the files write out no
    /// Secret at all, which is the norm: Secrets rarely live next to the manifests, and
    /// those objects alone do not say that every Secret does.
    ///
    /// ## Why it matters
    /// The kubelet will not start a container whose Secret or key is missing: the pod stays
    /// in `CreateContainerConfigError` (env) or `ContainerCreating` (volume). A missing image
    /// pull Secret makes private image pulls fail with `ImagePullBackOff`.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: db-credentials
    /// stringData:
    ///   password: change-me
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: shop/api:1.4.0
    ///       env:
    ///         - name: DB_PASSWORD
    ///           valueFrom:
    ///             secretKeyRef:
    ///               name: db-credential
    ///               key: password
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: db-credentials
    /// stringData:
    ///   password: change-me
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: shop/api:1.4.0
    ///       env:
    ///         - name: DB_PASSWORD
    ///           valueFrom:
    ///             secretKeyRef:
    ///               name: db-credentials
    ///               key: password
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/secret/#using-a-secret
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
    pub(crate) MissingSecret {
        name: "missing-secret",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "Pod refers to a Secret that is not defined",
        peers: [KubeLinter: "env-value-from"],
    }
}

impl Rule for MissingSecret {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        check_references(cx, pod, "Secret");
    }
}
