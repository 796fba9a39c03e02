//! The JSON Schema of every manifest kind, generated from the Rust types.
//!
//! Editors validate manifests with it (`# yaml-language-server: $schema=...`); the committed
//! copy under desired-state/ is checked against this output in the test suite.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

use crate::kinds::schema_branches;
use crate::meta::Document;
use crate::posture::PostureSpec;

/// The schema of one manifest document of any kind, as pretty-printed JSON.
pub fn manifest_schema_json() -> String {
    let mut text = serde_json::to_string_pretty(&manifest_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of one manifest document of any kind: one branch per kind, chosen by `kind`.
pub fn manifest_schema() -> Schema {
    let mut generator = SchemaGenerator::default();
    let mut branches = vec![kind_branch::<PostureSpec>(&mut generator, "Posture")];
    branches.extend(schema_branches(&mut generator));
    let definitions: serde_json::Map<String, Value> =
        generator.take_definitions(true).into_iter().collect();
    json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "afu9-posture manifest",
        "description": "One desired-state document (apiVersion posture.afu9.io/v1alpha1).",
        "oneOf": branches,
        "$defs": definitions,
    })
}

/// The schema of `Document<S>` with `kind` pinned to `kind`.
pub(crate) fn kind_branch<S: JsonSchema>(generator: &mut SchemaGenerator, kind: &str) -> Value {
    let mut schema = generator.subschema_for::<Document<S>>().to_value();
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
        return json!({
            "title": kind,
            "allOf": [{"$ref": reference}],
            "properties": {"kind": {"const": kind}},
            "required": ["kind"],
            "$comment": name,
        });
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert("kind".to_owned(), json!({"const": kind}));
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_a_branch_discriminated_by_kind() {
        let schema = manifest_schema().to_value();
        let branches = schema["oneOf"].as_array().expect("oneOf");
        let kinds: Vec<&str> = branches
            .iter()
            .map(|b| {
                b["properties"]["kind"]["const"]
                    .as_str()
                    .expect("kind const")
            })
            .collect();
        assert_eq!(kinds, crate::kinds::KINDS);
    }
}
