//! Rules for `SnsTopic` manifests: names, and the encryption guardrail (Security Hub SNS.1).

use super::SnsTopicSpec;
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: a topic without a KMS key (SNS.1).
pub const NOT_ENCRYPTED: &str = "AFU9-SNS-001";

impl Validate for SnsTopicSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for topic in &state.sns_topics {
            check(topic, errors);
            check_tags(&topic.source, &topic.spec.tags, errors);
        }
    }
}

/// Standard topic names: 1-256 letters, digits, `-` and `_`.
pub(crate) fn is_topic_name(name: &str) -> bool {
    (1..=256).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

fn check(topic: &Resource<SnsTopicSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(topic);
    let spec = &topic.spec;
    if !is_topic_name(topic.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-SNS-002",
                format!("`{}` is not a valid SNS topic name", topic.name()),
            )
            .hint("1-256 letters, digits, `-` or `_` (FIFO topics are not managed)"),
        );
    }
    if spec
        .kms_key
        .as_deref()
        .is_some_and(|key| key.trim().is_empty())
    {
        errors.push(error(
            "spec.kmsKey",
            "AFU9-SNS-003",
            "must not be empty".to_owned(),
        ));
    }
    let mut excepted = false;
    for (index, exception) in spec.guardrail_exceptions.iter().enumerate() {
        if exception.rule == NOT_ENCRYPTED && !exception.reason.trim().is_empty() {
            excepted = true;
        } else {
            errors.push(error(
                &format!("spec.guardrailExceptions[{index}]"),
                "AFU9-SNS-004",
                format!("only {NOT_ENCRYPTED} can be excepted, and only with a reason"),
            ));
        }
    }
    if spec.kms_key.is_none() && !excepted {
        errors.push(
            error(
                "spec.kmsKey",
                NOT_ENCRYPTED,
                "the topic is not encrypted at rest; Security Hub SNS.1".to_owned(),
            )
            .hint("set kmsKey (alias/aws/sns is the AWS managed key)"),
        );
    }
}
