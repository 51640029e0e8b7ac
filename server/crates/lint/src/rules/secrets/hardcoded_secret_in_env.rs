//! `hardcoded-secret-in-env`: credentials written as literal env var values.

use picket_model::{Container, EnvVar, Field, View};
use picket_syntax::{Document, NodeKind, TextRange, TextSize};

use crate::edit::{Edit, Fix, append_document, comment_of};
use crate::engine::Cx;
use crate::rule::{Applicability, PodCx, Rule, declare_rule};
use crate::rules::secrets::common::{Finding, detect, words};

declare_rule! {
    /// ## What it flags
    /// An env var of a container (init and ephemeral ones included) whose literal `value`
    /// is a credential:
    /// - by its name: the last word of the name is a credential word (`DB_PASSWORD`,
    ///   `clientSecret`, `GITHUB_TOKEN`, `API_KEY`, `AWS_SECRET_ACCESS_KEY`,
    ///   `OCI_CLI_KEY_CONTENT`, `GOOGLE_CREDENTIALS_JSON`), and the value is a literal: not
    ///   empty, not a boolean, not a reference (`$(OTHER_VAR)`, `${VAR}`, `{{ … }}`,
    ///   `vault:…`, an ARN), not a path or a plain URL, not a placeholder to fill in
    ///   (`<password>`, `INSERT_…`, `REPLACE_ME`, `your-…`). Names about a credential
    ///   rather than holding one stay quiet: `PASSWORD_FILE`, `TOKEN_PATH`, `SECRET_NAME`,
    ///   `AWS_ACCESS_KEY_ID`, `PASSWORD_MIN_LENGTH`;
    /// - by the value's shape, whatever the name: a private key
    ///   (`-----BEGIN … PRIVATE KEY-----`), an AWS access key ID (`AKIA…`, `ASIA…`), a
    ///   GitHub (`ghp_…`, `github_pat_…`), GitLab, Slack (`xox…`) or Stripe live
    ///   (`sk_live_…`) token, a Google API key, a JSON Web Token, a GCP service account key,
    ///   a URL or connection string with a password.
    ///
    /// Weak defaults such as `changeme` are flagged too: they are real passwords once
    /// deployed. Messages never repeat the value.
    ///
    /// ## Why it matters
    /// The manifest ends up in Git, in CI logs, in Helm release history and in the object
    /// itself, readable by anyone who can `get` the workload: far more people than should see
    /// the credential. A Secret can be access-controlled, encrypted at rest, rotated without
    /// editing the workload, and filled by an external secret store.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:1.8
    ///           env:
    ///             - name: DB_PASSWORD
    ///               value: s3cr3t-Pa55
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:1.8
    ///           env:
    ///             - name: DB_PASSWORD
    ///               valueFrom:
    ///                 secretKeyRef:
    ///                   name: api-env
    ///                   key: db-password
    /// ```
    ///
    /// The fix does exactly this: every flagged value of the object moves into a new Secret
    /// `<object name>-env` (same namespace, one `stringData` key per variable: the name in
    /// lower case with `-` between words, `db-password`), appended as a new document after the object, and each
    /// `value:` becomes a `valueFrom.secretKeyRef`. It is offered only when no Secret of that
    /// name exists among the checked files.
    ///
    /// ## Fix safety
    /// Unsafe: the credential is still in the file, now in the Secret, until you move the
    /// Secret to your secret store (Sealed Secrets, External Secrets, SOPS) and rotate the
    /// credential, which Git history still holds. The pod also cannot start until the Secret
    /// is applied, and the Secret must exist in every namespace the manifest is applied to.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub(crate) HardcodedSecretInEnv {
        name: "hardcoded-secret-in-env",
        category: Secrets,
        severity: Warning,
        fix: Some(Unsafe),
        summary: "Env var holds a hard-coded credential",
        peers: [
            KubeLinter: "env-var-secret",
            Polaris: "sensitiveContainerEnvVar",
            Kubescape: "C-0012",
        ],
    }
}

/// A flagged env var.
struct Hit<'a> {
    container: &'a str,
    name: &'a str,
    value_text: &'a str,
    env: EnvVar<'a>,
    value: Field<'a>,
    finding: Finding,
}

impl Rule for HardcodedSecretInEnv {
    fn pod(cx: &mut Cx<'_>, pod: PodCx<'_>) {
        let hits = hits(pod);
        if hits.is_empty() {
            return;
        }
        let fix = move_to_secret(cx, pod, &hits);
        let doc = cx.doc();
        for hit in &hits {
            let name = hit.name;
            let container = hit.container;
            let message = match hit.finding {
                Finding::Name => {
                    format!("Env var `{name}` of container `{container}` hard-codes a credential")
                }
                Finding::Shape(what) => format!(
                    "Env var `{name}` of container `{container}` hard-codes what looks like {what}"
                ),
            };
            // The `value` entry, or the var's `name` when the value spans lines.
            let range = one_line(doc, hit.value.range())
                .or_else(|| hit.env.name().and_then(|n| one_line(doc, n.range())))
                .unwrap_or(hit.value.key_range());
            cx.report(range, message).fix(fix.clone());
        }
    }
}

/// The flagged env vars of a pod, each entry once (a YAML alias can share one list between
/// containers).
fn hits<'a>(pod: PodCx<'a>) -> Vec<Hit<'a>> {
    let mut seen: Vec<TextRange> = Vec::new();
    let mut out = Vec::new();
    for (_, container) in pod.spec.all_containers() {
        let cname = container_name(container);
        for env in container.env() {
            let Some(name) = env.name().and_then(|n| n.text()) else {
                continue;
            };
            let Some(value) = env.value() else { continue };
            if env.value_from().is_some() {
                continue;
            }
            let Some(value_text) = value.text() else {
                continue;
            };
            let Some(finding) = detect(name, value_text) else {
                continue;
            };
            if seen.contains(&value.range()) {
                continue;
            }
            seen.push(value.range());
            out.push(Hit {
                container: cname,
                name,
                value_text,
                env,
                value,
                finding,
            });
        }
    }
    out
}

fn container_name<'a>(c: Container<'a>) -> &'a str {
    c.name().and_then(|n| n.text()).unwrap_or("<unnamed>")
}

/// `range` if it lies on one line.
fn one_line(doc: &Document, range: TextRange) -> Option<TextRange> {
    (!doc.text()[range].contains('\n')).then_some(range)
}

/// The fix: a new Secret holding every flagged value, and `valueFrom` references to it.
fn move_to_secret(cx: &Cx<'_>, pod: PodCx<'_>, hits: &[Hit<'_>]) -> Option<Fix> {
    let doc = cx.doc();
    let object = pod.object;
    let object_name = object.name()?;
    let secret = format!("{object_name}-env");
    let namespace = object.namespace();
    if cx
        .index()
        .find(&[""], "Secret", &secret, namespace)
        .next()
        .is_some()
    {
        return None;
    }
    let step = indent_step(doc);
    let mut keys: Vec<(String, &str)> = Vec::new();
    let mut edits = Vec::new();
    for hit in hits {
        let key = secret_key(hit.name, hit.value_text, &mut keys);
        edits.push(value_from_edit(doc, hit, &secret, &key, step)?);
    }
    let pad = " ".repeat(step);
    let mut yaml = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n{pad}name: {}\n",
        yaml_scalar(&secret)
    );
    if let Some(ns) = namespace {
        yaml.push_str(&format!("{pad}namespace: {}\n", yaml_scalar(ns)));
    }
    yaml.push_str("type: Opaque\nstringData:\n");
    for (key, value) in &keys {
        yaml.push_str(&format!("{pad}{}: {}\n", yaml_scalar(key), quoted(value)));
    }
    edits.push(append_document(doc, &yaml));
    let title = match hits {
        [one] => format!("Move `{}` to Secret `{secret}`", one.name),
        _ => format!(
            "Move {} hard-coded values to Secret `{secret}`",
            hits.len()
        ),
    };
    Some(Fix::new(title, Applicability::Unsafe, edits))
}

/// The Secret key for an env var: its name's words in lower case joined by `-`
/// (`DB_PASSWORD` and `dbPassword` give `db-password`). A key already taken by another
/// value gets a `-2`, `-3`… suffix.
fn secret_key<'a>(name: &str, value: &'a str, keys: &mut Vec<(String, &'a str)>) -> String {
    let mut base = words(name).join("-");
    if base.is_empty() {
        base = "value".to_owned();
    }
    let mut key = base.clone();
    let mut n = 1;
    loop {
        match keys.iter().find(|(k, _)| *k == key) {
            None => {
                keys.push((key.clone(), value));
                return key;
            }
            Some((_, v)) if *v == value => return key,
            Some(_) => {
                n += 1;
                key = format!("{base}-{n}");
            }
        }
    }
}

/// Replaces `value: …` with `valueFrom: {secretKeyRef: …}`, in the style of the env entry.
fn value_from_edit(
    doc: &Document,
    hit: &Hit<'_>,
    secret: &str,
    key: &str,
    step: usize,
) -> Option<Edit> {
    let text = doc.text();
    let value_node = hit.value.value_as_written();
    // Anchors and aliases tie the value to other places: leave them to a human.
    if value_node.kind() == NodeKind::Alias || value_node.anchor().is_some() {
        return None;
    }
    // The entry must be written in the env var itself, not merged in.
    if !hit.env.mapping().entries().any(|e| e.key == hit.value.key()) {
        return None;
    }
    let (name, key) = (yaml_scalar(secret), yaml_scalar(key));
    let start = usize::from(hit.value.key().range().start());
    let mut end = usize::from(value_node.range().end());
    while end > start && matches!(text.as_bytes()[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    if hit.env.node().is_flow() {
        return Some(Edit::replace(
            range(start, end),
            format!("valueFrom: {{secretKeyRef: {{name: {name}, key: {key}}}}}"),
        ));
    }
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let line_end = |at: usize| {
        let e = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if e > at && text.as_bytes()[e - 1] == b'\r' {
            e - 1
        } else {
            e
        }
    };
    // A comment on the key's line (`value: | # the key`) or after a one-line value moves
    // up to the `valueFrom:` line.
    let key_line_end = line_end(start);
    let mut comment = None;
    if end <= key_line_end {
        let rest = &text[end..key_line_end];
        if rest.trim_start().starts_with('#') {
            comment = Some(rest.trim());
            end = key_line_end;
        }
    } else if let Some(c) = comment_of(&text[start..key_line_end]) {
        comment = Some(c.trim());
    }
    let col = start - text[..start].rfind('\n').map_or(0, |i| i + 1);
    let pad1 = " ".repeat(col + step);
    let pad2 = " ".repeat(col + 2 * step);
    let head = match comment {
        Some(c) => format!("valueFrom: {c}"),
        None => "valueFrom:".to_owned(),
    };
    Some(Edit::replace(
        range(start, end),
        format!("{head}{nl}{pad1}secretKeyRef:{nl}{pad2}name: {name}{nl}{pad2}key: {key}"),
    ))
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(
        TextSize::from(u32::try_from(start).unwrap_or(u32::MAX)),
        TextSize::from(u32::try_from(end).unwrap_or(u32::MAX)),
    )
}

/// The document's indentation step, read off the first nested block mapping at the root
/// (`metadata:` / `  name:`); 2 if there is none.
fn indent_step(doc: &Document) -> usize {
    let text = doc.text();
    let column = |offset: usize| offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let Some(root) = doc.root().and_then(|r| r.as_mapping()) else {
        return 2;
    };
    for entry in root.entries() {
        let Some(m) = entry.value.as_mapping() else {
            continue;
        };
        if entry.value.is_flow() {
            continue;
        }
        let Some(first) = m.entries().next() else {
            continue;
        };
        let child = column(usize::from(first.key.range().start()));
        let parent = column(usize::from(entry.key.range().start()));
        if child > parent && child - parent <= 8 {
            return child - parent;
        }
    }
    2
}

/// A key or name as a plain scalar, quoted if YAML would read it as something else.
fn yaml_scalar(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !s.starts_with(['-', '.'])
        && matches!(
            picket_syntax::scalar::resolve_plain(s),
            picket_syntax::ScalarValue::Str(_)
        );
    if plain_ok { s.to_owned() } else { quoted(s) }
}

/// A YAML double-quoted string that reads back as exactly `s`.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::{quoted, secret_key, yaml_scalar};

    #[test]
    fn keys() {
        let mut keys = Vec::new();
        assert_eq!(secret_key("DB_PASSWORD", "a", &mut keys), "db-password");
        assert_eq!(secret_key("DB_PASSWORD", "a", &mut keys), "db-password");
        assert_eq!(secret_key("db_password", "b", &mut keys), "db-password-2");
        assert_eq!(secret_key("stripeApiKey", "c", &mut keys), "stripe-api-key");
        assert_eq!(keys.len(), 3);
    }

    #[test]
    fn scalars() {
        assert_eq!(yaml_scalar("web-env"), "web-env");
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("1234"), "\"1234\"");
        assert_eq!(yaml_scalar("-x"), "\"-x\"");
        assert_eq!(quoted("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
