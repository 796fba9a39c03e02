//! Rules for `EcrRepository` manifests.

use std::collections::BTreeMap;

use super::{CountType, EcrRepositorySpec, LifecyclePolicy, TagStatus};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::check_tags;

impl Validate for EcrRepositorySpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for repository in &state.ecr_repositories {
            check(repository, errors);
            check_tags(&repository.source, &repository.spec.tags, errors);
        }
    }
}

/// ECR repository names: 2–256 characters, lowercase path components separated by `/`,
/// each made of alphanumerics joined by single `.`, `_` or `-`.
fn is_repository_name(name: &str) -> bool {
    (2..=256).contains(&name.len())
        && name.split('/').all(|component| {
            !component.is_empty()
                && component.split(['.', '_', '-']).all(|word| {
                    !word.is_empty()
                        && word
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
        })
}

fn check(repository: &Resource<EcrRepositorySpec>, errors: &mut Vec<ManifestError>) {
    let error = |field: &str, rule: &'static str, message: String| {
        ManifestError::new(repository.source.clone(), message)
            .field(field)
            .rule(rule)
    };
    if !is_repository_name(repository.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-ECR-001",
                format!("`{}` is not a valid ECR repository name", repository.name()),
            )
            .hint("2-256 lowercase letters, digits, and `.`, `_`, `-` or `/` between them"),
        );
    }
    if let Some(encryption) = &repository.spec.encryption
        && let super::Encryption::Kms { kms_key: Some(key) } = encryption
        && key.trim().is_empty()
    {
        errors.push(error(
            "spec.encryption.kmsKey",
            "AFU9-ECR-007",
            "kmsKey must not be empty; leave it out for the AWS managed key".to_owned(),
        ));
    }
    if let Some(policy) = &repository.spec.lifecycle_policy {
        check_lifecycle(policy, &error, errors);
    }
}

fn check_lifecycle(
    policy: &LifecyclePolicy,
    error: &dyn Fn(&str, &'static str, String) -> ManifestError,
    errors: &mut Vec<ManifestError>,
) {
    const FIELD: &str = "spec.lifecyclePolicy";
    match (&policy.keep_last, &policy.rules) {
        (Some(_), Some(_)) | (None, None) => errors.push(
            error(
                FIELD,
                "AFU9-ECR-002",
                "set exactly one of keepLast and rules".to_owned(),
            )
            .hint("keepLast: 10 keeps the newest ten images"),
        ),
        (Some(0), None) => errors.push(error(
            "spec.lifecyclePolicy.keepLast",
            "AFU9-ECR-003",
            "keepLast must be at least 1".to_owned(),
        )),
        _ => {}
    }
    let Some(rules) = &policy.rules else { return };
    if rules.is_empty() {
        errors.push(error(
            "spec.lifecyclePolicy.rules",
            "AFU9-ECR-002",
            "rules must not be empty".to_owned(),
        ));
    }
    let mut priorities = BTreeMap::new();
    for (index, rule) in rules.iter().enumerate() {
        let field = |leaf: &str| format!("spec.lifecyclePolicy.rules[{index}]{leaf}");
        if let Some(first) = priorities.insert(rule.rule_priority, index) {
            errors.push(error(
                &field(".rulePriority"),
                "AFU9-ECR-004",
                format!(
                    "rulePriority {} is also used by rules[{first}]",
                    rule.rule_priority
                ),
            ));
        }
        let selection = &rule.selection;
        if selection.count_number == 0 {
            errors.push(error(
                &field(".selection.countNumber"),
                "AFU9-ECR-003",
                "countNumber must be at least 1".to_owned(),
            ));
        }
        let since_pushed = selection.count_type == CountType::SinceImagePushed;
        if since_pushed != selection.count_unit.is_some() {
            errors.push(error(
                &field(".selection.countUnit"),
                "AFU9-ECR-005",
                "countUnit is required with countType sinceImagePushed and not allowed otherwise"
                    .to_owned(),
            ));
        }
        let has_filters =
            !selection.tag_prefix_list.is_empty() || !selection.tag_pattern_list.is_empty();
        if has_filters != (selection.tag_status == TagStatus::Tagged) {
            errors.push(error(
                &field(".selection.tagStatus"),
                "AFU9-ECR-006",
                "tagStatus tagged needs tagPrefixList or tagPatternList, and only it may have them"
                    .to_owned(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names() {
        for good in ["afu9/control-center", "ab", "a.b_c-d/e1"] {
            assert!(is_repository_name(good), "{good}");
        }
        for bad in ["a", "Afu9/x", "afu9//x", "afu9/-x", "afu9/x-", "/x", "a b"] {
            assert!(!is_repository_name(bad), "{bad}");
        }
    }
}
