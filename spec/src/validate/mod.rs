//! Checks that need more than one field or more than one document: names, uniqueness,
//! value ranges and guardrails. Every rule has a stable id so that CI logs can be searched.
//! The rules of each kind live with the kind (`kinds/<area>/validate.rs`); this module holds
//! the `Posture` rules and the helpers they share.

use std::collections::BTreeMap;

use crate::error::{ManifestError, SourceLocation};
use crate::kinds::{ManifestKind, validate_all};
use crate::load::ParsedDocuments;
use crate::state::{DesiredState, Resource};
use crate::tags::{INSTANCE_KEY, MANAGED_BY_KEY, Tags};

/// Builds the desired state from parsed documents, adding every rule violation to `errors`;
/// the Posture's exceptions are judged on `today`.
pub(crate) fn assemble(
    parsed: ParsedDocuments,
    today: crate::exceptions::Date,
    errors: &mut Vec<ManifestError>,
) -> DesiredState {
    let mut state = parsed.state;
    let mut postures = parsed.postures.into_iter();
    if let Some(posture) = postures.next() {
        check_posture(&posture, errors);
        crate::registry_scanning::check(&posture, errors);
        for extra in postures {
            errors.push(
                ManifestError::new(extra.source, "more than one Posture document")
                    .rule("AFU9-POSTURE-001")
                    .hint(format!("the first is at {}", posture.source)),
            );
        }
        state.posture = posture.spec.clone();
        state.posture_document = Some(posture);
    }
    validate_all(&state, errors);
    check_orphan_entries(&state, errors);
    if let Some(posture) = &state.posture_document {
        crate::notifications::check(posture, &state, errors);
    }
    crate::exceptions::judge(&mut state, today, errors);
    state.warnings = errors.extract_if(.., |e| e.warning).collect();
    state
}

/// The checks every kind gets: each name is not empty and is unique within its kind.
pub(crate) fn check_names<S: ManifestKind>(state: &DesiredState, errors: &mut Vec<ManifestError>) {
    let resources = S::resources(state);
    check_unique(S::KIND, resources, errors);
    for resource in resources {
        check_name(resource, errors);
    }
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

/// Builds errors for one resource: `error(field, rule, message)`.
pub(crate) type RuleError<'a> = Box<dyn Fn(&str, &'static str, String) -> ManifestError + 'a>;

/// The error builder of `resource`: located at its name, naming a field and a rule.
pub(crate) fn rule_error<S>(resource: &Resource<S>) -> RuleError<'_> {
    Box::new(move |field: &str, rule: &'static str, message: String| {
        ManifestError::new(resource.source.clone(), message)
            .field(field)
            .rule(rule)
    })
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
    if posture.spec.ebs_encryption_by_default == Some(false) {
        errors.push(ManifestError {
            message: "EBS encryption by default must be on; Security Hub EC2.7".to_owned(),
            ..at()
                .field("spec.ebsEncryptionByDefault")
                .rule("AFU9-POSTURE-004")
                .hint("set `ebsEncryptionByDefault: true`, or leave it out to leave it alone")
        });
    }
    if posture
        .spec
        .s3_block_public_access
        .is_some_and(|block| !block.all())
    {
        errors.push(ManifestError {
            message: "every flag of the account's S3 Block Public Access must be on; Security Hub S3.1"
                .to_owned(),
            ..at()
                .field("spec.s3BlockPublicAccess")
                .rule("AFU9-POSTURE-009")
                .hint("set `s3BlockPublicAccess: {}` (all four on), or leave it out to leave it alone")
        });
    }
    if let Some(instance) = &posture.spec.instance
        && (instance.is_empty()
            || instance.len() > 63
            || !instance
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    {
        errors.push(ManifestError {
            message: format!("`{instance}` is not an instance name"),
            ..at()
                .field("spec.instance")
                .rule("AFU9-POSTURE-008")
                .hint("lowercase letters, digits and `-`, at most 63")
        });
    }
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

/// The Posture's orphan entries name a kind that exists and a resource that no manifest
/// names (a manifest's resource is not an orphan), and ask only what the kind can do.
fn check_orphan_entries(state: &DesiredState, errors: &mut Vec<ManifestError>) {
    let Some(posture) = &state.posture_document else {
        return;
    };
    for (index, entry) in posture.spec.orphans.iter().enumerate() {
        let at = |field: &str, rule: &'static str, message: String| {
            ManifestError::new(posture.source.clone(), message)
                .field(format!("spec.orphans[{index}].{field}"))
                .rule(rule)
        };
        if !crate::kinds::KINDS.contains(&entry.kind.as_str()) {
            errors.push(
                at(
                    "kind",
                    "AFU9-POSTURE-005",
                    format!("`{}` is not a kind", entry.kind),
                )
                .hint(format!("the kinds are {}", crate::kinds::KINDS.join(", "))),
            );
        } else if state
            .specs_json(&entry.kind)
            .iter()
            .any(|(name, _)| *name == entry.name)
        {
            errors.push(
                at(
                    "name",
                    "AFU9-POSTURE-006",
                    format!(
                        "{}/{} has a manifest, so it is not an orphan",
                        entry.kind, entry.name
                    ),
                )
                .hint("remove the entry, or the manifest"),
            );
        }
        if entry.delete_images && entry.kind != "EcrRepository" {
            errors.push(
                at(
                    "deleteImages",
                    "AFU9-POSTURE-007",
                    format!(
                        "`deleteImages` is for EcrRepository orphans, not {}",
                        entry.kind
                    ),
                )
                .hint("remove `deleteImages`"),
            );
        }
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

pub(crate) fn check_tags(at: &SourceLocation, tags: &Tags, errors: &mut Vec<ManifestError>) {
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
        } else if key == MANAGED_BY_KEY || key == INSTANCE_KEY {
            Some("the ownership tags are set by the controller itself")
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
    fn regions() {
        assert!(is_region("eu-central-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("eu-central"));
        assert!(!is_region("EU-central-1"));
    }
}
