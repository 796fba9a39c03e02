//! IAM policy documents compared by meaning.
//!
//! IAM hands documents back URL-encoded or plain, with its own spelling: one statement
//! instead of a list, a string instead of a one-element array, actions in another case, a
//! bare account id instead of its root ARN. [`decode_document`] turns the text into JSON and
//! [`canonical`] rewrites a document so that two documents with the same meaning become
//! equal values (see `NORMALIZATION.md`, "IAM policy documents"). [`deleted_principals`]
//! finds the unique ids IAM shows in place of deleted principals, and [`validate`] is a light
//! structural check of what IAM would reject outright.

use std::collections::HashMap;

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Why policy document text could not be turned into JSON. Messages never quote the document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyDocError {
    /// The text is empty or only whitespace.
    #[error("policy document is empty")]
    Empty,
    /// The URL-decoded bytes are not UTF-8.
    #[error("url-decoded policy document is not valid utf-8 (at byte {position})")]
    NotUtf8 {
        /// Byte offset in the decoded text of the first invalid byte.
        position: usize,
    },
    /// The (decoded) text is not JSON.
    #[error("policy document is not valid json: {problem} at line {line} column {column}")]
    NotJson {
        /// What kind of problem the parser met (`syntax error`, `unexpected end`, …).
        problem: &'static str,
        /// 1-based line of the problem in the (decoded) text.
        line: usize,
        /// 1-based column of the problem in the (decoded) text.
        column: usize,
    },
}

/// Parses policy document text as IAM returns it.
///
/// Text whose first non-whitespace character is `{` is JSON as is; anything else is
/// percent-decoded first (`%20` and friends; `+` stays a `+`), then parsed.
pub fn decode_document(text: &str) -> Result<Value, PolicyDocError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(PolicyDocError::Empty);
    }
    if trimmed.starts_with('{') {
        return parse_json(text);
    }
    let decoded =
        percent_decode_str(text)
            .decode_utf8()
            .map_err(|error| PolicyDocError::NotUtf8 {
                position: error.valid_up_to(),
            })?;
    if decoded.trim().is_empty() {
        return Err(PolicyDocError::Empty);
    }
    parse_json(&decoded)
}

fn parse_json(text: &str) -> Result<Value, PolicyDocError> {
    serde_json::from_str(text).map_err(|error| PolicyDocError::NotJson {
        problem: match error.classify() {
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Eof => "unexpected end",
            serde_json::error::Category::Data => "invalid data",
            serde_json::error::Category::Io => "read error",
        },
        line: error.line(),
        column: error.column(),
    })
}

/// The canonical form of a policy document: documents with the same meaning give equal values.
///
/// Object keys come out sorted; `Statement` is always an array, sorted (duplicates kept, it
/// is a multiset); `Action`, `NotAction`, `Resource` and `NotResource` are always sorted,
/// deduplicated arrays, actions lowercased; `Principal` and `NotPrincipal` are always
/// objects (`"*"` becomes `{"AWS": ["*"]}`) of sorted, deduplicated arrays, bare account ids
/// under `AWS` becoming `arn:aws:iam::<id>:root`; `Condition` keys are lowercased and their
/// values are sorted, deduplicated arrays of strings (`true` becomes `"true"`, `5` becomes
/// `"5"`); an empty `Sid` is dropped. `Effect`, `Version`, operator names and everything
/// else are kept exactly. The result is idempotent: `canonical(&canonical(d)) == canonical(d)`.
///
/// Two condition keys of one operator that differ only in case are both kept as written:
/// merging them would change the meaning, so such documents only compare equal when they
/// spell those keys the same.
pub fn canonical(doc: &Value) -> Value {
    let Value::Object(map) = doc else {
        return sorted_keys(doc);
    };
    sorted_object(map.iter().map(|(key, value)| {
        let value = if key == "Statement" {
            canonical_statements(value)
        } else {
            sorted_keys(value)
        };
        (key.clone(), value)
    }))
}

/// Whether two policy documents mean the same: `canonical(a) == canonical(b)`.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    canonical(a) == canonical(b)
}

/// Principal values that are IAM unique ids (`AROA…`, `AIDA…`, `AIPA…`, `ANPA…`, `AGPA…`).
///
/// IAM shows a unique id where the document named a principal that has since been deleted;
/// the controller reports that as drift of its own. Each id is listed once, in document order.
pub fn deleted_principals(doc: &Value) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let Some(statements) = doc.get("Statement") else {
        return found;
    };
    for statement in as_list(statements) {
        for element in ["Principal", "NotPrincipal"] {
            let Some(Value::Object(types)) = statement.get(element) else {
                continue;
            };
            for value in types.values().flat_map(as_list) {
                if let Some(text) = value.as_str()
                    && is_unique_id(text)
                    && !found.iter().any(|seen| seen == text)
                {
                    found.push(text.to_owned());
                }
            }
        }
    }
    found
}

/// Structural problems that make `doc` an invalid IAM policy document, one message each;
/// empty when none were found. Statement problems name the statement (`Statement[1]: …`).
///
/// This is a light check of the document's shape, not of action names, ARNs or condition
/// operators. A missing `Version` is allowed (IAM then assumes `2008-10-17`).
pub fn validate(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Value::Object(map) = doc else {
        problems.push("the policy document must be a JSON object".to_owned());
        return problems;
    };
    if let Some(version) = map.get("Version")
        && !matches!(version.as_str(), Some("2012-10-17" | "2008-10-17"))
    {
        problems.push("Version must be 2012-10-17 or 2008-10-17".to_owned());
    }
    let statements: Vec<&Value> = match map.get("Statement") {
        None => {
            problems.push("Statement is missing".to_owned());
            return problems;
        }
        Some(Value::Array(items)) if items.is_empty() => {
            problems.push("Statement is empty".to_owned());
            return problems;
        }
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        Some(_) => {
            problems.push("Statement must be an object or an array of objects".to_owned());
            return problems;
        }
    };
    for (index, statement) in statements.into_iter().enumerate() {
        let Value::Object(statement) = statement else {
            problems.push(format!("Statement[{index}]: must be an object"));
            continue;
        };
        if !matches!(
            statement.get("Effect").and_then(Value::as_str),
            Some("Allow" | "Deny")
        ) {
            problems.push(format!("Statement[{index}]: Effect must be Allow or Deny"));
        }
        match (
            statement.contains_key("Action"),
            statement.contains_key("NotAction"),
        ) {
            (false, false) => {
                problems.push(format!("Statement[{index}]: needs Action or NotAction"));
            }
            (true, true) => problems.push(format!(
                "Statement[{index}]: must not have both Action and NotAction"
            )),
            _ => {}
        }
        if statement.contains_key("Resource") && statement.contains_key("NotResource") {
            problems.push(format!(
                "Statement[{index}]: must not have both Resource and NotResource"
            ));
        }
        if statement.contains_key("Principal") && statement.contains_key("NotPrincipal") {
            problems.push(format!(
                "Statement[{index}]: must not have both Principal and NotPrincipal"
            ));
        }
    }
    problems
}

/// `value` itself when it is an array's elements, otherwise `value` alone.
fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// An object with `entries` inserted in key order (so its JSON text has sorted keys whether
/// or not `serde_json` preserves insertion order).
fn sorted_object(entries: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut entries: Vec<(String, Value)> = entries.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect::<Map<String, Value>>())
}

/// `value` with every object's keys sorted, arrays left in their order.
fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => sorted_object(
            map.iter()
                .map(|(key, value)| (key.clone(), sorted_keys(value))),
        ),
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

/// `items` sorted by their JSON text, duplicates removed.
fn value_set(items: Vec<Value>) -> Value {
    let mut keyed: Vec<(String, Value)> = items
        .into_iter()
        .map(|item| (item.to_string(), item))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|a, b| a.0 == b.0);
    Value::Array(keyed.into_iter().map(|(_, item)| item).collect())
}

fn canonical_statements(value: &Value) -> Value {
    let mut statements: Vec<(String, Value)> = as_list(value)
        .into_iter()
        .map(|statement| {
            let statement = canonical_statement(statement);
            (statement.to_string(), statement)
        })
        .collect();
    statements.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Array(statements.into_iter().map(|(_, item)| item).collect())
}

fn canonical_statement(value: &Value) -> Value {
    let Value::Object(map) = value else {
        return sorted_keys(value);
    };
    sorted_object(map.iter().filter_map(|(key, value)| {
        let value = match key.as_str() {
            "Sid" if value.as_str() == Some("") => return None,
            "Action" | "NotAction" => value_set(
                as_list(value)
                    .into_iter()
                    .map(|item| match item {
                        Value::String(action) => Value::String(action.to_lowercase()),
                        other => sorted_keys(other),
                    })
                    .collect(),
            ),
            "Resource" | "NotResource" => {
                value_set(as_list(value).into_iter().map(sorted_keys).collect())
            }
            "Principal" | "NotPrincipal" => canonical_principal(value),
            "Condition" => canonical_condition(value),
            _ => sorted_keys(value),
        };
        Some((key.clone(), value))
    }))
}

fn canonical_principal(value: &Value) -> Value {
    match value {
        Value::String(star) if star == "*" => sorted_object([(
            "AWS".to_owned(),
            Value::Array(vec![Value::String("*".to_owned())]),
        )]),
        Value::Object(types) => sorted_object(types.iter().map(|(kind, values)| {
            let values = as_list(values)
                .into_iter()
                .map(|item| match item {
                    Value::String(id) if kind == "AWS" && is_account_id(id) => {
                        Value::String(format!("arn:aws:iam::{id}:root"))
                    }
                    other => sorted_keys(other),
                })
                .collect();
            (kind.clone(), value_set(values))
        })),
        other => sorted_keys(other),
    }
}

fn canonical_condition(value: &Value) -> Value {
    let Value::Object(operators) = value else {
        return sorted_keys(value);
    };
    sorted_object(
        operators
            .iter()
            .map(|(operator, block)| (operator.clone(), canonical_condition_block(block))),
    )
}

fn canonical_condition_block(block: &Value) -> Value {
    let Value::Object(keys) = block else {
        return sorted_keys(block);
    };
    let mut spellings: HashMap<String, usize> = HashMap::new();
    for key in keys.keys() {
        *spellings.entry(key.to_lowercase()).or_default() += 1;
    }
    sorted_object(keys.iter().map(|(key, values)| {
        let lower = key.to_lowercase();
        let name = if spellings.get(&lower).copied().unwrap_or(0) > 1 {
            key.clone()
        } else {
            lower
        };
        let values = as_list(values)
            .into_iter()
            .map(|item| match item {
                Value::Bool(flag) => Value::String(flag.to_string()),
                Value::Number(number) => Value::String(number.to_string()),
                other => sorted_keys(other),
            })
            .collect();
        (name, value_set(values))
    }))
}

/// A bare 12-digit AWS account id.
fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// An IAM unique id of a role, user, instance profile, managed policy or group.
fn is_unique_id(text: &str) -> bool {
    ["AROA", "AIDA", "AIPA", "ANPA", "AGPA"]
        .iter()
        .any(|prefix| {
            text.strip_prefix(prefix).is_some_and(|rest| {
                rest.len() >= 16
                    && rest
                        .bytes()
                        .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
            })
        })
}

#[cfg(test)]
mod tests;
