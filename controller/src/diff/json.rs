//! Canonical JSON: documents compared by meaning, not by text.

use serde_json::{Map, Value};

/// `value` with every object's keys in sorted order, recursively. Key order and whitespace
/// never matter after this; arrays keep their order (callers sort where order is meaningless).
pub fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut sorted = Map::new();
            for key in keys {
                sorted.insert(key.clone(), sorted_keys(&map[key]));
            }
            Value::Object(sorted)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter_and_array_order_does() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": null}}"#).unwrap();
        let b = json!({"a": {"x": null, "y": [1, 2]}, "b": 1});
        assert_eq!(
            serde_json::to_string(&sorted_keys(&a)).unwrap(),
            serde_json::to_string(&sorted_keys(&b)).unwrap()
        );
        let c = json!({"a": {"x": null, "y": [2, 1]}, "b": 1});
        assert_ne!(sorted_keys(&a), sorted_keys(&c));
    }
}
