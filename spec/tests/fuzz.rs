//! Property-based fuzzing, bounded so that it runs in every CI: the manifest loader and the
//! IAM policy canonicaliser never panic and never hang on any input, and canonicalisation is
//! idempotent. (Case counts are fixed below; the suite's time limit bounds the whole run.)

use std::path::Path;

use afu9_spec::iam::policy_doc::{canonical, decode_document};
use afu9_spec::load::load_str;
use proptest::prelude::*;
use serde_json::Value;

/// Every committed manifest, one text, to mutate.
fn corpus() -> String {
    // At run time: a test binary reused from a clone at another path reads this clone.
    let crate_dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(
        || env!("CARGO_MANIFEST_DIR").into(),
        std::path::PathBuf::from,
    );
    let root = crate_dir.join("../desired-state");
    let mut files: Vec<_> = std::fs::read_dir(root)
        .expect("desired-state")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect::<Vec<_>>()
        .join("---\n")
}

/// A YAML-ish fragment: the characters and tokens that steer a YAML parser.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just(": ".to_owned()),
        Just("- ".to_owned()),
        Just("---\n".to_owned()),
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just("!!binary ".to_owned()),
        Just("kind: EcrRepository\n".to_owned()),
        Just("apiVersion: posture.afu9.io/v1alpha1\n".to_owned()),
        Just("spec:\n  ".to_owned()),
        "[a-zA-Z0-9 ._/-]{0,12}",
    ];
    prop::collection::vec(token, 0..60).prop_map(|tokens| tokens.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[A-Za-z*:/%0-9 -]{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        let keys = prop_oneof![
            Just("Version".to_owned()),
            Just("Statement".to_owned()),
            Just("Effect".to_owned()),
            Just("Action".to_owned()),
            Just("NotAction".to_owned()),
            Just("Resource".to_owned()),
            Just("Principal".to_owned()),
            Just("Condition".to_owned()),
            Just("Sid".to_owned()),
            Just("AWS".to_owned()),
            Just("Service".to_owned()),
            "[A-Za-z:]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_never_panics_on_arbitrary_text(text in yamlish()) {
        if let Err(errors) = load_str(Path::new("fuzz.yaml"), &text) {
            prop_assert!(errors.0.iter().all(|e| !e.message.is_empty()));
        }
    }

    #[test]
    fn decoding_a_policy_never_panics(text in "[%{}\\[\\]\":,a-zA-Z0-9 +]{0,64}") {
        let _ = decode_document(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_loader_never_panics_on_mutated_manifests(
        cuts in prop::collection::vec((any::<prop::sample::Index>(), 0usize..40, "[\\PC]{0,8}"), 1..6)
    ) {
        let mut text = corpus();
        for (at, remove, insert) in cuts {
            let start = at.index(text.len().max(1)).min(text.len());
            let start = (0..=start).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            let end = (start + remove).min(text.len());
            let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
            text.replace_range(start..end, &insert);
        }
        if let Err(errors) = load_str(Path::new("mutated.yaml"), &text) {
            prop_assert!(errors.0.iter().all(|e| e.location.file == Path::new("mutated.yaml")));
        }
    }

    #[test]
    fn canonicalisation_never_panics_and_is_idempotent(doc in json_value()) {
        let once = canonical(&doc);
        prop_assert_eq!(canonical(&once), once);
    }
}
