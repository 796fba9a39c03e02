//! The pure part of the SNS topic kind: compare a manifest with a live topic.

use afu9_spec::Resource;
use afu9_spec::sns_topic::SnsTopicSpec;
use serde_json::Value;

use super::SnsTopicObserved;
use super::apply::TopicOp;
use crate::diff::kms::canonical_kms_key;
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<SnsTopicSpec>,
    have: Option<&SnsTopicObserved>,
) -> Delta {
    let spec = &want.spec;
    let Some(have) = have else {
        let mut delta = Delta::missing();
        let mut attributes = Vec::new();
        if let Some(key) = &spec.kms_key {
            delta.change(Change::new("spec.kmsKey", None, Some(key.as_str().into())));
            attributes.push(("KmsMasterKeyId", key.clone()));
        }
        if let Some(name) = &spec.display_name {
            delta.change(Change::new(
                "spec.displayName",
                None,
                Some(name.as_str().into()),
            ));
            attributes.push(("DisplayName", name.clone()));
        }
        delta.op(TopicOp::CreateTopic {
            name: want.name().to_owned(),
            attributes,
            tags: cx.state.desired_tags(&spec.tags),
        });
        return delta;
    };
    let mut delta = Delta::exists();
    let same_key = match (&spec.kms_key, &have.kms_key) {
        (Some(want), Some(live)) => canonical_kms_key(want) == canonical_kms_key(live),
        (None, None) => true,
        _ => false,
    };
    if !same_key {
        delta.change(Change::new(
            "spec.kmsKey",
            have.kms_key.as_deref().map(Value::from),
            spec.kms_key.as_deref().map(Value::from),
        ));
        delta.op(TopicOp::SetTopicAttributes {
            arn: have.arn.clone(),
            attribute: "KmsMasterKeyId",
            value: spec.kms_key.clone().unwrap_or_default(),
        });
    }
    if let Some(name) = &spec.display_name
        && *name != have.display_name
    {
        delta.change(Change::new(
            "spec.displayName",
            Some(have.display_name.as_str().into()),
            Some(name.as_str().into()),
        ));
        delta.op(TopicOp::SetTopicAttributes {
            arn: have.arn.clone(),
            attribute: "DisplayName",
            value: name.clone(),
        });
    }
    delta.note = Some(match have.subscriptions {
        0 => "no subscriptions: nobody is notified (subscriptions are not managed)".to_owned(),
        1 => "1 subscription".to_owned(),
        n => format!("{n} subscriptions"),
    });
    delta
}

#[cfg(test)]
mod tests;
