//! `secret-in-annotation`: annotations whose value is a credential.

use picket_model::{Object, StrMap, WorkloadSpec};

use crate::engine::Cx;
use crate::rule::{Rule, declare_rule};
use crate::rules::secrets::common::value_shape;

declare_rule! {
    /// ## What it flags
    /// An annotation of an object, of its pod template or of a CronJob's job template whose
    /// value has the shape of a credential: a private key, an AWS access key ID, a GitHub,
    /// GitLab, Slack or Stripe token, a Google API key, a JSON Web Token, a GCP service
    /// account key, a URL or connection string with a password.
    ///
    /// Annotation names say nothing reliable, so only the value's shape counts. This covers
    /// `kubectl.kubernetes.io/last-applied-configuration` too: it copies the whole object,
    /// so a credential anywhere in it (a ConfigMap value, an env var) shows up there as well.
    /// Messages name the annotation, never the value.
    ///
    /// ## Why it matters
    /// Annotations are metadata: every tool that lists objects shows them, `get` permission
    /// on the object is enough to read them, and operators copy them around. Credentials
    /// belong in Secrets.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    ///   annotations:
    ///     ci.example.com/deploy-token: ghp_8aKf3LmQ2nR7sT1uV4wX6yZ9bC0dE5fG7hJ2
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    ///   annotations:
    ///     ci.example.com/deployed-by: pipeline-1842
    /// spec:
    ///   selector: {app: web}
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub(crate) SecretInAnnotation {
        name: "secret-in-annotation",
        category: Secrets,
        severity: Error,
        fix: None,
        summary: "Annotation holds a credential",
        peers: [],
    }
}

impl Rule for SecretInAnnotation {
    fn object(cx: &mut Cx<'_>, object: Object<'_>) {
        let template = object.pod_template().and_then(|t| t.metadata());
        let job_template = object
            .spec::<WorkloadSpec>()
            .filter(|_| object.is(&["batch"], "CronJob"))
            .and_then(|s| s.job_template())
            .and_then(|t| t.metadata());
        let maps = [
            object.annotations(),
            job_template.and_then(|m| m.annotations()),
            template.and_then(|m| m.annotations()),
        ];
        for map in maps.into_iter().flatten() {
            check(cx, map);
        }
    }
}

fn check(cx: &mut Cx<'_>, annotations: StrMap<'_>) {
    for field in annotations.fields() {
        let Some(key) = field.entry().key_str() else {
            continue;
        };
        let Some(value) = field.text() else { continue };
        let Some(what) = value_shape(value) else {
            continue;
        };
        cx.report(
            field.key_range(),
            format!("Annotation `{key}` holds what looks like {what}"),
        );
    }
}
