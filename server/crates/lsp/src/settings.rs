//! The editor's settings for Picket: rule and category overrides and the target Kubernetes
//! version, laid over each document's `.picket.yaml` (DESIGN: the file, overridable by LSP
//! settings), and where the behaviour profiles are. They come in `initializationOptions` and `workspace/didChangeConfiguration`,
//! either as `{"picket": {...}}` or as the inner object.

use serde_json::Value;

/// What the editor set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    /// Rule or category name → off, on, error, warning, info or hint.
    pub(crate) rules: Vec<(String, String)>,
    /// `"1.30"`; empty or absent: the file's or the default.
    pub(crate) kubernetes_version: Option<String>,
    /// `picket.profiles` (VS Code: `picket.profiles.directory`): the folder of behaviour
    /// profiles, absolute or relative to each workspace folder; empty or absent:
    /// [`DEFAULT_PROFILES`].
    pub(crate) profiles: Option<String>,
}

/// Where the behaviour profiles are when `picket.profiles` is not set, relative to each
/// workspace folder.
pub(crate) const DEFAULT_PROFILES: &str = ".picket/profiles";

impl Settings {
    /// Reads the settings; anything it does not understand is left out and named in the
    /// returned problems.
    pub(crate) fn from_json(value: &Value) -> (Settings, Vec<String>) {
        let inner = value.get("picket").unwrap_or(value);
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        if let Some(rules) = inner.get("rules") {
            match rules.as_object() {
                Some(map) => {
                    for (name, v) in map {
                        match v.as_str() {
                            Some(s) => settings.rules.push((name.clone(), s.to_owned())),
                            None => problems.push(format!(
                                "`picket.rules.{name}` must be one of off, on, error, warning, info, hint"
                            )),
                        }
                    }
                }
                None if rules.is_null() => {}
                None => problems.push("`picket.rules` must map rule names to settings".to_owned()),
            }
        }
        match inner.get("kubernetesVersion") {
            Some(Value::String(v)) if !v.trim().is_empty() => {
                settings.kubernetes_version = Some(v.trim().to_owned())
            }
            Some(Value::String(_) | Value::Null) | None => {}
            Some(other) => problems.push(format!(
                "`picket.kubernetesVersion` must be a string like \"1.30\", not {other}"
            )),
        }
        // A path, or `{"directory": path}` as VS Code sends its `picket.profiles.directory`.
        let profiles = inner.get("profiles").map(|p| match p {
            Value::Object(m) => m.get("directory").unwrap_or(&Value::Null),
            other => other,
        });
        match profiles {
            Some(Value::String(v)) if !v.trim().is_empty() => {
                settings.profiles = Some(v.trim().to_owned())
            }
            Some(Value::String(_) | Value::Null) | None => {}
            Some(other) => problems.push(format!(
                "`picket.profiles` must be a folder's path, not {other}"
            )),
        }
        // Check names and values against the rules now, so the user hears about them once.
        let (_, more) = picket_ide::picket_lint::Config::default()
            .overridden(&settings.rules, settings.kubernetes_version.as_deref());
        problems.extend(more.into_iter().map(|m| format!("Picket settings: {m}")));
        (settings, problems)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.kubernetes_version.is_none()
    }

    /// The folders to read profiles from: `picket.profiles` (or [`DEFAULT_PROFILES`]) as it
    /// is when absolute, else under each root.
    pub(crate) fn profile_dirs(&self, roots: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
        let setting = std::path::Path::new(self.profiles.as_deref().unwrap_or(DEFAULT_PROFILES));
        if setting.is_absolute() {
            return vec![setting.to_owned()];
        }
        roots.iter().map(|r| r.join(setting)).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    #[test]
    fn nested_or_flat_and_problems_named() {
        let (s, problems) = Settings::from_json(&json!({
            "picket": { "rules": { "latest-image-tag": "off", "security": "error" }, "kubernetesVersion": "1.30", "server": { "path": "" } }
        }));
        assert_eq!(
            s.rules,
            [
                ("latest-image-tag".to_owned(), "off".to_owned()),
                ("security".to_owned(), "error".to_owned())
            ]
        );
        assert_eq!(s.kubernetes_version.as_deref(), Some("1.30"));
        assert!(problems.is_empty(), "{problems:?}");
        let (flat, _) = Settings::from_json(&json!({ "rules": { "latest-image-tag": "off" } }));
        assert_eq!(flat.rules.len(), 1);
        let (_, problems) = Settings::from_json(
            &json!({ "rules": { "latest-image-tg": "off", "x": 1 }, "kubernetesVersion": 5 }),
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("did you mean")),
            "{problems:?}"
        );
        assert!(Settings::from_json(&json!(null)).0.is_empty());
    }

    #[test]
    fn profiles_default_under_each_root_or_as_set() {
        let roots = [PathBuf::from("/w/a"), PathBuf::from("/w/b")];
        let (s, problems) = Settings::from_json(&json!({}));
        assert!(problems.is_empty());
        assert_eq!(
            s.profile_dirs(&roots),
            [
                PathBuf::from("/w/a/.picket/profiles"),
                PathBuf::from("/w/b/.picket/profiles")
            ]
        );
        let (s, _) = Settings::from_json(&json!({ "picket": { "profiles": "rec" } }));
        assert_eq!(s.profile_dirs(&roots)[1], PathBuf::from("/w/b/rec"));
        let (s, _) = Settings::from_json(&json!({ "profiles": "/abs/p" }));
        assert_eq!(s.profile_dirs(&roots), [PathBuf::from("/abs/p")]);
        let (s, problems) =
            Settings::from_json(&json!({ "picket": { "profiles": { "directory": "rec" } } }));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.profiles.as_deref(), Some("rec"));
        let (s, _) = Settings::from_json(&json!({ "profiles": { "directory": "" } }));
        assert_eq!(s.profiles, None);
        let (s, problems) = Settings::from_json(&json!({ "profiles": 3 }));
        assert_eq!(s.profiles, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
