//! The pure part of the ECR kind: compare a manifest with a live repository, decide ops.

use afu9_spec::ecr::{EcrRepositorySpec, Encryption, LifecyclePolicy};
use afu9_spec::{DesiredState, Resource};
use serde_json::{Value, json};

use super::EcrRepositoryObserved;
use super::apply::EcrOp;
use crate::diff::compare_field;
use crate::diff::json::sorted_keys;
use crate::plan::{Change, Delta};

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<EcrRepositorySpec>,
    have: Option<&EcrRepositoryObserved>,
) -> Delta {
    match have {
        None => plan_create(state, want),
        Some(have) => plan_update(want, have),
    }
}

fn plan_create(state: &DesiredState, want: &Resource<EcrRepositorySpec>) -> Delta {
    let spec = &want.spec;
    let name = want.name().to_owned();
    let mut delta = Delta::missing();
    let mut add = |path: &str, value: Value| delta.change(Change::new(path, None, Some(value)));
    if let Some(scan) = spec.scan_on_push {
        add("spec.scanOnPush", scan.into());
    }
    if let Some(mutability) = spec.tag_mutability {
        add("spec.tagMutability", mutability.as_str().into());
    }
    if let Some(encryption) = &spec.encryption {
        add("spec.encryption", encryption_value(encryption));
    }
    let lifecycle = spec.lifecycle_policy.as_ref().map(lifecycle_document);
    if let Some(document) = &lifecycle {
        add("spec.lifecyclePolicy", canonical_lifecycle(document));
    }
    delta.op(EcrOp::CreateRepository {
        name: name.clone(),
        scan_on_push: spec.scan_on_push,
        tag_mutability: spec.tag_mutability,
        encryption: spec.encryption.clone(),
        tags: state.desired_tags(&spec.tags),
    });
    if let Some(document) = lifecycle {
        delta.op(EcrOp::PutLifecyclePolicy {
            name,
            text: document.to_string(),
        });
    }
    delta
}

fn plan_update(want: &Resource<EcrRepositorySpec>, have: &EcrRepositoryObserved) -> Delta {
    let spec = &want.spec;
    let name = || want.name().to_owned();
    let mut delta = Delta::exists();
    if compare_field(
        &mut delta.changes,
        "spec.scanOnPush",
        spec.scan_on_push,
        have.scan_on_push,
    ) {
        delta.op(EcrOp::PutImageScanningConfiguration {
            name: name(),
            scan_on_push: spec.scan_on_push.unwrap_or_default(),
        });
    }
    if let Some(mutability) = spec.tag_mutability
        && compare_field(
            &mut delta.changes,
            "spec.tagMutability",
            Some(mutability.as_str().to_owned()),
            have.tag_mutability.clone(),
        )
    {
        delta.op(EcrOp::PutImageTagMutability {
            name: name(),
            mutability,
        });
    }
    if let Some(policy) = &spec.lifecycle_policy {
        let document = lifecycle_document(policy);
        let wanted = canonical_lifecycle(&document);
        let live = have.lifecycle_policy.as_deref().map(|text| {
            serde_json::from_str::<Value>(text)
                .map_or_else(|_| Value::from(text), |v| canonical_lifecycle(&v))
        });
        if live.as_ref() != Some(&wanted) {
            delta.change(Change::new("spec.lifecyclePolicy", live, Some(wanted)));
            delta.op(EcrOp::PutLifecyclePolicy {
                name: name(),
                text: document.to_string(),
            });
        }
    }
    if let Some(encryption) = &spec.encryption
        && let Some(reason) = encryption_drift(encryption, have, &mut delta.changes)
    {
        delta.block(reason);
    }
    delta
}

/// Adds the encryption change, if any, and says why it cannot be applied.
fn encryption_drift(
    want: &Encryption,
    have: &EcrRepositoryObserved,
    changes: &mut Vec<Change>,
) -> Option<String> {
    let differs = match want {
        Encryption::Aes256 => have.encryption_type != "AES256",
        Encryption::Kms { kms_key } => {
            have.encryption_type != "KMS"
                || kms_key.as_deref().is_some_and(|key| {
                    key.starts_with("arn:") && have.kms_key.as_deref() != Some(key)
                })
        }
    };
    if !differs {
        return None;
    }
    let live = match &have.kms_key {
        Some(key) => json!({"type": have.encryption_type, "kmsKey": key}),
        None => json!({"type": have.encryption_type}),
    };
    changes.push(Change::new(
        "spec.encryption",
        Some(live),
        Some(encryption_value(want)),
    ));
    Some(
        "encryption can only be chosen when a repository is created; afu9-posture never deletes \
         a repository to change it (recreate it by hand, or change the manifest)"
            .to_owned(),
    )
}

fn encryption_value(encryption: &Encryption) -> Value {
    serde_json::to_value(encryption).unwrap_or(Value::Null)
}

/// The lifecycle policy document ECR takes: `{"rules": [...]}`.
fn lifecycle_document(policy: &LifecyclePolicy) -> Value {
    json!({ "rules": policy.expanded_rules() })
}

/// A lifecycle policy in canonical form: keys sorted, rules ordered by priority, tag lists
/// sorted (ECR matches them as sets).
fn canonical_lifecycle(document: &Value) -> Value {
    let mut canonical = sorted_keys(document);
    if let Some(rules) = canonical.get_mut("rules").and_then(Value::as_array_mut) {
        for rule in rules.iter_mut() {
            if let Some(selection) = rule.get_mut("selection").and_then(Value::as_object_mut) {
                for list in ["tagPrefixList", "tagPatternList"] {
                    if let Some(items) = selection.get_mut(list).and_then(Value::as_array_mut) {
                        items.sort_by_key(ToString::to_string);
                    }
                }
            }
        }
        rules.sort_by_key(|rule| rule.get("rulePriority").and_then(Value::as_u64));
    }
    canonical
}

#[cfg(test)]
mod tests;
