//! The pure part of the log group kind: retention and key compared, the calls that
//! converge them.

use afu9_spec::Resource;
use afu9_spec::log_group::LogGroupSpec;
use serde_json::Value;

use super::LogGroupObserved;
use super::apply::LogGroupOp;
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};
use crate::refs::kms::same_key;

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<LogGroupSpec>,
    have: Option<&LogGroupObserved>,
) -> Delta {
    let spec = &want.spec;
    let name = || want.name().to_owned();
    let Some(have) = have else {
        let mut delta = Delta::missing();
        if let Some(days) = spec.retention_days {
            delta.change(Change::new("spec.retentionDays", None, Some(days.into())));
        }
        if let Some(key) = &spec.kms_key {
            delta.change(Change::new("spec.kmsKey", None, Some(key.as_str().into())));
        }
        delta.op(LogGroupOp::CreateLogGroup {
            name: name(),
            kms_key: spec.kms_key.clone(),
            tags: cx.state.desired_tags(&spec.tags),
        });
        if let Some(days) = spec.retention_days {
            delta.op(LogGroupOp::PutRetentionPolicy { name: name(), days });
        }
        return delta;
    };
    let mut delta = Delta::exists();
    if let Some(days) = spec.retention_days
        && have.retention_days != Some(days)
    {
        delta.change(Change::new(
            "spec.retentionDays",
            Some(have.retention_days.map_or(Value::Null, Value::from)),
            Some(days.into()),
        ));
        delta.op(LogGroupOp::PutRetentionPolicy { name: name(), days });
    }
    if let Some(key) = &spec.kms_key
        && !have
            .kms_key
            .as_deref()
            .is_some_and(|live| same_key(key, live, &have.kms_keys))
    {
        delta.change(Change::new(
            "spec.kmsKey",
            Some(have.kms_key.as_deref().map_or(Value::Null, Value::from)),
            Some(key.as_str().into()),
        ));
        delta.op(LogGroupOp::AssociateKmsKey {
            name: name(),
            kms_key: key.clone(),
        });
    }
    delta
}
