//! The pure part of the ECR kind: compare a manifest with a live repository, decide ops.

use afu9_spec::ecr::{EcrRepositorySpec, Encryption, LifecyclePolicy};
use afu9_spec::{DesiredState, Resource};
use serde_json::{Value, json};

use super::EcrRepositoryObserved;
use super::apply::EcrOp;
use crate::diff::compare_field;
use crate::diff::json::sorted_keys;
use crate::diff::tags::diff_tags;
use crate::diff::unowned_reason;
use crate::engine::{Action, Change, Operation, ResourcePlan};

const KIND: &str = "EcrRepository";

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<EcrRepositorySpec>,
    have: Option<&EcrRepositoryObserved>,
) -> ResourcePlan {
    let mut plan = ResourcePlan::new(KIND, want.name(), &want.source);
    match have {
        None => plan_create(state, want, &mut plan),
        Some(have) => plan_update(state, want, have, &mut plan),
    }
    plan
}

fn plan_create(state: &DesiredState, want: &Resource<EcrRepositorySpec>, plan: &mut ResourcePlan) {
    let spec = &want.spec;
    let name = want.name().to_owned();
    let tags = state.desired_tags(&spec.tags);
    let add = |changes: &mut Vec<Change>, path: &str, value: Value| {
        changes.push(Change::new(path, None, Some(value)));
    };
    if let Some(scan) = spec.scan_on_push {
        add(&mut plan.changes, "spec.scanOnPush", scan.into());
    }
    if let Some(mutability) = spec.tag_mutability {
        add(
            &mut plan.changes,
            "spec.tagMutability",
            mutability.as_str().into(),
        );
    }
    if let Some(encryption) = &spec.encryption {
        add(
            &mut plan.changes,
            "spec.encryption",
            encryption_value(encryption),
        );
    }
    let lifecycle = spec.lifecycle_policy.as_ref().map(lifecycle_document);
    if let Some(document) = &lifecycle {
        add(
            &mut plan.changes,
            "spec.lifecyclePolicy",
            canonical_lifecycle(document),
        );
    }
    for (key, value) in &state.tag_policy().managed(&tags) {
        add(
            &mut plan.changes,
            &format!("spec.tags.{key}"),
            value.as_str().into(),
        );
    }
    plan.action = Action::Create;
    plan.ops.push(Box::new(EcrOp::CreateRepository {
        name: name.clone(),
        scan_on_push: spec.scan_on_push,
        tag_mutability: spec.tag_mutability,
        encryption: spec.encryption.clone(),
        tags,
    }));
    if let Some(document) = lifecycle {
        plan.ops.push(Box::new(EcrOp::PutLifecyclePolicy {
            name,
            text: document.to_string(),
        }));
    }
}

fn plan_update(
    state: &DesiredState,
    want: &Resource<EcrRepositorySpec>,
    have: &EcrRepositoryObserved,
    plan: &mut ResourcePlan,
) {
    let spec = &want.spec;
    let name = || want.name().to_owned();
    let mut ops: Vec<Box<dyn Operation>> = Vec::new();
    if compare_field(
        &mut plan.changes,
        "spec.scanOnPush",
        spec.scan_on_push,
        have.scan_on_push,
    ) {
        ops.push(Box::new(EcrOp::PutImageScanningConfiguration {
            name: name(),
            scan_on_push: spec.scan_on_push.unwrap_or_default(),
        }));
    }
    if let Some(mutability) = spec.tag_mutability
        && compare_field(
            &mut plan.changes,
            "spec.tagMutability",
            Some(mutability.as_str().to_owned()),
            have.tag_mutability.clone(),
        )
    {
        ops.push(Box::new(EcrOp::PutImageTagMutability {
            name: name(),
            mutability,
        }));
    }
    if let Some(policy) = &spec.lifecycle_policy {
        let document = lifecycle_document(policy);
        let wanted = canonical_lifecycle(&document);
        let live = have.lifecycle_policy.as_deref().map(|text| {
            serde_json::from_str::<Value>(text)
                .map_or_else(|_| Value::from(text), |v| canonical_lifecycle(&v))
        });
        if live.as_ref() != Some(&wanted) {
            plan.changes
                .push(Change::new("spec.lifecyclePolicy", live, Some(wanted)));
            ops.push(Box::new(EcrOp::PutLifecyclePolicy {
                name: name(),
                text: document.to_string(),
            }));
        }
    }
    let blocked = spec
        .encryption
        .as_ref()
        .and_then(|encryption| encryption_drift(encryption, have, &mut plan.changes));
    let tags = diff_tags(
        &state.desired_tags(&spec.tags),
        &have.tags,
        &state.tag_policy(),
        &mut plan.changes,
    );
    if !tags.set.is_empty() {
        ops.push(Box::new(EcrOp::TagResource {
            arn: have.arn.clone(),
            tags: tags.set,
        }));
    }
    if !tags.remove.is_empty() {
        ops.push(Box::new(EcrOp::UntagResource {
            arn: have.arn.clone(),
            keys: tags.remove,
        }));
    }
    if let Some(reason) = unowned_reason("repository", &have.tags, want.metadata.adopt) {
        plan.action = Action::Blocked;
        plan.reason = Some(reason);
        return;
    }
    plan.ops = ops;
    if let Some(reason) = blocked {
        plan.action = Action::Blocked;
        plan.reason = Some(reason);
    } else if !plan.changes.is_empty() {
        plan.action = Action::Update;
    }
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
