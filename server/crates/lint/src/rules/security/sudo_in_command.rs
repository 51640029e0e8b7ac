//! `sudo-in-command`: containers whose command or arguments run `sudo`.

use picket_model::Field;
use picket_syntax::{Node, TextRange, TextSize};

use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `command` or `args` item that runs `sudo`: the item is `sudo` or a path ending in
    /// `/sudo`, or a shell script in it (`sh -c "…"`) has `sudo` as a word. The finding
    /// points at the word. Mentions inside longer words (`pseudo`, `sudoers`) are not
    /// flagged.
    ///
    /// ## Why it matters
    /// `sudo` in a container means the image carries a setuid-root binary and a sudoers
    /// policy, and the process expects to become root at run time. Anyone who gets code
    /// execution in the container can do the same. Run the step as the right user at build
    /// time, or give the container the single capability it needs.
    ///
    /// ## Example
    /// ```yaml,bad
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:1.0
    ///       command: ["sh", "-c", "sudo chown app /data && exec web"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   securityContext:
    ///     fsGroup: 10001
    ///   containers:
    ///     - name: web
    ///       image: registry.example.com/web:1.0
    ///       command: ["web"]
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/pod-security-standards/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub(crate) SudoInCommand {
        name: "sudo-in-command",
        category: Security,
        severity: Warning,
        fix: None,
        summary: "Container command runs sudo",
        peers: [Kubescape: "C-0062"],
    }
}

/// Whether `b` may be part of a command word.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Where the word `sudo` first stands as a word in `text`, or ends a path (`/usr/bin/sudo`).
fn find_sudo(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("sudo").map(|i| from + i) {
        from = i + 4;
        let after_ok = bytes.get(i + 4).is_none_or(|&b| !word_byte(b));
        let before_ok = i == 0 || {
            let prev = bytes[i - 1];
            if prev == b'/' {
                // `/usr/bin/sudo`, `./sudo`: the word before must be a path.
                let path_start = text[..i]
                    .rfind(|c: char| c.is_ascii_whitespace() || "\"';&|(`".contains(c))
                    .map_or(0, |p| p + 1);
                matches!(bytes[path_start], b'/' | b'.')
            } else {
                !word_byte(prev)
            }
        };
        if before_ok && after_ok {
            return Some(i);
        }
    }
    None
}

/// The range of `sudo` in an item's source text, or the whole item when escapes or line
/// folding make the source differ from the value.
fn sudo_range(item: Node<'_>) -> Option<TextRange> {
    let value = item.as_scalar()?.value();
    find_sudo(value)?;
    let raw = item.text();
    match find_sudo(raw) {
        Some(i) => {
            let start = usize::from(item.range().start()) + i;
            let size = |n: usize| TextSize::from(u32::try_from(n).unwrap_or(u32::MAX));
            Some(TextRange::new(size(start), size(start + 4)))
        }
        None => Some(item.range()),
    }
}

fn check(cx: &mut Cx<'_>, c: &ContainerCx<'_>, field: Option<Field<'_>>, what: &str) {
    let Some(field) = field else { return };
    for item in field.items() {
        if let Some(range) = sudo_range(item) {
            let name = c.name();
            cx.report(range, format!("Container `{name}` runs `sudo` in its {what}"));
        }
    }
}

impl Rule for SudoInCommand {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        check(cx, &c, c.container.command(), "command");
        check(cx, &c, c.container.args(), "args");
    }
}
