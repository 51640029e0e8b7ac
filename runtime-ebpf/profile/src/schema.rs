//! The JSON Schema of the profile format, generated from the types with `schemars`.
//!
//! `cargo xtask codegen` writes it to `docs/profile-v1.schema.json`; a test here checks that the
//! committed file is current, and validates profiles against that file.

use crate::Profile;

/// The schema's `$id`.
pub const SCHEMA_ID: &str = "https://picket.dev/schemas/profile-v1.json";

/// The JSON Schema (draft 2020-12) of [`Profile`], format version 1.
pub fn json_schema() -> serde_json::Value {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Profile>();
    schema.insert("$id".to_owned(), SCHEMA_ID.into());
    schema.insert(
        "title".to_owned(),
        "Picket behaviour profile, format version 1".into(),
    );
    schema.to_value()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::fixtures::full_profile;

    const COMMITTED: &str = include_str!("../../../docs/profile-v1.schema.json");

    fn validator() -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(COMMITTED).unwrap();
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the committed schema compiles")
    }

    #[track_caller]
    fn schema_errors(instance: &Value) -> Vec<String> {
        validator()
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect()
    }

    /// Why `from_json` rejects this value.
    #[track_caller]
    fn read_error(value: &Value) -> String {
        Profile::from_json(&value.to_string())
            .unwrap_err()
            .to_string()
    }

    /// The full profile as JSON, with the value at `pointer` replaced.
    fn full_with(pointer: &str, replacement: Value) -> Value {
        let mut value = serde_json::to_value(full_profile()).unwrap();
        *value.pointer_mut(pointer).unwrap() = replacement;
        value
    }

    #[test]
    fn committed_schema_is_current() {
        let committed: Value = serde_json::from_str(COMMITTED).unwrap();
        assert!(
            committed == json_schema(),
            "docs/profile-v1.schema.json is stale: run `cargo codegen`"
        );
        assert!(COMMITTED.ends_with("}\n"));
    }

    #[test]
    fn schema_names_itself() {
        let schema = json_schema();
        assert_eq!(schema["$id"], SCHEMA_ID);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(schema["title"].as_str().unwrap().contains("version 1"));
        assert_eq!(schema["properties"]["version"]["const"], 1);
        assert_eq!(schema["additionalProperties"], false);
    }

    #[test]
    fn full_profile_round_trips_through_json_and_schema() {
        let profile = full_profile();
        let text = profile.to_json();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(schema_errors(&value), Vec::<String>::new());
        let back = Profile::from_json(&text).unwrap();
        assert_eq!(back, profile);
        assert_eq!(back.to_json(), text);
    }

    #[test]
    fn full_profile_fills_every_list() {
        // Guards the round trip above: an empty list would not exercise its item schema.
        let value = serde_json::to_value(full_profile()).unwrap();
        for list in [
            "/partialReasons",
            "/coverage/nodes",
            "/coverage/replicas",
            "/sensor/hooks",
            "/sensor/missingHooks",
            "/executables",
            "/network",
            "/capabilities",
            "/syscalls",
            "/fileWrites",
            "/executables/1/argv",
        ] {
            let items = value.pointer(list).and_then(Value::as_array);
            assert!(items.is_some_and(|i| !i.is_empty()), "{list} is empty");
        }
        let peers = value["network"].as_array().unwrap();
        let has = |key: &str, want: Value| peers.iter().any(|p| p[key] == want);
        assert!(has("direction", json!("egress")) && has("direction", json!("ingress")));
        assert!(has("protocol", json!("tcp")) && has("protocol", json!("udp")));
        assert!(has("dns", json!(true)));
        assert!(
            peers
                .iter()
                .any(|p| p["address"].as_str().unwrap().contains(':'))
        );
        assert!(
            peers
                .iter()
                .any(|p| p["address"].as_str().unwrap().contains('.'))
        );
        let caps = value["capabilities"].as_array().unwrap();
        assert!(caps.iter().any(|c| c["granted"] == true));
        assert!(caps.iter().any(|c| c["granted"] == false));
        assert!(value.to_string().contains("<redacted>"));
        assert_eq!(value["partial"], true);
    }

    #[test]
    fn minimal_profile_is_valid() {
        let mut profile = full_profile();
        profile.subject = crate::Subject {
            cgroup: Some("system.slice/cron.service".to_owned()),
            ..Default::default()
        };
        profile.partial = false;
        profile.partial_reasons.clear();
        profile.sensor.missing_hooks.clear();
        profile.executables.clear();
        profile.network.clear();
        profile.capabilities.clear();
        profile.syscalls.clear();
        profile.file_writes.clear();
        let text = profile.to_json();
        assert!(!text.contains("partialReasons") && !text.contains("missingHooks"));
        assert_eq!(
            schema_errors(&serde_json::from_str(&text).unwrap()),
            Vec::<String>::new()
        );
        assert_eq!(Profile::from_json(&text).unwrap(), profile);
    }

    #[test]
    fn unknown_field_is_rejected_by_serde_and_schema() {
        let mut value = serde_json::to_value(full_profile()).unwrap();
        value["network"][0]["comment"] = json!("hi");
        let errors = schema_errors(&value);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("/network/0"), "{errors:?}");
        let text = serde_json::to_string_pretty(&value).unwrap();
        let err = Profile::from_json(&text).unwrap_err().to_string();
        assert!(err.contains("unknown field `comment`"), "{err}");
        assert!(err.starts_with("line "), "{err}");

        let mut value = serde_json::to_value(full_profile()).unwrap();
        value["extra"] = json!(1);
        assert_eq!(schema_errors(&value).len(), 1);
        let err = read_error(&value);
        assert!(err.contains("unknown field `extra`"), "{err}");
    }

    #[test]
    fn wrong_version_is_rejected() {
        let mut value = full_with("/version", json!(2));
        assert!(!schema_errors(&value).is_empty());
        let err = read_error(&value);
        assert_eq!(
            err,
            "unsupported profile version 2: this reader supports version 1"
        );
        // A newer version is reported as such even when it brings fields this reader lacks.
        value["newThing"] = json!({});
        let err = read_error(&value);
        assert!(err.contains("version 2"), "{err}");

        value["version"] = json!("1");
        let err = read_error(&value);
        assert!(err.contains("\"1\""), "{err}");
        value.as_object_mut().unwrap().remove("version");
        let err = read_error(&value);
        assert!(err.contains("no `version`"), "{err}");
    }

    #[test]
    fn bad_enum_value_is_rejected() {
        for (pointer, bad) in [
            ("/network/0/direction", json!("sideways")),
            ("/network/0/protocol", json!("sctp")),
            ("/network/0/protocol", json!("TCP")),
        ] {
            let value = full_with(pointer, bad.clone());
            assert!(!schema_errors(&value).is_empty(), "{pointer} = {bad}");
            let err = read_error(&value);
            assert!(err.contains("unknown variant"), "{err}");
        }
    }

    #[test]
    fn wrong_types_are_rejected() {
        for (pointer, bad) in [
            ("/network/0/port", json!(70000)),
            ("/executables/0/uid", json!(-1)),
            ("/capabilities/0/granted", json!("yes")),
            ("/syscalls", json!({})),
        ] {
            let value = full_with(pointer, bad.clone());
            assert!(!schema_errors(&value).is_empty(), "{pointer} = {bad}");
            let err = read_error(&value);
            assert!(err.contains("invalid "), "{pointer} = {bad}: {err}");
        }
        // Timestamps are checked by the schema only: `from_json` takes any string.
        let value = full_with("/window/start", json!("yesterday"));
        assert!(!schema_errors(&value).is_empty());
        assert!(Profile::from_json(&value.to_string()).is_ok());
    }

    #[test]
    fn example_in_the_docs_is_valid_and_normal() {
        let doc = include_str!("../../../docs/profiles.md");
        let start = doc
            .find("```json\n")
            .expect("docs/profiles.md has a ```json block")
            + 8;
        let len = doc[start..].find("```").expect("the ```json block ends");
        let example = &doc[start..start + len];
        let value: Value = serde_json::from_str(example).unwrap();
        assert_eq!(schema_errors(&value), Vec::<String>::new());
        let profile = Profile::from_json(example).unwrap();
        assert_eq!(
            profile.to_json(),
            example,
            "the example is not in normal form"
        );
    }

    #[test]
    fn missing_required_field_is_rejected() {
        let mut value = serde_json::to_value(full_profile()).unwrap();
        value["sensor"].as_object_mut().unwrap().remove("stats");
        assert!(!schema_errors(&value).is_empty());
        let err = read_error(&value);
        assert!(err.contains("missing field `stats`"), "{err}");
    }
}
