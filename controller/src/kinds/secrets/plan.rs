//! The pure part of the secret kind: compare a manifest with a live secret, decide ops.
//!
//! Rotation compares as (enabled, Lambda ARN, schedule) with the schedule in canonical form,
//! so `afterDays: 90` and `schedule: rate(90 days)` are the same. A manually rotated secret is
//! checked for age only; the controller never writes a value, so an overdue secret is
//! `blocked` with the date it fell due.

use afu9_spec::secrets::{Rotation, Schedule, SecretSpec};
use afu9_spec::{DesiredState, Resource};
use serde_json::{Value, json};

use super::SecretObserved;
use super::apply::SecretOp;
use crate::diff::kms::canonical_kms_key;
use crate::plan::{Change, Delta};

const DAY: i64 = 86_400;

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<SecretSpec>,
    have: Option<&SecretObserved>,
) -> Delta {
    match have {
        None => plan_missing(state, want),
        Some(have) => match have.deletion_date {
            Some(deletion) => plan_restore(want, have, deletion),
            None => plan_update(want, have),
        },
    }
}

/// A secret scheduled for deletion (pruned while its manifest was gone) whose manifest is
/// back: restored first (`RestoreSecret`, value and all), then converged like any other in
/// the same pass.
fn plan_restore(want: &Resource<SecretSpec>, have: &SecretObserved, deletion: i64) -> Delta {
    let mut delta = plan_update(want, have);
    delta.changes.insert(
        0,
        Change::new("status.deletionDate", Some(date(deletion).into()), None),
    );
    delta.ops.insert(
        0,
        Box::new(SecretOp::RestoreSecret {
            arn: have.arn.clone(),
        }),
    );
    delta
}

fn plan_missing(state: &DesiredState, want: &Resource<SecretSpec>) -> Delta {
    let spec = &want.spec;
    let mut delta = Delta::missing();
    let mut add = |path: &str, value: Value| delta.change(Change::new(path, None, Some(value)));
    if let Some(description) = &spec.description {
        add("spec.description", description.as_str().into());
    }
    if let Some(key) = &spec.kms_key {
        add("spec.kmsKey", key.as_str().into());
    }
    if let Some(rotation) = &spec.rotation {
        add("spec.rotation", rotation_value(rotation));
    }
    if !spec.create {
        delta.block(
            "the secret does not exist: its owner creates it with its value \
             (or set spec.create: true to have afu9-posture create it empty)",
        );
        return delta;
    }
    if spec.rotation.as_ref().is_some_and(|r| !r.is_manual()) {
        delta.note = Some(
            "created without a value; automatic rotation is turned on by a later pass, once \
             the owner has stored a first value"
                .to_owned(),
        );
    }
    delta.op(SecretOp::CreateSecret {
        name: want.name().to_owned(),
        description: spec.description.clone(),
        kms_key: spec.kms_key.clone(),
        tags: state.desired_tags(&spec.tags),
    });
    delta
}

fn plan_update(want: &Resource<SecretSpec>, have: &SecretObserved) -> Delta {
    let spec = &want.spec;
    let mut delta = Delta::exists();
    let mut ops: Vec<SecretOp> = Vec::new();
    settings(spec, have, &mut delta.changes, &mut ops);
    if let Some(rotation) = &spec.rotation {
        if rotation.is_manual() {
            manual_rotation(
                rotation,
                have,
                &mut delta.changes,
                &mut ops,
                &mut delta.blocked,
            );
        } else {
            automatic_rotation(
                rotation,
                have,
                &mut delta.changes,
                &mut ops,
                &mut delta.blocked,
            );
        }
        super::contain::rotated_after(rotation, have, &mut delta, &mut ops);
    }
    delta.ops(ops);
    delta
}

/// Description and KMS key: one `UpdateSecret` for both.
fn settings(
    spec: &SecretSpec,
    have: &SecretObserved,
    changes: &mut Vec<Change>,
    ops: &mut Vec<SecretOp>,
) {
    let description = spec
        .description
        .as_ref()
        .filter(|d| have.description.as_ref() != Some(*d));
    if let Some(description) = description {
        changes.push(Change::new(
            "spec.description",
            have.description.as_deref().map(Value::from),
            Some(description.as_str().into()),
        ));
    }
    let kms_key = spec.kms_key.as_ref().filter(|key| {
        have.kms_key
            .as_deref()
            .is_none_or(|live| canonical_kms_key(live) != canonical_kms_key(key))
    });
    if let Some(key) = kms_key {
        changes.push(Change::new(
            "spec.kmsKey",
            have.kms_key.as_deref().map(Value::from),
            Some(key.as_str().into()),
        ));
    }
    if description.is_some() || kms_key.is_some() {
        ops.push(SecretOp::UpdateSecret {
            arn: have.arn.clone(),
            description: description.cloned(),
            kms_key: kms_key.cloned(),
        });
    }
}

fn automatic_rotation(
    rotation: &Rotation,
    have: &SecretObserved,
    changes: &mut Vec<Change>,
    ops: &mut Vec<SecretOp>,
    blocked: &mut Vec<String>,
) {
    let (Some(lambda), Some(schedule)) = (&rotation.lambda, rotation.schedule()) else {
        return;
    };
    let lambda = lambda_arn(lambda, &have.arn);
    let before = changes.len();
    if !have.rotation_enabled {
        changes.push(Change::new(
            "spec.rotation.enabled",
            Some(false.into()),
            Some(true.into()),
        ));
    }
    if have.rotation_lambda.as_deref() != Some(lambda.as_str()) {
        changes.push(Change::new(
            "spec.rotation.lambda",
            have.rotation_lambda.as_deref().map(Value::from),
            Some(lambda.as_str().into()),
        ));
    }
    if have.schedule.as_ref() != Some(&schedule) {
        let as_days = rotation.after_days.is_some();
        let path = if as_days {
            "spec.rotation.afterDays"
        } else {
            "spec.rotation.schedule"
        };
        changes.push(Change::new(
            path,
            have.schedule.as_ref().map(|s| schedule_value(s, as_days)),
            Some(schedule_value(&schedule, as_days)),
        ));
    }
    if changes.len() == before {
        return;
    }
    if have.has_value {
        ops.push(SecretOp::RotateSecret {
            arn: have.arn.clone(),
            lambda,
            schedule,
        });
    } else {
        blocked.push(
            "automatic rotation can be turned on only once the secret's owner has stored a \
             first value"
                .to_owned(),
        );
    }
}

fn manual_rotation(
    rotation: &Rotation,
    have: &SecretObserved,
    changes: &mut Vec<Change>,
    ops: &mut Vec<SecretOp>,
    blocked: &mut Vec<String>,
) {
    if have.rotation_enabled {
        changes.push(Change::new(
            "spec.rotation.manual",
            Some(json!({"lambda": have.rotation_lambda})),
            Some(true.into()),
        ));
        ops.push(SecretOp::CancelRotateSecret {
            arn: have.arn.clone(),
        });
    }
    let Some(max_age) = rotation.max_age_days.map(i64::from) else {
        return;
    };
    let Some(stored) = have.value_stored.or(have.last_rotated).or(have.created) else {
        return;
    };
    let age = have.observed_at - stored;
    if age <= max_age * DAY {
        return;
    }
    let due = stored + max_age * DAY;
    changes.push(Change::new(
        "spec.rotation.maxAgeDays",
        Some(json!({"valueStored": date(stored), "ageDays": age / DAY})),
        Some(max_age.into()),
    ));
    blocked.push(format!(
        "overdue since {}: the value was stored on {} ({} days ago, more than maxAgeDays {}); \
         its owner must rotate it (afu9-posture never writes secret values)",
        date(due),
        date(stored),
        age / DAY,
        max_age
    ));
}

/// A Lambda reference as an ARN: an ARN as written, a function name in the secret's own
/// partition, region and account (rotation Lambdas live in the secret's region).
pub(super) fn lambda_arn(reference: &str, secret_arn: &str) -> String {
    if reference.starts_with("arn:") {
        return reference.to_owned();
    }
    let parts: Vec<&str> = secret_arn.split(':').collect();
    match parts.as_slice() {
        [_, partition, _, region, account, ..] => {
            format!("arn:{partition}:lambda:{region}:{account}:function:{reference}")
        }
        _ => reference.to_owned(),
    }
}

fn schedule_value(schedule: &Schedule, as_days: bool) -> Value {
    match schedule {
        Schedule::Days(days) if as_days => Value::from(*days),
        other => Value::from(other.expression()),
    }
}

fn rotation_value(rotation: &Rotation) -> Value {
    serde_json::to_value(rotation).unwrap_or(Value::Null)
}

/// `YYYY-MM-DD` (UTC) of a Unix time in seconds.
pub(super) fn date(secs: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = secs.div_euclid(DAY) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests;
