//! Incident containment for a secret: `rotation.rotatedAfter`. When the current value was
//! stored before that time, a Lambda-rotated secret is rotated now (`RotateSecret` with
//! `RotateImmediately`) and a hand-rotated one is blocked, overdue, until its owner rotates
//! it. The dates are the versions' (`ListSecretVersionIds`), never a value.
//!
//! A rotation still in progress (an `AWSPENDING` version made after the time) counts as
//! done, so a slow rotation Lambda is never started twice; a time still in the future
//! changes nothing yet (rotating now would not satisfy it, and every pass would rotate again).

use afu9_spec::secrets::Rotation;
use afu9_spec::time::{format_utc, parse_utc};
use serde_json::json;

use super::SecretObserved;
use super::apply::SecretOp;
use crate::plan::{Change, Delta};

/// Adds the rotation `rotation.rotatedAfter` asks for, or the reason it waits, to `delta`
/// and `ops`.
pub(super) fn rotated_after(
    rotation: &Rotation,
    have: &SecretObserved,
    delta: &mut Delta,
    ops: &mut Vec<SecretOp>,
) {
    let Some(after) = rotation.rotated_after.as_deref().and_then(parse_utc) else {
        return;
    };
    if after > have.observed_at {
        delta.note = Some(format!(
            "rotatedAfter {} is in the future: it takes effect then",
            format_utc(after)
        ));
        return;
    }
    let Some(stored) = have.value_stored else {
        return;
    };
    if stored >= after {
        return;
    }
    if let Some(pending) = have.rotation_pending.filter(|p| *p >= after) {
        delta.note = Some(format!(
            "a rotation began at {} and has not finished: the value stored at {} is still \
             current",
            format_utc(pending),
            format_utc(stored)
        ));
        return;
    }
    delta.change(Change::new(
        "spec.rotation.rotatedAfter",
        Some(json!({"valueStored": format_utc(stored)})),
        Some(format_utc(after).into()),
    ));
    if rotation.is_manual() {
        delta.block(format!(
            "compromised: the current value was stored at {}, before rotatedAfter {}; its \
             owner must rotate it now (afu9-posture never writes secret values)",
            format_utc(stored),
            format_utc(after)
        ));
    } else if rotation.lambda.is_some() {
        // The rotation runs with the configuration this plan writes, if it writes one (one
        // call does both), else with the live one, sent again: a `RotateSecret` that names no
        // Lambda keeps the configured one on AWS but clears it on the emulator.
        let configured = ops
            .iter()
            .position(|op| matches!(op, SecretOp::RotateSecret { .. }));
        let (lambda, schedule) = match configured.map(|index| ops.remove(index)) {
            Some(SecretOp::RotateSecret {
                lambda, schedule, ..
            }) => (Some(lambda), Some(schedule)),
            _ => (have.rotation_lambda.clone(), have.schedule.clone()),
        };
        ops.push(SecretOp::RotateSecretNow {
            arn: have.arn.clone(),
            lambda,
            schedule,
        });
    }
}
