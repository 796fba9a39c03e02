//! The bucket policy the manifest stands for: the statement denying requests without TLS,
//! the statements of the services that deliver to the bucket (generated from their
//! manifests by `refs::buckets`), and the manifest's additional statements, each statement
//! once (an additional statement equal in meaning to a generated one is not repeated).

use afu9_spec::Resource;
use afu9_spec::bucket::BucketSpec;
use afu9_spec::iam::policy_doc::canonical;
use serde_json::{Value, json};

use crate::engine::PlanContext;
use crate::refs::buckets::{Scope, delivery_statements, deny_insecure_transport};

/// The wanted policy document of `want`, in `region`.
pub(super) fn wanted_policy(
    cx: &PlanContext<'_>,
    want: &Resource<BucketSpec>,
    region: &str,
) -> Value {
    let (partition, account) = cx.identity.map_or(("aws", ""), |id| {
        (id.partition.as_str(), id.account.as_str())
    });
    let scope = Scope {
        partition,
        account,
        region,
    };
    let mut statements = vec![deny_insecure_transport(partition, want.name())];
    statements.extend(delivery_statements(cx.state, want.name(), scope));
    for statement in &want.spec.additional_statements {
        let same = |s: &Value| statement_meaning(s) == statement_meaning(statement);
        if !statements.iter().any(same) {
            statements.push(statement.clone());
        }
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A statement's meaning: its canonical form, without its `Sid` (a label).
pub(super) fn statement_meaning(statement: &Value) -> Value {
    let mut document = canonical(&json!({"Statement": [statement]}));
    if let Some(Value::Array(items)) = document.get_mut("Statement")
        && let Some(Value::Object(only)) = items.first_mut()
    {
        only.remove("Sid");
    }
    document
}

/// Whether `policy` holds a statement that denies every request without TLS: `Deny`, any
/// principal, `s3:*`, `aws:SecureTransport` false (S3.5).
pub fn denies_insecure_transport(policy: Option<&Value>) -> bool {
    let Some(document) = policy.map(canonical) else {
        return false;
    };
    document
        .get("Statement")
        .and_then(Value::as_array)
        .is_some_and(|statements| {
            statements.iter().any(|s| {
                s.get("Effect").and_then(Value::as_str) == Some("Deny")
                    && s.get("Principal") == Some(&json!({"AWS": ["*"]}))
                    && s.get("Action") == Some(&json!(["s3:*"]))
                    && s.pointer("/Condition/Bool/aws:securetransport") == Some(&json!(["false"]))
            })
        })
}
