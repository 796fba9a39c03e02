//! Validation findings as SARIF 2.1.0, the format GitHub code scanning reads: one result per
//! error or warning, located at its file, line and column, with one rule entry per rule id
//! (its Security Hub control, where it cites one, as a tag).
//!
//! Parse and schema errors have no rule id of their own; they are reported under
//! [`PARSE_RULE`], so that every result names a rule as code scanning requires.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path};

use afu9_spec::ManifestError;
use afu9_spec::exceptions::Accepted;
use serde_json::{Value, json};

/// The rule id of findings that come from reading a manifest rather than from a rule.
pub const PARSE_RULE: &str = "AFU9-PARSE";

/// The SARIF 2.1.0 log of `findings` (errors and warnings), as `afu9ctl` `version` found them.
pub fn findings(findings: &[ManifestError], version: &str) -> String {
    findings_accepting(findings, &[], version)
}

/// [`findings`], and the guardrail findings the Posture's exceptions accept, each with an
/// accepted external suppression whose justification names the owner, ticket and expiry.
pub fn findings_accepting(
    findings: &[ManifestError],
    accepted: &[Accepted],
    version: &str,
) -> String {
    let all: Vec<(&ManifestError, Option<String>)> = findings
        .iter()
        .map(|f| (f, None))
        .chain(
            accepted
                .iter()
                .map(|a| (&a.finding, Some(a.exception.note()))),
        )
        .collect();
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    for (finding, _) in &all {
        let id = rule_id(finding);
        rules.entry(id).or_insert_with(|| rule(id, finding));
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let results: Vec<Value> = all
        .iter()
        .map(|(finding, justification)| {
            let mut value = result(finding, index[rule_id(finding)]);
            if let Some(justification) = justification {
                value["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": justification,
                }]);
            }
            value
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "afu9ctl",
                "semanticVersion": version,
                "informationUri": "https://example.invalid/afu9-posture",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "the directory afu9ctl ran in"}}},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn rule_id(finding: &ManifestError) -> &'static str {
    if finding.rule.is_empty() {
        PARSE_RULE
    } else {
        finding.rule
    }
}

/// The rule entry of `id`, described by the first of its findings.
fn rule(id: &str, first: &ManifestError) -> Value {
    let description = if id == PARSE_RULE {
        "a manifest cannot be read: YAML syntax, the schema, unknown fields or kinds".to_owned()
    } else {
        first.message.clone()
    };
    let mut rule = json!({
        "id": id,
        "shortDescription": {"text": description},
        "defaultConfiguration": {"level": if first.warning { "warning" } else { "error" }},
    });
    if let Some(hint) = &first.hint {
        rule["help"] = json!({"text": hint});
    }
    let controls = security_hub_controls(&first.message);
    if !controls.is_empty() {
        rule["properties"] = json!({"tags": controls});
    }
    rule
}

fn result(finding: &ManifestError, rule_index: usize) -> Value {
    let mut message = String::new();
    if !finding.field.is_empty() {
        message.push_str(&finding.field);
        message.push_str(": ");
    }
    message.push_str(&finding.message);
    if let Some(hint) = &finding.hint {
        message.push_str(" (hint: ");
        message.push_str(hint);
        message.push(')');
    }
    let mut region = serde_json::Map::new();
    if finding.location.line > 0 {
        region.insert("startLine".into(), json!(finding.location.line));
        if finding.location.column > 0 {
            region.insert("startColumn".into(), json!(finding.location.column));
        }
    }
    let mut physical = json!({"artifactLocation": artifact(&finding.location.file)});
    if !region.is_empty() {
        physical["region"] = Value::Object(region);
    }
    json!({
        "ruleId": rule_id(finding),
        "ruleIndex": rule_index,
        "level": if finding.warning { "warning" } else { "error" },
        "message": {"text": message},
        "locations": [{"physicalLocation": physical}],
    })
}

/// A file as SARIF names it: relative paths against the directory afu9ctl ran in (what
/// code scanning resolves against the repository), absolute ones as `file://` URIs.
fn artifact(file: &Path) -> Value {
    let uri = file
        .components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(percent_encode(&part.to_string_lossy())),
            Component::ParentDir => Some("..".to_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/");
    if file.is_absolute() {
        json!({"uri": format!("file:///{uri}")})
    } else {
        json!({"uri": uri, "uriBaseId": "SRCROOT"})
    }
}

/// Percent-encodes what may not appear in a URI path segment.
fn percent_encode(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The Security Hub control ids a message cites (`Security Hub IAM.1`, `Security Hub EC2.19`).
fn security_hub_controls(message: &str) -> Vec<String> {
    message
        .split("Security Hub ")
        .skip(1)
        .filter_map(|rest| {
            let id: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            let id = id.trim_end_matches('.');
            (id.contains('.') && !id.is_empty()).then(|| format!("security-hub/{id}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use afu9_spec::SourceLocation;

    use super::*;

    #[test]
    fn controls_are_read_from_the_message() {
        assert_eq!(
            security_hub_controls("allows every action; Security Hub IAM.1"),
            ["security-hub/IAM.1"]
        );
        assert!(security_hub_controls("no control here").is_empty());
    }

    #[test]
    fn each_result_points_at_its_rule_and_place() {
        let found = [
            ManifestError::new(SourceLocation::new("desired-state/iam.yaml", 5, 18), "m1")
                .rule("AFU9-IAM-020")
                .field("spec.x"),
            ManifestError::new(SourceLocation::new("a b/x.yaml", 2, 0), "bad yaml"),
        ];
        let log: Value = serde_json::from_str(&findings(&found, "0.1.0")).expect("json");
        let run = &log["runs"][0];
        let rules: Vec<&str> = run["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(rules, ["AFU9-IAM-020", PARSE_RULE]);
        let first = &run["results"][0];
        assert_eq!(first["ruleIndex"], 0);
        assert_eq!(run["results"][1]["ruleIndex"], 1);
        assert_eq!(first["message"]["text"], "spec.x: m1");
        let place = &first["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "desired-state/iam.yaml");
        assert_eq!(place["region"], json!({"startLine": 5, "startColumn": 18}));
        let second = &run["results"][1]["locations"][0]["physicalLocation"];
        assert_eq!(second["artifactLocation"]["uri"], "a%20b/x.yaml");
        assert_eq!(second["region"], json!({"startLine": 2}));
    }
}
