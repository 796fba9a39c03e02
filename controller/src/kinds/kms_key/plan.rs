//! The pure part of the key kind: compare a manifest with the key its alias points to.

use std::sync::{Arc, OnceLock};

use afu9_spec::iam::policy_doc::{canonical, decode_document};
use afu9_spec::kms_key::KmsKeySpec;
use afu9_spec::tags::{MANIFEST_KEY, Tags};
use afu9_spec::{DesiredState, Resource};
use serde_json::Value;

use super::apply::KeyOp;
use super::{KeyRef, KmsKeyObserved};
use crate::diff::compare_field;
use crate::plan::{Change, Delta};

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<KmsKeySpec>,
    have: Option<&KmsKeyObserved>,
) -> Delta {
    match have {
        None => plan_create(state, want),
        Some(have) if have.manager != "CUSTOMER" => Delta::unavailable(format!(
            "alias/{} points to an AWS managed key; only customer-managed keys are managed",
            want.name()
        )),
        Some(have) if have.state != "Enabled" => Delta::unavailable(format!(
            "key {} is {}; afu9-posture neither enables nor restores keys (CancelKeyDeletion / \
             EnableKey by hand if it is still wanted)",
            have.key_id, have.state
        )),
        Some(have) if !have.aliased => plan_alias(want, have),
        Some(have) => plan_update(want, have),
    }
}

/// The tags a new key gets: the desired ones, and the manifest's name under
/// [`MANIFEST_KEY`], which finds it again when a crash leaves it without its alias.
fn creation_tags(state: &DesiredState, want: &Resource<KmsKeySpec>) -> Tags {
    let mut tags = state.desired_tags(&want.spec.tags);
    tags.insert(MANIFEST_KEY.to_owned(), want.name().to_owned());
    tags
}

/// A key this controller created for the manifest (it carries the manifest tag) whose alias
/// never came (a crash between `CreateKey` and `CreateAlias`): the alias is pointed at it
/// and the key converged, instead of creating another.
fn plan_alias(want: &Resource<KmsKeySpec>, have: &KmsKeyObserved) -> Delta {
    let mut delta = plan_update(want, have);
    delta.changes.insert(
        0,
        Change::new(
            "alias",
            None,
            Some(format!("{} → {}", KmsKeySpec::alias(want.name()), have.key_id).into()),
        ),
    );
    delta.ops.insert(
        0,
        Box::new(KeyOp::CreateAlias {
            alias: KmsKeySpec::alias(want.name()),
            key: KeyRef::Known(have.key_id.clone()),
        }),
    );
    delta.note = Some(format!(
        "key {} was created for this manifest (tag {MANIFEST_KEY}) but has no alias: an earlier apply stopped between CreateKey and CreateAlias",
        have.key_id
    ));
    delta
}

fn plan_create(state: &DesiredState, want: &Resource<KmsKeySpec>) -> Delta {
    let spec = &want.spec;
    let mut delta = Delta::missing();
    let created = Arc::new(OnceLock::new());
    if let Some(description) = &spec.description {
        delta.change(Change::new(
            "spec.description",
            None,
            Some(description.clone().into()),
        ));
    }
    if let Some(rotation) = spec.rotation {
        delta.change(Change::new("spec.rotation", None, Some(rotation.into())));
    }
    if let Some(policy) = &spec.policy {
        delta.change(Change::new("spec.policy", None, Some(policy.clone())));
    }
    delta.op(KeyOp::CreateKey {
        alias: KmsKeySpec::alias(want.name()),
        description: spec.description.clone(),
        policy: spec.policy.as_ref().map(Value::to_string),
        tags: creation_tags(state, want),
        created: Arc::clone(&created),
    });
    delta.op(KeyOp::CreateAlias {
        alias: KmsKeySpec::alias(want.name()),
        key: KeyRef::Created(Arc::clone(&created)),
    });
    if spec.rotation == Some(true) {
        delta.op(KeyOp::EnableKeyRotation {
            key: KeyRef::Created(created),
        });
    }
    delta
}

fn plan_update(want: &Resource<KmsKeySpec>, have: &KmsKeyObserved) -> Delta {
    let spec = &want.spec;
    let key = || KeyRef::Known(have.key_id.clone());
    let mut delta = Delta::exists();
    if let Some(description) = &spec.description
        && compare_field(
            &mut delta.changes,
            "spec.description",
            Some(description.clone()),
            have.description.clone(),
        )
    {
        delta.op(KeyOp::UpdateKeyDescription {
            key: key(),
            description: description.clone(),
        });
    }
    if let Some(rotation) = spec.rotation
        && compare_field(
            &mut delta.changes,
            "spec.rotation",
            Some(rotation),
            have.rotation.unwrap_or(false),
        )
    {
        delta.op(if rotation {
            KeyOp::EnableKeyRotation { key: key() }
        } else {
            KeyOp::DisableKeyRotation { key: key() }
        });
    }
    if let Some(policy) = &spec.policy {
        let live = have
            .policy
            .as_deref()
            .map(|text| decode_document(text).unwrap_or_else(|_| Value::from(text.to_owned())));
        if live.as_ref().map(canonical) != Some(canonical(policy)) {
            delta.change(Change::new("spec.policy", live, Some(policy.clone())));
            delta.op(KeyOp::PutKeyPolicy {
                key: key(),
                policy: policy.to_string(),
            });
        }
    }
    delta
}

#[cfg(test)]
mod tests;
