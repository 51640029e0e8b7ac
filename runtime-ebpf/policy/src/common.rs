//! Small helpers the suggestion modules share.

use picket_profile::Profile;

/// Why the hook `hook` gave nothing: its entry in `missingHooks`, or "not attached" when the
/// profile does not list it among its hooks either. `None` when it was attached.
pub(crate) fn missing_hook(profile: &Profile, hook: &str) -> Option<String> {
    if let Some(missing) = profile.sensor.missing_hooks.iter().find(|m| m.hook == hook) {
        return Some(missing.reason.clone());
    }
    if profile.sensor.hooks.iter().any(|h| h == hook) {
        None
    } else {
        Some("not attached".to_owned())
    }
}

/// `raw` as a DNS label of at most `max` bytes: lowercase letters and digits, every other run
/// of characters one `-`, none at either end; `fallback` when nothing is left.
pub(crate) fn dns_label(raw: &str, max: usize, fallback: &str) -> String {
    let mut label = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            label.push(c);
        } else if !label.is_empty() && !label.ends_with('-') {
            label.push('-');
        }
    }
    label.truncate(max);
    let label = label.trim_end_matches('-');
    if label.is_empty() {
        fallback.to_owned()
    } else {
        label.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        assert_eq!(dns_label("/var/cache/nginx", 63, "x"), "var-cache-nginx");
        assert_eq!(dns_label("Web_API--v2", 63, "x"), "web-api-v2");
        assert_eq!(dns_label("/", 63, "x"), "x");
        assert_eq!(dns_label("abc-def", 4, "x"), "abc");
    }
}
