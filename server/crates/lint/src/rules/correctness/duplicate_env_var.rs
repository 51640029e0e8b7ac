//! `duplicate-env-var`: containers that define the same environment variable twice.

use picket_model::{Field, View};
use picket_syntax::Node;

use crate::edit::{Edit, Fix, comment_of, remove_item};
use crate::engine::Cx;
use crate::rule::{ContainerCx, Rule, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An entry of a container's `env` whose `name` appears again further down the same
    /// list. Each entry but the last of a name is reported.
    ///
    /// ## Why it matters
    /// The later entry silently wins (the API server only warns that it "hides previous
    /// definition"), so a value someone set on purpose, often in a patch or an overlay, has
    /// no effect. Which value the container sees depends on list order that nobody reads.
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
    ///       image: nginx:1.27
    ///       env:
    ///         - name: LOG_LEVEL
    ///           value: debug
    ///         - name: LOG_LEVEL
    ///           value: info
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: nginx:1.27
    ///       env:
    ///         - name: LOG_LEVEL
    ///           value: info
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix removes the earlier entry, the one that is overridden, so the container
    /// sees the same environment. It is not offered when an entry between the two (or the
    /// later one itself) refers to the variable as `$(NAME)`: that reference still sees the
    /// earlier value, which would be lost.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
    /// - https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
    pub(crate) DuplicateEnvVar {
        name: "duplicate-env-var",
        category: Correctness,
        severity: Warning,
        fix: Some(Safe),
        summary: "Container defines the same environment variable more than once",
        peers: [
            KubeLinter: "duplicate-env-var",
            KubeScore: "environment-variable-key-duplication",
            Kubescape: "C-0295",
        ],
    }
}

impl Rule for DuplicateEnvVar {
    fn container(cx: &mut Cx<'_>, c: ContainerCx<'_>) {
        let Some(env) = c.container.field("env") else {
            return;
        };
        // The items as written (an alias item stays one), with their names.
        let Some(seq) = env.value_as_written().as_sequence() else {
            return;
        };
        let items: Vec<(Node<'_>, Option<Field<'_>>)> = seq
            .items()
            .map(|item| {
                let name = item
                    .resolve()
                    .as_mapping()
                    .and_then(|m| m.get_entry("name"))
                    .map(Field::new);
                (item, name)
            })
            .collect();
        // Edit only a list written in this container, never one merged from an anchor.
        let written = c.container.mapping().entry("env").is_some();
        let container = c.name();
        // For each entry, the next entry of the same name (one pass from the end).
        let mut next_of: Vec<Option<usize>> = vec![None; items.len()];
        let mut last_seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, (_, name_field)) in items.iter().enumerate().rev() {
            if let Some(name) = name_of(name_field) {
                next_of[i] = last_seen.insert(name, i);
            }
        }
        for (i, (item, name_field)) in items.iter().enumerate() {
            let Some(name) = name_of(name_field) else {
                continue;
            };
            let Some(j) = next_of[i] else {
                continue;
            };
            let reference = format!("$({name})");
            let referenced = items[i + 1..=j].iter().any(|(n, _)| {
                n.resolve()
                    .as_mapping()
                    .and_then(|m| m.get("value"))
                    .and_then(|v| v.resolve().as_scalar())
                    .is_some_and(|s| s.value().contains(&reference))
            });
            let fix = (written && !referenced)
                .then(|| remove_item(cx.doc(), env, *item))
                .flatten()
                .and_then(|e| keep_comments(cx.doc().text(), e))
                .map(|e| Fix::safe(format!("Remove the overridden `{name}` entry"), e));
            let Some(at) = name_field else { continue };
            let later = items[j].1.map_or(items[j].0.range(), |f| f.range());
            cx.report(
                at.range(),
                format!("Container `{container}` defines `{name}` again below; the later value wins"),
            )
            .related(later, format!("`{name}` is defined again here"))
            .fix(fix);
        }
    }
}

/// The name of an `env` entry, if it has a non-empty one.
fn name_of<'a>(f: &Option<Field<'a>>) -> Option<&'a str> {
    f.and_then(|f| f.text()).filter(|t| !t.is_empty())
}

/// Keeps the comments of the removed lines, each on a line of its own at the item's
/// indentation. `None` when a comment sits inside a removed part of a line (flow style).
fn keep_comments(text: &str, edit: Edit) -> Option<Edit> {
    let range = edit.range;
    let removed = &text[usize::from(range.start())..usize::from(range.end())];
    if !edit.text.is_empty() || !removed.contains('#') {
        return Some(edit);
    }
    if !removed.ends_with('\n') {
        return None;
    }
    let indent = removed.len() - removed.trim_start_matches(' ').len();
    let nl = if removed.ends_with("\r\n") { "\r\n" } else { "\n" };
    let mut kept = String::new();
    for line in removed.lines() {
        if let Some(c) = comment_of(line) {
            kept.push_str(&" ".repeat(indent));
            kept.push_str(c);
            kept.push_str(nl);
        }
    }
    Some(Edit::replace(range, kept))
}
