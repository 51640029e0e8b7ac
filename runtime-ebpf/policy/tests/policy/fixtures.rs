//! The fixture profiles are valid per the committed schema and in normal form, so they stand
//! for what the sensor writes.

use serde_json::Value;

use crate::{profiles_dir, repo_root};

#[test]
fn fixture_profiles_are_valid_and_in_normal_form() {
    let schema_text =
        std::fs::read_to_string(repo_root().join("docs/profile-v1.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the committed schema compiles");
    let mut names: Vec<_> = std::fs::read_dir(profiles_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        // `manifests/` holds the workloads the profiles are of, for `picket suggest`'s tests.
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for path in names {
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("json"));
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        let profile = picket_profile::Profile::from_json(&text).unwrap();
        assert!(
            profile.to_json() == text,
            "{} is not in normal form",
            path.display()
        );
        let file_name = picket_profile::io::file_name(&profile.subject);
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, file_name, "named as the sensor would name it");
    }
}
