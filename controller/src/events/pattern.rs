//! The EventBridge rule's event pattern: the CloudTrail API-call events of the services the
//! desired state manages, limited to the write calls their kinds declare.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{DETAIL_TYPE, Events};

/// The pattern matching every event in `declared`, sources and names sorted (so the same
/// kinds always give the same text).
pub fn build<'a>(declared: impl IntoIterator<Item = &'a Events>) -> Value {
    let mut sources = BTreeSet::new();
    let mut names = BTreeSet::new();
    for events in declared {
        if events.names.is_empty() {
            continue;
        }
        sources.insert(events.source);
        names.extend(events.names.iter().copied());
    }
    json!({
        "source": sources.into_iter().collect::<Vec<_>>(),
        "detail-type": [DETAIL_TYPE],
        "detail": {"eventName": names.into_iter().collect::<Vec<_>>()},
    })
}

/// A pattern as compared: its JSON with every array sorted (EventBridge matches an array
/// as a set); `None` when it is not JSON.
pub fn canonical(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok().map(sorted)
}

fn sorted(value: Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(sorted).collect();
            items.sort_by_key(ToString::to_string);
            Value::Array(items)
        }
        Value::Object(map) => map.into_iter().map(|(k, v)| (k, sorted(v))).collect(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC2: Events = Events {
        source: "aws.ec2",
        names: &[
            "RevokeSecurityGroupIngress",
            "AuthorizeSecurityGroupIngress",
        ],
        keys: |_| Vec::new(),
    };
    const ECR: Events = Events {
        source: "aws.ecr",
        names: &["PutImageTagMutability"],
        keys: |_| Vec::new(),
    };

    #[test]
    fn the_pattern_lists_each_source_and_name_once_sorted() {
        let pattern = build([&ECR, &EC2, &EC2, &Events::NONE]);
        assert_eq!(
            pattern,
            json!({
                "source": ["aws.ec2", "aws.ecr"],
                "detail-type": [DETAIL_TYPE],
                "detail": {"eventName": [
                    "AuthorizeSecurityGroupIngress",
                    "PutImageTagMutability",
                    "RevokeSecurityGroupIngress",
                ]},
            })
        );
    }

    #[test]
    fn a_reordered_pattern_compares_equal() {
        let ours = canonical(&build([&EC2, &ECR]).to_string());
        let theirs = canonical(
            r#"{"detail":{"eventName":["RevokeSecurityGroupIngress","PutImageTagMutability","AuthorizeSecurityGroupIngress"]},"detail-type":["AWS API Call via CloudTrail"],"source":["aws.ecr","aws.ec2"]}"#,
        );
        assert_eq!(ours, theirs);
        assert_eq!(canonical("{"), None);
    }
}
