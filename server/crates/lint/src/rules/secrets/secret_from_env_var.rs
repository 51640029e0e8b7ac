//! `secret-from-env-var`: containers that read Secrets into environment variables.

use picket_model::View;

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// - an env var with `valueFrom.secretKeyRef`;
    /// - an `envFrom` entry with `secretRef` (every key of the Secret becomes a variable).
    ///
    /// Off by default: reading Secrets from env vars is the common, documented way, and many
    /// applications accept nothing else. Turn it on where mounting Secrets as files is the
    /// rule.
    ///
    /// ## Why it matters
    /// Environment variables leak more easily than files: child processes inherit them,
    /// crash reporters and debug endpoints dump them, `/proc/<pid>/environ` exposes them to
    /// anything that can read the process, and they never change until the pod restarts. A
    /// Secret mounted as a file can be read only where needed and is updated in place when
    /// the Secret rotates.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.8
    ///       env:
    ///         - name: DB_PASSWORD
    ///           valueFrom:
    ///             secretKeyRef:
    ///               name: api-db
    ///               key: password
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:1.8
    ///       env:
    ///         - name: DB_PASSWORD_FILE
    ///           value: /run/secrets/db/password
    ///       volumeMounts:
    ///         - name: db
    ///           mountPath: /run/secrets/db
    ///           readOnly: true
    ///   volumes:
    ///     - name: db
    ///       secret:
    ///         secretName: api-db
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub(crate) SecretFromEnvVar {
        name: "secret-from-env-var",
        category: Secrets,
        severity: Info,
        fix: None,
        summary: "Container reads a Secret into environment variables",
        peers: [
            KubeLinter: "read-secret-from-env-var",
            Kubescape: "C-0207",
            Checkov: "CKV_K8S_35",
        ],
        default_enabled: false,
    }
}

impl Rule for SecretFromEnvVar {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let container = c.name();
        for env in c.container.env() {
            let Some(source) = env.value_from() else {
                continue;
            };
            let Some(field) = source.field("secretKeyRef") else {
                continue;
            };
            let Some(reference) = source.secret_key_ref() else {
                continue;
            };
            let var = env.name().and_then(|n| n.text()).unwrap_or("<unnamed>");
            let secret = reference
                .name()
                .and_then(|n| n.text())
                .unwrap_or("<unnamed>");
            cx.report(
                field.key_range(),
                format!("Container `{container}` reads Secret `{secret}` into env var `{var}`"),
            );
        }
        for from in c.container.env_from() {
            let Some(field) = from.field("secretRef") else {
                continue;
            };
            let Some(reference) = from.secret_ref() else {
                continue;
            };
            let secret = reference
                .name()
                .and_then(|n| n.text())
                .unwrap_or("<unnamed>");
            cx.report(
                field.key_range(),
                format!("Container `{container}` loads every key of Secret `{secret}` into env vars"),
            );
        }
    }
}
