//! Redaction of command lines: values that look like secrets become `<redacted>` before an
//! argv is written to a profile.
//!
//! Profiles are shared (merged, reviewed, committed next to policies), while command lines
//! often carry passwords and tokens. The argv in a profile is descriptive only, so the rules
//! below prefer redacting something harmless over keeping a secret. What they recognize:
//!
//! - a flag whose name looks secret (see below), with its value after `=`
//!   (`--password=x`) or as the next word (`--token x`), unless that word is itself a flag;
//! - `KEY=VALUE` where the key looks secret (`DB_PASSWORD=x`, `AWS_SECRET_ACCESS_KEY=x`);
//! - an HTTP header line whose name looks secret, including a scheme word
//!   (`Authorization: Bearer x`);
//! - the password in a URL's user information (`postgres://user:<redacted>@host/db`), a user
//!   name that is itself a credential (`https://<redacted>@github.com/…`), and query
//!   parameters whose name looks secret (`?api_key=<redacted>`);
//! - tokens that are credentials whatever surrounds them: JWTs, AWS access key ids, GitHub and
//!   Slack tokens, PEM private keys, and long high-entropy strings (see [`is_credential`]).
//!
//! A name looks secret when, lowercased and without `-`, `_` and `.`, it contains one of
//! `password`, `passwd`, `passphrase`, `pwd`, `secret`, `token`, `apikey`, `accesskey`,
//! `privatekey`, `credential` or `auth`, and does not end in `file`, `path`, `dir`,
//! `directory` or `stdin` (`--token-file=/run/x` names where a secret is, not the secret). The
//! environment variables `PWD` and `OLDPWD` are working directories, not passwords.
//!
//! Every argument but the program name (`argv[0]`, never redacted) is split at whitespace, so
//! that a shell command line (`sh -c "mysql --password=x db"`) is redacted word by word; a
//! quoted value that spans words is redacted up to its closing quote. The key or flag is kept;
//! only the value is replaced. Out of scope: short options whose meaning depends on the
//! program (`mysql -pSECRET`, `curl -u user:pass`), and secret values that start with `-`
//! after a separate flag (`--password -x` reads as two flags).
//!
//! Redacting twice gives the same result as redacting once.

use std::borrow::Cow;

/// What replaces a secret value.
pub const REDACTED: &str = "<redacted>";

/// The argv with every value that looks like a secret replaced by [`REDACTED`]; `args[0]`, the
/// program, is kept as it is. See the module documentation for the rules.
pub fn redact_argv(args: &[String]) -> Vec<String> {
    let mut pending = Pending::None;
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            if i == 0 {
                arg.clone()
            } else {
                redact_arg(arg, &mut pending)
            }
        })
        .collect()
}

/// What the previous word asked of the next one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// A secret flag without `=`: the next word is its value, unless it is a flag.
    Value,
    /// A secret header name: the next word is its value, after any scheme word (`Bearer`).
    HeaderValue,
    /// A redacted value opened this quote: words are redacted up to the one that closes it.
    UntilQuote(char),
}

fn redact_arg(arg: &str, pending: &mut Pending) -> String {
    let arg = redact_pem(arg);
    let mut out = String::with_capacity(arg.len());
    // Each piece is a word followed by one whitespace character (or the end).
    for piece in arg.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        out.push_str(&redact_word(word, pending));
        out.push_str(&piece[word.len()..]);
    }
    out
}

fn redact_word<'a>(word: &'a str, pending: &mut Pending) -> Cow<'a, str> {
    if word.is_empty() {
        return word.into();
    }
    let (open, core, close) = unquote(word);
    match std::mem::replace(pending, Pending::None) {
        Pending::UntilQuote(quote) => {
            if !word.contains(quote) {
                *pending = Pending::UntilQuote(quote);
            }
            return format!("{open}{REDACTED}{close}").into();
        }
        Pending::HeaderValue if is_auth_scheme(core) => {
            *pending = Pending::HeaderValue;
            return word.into();
        }
        Pending::Value | Pending::HeaderValue if !is_flag(core) => {
            return match replace_value("", word, pending) {
                Some(redacted) => redacted.into(),
                None => word.into(),
            };
        }
        _ => {}
    }
    match redact_core(core, pending) {
        Some(redacted) => format!("{open}{redacted}{close}").into(),
        None => word.into(),
    }
}

/// One word without its surrounding quotes; `None` when nothing in it is secret.
fn redact_core(core: &str, pending: &mut Pending) -> Option<String> {
    if is_flag(core) {
        let name_start = core.len() - core.trim_start_matches('-').len();
        return match core.split_once('=') {
            Some((flag, value)) => {
                let prefix = &core[..flag.len() + 1];
                if is_secret_name(&flag[name_start..]) {
                    replace_value(prefix, value, pending)
                } else {
                    redact_value(value).map(|v| format!("{prefix}{v}"))
                }
            }
            None => {
                if is_secret_name(&core[name_start..]) {
                    *pending = Pending::Value;
                }
                None
            }
        };
    }
    if let Some(header) = core.strip_suffix(':') {
        if is_header_name(header) && is_secret_name(header) {
            *pending = Pending::HeaderValue;
        }
        return None;
    }
    if let Some((key, value)) = core.split_once('=')
        && is_key(key)
    {
        let prefix = &core[..key.len() + 1];
        let redacted = if is_secret_key(key) {
            replace_value(prefix, value, pending)
        } else {
            redact_value(value).map(|v| format!("{prefix}{v}"))
        };
        if redacted.is_some() {
            return redacted;
        }
    }
    // Also when `=` was base64 padding rather than a separator.
    redact_value(core)
}

/// `prefix` followed by [`REDACTED`] in place of `value`, keeping its quotes; an opening quote
/// without its closing one makes the following words part of the value.
fn replace_value(prefix: &str, value: &str, pending: &mut Pending) -> Option<String> {
    let (open, inner, close) = unquote(value);
    if inner.is_empty() || inner == REDACTED {
        return None;
    }
    if let Some(quote) = open.chars().last()
        && !close.contains(quote)
    {
        *pending = Pending::UntilQuote(quote);
    }
    Some(format!("{prefix}{open}{REDACTED}{close}"))
}

/// A value whose key says nothing: redacted when it is a credential by itself, or a URL
/// carrying one.
fn redact_value(value: &str) -> Option<String> {
    let (_, inner, _) = unquote(value);
    if inner.is_empty() || inner == REDACTED {
        return None;
    }
    if is_credential(inner) {
        let (open, _, close) = unquote(value);
        return Some(format!("{open}{REDACTED}{close}"));
    }
    if value.contains("://") {
        return redact_url(value);
    }
    None
}

/// Redacts the password of a URL's user information, a user name that is a credential, and
/// query parameters whose name looks secret.
fn redact_url(url: &str) -> Option<String> {
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let mut out = String::from(&url[..authority_start]);
    let mut changed = false;
    if let Some(at) = authority.rfind('@') {
        let userinfo = &authority[..at];
        match userinfo.split_once(':') {
            Some((user, password)) if !password.is_empty() && password != REDACTED => {
                out.push_str(user);
                out.push(':');
                out.push_str(REDACTED);
                changed = true;
            }
            None if is_credential(userinfo) => {
                out.push_str(REDACTED);
                changed = true;
            }
            _ => out.push_str(userinfo),
        }
        out.push_str(&authority[at..]);
    } else {
        out.push_str(authority);
    }
    let tail = &rest[authority_len..];
    let (before_fragment, fragment) = tail.split_at(tail.find('#').unwrap_or(tail.len()));
    let (path, query) = match before_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (before_fragment, None),
    };
    out.push_str(path);
    if let Some(query) = query {
        out.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            match pair.split_once('=') {
                Some((name, value))
                    if !value.is_empty()
                        && value != REDACTED
                        && (is_secret_name(name) || is_credential(value)) =>
                {
                    out.push_str(name);
                    out.push('=');
                    out.push_str(REDACTED);
                    changed = true;
                }
                _ => out.push_str(pair),
            }
        }
    }
    out.push_str(fragment);
    changed.then_some(out)
}

/// Replaces PEM private keys (`-----BEGIN … PRIVATE KEY-----` through the matching `END`
/// line, or to the end of the argument when argv was cut before it). A header cut before its
/// label ends is treated as a private key too: it may be one.
fn redact_pem(arg: &str) -> Cow<'_, str> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut out = String::new();
    let mut rest = arg;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let (label, body) = match after.find(DASHES) {
            Some(i) => (&after[..i], Some(&after[i + DASHES.len()..])),
            None => (after, None),
        };
        if body.is_some() && !label.contains("PRIVATE") {
            // A certificate or public key: kept.
            out.push_str(&rest[..start + BEGIN.len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..start]);
        out.push_str(REDACTED);
        rest = body
            .and_then(|body| {
                let end = body.find("-----END ")?;
                let close = body[end + DASHES.len()..].find(DASHES)?;
                Some(&body[end + DASHES.len() + close + DASHES.len()..])
            })
            .unwrap_or("");
    }
    if out.is_empty() {
        return arg.into();
    }
    out.push_str(rest);
    out.into()
}

/// Whether a token is a credential by its form alone, whatever its key:
///
/// - a JWT: `eyJ` (a base64url JSON header), then exactly two `.`-separated base64url parts;
/// - an AWS access key id: `AKIA` or `ASIA` and 16 uppercase letters or digits;
/// - a GitHub token: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` or `github_pat_`, then at least 20
///   characters;
/// - a Slack token: `xoxa-`, `xoxb-`, `xoxp-` or `xoxr-`, then at least 10 characters;
/// - a long high-entropy string: at least 32 characters of the base64 or base64url alphabet
///   (`=` padding allowed at the end), not starting with `/`, not a UUID, and either
///   - all hexadecimal with a Shannon entropy of at least 3.0 bits per character, or
///   - with both letters and digits and an entropy of at least 4.0 bits per character.
///
/// The thresholds come from sampling: random 32-character hex strings measure 3.6 bits per
/// character (median; 99.9 % above 3.1), random 32-character base64 4.6 (99.9 % above 4.1),
/// while identifiers and kebab- or snake-case words of that length measure 3.5 to 4.0
/// (`x86_64-unknown-linux-gnu-toolchain2`: 3.96), and repetitive hex (`deadbeef…`) 2.2. The
/// digit requirement keeps long `CamelCase` names (4.0 to 4.2) out, at the cost of the 0.4 % of
/// random 32-character base64 strings without a digit. Strings with `/` in which at least two
/// segments are lowercase words of three letters or more are relative paths, not secrets.
///
/// Choices: a UUID is not a secret: they are everywhere in command lines as pod, container,
/// request and trace ids, and a UUID used as a key sits behind a secret-looking flag or
/// variable, which the key rules catch. A 40-character hex string, such as a git commit id, *is*
/// redacted: it cannot be told apart from the 40-hex API tokens several services issue (GitHub's
/// own before 2021), and an argv in a profile only describes; a lost commit id costs less than a
/// kept token. Image digests (`sha256:…`) are kept: the `:` puts them outside the alphabet.
pub fn is_credential(token: &str) -> bool {
    is_jwt(token)
        || is_aws_key_id(token)
        || is_github_token(token)
        || is_slack_token(token)
        || is_high_entropy(token)
}

fn is_base64url(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    token.starts_with("eyJ")
        && parts.len() == 3
        && parts[0].len() >= 10
        && !parts[1].is_empty()
        && parts.iter().all(|p| is_base64url(p))
}

fn is_aws_key_id(token: &str) -> bool {
    token.len() == 20
        && (token.starts_with("AKIA") || token.starts_with("ASIA"))
        && token[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn is_github_token(token: &str) -> bool {
    let body = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]
        .iter()
        .find_map(|prefix| token.strip_prefix(prefix));
    body.is_some_and(|b| b.len() >= 20 && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
}

fn is_slack_token(token: &str) -> bool {
    let body = ["xoxa-", "xoxb-", "xoxp-", "xoxr-"]
        .iter()
        .find_map(|prefix| token.strip_prefix(prefix));
    body.is_some_and(|b| b.len() >= 10 && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
}

/// Minimum entropy, in bits per character, of an all-hex secret (see [`is_credential`]).
const HEX_ENTROPY: f64 = 3.0;
/// Minimum entropy, in bits per character, of any other secret (see [`is_credential`]).
const BASE64_ENTROPY: f64 = 4.0;
/// Minimum length of a secret found by entropy alone.
const MIN_ENTROPY_LEN: usize = 32;

fn is_high_entropy(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    if body.len() < MIN_ENTROPY_LEN
        || body.starts_with('/')
        || is_uuid(body)
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
        || is_relative_path(body)
    {
        return false;
    }
    if body.bytes().all(|b| b.is_ascii_hexdigit()) {
        return entropy(body) >= HEX_ENTROPY;
    }
    body.bytes().any(|b| b.is_ascii_digit())
        && body.bytes().any(|b| b.is_ascii_alphabetic())
        && entropy(body) >= BASE64_ENTROPY
}

fn is_relative_path(text: &str) -> bool {
    let words = text
        .split('/')
        .filter(|s| s.len() >= 3 && s.bytes().all(|b| b.is_ascii_lowercase()))
        .count();
    text.contains('/') && words >= 2
}

/// Shannon entropy of the text's bytes, in bits per byte.
fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in text.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = text.len() as f64;
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = f64::from(n) / len;
            -p * p.log2()
        })
        .sum()
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// See the module documentation.
fn is_secret_name(name: &str) -> bool {
    const SECRET: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "secret",
        "token",
        "apikey",
        "accesskey",
        "privatekey",
        "credential",
        "auth",
    ];
    const REFERENCE: &[&str] = &["file", "path", "dir", "directory", "stdin"];
    let normal: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    SECRET.iter().any(|w| normal.contains(w)) && !REFERENCE.iter().any(|s| normal.ends_with(s))
}

fn is_secret_key(key: &str) -> bool {
    is_secret_name(key) && !key.eq_ignore_ascii_case("pwd") && !key.eq_ignore_ascii_case("oldpwd")
}

/// An environment-variable-like or property-like key: `DB_PASSWORD`, `spring.datasource.password`.
fn is_key(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn is_header_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn is_auth_scheme(word: &str) -> bool {
    ["bearer", "basic", "token", "digest", "negotiate"]
        .iter()
        .any(|s| word.eq_ignore_ascii_case(s))
}

fn is_flag(word: &str) -> bool {
    word.len() > 1 && word.starts_with('-')
}

/// Splits leading and trailing quote characters off a word: `(open, inner, close)`.
fn unquote(word: &str) -> (&str, &str, &str) {
    let is_quote = |c: char| c == '"' || c == '\'';
    let inner_start = word.len() - word.trim_start_matches(is_quote).len();
    let (open, rest) = word.split_at(inner_start);
    let inner = rest.trim_end_matches(is_quote);
    (open, inner, &rest[inner.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &[&str], want: &[&str]) {
        let args: Vec<String> = input.iter().map(|a| (*a).to_owned()).collect();
        let got = redact_argv(&args);
        assert_eq!(got, want, "redacting {input:?}");
        assert_eq!(redact_argv(&got), got, "redacting twice {input:?}");
    }

    #[track_caller]
    fn unchanged(input: &[&str]) {
        check(input, input);
    }

    // Fake credentials, made up for these tests.
    const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const AWS_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const GITHUB: &str = "ghp_R4nd0mLook1ngT0kenV4lue0123456789ab";
    const BASE64_SECRET: &str = "q3Vx9TfL2mZ8pR7wK1sN5yH0bC4dG6jA";
    const GIT_SHA: &str = "3f786850e387550fdab836ed7e6dc881de23001b";

    #[test]
    fn ordinary_command_lines_are_kept() {
        unchanged(&["nginx", "-g", "daemon off;"]);
        unchanged(&["python3", "-m", "http.server", "8080"]);
        unchanged(&["/bin/sh", "-c", "echo hi"]);
        unchanged(&["/bin/sh", "-c", "echo", "hi"]);
        unchanged(&[
            "java",
            "-Xmx512m",
            "-jar",
            "/app/app.jar",
            "--server.port=8080",
        ]);
        unchanged(&["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "80"]);
        unchanged(&[
            "git",
            "clone",
            "https://github.com/example/repo.git",
            "/src",
        ]);
        unchanged(&["env", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin", "app"]);
        unchanged(&[
            "cat",
            "/var/lib/kubelet/pods/0f9c3a1e-4b7d-4c3e-9d3b-0e2f8c9a1b2c/volumes",
        ]);
        unchanged(&[
            "ls",
            "var/lib/kubelet/pods/0f9c3a1e-4b7d-4c3e-9d3b-0e2f8c9a1b2c/volumes",
        ]);
        unchanged(&["app", "--log-format=json", "--", "-", ""]);
        unchanged(&["node", "/usr/src/app/node_modules/.bin/next", "start"]);
        unchanged(&["app", "--name=ThisIsAnExtremelyLongCamelCaseName"]);
        unchanged(&["app", "x86_64-unknown-linux-gnu-toolchain2"]);
    }

    #[test]
    fn program_name_is_never_redacted() {
        unchanged(&[GITHUB]);
        unchanged(&["DB_PASSWORD=x"]);
        check(
            &["DB_PASSWORD=x", "DB_PASSWORD=x"],
            &["DB_PASSWORD=x", "DB_PASSWORD=<redacted>"],
        );
        unchanged(&[]);
    }

    #[test]
    fn flag_with_value_after_equals() {
        check(
            &["app", "--password=hunter2"],
            &["app", "--password=<redacted>"],
        );
        check(
            &["app", "--DB-Password=hunter2"],
            &["app", "--DB-Password=<redacted>"],
        );
        check(&["app", "-password=x"], &["app", "-password=<redacted>"]);
        check(
            &["app", "--db_passwd=x"],
            &["app", "--db_passwd=<redacted>"],
        );
        check(&["app", "--pwd=x"], &["app", "--pwd=<redacted>"]);
        check(
            &["app", "--client-secret=x"],
            &["app", "--client-secret=<redacted>"],
        );
        check(
            &["app", "--api-key=x", "--api_key=y", "--APIKEY=z"],
            &[
                "app",
                "--api-key=<redacted>",
                "--api_key=<redacted>",
                "--APIKEY=<redacted>",
            ],
        );
        check(
            &["app", "--aws-access-key=x"],
            &["app", "--aws-access-key=<redacted>"],
        );
        check(
            &["app", "--private-key=x"],
            &["app", "--private-key=<redacted>"],
        );
        check(
            &["app", "--credentials=x"],
            &["app", "--credentials=<redacted>"],
        );
        check(
            &["app", "--basic-auth=u:p"],
            &["app", "--basic-auth=<redacted>"],
        );
        check(&["app", "--Token=a=b"], &["app", "--Token=<redacted>"]);
        check(
            &[
                "java",
                "-Djavax.net.ssl.keyStorePassword=changeit",
                "-jar",
                "a.jar",
            ],
            &[
                "java",
                "-Djavax.net.ssl.keyStorePassword=<redacted>",
                "-jar",
                "a.jar",
            ],
        );
        unchanged(&["app", "--password="]);
    }

    #[test]
    fn flag_with_separate_value() {
        check(
            &["app", "--token", "abc"],
            &["app", "--token", "<redacted>"],
        );
        check(
            &["app", "--Secret", "abc", "--port", "80"],
            &["app", "--Secret", "<redacted>", "--port", "80"],
        );
        check(&["app", "-auth", "abc"], &["app", "-auth", "<redacted>"]);
        // The next word is a flag: the secret flag was a switch.
        unchanged(&["app", "--token", "--verbose"]);
        unchanged(&["app", "--token"]);
        unchanged(&["app", "--password", ""]);
    }

    #[test]
    fn flags_naming_where_a_secret_is_are_kept() {
        unchanged(&["app", "--token-file=/var/run/secrets/token"]);
        unchanged(&["app", "--password-file", "/run/secrets/db"]);
        unchanged(&["app", "--secrets-dir", "/etc/secrets"]);
        unchanged(&["docker", "login", "--password-stdin", "registry.example"]);
    }

    #[test]
    fn secret_keys_with_values() {
        check(
            &["env", "DB_PASSWORD=hunter2", "app"],
            &["env", "DB_PASSWORD=<redacted>", "app"],
        );
        check(
            &["env", "AWS_SECRET_ACCESS_KEY=x"],
            &["env", "AWS_SECRET_ACCESS_KEY=<redacted>"],
        );
        check(
            &["env", "GITHUB_TOKEN=x", "PGPASSWORD=y"],
            &["env", "GITHUB_TOKEN=<redacted>", "PGPASSWORD=<redacted>"],
        );
        check(
            &["app", "spring.datasource.password=x"],
            &["app", "spring.datasource.password=<redacted>"],
        );
        unchanged(&["env", "PWD=/home/app", "OLDPWD=/"]);
        unchanged(&["env", "POSTGRES_PASSWORD_FILE=/run/secrets/pg"]);
        unchanged(&["env", "DB_PASSWORD="]);
        unchanged(&["app", "a==b", "1=2"]);
    }

    #[test]
    fn url_passwords() {
        check(
            &["psql", "postgres://user:pw@db.internal:5432/shop"],
            &["psql", "postgres://user:<redacted>@db.internal:5432/shop"],
        );
        check(
            &["app", "--db=mysql://root:s3cr@t@db/x"],
            &["app", "--db=mysql://root:<redacted>@db/x"],
        );
        check(
            &["env", "DATABASE_URL=redis://:pw@cache:6379/0"],
            &["env", "DATABASE_URL=redis://:<redacted>@cache:6379/0"],
        );
        check(
            &[
                "git",
                "clone",
                &format!("https://{GITHUB}@github.com/o/r.git"),
            ],
            &["git", "clone", "https://<redacted>@github.com/o/r.git"],
        );
        check(
            &["curl", "https://api.example/v1?page=2&api_key=abc&x=#top"],
            &[
                "curl",
                "https://api.example/v1?page=2&api_key=<redacted>&x=#top",
            ],
        );
        check(
            &["app", "jdbc:postgresql://u:p@h/db?sslmode=require"],
            &["app", "jdbc:postgresql://u:<redacted>@h/db?sslmode=require"],
        );
        unchanged(&[
            "curl",
            "https://user@example.com/",
            "https://example.com/a?b=c#d",
        ]);
        unchanged(&["curl", "http://[::1]:8080/healthz"]);
    }

    #[test]
    fn headers() {
        check(
            &["curl", "-H", "Authorization: Bearer abc.def", "https://x"],
            &[
                "curl",
                "-H",
                "Authorization: Bearer <redacted>",
                "https://x",
            ],
        );
        check(
            &["curl", "-H", "X-Api-Key: abc"],
            &["curl", "-H", "X-Api-Key: <redacted>"],
        );
        check(
            &["curl", "-H", "authorization: token abc"],
            &["curl", "-H", "authorization: token <redacted>"],
        );
        unchanged(&["curl", "-H", "Accept: application/json"]);
    }

    #[test]
    fn shell_command_lines_are_redacted_word_by_word() {
        check(
            &[
                "/bin/sh",
                "-c",
                "mysql -u root --password=hunter2 shop && curl -H 'Authorization: Bearer abc' http://x",
            ],
            &[
                "/bin/sh",
                "-c",
                "mysql -u root --password=<redacted> shop && curl -H 'Authorization: Bearer <redacted>' http://x",
            ],
        );
        check(
            &["/bin/sh", "-c", "export API_TOKEN=abc;  run --token  xyz\n"],
            &[
                "/bin/sh",
                "-c",
                "export API_TOKEN=<redacted>  run --token  <redacted>\n",
            ],
        );
        check(
            &["sh", "-c", "run --password=\"two words\" --x"],
            &["sh", "-c", "run --password=\"<redacted> <redacted>\" --x"],
        );
        check(
            &["sh", "-c", "run --password 'a b c' --x"],
            &[
                "sh",
                "-c",
                "run --password '<redacted> <redacted> <redacted>' --x",
            ],
        );
    }

    #[test]
    fn credentials_by_form() {
        for secret in [
            JWT,
            AWS_ID,
            "ASIAY34FZKBOKMUTVV7A",
            GITHUB,
            "gho_16C7e42F292c6912E7710c838347Ae178B4a",
            "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp",
            "xoxp-1234567890-abcdef",
            AWS_SECRET,
            BASE64_SECRET,
            "q3Vx9TfL2mZ8pR7wK1sN5yH0bC4dG6jA==",
            "Zm9vYmFyYmF6cXV4cXV1eHF1dXgxMjM0NTY3ODkwYWJjZGVm",
            GIT_SHA,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "5f4dcc3b5aa765d61d8327deb882cf99",
        ] {
            assert!(is_credential(secret), "{secret}");
            check(&["app", secret], &["app", "<redacted>"]);
            check(
                &["app", &format!("--opaque={secret}")],
                &["app", "--opaque=<redacted>"],
            );
            check(&["app", &format!("'{secret}'")], &["app", "'<redacted>'"]);
        }
    }

    #[test]
    fn lookalikes_are_not_credentials() {
        for kept in [
            "0f9c3a1e-4b7d-4c3e-9d3b-0e2f8c9a1b2c",
            "0F9C3A1E-4B7D-4C3E-9D3B-0E2F8C9A1B2C",
            "00000000000000000000000000000000",
            "deadbeefdeadbeefdeadbeefdeadbeef",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "eyJhbGciOiJIUzI1NiJ9",
            "AKIAIOSFODNN7EXAMPL",
            "ghp_short",
            "xoxq-1234567890-abcdef",
            "q3Vx9TfL2mZ8pR7wK1sN5yH0bC4dG6j",
            "this-is-a-very-long-kebab-case-flag-value",
            "max_connections_per_host_override",
            "AbstractSingletonProxyFactoryBean",
            "org.springframework.boot.loader.launch.JarLauncher",
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        ] {
            assert!(!is_credential(kept), "{kept}");
            unchanged(&["app", kept]);
        }
    }

    #[test]
    fn pem_private_keys() {
        check(
            &[
                "app",
                "--key=-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----\n",
            ],
            &["app", "--key=<redacted>\n"],
        );
        check(
            &[
                "app",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA",
            ],
            &["app", "<redacted>"],
        );
        // Cut by the 127-byte limit inside the label: maybe a private key.
        check(
            &["app", "x -----BEGIN ENCRYPTED PRIV"],
            &["app", "x <redacted>"],
        );
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        unchanged(&["app", cert]);
        check(
            &[
                "app",
                &format!(
                    "{cert}\n-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----"
                ),
            ],
            &["app", &format!("{cert}\n<redacted>")],
        );
    }

    #[test]
    fn short_option_values_are_out_of_scope() {
        unchanged(&["mysql", "-psecret", "-u", "root"]);
        unchanged(&["curl", "-u", "user:pass", "https://x"]);
    }

    #[test]
    fn entropy_measures_bits_per_character() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("ab") - 1.0).abs() < 1e-9);
        assert!((entropy("0123456789abcdef") - 4.0).abs() < 1e-9);
    }
}
