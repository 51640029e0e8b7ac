//! `.picket.yaml`: rules on or off, severity overrides, the target Kubernetes version,
//! ignored paths and required labels. Reading the file is the caller's job; this module
//! parses its text and reports every problem with a range, never silently ignoring a key.
//!
//! ```yaml
//! kubernetesVersion: "1.29"
//! rules:
//!   latest-image-tag: off        # off | on | error | warning | info | hint
//!   security: error              # a category sets every rule in it; rule names win
//! ignore:
//!   - "vendor/**"
//! requiredLabels: [owner, app.kubernetes.io/name]
//! ```

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use picket_schema::Severity;
use picket_syntax::{Mapping, Node, ParsedFile, TextRange};

use crate::rule::{Category, RuleMeta};

/// The configuration file's name, looked up from a manifest's directory upwards.
pub const CONFIG_FILE: &str = ".picket.yaml";

/// The Kubernetes version rules target when the configuration names none: the version of
/// the embedded schema.
pub const DEFAULT_KUBERNETES_VERSION: (u32, u32) = (1, 37);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setting {
    Off,
    On,
    Severity(Severity),
}

/// A problem in a configuration file, with its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub range: TextRange,
    pub message: String,
}

/// A parsed configuration. `Config::default()` is what applies without a file.
#[derive(Clone, Debug)]
pub struct Config {
    /// The directory the file sits in; ignore patterns are relative to it.
    pub base: PathBuf,
    rules: Vec<(&'static str, Setting)>,
    categories: Vec<(Category, Setting)>,
    pub kubernetes_version: (u32, u32),
    ignore: GlobSet,
    pub required_labels: Vec<String>,
    pub problems: Vec<ConfigProblem>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            base: PathBuf::new(),
            rules: Vec::new(),
            categories: Vec::new(),
            kubernetes_version: DEFAULT_KUBERNETES_VERSION,
            ignore: GlobSet::empty(),
            required_labels: Vec::new(),
            problems: Vec::new(),
        }
    }
}

impl Config {
    /// Parses a `.picket.yaml` found in `base`.
    pub fn parse(text: &str, base: &Path) -> Config {
        let mut config = Config {
            base: base.to_owned(),
            ..Config::default()
        };
        let parsed = ParsedFile::parse(text);
        for d in parsed.documents() {
            for e in d.doc.errors() {
                config.problem(d.to_file(e.range), format!("Invalid YAML: {}", e.message));
            }
        }
        let Some(doc) = parsed.documents().iter().find(|d| d.doc.root().is_some()) else {
            return config;
        };
        let Some(root) = doc.doc.root().and_then(|r| r.as_mapping()) else {
            let r = doc.to_file(
                doc.doc
                    .root()
                    .map_or_else(TextRange::default, |n| n.range()),
            );
            config.problem(
                r,
                "The configuration must be a mapping of settings".to_owned(),
            );
            return config;
        };
        let at = |r: TextRange| doc.to_file(r);
        for entry in root.entries() {
            let key = entry.key_str().unwrap_or_default();
            let value = entry.value.resolve();
            match key {
                "kubernetesVersion" => match value.as_scalar().and_then(|s| parse_version(s.value())) {
                    Some(v) => config.kubernetes_version = v,
                    None => config.problem(
                        at(value.range()),
                        "`kubernetesVersion` must look like \"1.29\"".to_owned(),
                    ),
                },
                "rules" => match value.as_mapping() {
                    Some(m) => config.read_rules(m, &at),
                    None if value.is_null() => {}
                    None => config.problem(at(value.range()), "`rules` must be a mapping of rule names to settings".to_owned()),
                },
                "ignore" => {
                    let mut builder = GlobSetBuilder::new();
                    for (pattern, range) in strings(value) {
                        match Glob::new(pattern) {
                            Ok(g) => {
                                builder.add(g);
                                // `dir` also ignores everything below it.
                                if let Ok(g) = Glob::new(&format!("{}/**", pattern.trim_end_matches('/'))) {
                                    builder.add(g);
                                }
                            }
                            Err(e) => config.problem(at(range), format!("Invalid glob `{pattern}`: {e}")),
                        }
                    }
                    config.ignore = builder.build().unwrap_or_else(|_| GlobSet::empty());
                }
                "requiredLabels" => {
                    config.required_labels = strings(value).into_iter().map(|(s, _)| s.to_owned()).collect();
                }
                _ => config.problem(
                    at(entry.key.range()),
                    format!(
                        "Unknown setting `{key}`: expected `rules`, `kubernetesVersion`, `ignore` or `requiredLabels`"
                    ),
                ),
            }
        }
        config
    }

    /// The configuration of a `.picket.yaml` that exists but cannot be read: the defaults,
    /// with the reason as a problem.
    pub fn unreadable(base: &Path, reason: &str) -> Config {
        let mut config = Config {
            base: base.to_owned(),
            ..Config::default()
        };
        config.problem(
            TextRange::default(),
            format!("Cannot read this file ({reason}): the default configuration applies"),
        );
        config
    }

    fn problem(&mut self, range: TextRange, message: String) {
        self.problems.push(ConfigProblem { range, message });
    }

    fn read_rules(&mut self, m: Mapping<'_>, at: &impl Fn(TextRange) -> TextRange) {
        for entry in m.entries() {
            let name = entry.key_str().unwrap_or_default();
            let value = entry.value.resolve();
            let text = value.as_scalar().map(|s| s.value()).unwrap_or_default();
            if let Err(message) = self.set_rule(name, text) {
                let range = if message.starts_with("Invalid setting") {
                    value.range()
                } else {
                    entry.key.range()
                };
                self.problem(at(range), message);
            }
        }
    }

    /// Sets a rule or a whole category (`name`) to `text` (off, on or a severity); later
    /// settings win over earlier ones.
    fn set_rule(&mut self, name: &str, text: &str) -> Result<(), String> {
        let setting = match text.to_ascii_lowercase().as_str() {
            "off" | "false" => Setting::Off,
            "on" | "true" => Setting::On,
            "error" => Setting::Severity(Severity::Error),
            "warning" => Setting::Severity(Severity::Warning),
            "info" => Setting::Severity(Severity::Info),
            "hint" => Setting::Severity(Severity::Hint),
            _ => {
                return Err(format!(
                    "Invalid setting `{text}` for `{name}`: use off, on, error, warning, info or hint"
                ));
            }
        };
        if let Some(category) = Category::from_name(name) {
            self.categories.push((category, setting));
        } else if let Some(rule) = crate::rule_by_name(name) {
            self.rules.push((rule.name, setting));
        } else {
            return Err(crate::suppress::unknown_name_message(name));
        }
        Ok(())
    }

    /// This configuration with an editor's settings laid over it: `rules` (rule or category
    /// names to off, on or a severity) and `kubernetes_version` win over the file's. Returns
    /// the problems of the settings too, as messages (they have no place in a file).
    pub fn overridden(
        &self,
        rules: &[(String, String)],
        kubernetes_version: Option<&str>,
    ) -> (Config, Vec<String>) {
        let mut config = self.clone();
        let mut problems = Vec::new();
        for (name, text) in rules {
            if let Err(message) = config.set_rule(name, text) {
                problems.push(message);
            }
        }
        if let Some(v) = kubernetes_version.filter(|v| !v.is_empty()) {
            match parse_version(v) {
                Some(v) => config.kubernetes_version = v,
                None => problems.push(format!(
                    "`kubernetesVersion` must look like \"1.29\", not `{v}`"
                )),
            }
        }
        (config, problems)
    }

    fn setting(&self, meta: &RuleMeta) -> Option<Setting> {
        self.rules
            .iter()
            .rev()
            .find(|(n, _)| *n == meta.name)
            .map(|(_, s)| *s)
            .or_else(|| {
                self.categories
                    .iter()
                    .rev()
                    .find(|(c, _)| *c == meta.category)
                    .map(|(_, s)| *s)
            })
    }

    /// Whether a rule runs.
    pub fn enabled(&self, meta: &RuleMeta) -> bool {
        match self.setting(meta) {
            Some(Setting::Off) => false,
            Some(Setting::On | Setting::Severity(_)) => true,
            None => meta.default_enabled,
        }
    }

    /// A rule's severity after overrides.
    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        match self.setting(meta) {
            Some(Setting::Severity(s)) => s,
            _ => meta.severity,
        }
    }

    /// Whether `path` is excluded by `ignore` (patterns are relative to the file's directory).
    pub fn is_ignored(&self, path: &Path) -> bool {
        let rel = path.strip_prefix(&self.base).unwrap_or(path);
        self.ignore.is_match(rel)
    }

    /// Whether the target Kubernetes version is at least `v`.
    pub fn targets_at_least(&self, v: (u32, u32)) -> bool {
        self.kubernetes_version >= v
    }
}

fn strings(node: Node<'_>) -> Vec<(&str, TextRange)> {
    match node.as_sequence() {
        Some(seq) => seq
            .items()
            .filter_map(|n| n.resolve().as_scalar().map(|s| (s.value(), n.range())))
            .collect(),
        None => node
            .as_scalar()
            .filter(|_| !node.is_null())
            .map(|s| vec![(s.value(), node.range())])
            .unwrap_or_default(),
    }
}

/// `"1.29"`, `v1.29`, `1.29.3` → `(1, 29)`.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let t = text.trim().trim_start_matches('v');
    let mut parts = t.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
