//! Cross-service confused-deputy protection in trust policies: a role that an AWS service
//! assumes on the account's behalf should only be assumable for the account's own resources
//! (`aws:SourceAccount`, and `aws:SourceArn` where the service sends it). Without the
//! condition, the service can be made to assume the role for a request that another account
//! started. A warning ([`CONFUSED_DEPUTY`]), so desired states written before the rule stay
//! valid; a named guardrail exception silences it.

use serde_json::Value;

use super::IamRoleSpec;
use crate::error::ManifestError;
use crate::state::Resource;
use crate::validate::rule_error;

/// A service principal trusted without `aws:SourceAccount` or `aws:SourceArn`.
pub const CONFUSED_DEPUTY: &str = "AFU9-IAM-030";

/// The service principals that send `aws:SourceAccount` (and most `aws:SourceArn`) when they
/// assume a role, so a trust policy can require them: ECS tasks, `CloudTrail`'s delivery to
/// `CloudWatch` Logs, Lambda, `CloudWatch` Logs, `EventBridge` and its scheduler.
pub const SOURCE_AWARE_SERVICES: &[&str] = &[
    "ecs-tasks.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "lambda.amazonaws.com",
    "logs.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
];

/// The condition keys that bind a service's request to the account's own resources.
const SOURCE_KEYS: &[&str] = &["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid"];

/// The `Allow` statements of a trust policy that trust a service of
/// [`SOURCE_AWARE_SERVICES`] without a source condition: (statement label, service).
pub fn unconditioned_services(document: &Value) -> Vec<(String, String)> {
    let statements = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut found = Vec::new();
    for (index, statement) in statements.into_iter().enumerate() {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow")
            || has_source_condition(statement.get("Condition"))
        {
            continue;
        }
        for service in services(statement) {
            if SOURCE_AWARE_SERVICES.contains(&service.to_lowercase().as_str()) {
                found.push((format!("Statement[{index}]"), service));
            }
        }
    }
    found
}

fn services(statement: &Value) -> Vec<String> {
    match statement.get("Principal").and_then(|p| p.get("Service")) {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(|v| v.as_str().map(ToOwned::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn has_source_condition(condition: Option<&Value>) -> bool {
    condition
        .and_then(Value::as_object)
        .is_some_and(|operators| {
            operators.values().any(|block| {
                block.as_object().is_some_and(|keys| {
                    keys.keys()
                        .any(|key| SOURCE_KEYS.contains(&key.to_lowercase().as_str()))
                })
            })
        })
}

/// The warning for each service `role` trusts without a source condition, unless the role
/// names the rule among its guardrail exceptions.
pub(super) fn check(role: &Resource<IamRoleSpec>, errors: &mut Vec<ManifestError>) {
    if role
        .spec
        .guardrail_exceptions
        .iter()
        .any(|e| e.rule == CONFUSED_DEPUTY)
    {
        return;
    }
    let error = rule_error(role);
    for (label, service) in unconditioned_services(&role.spec.trust_document()) {
        errors.push(
            error(
                "spec.trustPolicy",
                CONFUSED_DEPUTY,
                format!(
                    "{label}: {service} may assume the role without aws:SourceAccount or \
                     aws:SourceArn (cross-service confused deputy)"
                ),
            )
            .hint(
                "write the trust policy in full with Condition: {StringEquals: \
                 {aws:SourceAccount: \"<account>\"}} (and ArnLike aws:SourceArn where the \
                 service sends it)",
            )
            .warning(),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_service_without_a_source_condition_is_named_and_with_one_is_not() {
        let bare = json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]}}]});
        assert_eq!(
            unconditioned_services(&bare),
            vec![(
                "Statement[0]".to_owned(),
                "ecs-tasks.amazonaws.com".to_owned()
            )]
        );
        let guarded = json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}}]});
        assert!(unconditioned_services(&guarded).is_empty());
        let other_key = json!({"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}});
        assert_eq!(unconditioned_services(&other_key).len(), 1);
    }
}
