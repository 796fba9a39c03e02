//! Checks that need more than one field or more than one document: names, uniqueness,
//! value ranges and guardrails. Every rule has a stable id so that CI logs can be searched.

use std::collections::BTreeMap;

use crate::ecr::{CountType, EcrRepositorySpec, LifecyclePolicy, TagStatus};
use crate::error::{ManifestError, SourceLocation};
use crate::load::ParsedDocuments;
use crate::state::{DesiredState, Resource};
use crate::tags::{MANAGED_BY_KEY, Tags};

/// Builds the desired state from parsed documents, adding every rule violation to `errors`.
pub(crate) fn assemble(parsed: ParsedDocuments, errors: &mut Vec<ManifestError>) -> DesiredState {
    let mut state = DesiredState::default();
    let mut postures = parsed.postures.into_iter();
    if let Some(posture) = postures.next() {
        check_posture(&posture, errors);
        for extra in postures {
            errors.push(
                ManifestError::new(extra.source, "more than one Posture document")
                    .rule("AFU9-POSTURE-001")
                    .hint(format!("the first is at {}", posture.source)),
            );
        }
        state.posture = posture.spec;
    }
    check_unique("EcrRepository", &parsed.ecr_repositories, errors);
    for repository in &parsed.ecr_repositories {
        check_name(repository, errors);
        check_ecr(repository, errors);
        check_tags(&repository.source, &repository.spec.tags, errors);
    }
    state.ecr_repositories = parsed.ecr_repositories;
    state
}

fn check_unique<S>(kind: &str, resources: &[Resource<S>], errors: &mut Vec<ManifestError>) {
    let mut seen: BTreeMap<&str, &SourceLocation> = BTreeMap::new();
    for resource in resources {
        if let Some(first) = seen.insert(resource.name(), &resource.source) {
            errors.push(
                ManifestError::new(
                    resource.source.clone(),
                    format!("duplicate {kind} `{}`", resource.name()),
                )
                .field("metadata.name")
                .rule("AFU9-DUP-001")
                .hint(format!("first defined at {first}")),
            );
        }
    }
}

fn check_name<S>(resource: &Resource<S>, errors: &mut Vec<ManifestError>) {
    if resource.name().trim().is_empty() {
        errors.push(
            ManifestError::new(resource.source.clone(), "name must not be empty")
                .field("metadata.name")
                .rule("AFU9-META-001"),
        );
    }
}

fn check_posture(posture: &Resource<crate::posture::PostureSpec>, errors: &mut Vec<ManifestError>) {
    let at = || ManifestError::new(posture.source.clone(), "");
    if let Some(account) = &posture.spec.account_id
        && (account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(ManifestError {
            message: format!("`{account}` is not a 12-digit AWS account id"),
            ..at().field("spec.accountId").rule("AFU9-POSTURE-002")
        });
    }
    check_tags_at(
        &posture.source,
        "spec.defaultTags",
        &posture.spec.default_tags,
        errors,
    );
    if let Some(region) = &posture.spec.region
        && !is_region(region)
    {
        errors.push(ManifestError {
            message: format!("`{region}` is not an AWS region name"),
            ..at()
                .field("spec.region")
                .rule("AFU9-POSTURE-003")
                .hint("a region looks like `eu-central-1`")
        });
    }
}

/// `eu-central-1`, `us-gov-west-1`, `cn-north-1`: lowercase words and a number, dash-separated.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
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

fn check_ecr(repository: &Resource<EcrRepositorySpec>, errors: &mut Vec<ManifestError>) {
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
        && let crate::ecr::Encryption::Kms { kms_key: Some(key) } = encryption
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

fn check_tags(at: &SourceLocation, tags: &Tags, errors: &mut Vec<ManifestError>) {
    check_tags_at(at, "spec.tags", tags, errors);
}

fn check_tags_at(at: &SourceLocation, field: &str, tags: &Tags, errors: &mut Vec<ManifestError>) {
    for (key, value) in tags {
        let problem = if key.is_empty() || key.chars().count() > 128 {
            Some("tag keys must be 1-128 characters")
        } else if value.chars().count() > 256 {
            Some("tag values must be at most 256 characters")
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            Some("the `aws:` prefix is reserved for AWS")
        } else if key == MANAGED_BY_KEY {
            Some("`managed-by` is set by the controller itself")
        } else {
            None
        };
        if let Some(problem) = problem {
            errors.push(
                ManifestError::new(at.clone(), format!("tag `{key}`: {problem}"))
                    .field(format!("{field}.{key}"))
                    .rule("AFU9-TAG-001"),
            );
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

    #[test]
    fn regions() {
        assert!(is_region("eu-central-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("eu-central"));
        assert!(!is_region("EU-central-1"));
    }
}
