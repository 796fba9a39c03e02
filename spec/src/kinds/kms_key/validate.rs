//! Rules for `KmsKey` manifests: alias names, the rotation guardrail (Security Hub KMS.4)
//! and the key policy's shape.

use super::KmsKeySpec;
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::kinds::iam::policy_doc;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: a key with rotation turned off (KMS.4).
pub const NO_ROTATION: &str = "AFU9-KMS-002";

impl Validate for KmsKeySpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for key in &state.kms_keys {
            check(key, errors);
            check_tags(&key.source, &key.spec.tags, errors);
        }
    }
}

/// Alias names after `alias/`: 1-250 letters, digits, `/`, `_` and `-`; `aws/` is AWS's.
fn is_alias_name(name: &str) -> bool {
    (1..=250).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-'))
}

fn check(key: &Resource<KmsKeySpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(key);
    let spec = &key.spec;
    if !is_alias_name(key.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-KMS-001",
                format!("`{}` is not a valid KMS alias name", key.name()),
            )
            .hint("the alias without `alias/`: letters, digits, `/`, `_` or `-`"),
        );
    } else if key.name().starts_with("aws/") {
        errors.push(
            error(
                "metadata.name",
                "AFU9-KMS-001",
                format!("`alias/{}` is an AWS managed key", key.name()),
            )
            .hint("only customer-managed keys can be managed"),
        );
    }
    if spec.rotation == Some(false) {
        errors.push(
            error(
                "spec.rotation",
                NO_ROTATION,
                "key rotation must be on; Security Hub KMS.4".to_owned(),
            )
            .hint("set `rotation: true`"),
        );
    }
    if let Some(policy) = &spec.policy {
        for problem in policy_doc::validate(policy) {
            errors.push(error("spec.policy", "AFU9-KMS-003", problem));
        }
    }
}
