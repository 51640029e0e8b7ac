//! Credential detectors shared by the secrets rules: key names that say "this is a
//! credential", values whose shape says so whatever their key, and values that are clearly
//! not credentials (references, templates, paths).
//!
//! Detectors never return the value: messages name what was found, not what it is.

/// Why a value was flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finding {
    /// The key name says credential (`DB_PASSWORD`) and the value is a literal.
    Name,
    /// The value has the shape of a known credential; the text names it
    /// ("an AWS access key ID").
    Shape(&'static str),
}

/// A credential by key name or by value shape, value shapes first (they say more).
pub(crate) fn detect(name: &str, value: &str) -> Option<Finding> {
    if let Some(shape) = value_shape(value) {
        return Some(Finding::Shape(shape));
    }
    (sensitive_name(name) && is_literal(value)).then_some(Finding::Name)
}

// Names.

/// Words that name a credential when they end a key (`DB_PASSWORD`, `githubToken`).
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "pass",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "apitoken",
    "accesskey",
    "secretkey",
    "privatekey",
    "pat",
];

/// Endings that make one glued word a credential (`PGPASSWORD`, `authtoken`).
const CREDENTIAL_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
];

/// Words that make a following `key` a credential (`API_KEY`, `AZURE_BATCH_KEY`); a bare
/// `..._KEY` is too often a cache key or an object key.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "auth",
    "master",
    "encryption",
    "encrypt",
    "decryption",
    "signing",
    "sign",
    "account",
    "batch",
    "storage",
    "shared",
    "session",
    "hmac",
    "consumer",
    "app",
    "license",
    "client",
    "service",
    "webhook",
    "jwt",
    "ssh",
    "gpg",
    "pgp",
    "subscription",
    "cipher",
    "crypto",
    "primary",
    "secondary",
];

/// Trailing words that describe the encoding of a credential rather than something else
/// (`PASSWORD_B64`, `CREDENTIALS_JSON`, `SECRET_KEY_BASE`).
const ENCODING_WORDS: &[&str] = &[
    "value", "val", "string", "str", "b64", "base64", "plain", "plaintext", "raw", "hex",
    "json", "base", "content", "data", "material", "pem",
];

/// File extensions a ConfigMap key may carry (`credentials.json`).
const FILE_EXTENSIONS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "txt",
    "conf",
    "cfg",
    "ini",
    "env",
    "properties",
    "toml",
    "xml",
];

/// Splits a key into lower-case words at `_ - . /`, spaces and camelCase boundaries
/// (`dbPassword`, `APIKey` give `db password`, `api key`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let boundary = i > 0
                && c.is_ascii_uppercase()
                && (chars[i - 1].is_ascii_lowercase()
                    || chars[i - 1].is_ascii_digit()
                    || (chars[i - 1].is_ascii_uppercase()
                        && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
            if boundary && !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            word.push(c.to_ascii_lowercase());
        }
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

/// Whether a key name says it holds a credential: its last word is a credential word
/// (`DB_PASSWORD`, `clientSecret`, `PGPASSWORD`), or `key` qualified as one (`API_KEY`,
/// `AWS_SECRET_ACCESS_KEY`), optionally followed by an encoding word (`TOKEN_B64`,
/// `OCI_CLI_KEY_CONTENT`) or a file extension (`credentials.json`).
///
/// Names about a credential rather than holding one end in another word and stay quiet:
/// `PASSWORD_FILE`, `TOKEN_PATH`, `SECRET_NAME`, `AUTH_TOKEN_URL`, `AWS_ACCESS_KEY_ID`,
/// `PASSWORD_MIN_LENGTH`.
pub(crate) fn sensitive_name(name: &str) -> bool {
    // Most names hold none of the credential words' stems: skip the word splitting.
    const STEMS: &[&[u8]] = &[b"pass", b"pwd", b"secret", b"token", b"cred", b"key", b"pat"];
    let bytes = name.as_bytes();
    let has_stem = STEMS.iter().any(|stem| {
        bytes
            .windows(stem.len())
            .any(|w| w.eq_ignore_ascii_case(stem))
    });
    if !has_stem {
        return false;
    }
    let mut name = name.trim();
    if let Some((stem, ext)) = name.rsplit_once('.')
        && FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        && !stem.is_empty()
    {
        name = stem;
    }
    let mut w = words(name);
    let mut encoding = None;
    if w.len() > 1 && w.last().is_some_and(|l| ENCODING_WORDS.contains(&l.as_str())) {
        // `KEY_CONTENT`, `SECRET_KEY_BASE`, `PASSWORD_B64`: judge what comes before.
        encoding = w.pop();
    }
    let Some(last) = w.last() else { return false };
    if CREDENTIAL_WORDS.contains(&last.as_str()) {
        return true;
    }
    if last == "key" {
        let before = w.len().checked_sub(2).map(|i| w[i].as_str());
        // `OCI_CLI_KEY_CONTENT`, `TLS_KEY_DATA`: a key's content is the key.
        let content = encoding
            .as_deref()
            .is_some_and(|e| matches!(e, "content" | "data" | "material" | "pem"));
        return content || before.is_some_and(|b| KEY_QUALIFIERS.contains(&b));
    }
    CREDENTIAL_SUFFIXES
        .iter()
        .any(|s| last.len() > s.len() && last.ends_with(s))
}

// Values that are not literals.

/// Whether a value is a literal worth flagging under a credential name: not empty, not a
/// boolean, not a reference to something else (`$(VAR)`, `${VAR}`, `{{ … }}`, a secret
/// manager reference, a file path or a URL without a password), not a `<placeholder>` or a
/// masked `****`.
pub(crate) fn is_literal(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
    ) {
        return false;
    }
    if v.chars().all(|c| c == '*') {
        return false;
    }
    if is_reference(v) {
        return false;
    }
    if v.starts_with('<') && v.ends_with('>') {
        return false;
    }
    // `INSERT_TOKEN_HERE`, `REPLACE_ME`, `your-api-key`: to be filled in, not a credential.
    if ["insert_", "insert-", "replace_", "replace-", "replaceme", "your_", "your-"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return false;
    }
    // A path: `/run/secrets/db`, `./token`, `~/.aws/credentials`.
    if (v.starts_with('/') || v.starts_with("./") || v.starts_with("~/"))
        && !v.contains(char::is_whitespace)
    {
        return false;
    }
    // A URL is a location, unless it carries a password (a value shape).
    if lower.contains("://") && !v.contains(char::is_whitespace) {
        return false;
    }
    true
}

/// Whether a value stands for another value: a Kubernetes `$(VAR)` expansion, a shell or
/// envsubst `${VAR}`, a Helm or Go template, or a secret manager reference.
fn is_reference(v: &str) -> bool {
    if v.contains("${") || v.contains("{{") {
        return true;
    }
    // `$(DB_PASSWORD)`, `$(USER):$(PASSWORD)`: built from other variables.
    if let Some(i) = v.find("$(")
        && v[i..].contains(')')
    {
        return true;
    }
    const PREFIXES: &[&str] = &[
        "vault:",
        "ref+",
        "arn:aws:",
        "secretref:",
        "sm://",
        "gcp:secretmanager:",
        "projects/",
        "akv://",
        "op://",
    ];
    let lower = v.to_ascii_lowercase();
    PREFIXES.iter().any(|p| lower.starts_with(p))
}

// Value shapes.

/// What a value holds, when its shape alone says credential: a private key, a cloud or SaaS
/// token with a recognisable prefix, a JSON Web Token, a URL or connection string with a
/// password. Returns the name to put in messages.
pub(crate) fn value_shape(value: &str) -> Option<&'static str> {
    if value.len() < 16 {
        return None;
    }
    if is_gcp_service_account(value) {
        return Some("a GCP service account key");
    }
    if has_private_key(value) {
        return Some("a private key");
    }
    if has_aws_access_key_id(value) {
        return Some("an AWS access key ID");
    }
    let prefixed: &[(&str, usize, &str, &str)] = &[
        // Prefix, minimum length after it, extra allowed characters, what it is.
        ("ghp_", 36, "", "a GitHub token"),
        ("gho_", 36, "", "a GitHub token"),
        ("ghu_", 36, "", "a GitHub token"),
        ("ghs_", 36, "", "a GitHub token"),
        ("ghr_", 36, "", "a GitHub token"),
        ("github_pat_", 50, "_", "a GitHub token"),
        ("glpat-", 20, "_-", "a GitLab token"),
        ("xoxb-", 20, "-", "a Slack token"),
        ("xoxp-", 20, "-", "a Slack token"),
        ("xoxa-", 20, "-", "a Slack token"),
        ("xoxr-", 20, "-", "a Slack token"),
        ("xoxs-", 20, "-", "a Slack token"),
        ("xoxe-", 20, "-", "a Slack token"),
        ("hooks.slack.com/services/T", 20, "/", "a Slack webhook URL"),
        ("sk_live_", 20, "", "a Stripe live secret key"),
        ("rk_live_", 20, "", "a Stripe live secret key"),
        ("AIza", 35, "_-", "a Google API key"),
    ];
    for (prefix, min, extra, what) in prefixed {
        if has_prefixed_token(value, prefix, *min, extra) {
            return Some(what);
        }
    }
    if has_jwt(value) {
        return Some("a JSON Web Token");
    }
    if has_url_password(value) {
        return Some("a URL with a password");
    }
    if has_connection_string_secret(value) {
        return Some("a connection string with a password or key");
    }
    None
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

/// `prefix` at a word boundary, followed by at least `min` characters that are
/// alphanumeric or in `extra`.
fn has_prefixed_token(value: &str, prefix: &str, min: usize, extra: &str) -> bool {
    let bytes = value.as_bytes();
    let mut from = 0;
    while let Some(i) = value[from..].find(prefix) {
        let start = from + i;
        let boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let body = value[start + prefix.len()..]
            .bytes()
            .take_while(|&b| is_token_char(b) || extra.as_bytes().contains(&b))
            .count();
        if boundary && body >= min {
            return true;
        }
        from = start + prefix.len();
    }
    false
}

/// `-----BEGIN … PRIVATE KEY-----` (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP … BLOCK), with
/// at least three dashes.
fn has_private_key(value: &str) -> bool {
    let mut from = 0;
    while let Some(i) = value[from..].find("BEGIN ") {
        let start = from + i;
        from = start + 6;
        let dashes = value[..start]
            .trim_end_matches(' ')
            .bytes()
            .rev()
            .take_while(|&b| b == b'-')
            .count();
        if dashes < 3 {
            continue;
        }
        let label: String = value[from..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == ' ')
            .collect();
        let label = label.trim_end();
        if label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK") {
            return true;
        }
    }
    false
}

/// `AKIA…` (long-term) or `ASIA…` (temporary) followed by 16 upper-case letters or digits,
/// at word boundaries. AWS's documented example key (`…EXAMPLE`) is not a credential.
fn has_aws_access_key_id(value: &str) -> bool {
    let bytes = value.as_bytes();
    for prefix in ["AKIA", "ASIA"] {
        let mut from = 0;
        while let Some(i) = value[from..].find(prefix) {
            let start = from + i;
            from = start + 4;
            let end = start + 20;
            if end > bytes.len() {
                break;
            }
            let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let after_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
            let body_ok = bytes[start + 4..end]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if before_ok && after_ok && body_ok && !value[start..end].ends_with("EXAMPLE") {
                return true;
            }
        }
    }
    false
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `eyJ….eyJ….…`: a JSON header, a JSON payload and a signature, base64url-encoded.
fn has_jwt(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut from = 0;
    while let Some(i) = value[from..].find("eyJ") {
        let start = from + i;
        from = start + 3;
        if start > 0 && is_b64url(bytes[start - 1]) {
            continue;
        }
        let seg = |at: usize| bytes[at..].iter().take_while(|&&b| is_b64url(b)).count();
        let header = seg(start);
        let p = start + header;
        if header < 10 || bytes.get(p) != Some(&b'.') || !value[p + 1..].starts_with("eyJ") {
            continue;
        }
        let payload = seg(p + 1);
        let q = p + 1 + payload;
        if payload < 10 || bytes.get(q) != Some(&b'.') {
            continue;
        }
        if seg(q + 1) >= 16 {
            return true;
        }
    }
    false
}

/// A Google service account key file: `"type": "service_account"` with a `private_key`.
fn is_gcp_service_account(value: &str) -> bool {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"type\":\"service_account\"") && compact.contains("\"private_key\":\"")
}

/// Whether a password-like value is a placeholder rather than a password.
fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || v.starts_with('$')
        || v.starts_with('<')
        || v.starts_with('{')
        || v.starts_with('%')
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
        || matches!(lower.as_str(), "password" | "pass" | "secret" | "pwd")
}

/// `scheme://user:password@host`, with a password that is not a placeholder.
fn has_url_password(value: &str) -> bool {
    let mut from = 0;
    while let Some(i) = value[from..].find("://") {
        let rest = &value[from + i + 3..];
        from += i + 3;
        let authority_end = rest
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        let Some((userinfo, _host)) = authority.rsplit_once('@') else {
            continue;
        };
        let Some((_user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if !is_placeholder(password) {
            return true;
        }
    }
    false
}

/// `Server=db;User Id=sa;Password=…;` or `…;AccountKey=…;`: a `;`-separated connection
/// string with a password or key that is not a placeholder.
fn has_connection_string_secret(value: &str) -> bool {
    if !value.contains(';') {
        return false;
    }
    value.split(';').any(|part| {
        let Some((k, v)) = part.split_once('=') else {
            return false;
        };
        let k = k.trim().to_ascii_lowercase();
        matches!(
            k.as_str(),
            "password" | "pwd" | "accountkey" | "sharedaccesskey"
        ) && !is_placeholder(v.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("AWS_SECRET_ACCESS_KEY"), ["aws", "secret", "access", "key"]);
        assert_eq!(words("tls.key"), ["tls", "key"]);
        assert_eq!(words("s3Key2"), ["s3", "key2"]);
    }

    #[test]
    fn names() {
        for yes in [
            "password",
            "my_password",
            "DB_PASSWORD",
            "dbPassword",
            "PGPASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "AZURE_BATCH_KEY",
            "OCI_CLI_KEY_CONTENT",
            "API_KEY",
            "apiKey",
            "APIKEY",
            "DD_API_KEY",
            "CLIENT_SECRET",
            "GITHUB_TOKEN",
            "githubToken",
            "SECRET_KEY_BASE",
            "JWT_SECRET",
            "GOOGLE_CREDENTIALS_JSON",
            "credentials.json",
            "db-password",
            "REDIS_PASS",
            "GH_PAT",
            "token",
            "ssh-private-key",
        ] {
            assert!(sensitive_name(yes), "{yes} should be sensitive");
        }
        for no in [
            "PASSWORD_FILE",
            "TOKEN_PATH",
            "SECRET_NAME",
            "AUTH_TOKEN_URL",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_MIN_LENGTH",
            "ENABLE_TOKEN_AUTH",
            "CACHE_KEY",
            "CACHE_KEY_VALUE",
            "S3_KEY",
            "tls.key",
            "TOKEN_TTL",
            "SECRETS_DIR",
            "BYPASS",
            "COMPASS",
            "PASSWORD_HASH_ALGORITHM",
            "message",
            "db_user",
            "KEY",
            "application.properties",
            "SECRET_KEY_REF",
        ] {
            assert!(!sensitive_name(no), "{no} should not be sensitive");
        }
    }

    #[test]
    fn literals() {
        assert!(is_literal("abc123"));
        assert!(is_literal("changeme"));
        assert!(is_literal("xxx"));
        for no in [
            "",
            "  ",
            "true",
            "$(DB_PASSWORD)",
            "$(DB_USER):$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "<your-password>",
            "INSERT_ETCD_DISCOVERY_TOKEN",
            "your-api-key",
            "****",
            "/var/run/secrets/db/password",
            "vault:secret/data/db#password",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            "https://vault.example.com/v1/secret/db",
        ] {
            assert!(!is_literal(no), "{no:?} should not be a literal");
        }
    }

    #[test]
    fn shapes() {
        let s = value_shape;
        assert_eq!(s("AKIAZ3MSJV4WWNKWW5FG"), Some("an AWS access key ID"));
        assert_eq!(s("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(s("XAKIAZ3MSJV4WWNKWW5FGX"), None);
        assert_eq!(
            s("ghp_8aKf3LmQ2nR7sT1uV4wX6yZ9bC0dE5fG7hJ2"),
            Some("a GitHub token")
        );
        assert_eq!(s("ghp_short_and_not_a_token"), None);
        assert_eq!(
            s("xoxb-2048-4096-Xy7pQ3rT9sLmN2kJ"),
            Some("a Slack token")
        );
        assert_eq!(
            s("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"),
            Some("a private key")
        );
        assert_eq!(
            s("---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END  OPENSSH PRIVATE KEY---\n"),
            Some("a private key")
        );
        assert_eq!(
            s("-----BEGIN CERTIFICATE-----\nMIIE\n-----END CERTIFICATE-----\n"),
            None
        );
        assert_eq!(
            s("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSIsImlhdCI6MTcwMDAwMDAwMH0.3q2n5Wc9y1bJ8kLmN4pQ7rS0tU2vX5yZ"),
            Some("a JSON Web Token")
        );
        assert_eq!(s("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), Some("a Stripe live secret key"));
        assert_eq!(s("sk_test_4eC39HqLyjWDarjtT1zdp7dc"), None);
        assert_eq!(
            s("postgres://app:Xq3v9Lr2@db.prod:5432/app"),
            Some("a URL with a password")
        );
        assert_eq!(s("postgres://app:$(DB_PASSWORD)@db.prod:5432/app"), None);
        assert_eq!(s("postgres://app@db.prod:5432/app"), None);
        assert_eq!(s("https://user:password@example.com/"), None);
        assert_eq!(
            s("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=q1w2e3r4t5y6u7i8o9p0==;EndpointSuffix=core.windows.net"),
            Some("a connection string with a password or key")
        );
        assert_eq!(
            s(r#"{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----\nMII\n"}"#),
            Some("a GCP service account key")
        );
        assert_eq!(s("an ordinary sentence that is long"), None);
        assert_eq!(s("http://[::1]:8080/health"), None);
    }
}
