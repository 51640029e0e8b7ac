//! `missing-configmap`: a pod that refers to a ConfigMap, or a key of one, that the run does
//! not define.

use super::common::check_references;
use crate::engine::Cx;
use crate::rule::{PodCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A reference from a pod to a ConfigMap that the files checked together do not define:
    /// `env[].valueFrom.configMapKeyRef`, `envFrom[].configMapRef`, a `configMap` volume and
    /// a `configMap` source of a `projected` volume, in every container. When the ConfigMap
    /// is defined, a `key` the reference reads (`configMapKeyRef.key`, a volume's
    /// `items[].key`) that its `data` and `binaryData` lack is flagged too.
    ///
    /// References marked `optional: true` are skipped, and so is `kube-root-ca.crt`, which
    /// every namespace has. A ConfigMap made by a Kustomization's `configMapGenerator`
    /// counts as defined (its keys are not checked). The rule stays quiet when the files
    /// write out no ConfigMap at all: they then evidently come from elsewhere (a generator,
    /// an operator, another repository).
    ///
    /// ## Why it matters
    /// The kubelet will not start a container whose ConfigMap or key is missing: the pod
    /// stays in `CreateContainerConfigError` (env) or `ContainerCreating` (volume) until the
    /// ConfigMap appears.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       envFrom:
    ///         - configMapRef:
    ///             name: web-settings
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       envFrom:
    ///         - configMapRef:
    ///             name: web-config
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/configmap/#configmaps-and-pods
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/
    pub(crate) MissingConfigmap {
        name: "missing-configmap",
        category: Correctness,
        severity: Warning,
        fix: None,
        summary: "Pod refers to a ConfigMap that is not defined",
        peers: [KubeLinter: "env-value-from"],
    }
}

impl Rule for MissingConfigmap {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        check_references(cx, pod, "ConfigMap");
    }
}
