//! `secret-in-configmap`: ConfigMap entries that hold credentials.

use picket_model::Object;

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};
use crate::rules::secrets::common::{Finding, detect};

declare_rule! {
    /// ## What it flags
    /// A `data` entry of a ConfigMap that holds a credential:
    /// - by its key: the last word of the key (a file extension such as `.json` aside) is a
    ///   credential word (`db_password`, `apiToken`, `AWS_SECRET_ACCESS_KEY`,
    ///   `credentials.json`), and the value is a literal (not empty, not a reference such
    ///   as `${DB_PASSWORD}`, not a path);
    /// - by the value's shape, whatever the key: a private key, an AWS access key ID, a
    ///   GitHub, GitLab, Slack or Stripe token, a Google API key, a JSON Web Token, a GCP
    ///   service account key, a URL or connection string with a password. This catches
    ///   credentials inside whole configuration files (`application.properties: |`).
    ///
    /// Messages name the key, never the value.
    ///
    /// ## Why it matters
    /// ConfigMaps are meant for non-confidential data: they are readable by every
    /// subject that can read configuration, are never encrypted at rest, show up in
    /// `kubectl describe`, and get committed to Git without a second thought.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: api-config
    /// data:
    ///   db_host: db.prod.svc
    ///   db_password: s3cr3t-Pa55
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: api-config
    /// data:
    ///   db_host: db.prod.svc
    /// ---
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: api-db
    /// type: Opaque
    /// stringData:
    ///   db_password: s3cr3t-Pa55
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/configmap/
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub(crate) SecretInConfigmap {
        name: "secret-in-configmap",
        category: Secrets,
        severity: Warning,
        fix: None,
        summary: "ConfigMap holds a credential",
        peers: [
            Polaris: "sensitiveConfigmapContent",
            Kubescape: "C-0012",
            Trivy: "KSV-0109",
            Trivy: "KSV-01010",
        ],
    }
}

impl Rule for SecretInConfigmap {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        if !object.is(&[""], "ConfigMap") {
            return;
        }
        let Some(data) = object.data() else { return };
        let name = object.name().unwrap_or("<unnamed>");
        for field in data.fields() {
            let Some(key) = field.entry().key_str() else {
                continue;
            };
            let Some(value) = field.text() else { continue };
            let message = match detect(key, value) {
                None => continue,
                Some(Finding::Name) => format!("ConfigMap `{name}` key `{key}` holds a credential"),
                Some(Finding::Shape(what)) => {
                    format!("ConfigMap `{name}` key `{key}` holds what looks like {what}")
                }
            };
            cx.report(field.key_range(), message);
        }
    }
}
