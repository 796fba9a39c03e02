//! The pure part of the event source: the queue's attributes and policy, the rule's pattern,
//! state, target and tags, each compared with what they must be.

use afu9_spec::Resource;
use afu9_spec::event_source::EventSourceSpec;
use afu9_spec::tags::Tags;
use serde_json::{Value, json};

use super::apply::EventSourceOp;
use super::{EventSourceObserved, LiveQueue, LiveRule, TARGET_ID};
use crate::diff::unowned_reason;
use crate::engine::PlanContext;
use crate::events::pattern;
use crate::plan::{Change, Delta};

/// The ARNs the policy and the target name.
struct Arns {
    queue: String,
    rule: String,
}

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<EventSourceSpec>,
    have: Option<&EventSourceObserved>,
) -> Delta {
    let name = want.name();
    let (Some(identity), Some(have)) = (cx.identity, have) else {
        return Delta::unavailable("the account or region is unknown".to_owned());
    };
    let prefix = |service: &str| {
        format!(
            "arn:{}:{service}:{}:{}",
            identity.partition, have.region, identity.account
        )
    };
    let arns = Arns {
        queue: format!("{}:{name}", prefix("sqs")),
        rule: format!("{}:rule/{name}", prefix("events")),
    };
    let attributes = desired_attributes(&want.spec, &arns);
    let tags = cx.state.desired_tags(&want.spec.tags);
    let mut delta = match &have.queue {
        None => {
            let mut delta = Delta::missing();
            for (key, value) in &attributes {
                delta.change(Change::new(
                    format!("queue.{key}"),
                    None,
                    Some(value.as_str().into()),
                ));
            }
            delta.op(EventSourceOp::CreateQueue {
                name: name.to_owned(),
                attributes: attributes.clone(),
                tags: tags.clone(),
            });
            delta
        }
        Some(queue) => plan_queue(queue, &attributes),
    };
    if cx.events.iter().all(|events| events.names.is_empty()) {
        delta.block(
            "no kind in the desired state declares write events: the rule would match nothing"
                .to_owned(),
        );
        return delta;
    }
    let pattern = pattern::build(cx.events);
    match &have.rule {
        None => {
            delta.change(Change::new(
                "rule.eventPattern",
                None,
                Some(pattern.clone()),
            ));
            delta.op(EventSourceOp::PutRule {
                name: name.to_owned(),
                pattern: pattern.to_string(),
                tags: Some(tags),
            });
            delta.op(EventSourceOp::PutTargets {
                rule: name.to_owned(),
                arn: arns.queue,
            });
        }
        Some(rule) => {
            if let Some(reason) = unowned_reason(
                "eventbridge rule",
                &cx.state.posture.owner(),
                &rule.tags,
                want.metadata.adopt,
            ) {
                delta.block(reason);
            }
            plan_rule(&mut delta, name, rule, &pattern, &arns, &tags);
        }
    }
    delta
}

/// What the queue's attributes must be: encrypted with SQS-managed keys (Security Hub
/// SQS.1), and sent to by EventBridge from this rule only.
fn desired_attributes(spec: &EventSourceSpec, arns: &Arns) -> Vec<(String, String)> {
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "EventBridgeSendsFromTheRule",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": arns.queue,
            "Condition": {"ArnEquals": {"aws:SourceArn": arns.rule}},
        }],
    });
    vec![
        (
            "MessageRetentionPeriod".to_owned(),
            spec.message_retention_seconds.to_string(),
        ),
        ("Policy".to_owned(), policy.to_string()),
        ("SqsManagedSseEnabled".to_owned(), "true".to_owned()),
        (
            "VisibilityTimeout".to_owned(),
            spec.visibility_timeout_seconds.to_string(),
        ),
    ]
}

fn plan_queue(queue: &LiveQueue, attributes: &[(String, String)]) -> Delta {
    let mut delta = Delta::exists();
    let mut set = Vec::new();
    for (key, value) in attributes {
        let live = queue.attribute(key);
        let same = match (key.as_str(), live) {
            ("Policy", Some(live)) => {
                serde_json::from_str::<Value>(live).ok()
                    == serde_json::from_str::<Value>(value).ok()
            }
            (_, Some(live)) => live == value,
            (_, None) => false,
        };
        if !same {
            let as_value = |text: &str| {
                serde_json::from_str::<Value>(text)
                    .ok()
                    .filter(Value::is_object)
                    .unwrap_or_else(|| text.into())
            };
            delta.change(Change::new(
                format!("queue.{key}"),
                live.map(as_value),
                Some(as_value(value)),
            ));
            set.push((key.clone(), value.clone()));
        }
    }
    if !set.is_empty() {
        delta.op(EventSourceOp::SetQueueAttributes {
            url: queue.url.clone(),
            attributes: set,
        });
    }
    delta
}

fn plan_rule(
    delta: &mut Delta,
    name: &str,
    rule: &LiveRule,
    pattern: &Value,
    arns: &Arns,
    tags: &Tags,
) {
    let live_pattern = rule.pattern.as_deref().and_then(pattern::canonical);
    if live_pattern.as_ref() != pattern::canonical(&pattern.to_string()).as_ref()
        || rule.state != "ENABLED"
    {
        if rule.state != "ENABLED" {
            delta.change(Change::new(
                "rule.state",
                Some(rule.state.as_str().into()),
                Some("ENABLED".into()),
            ));
        }
        if live_pattern.as_ref() != pattern::canonical(&pattern.to_string()).as_ref() {
            delta.change(Change::new(
                "rule.eventPattern",
                rule.pattern
                    .as_deref()
                    .map(|p| pattern::canonical(p).unwrap_or_else(|| p.into())),
                Some(pattern.clone()),
            ));
        }
        delta.op(EventSourceOp::PutRule {
            name: name.to_owned(),
            pattern: pattern.to_string(),
            tags: None,
        });
    }
    let ours = rule
        .targets
        .iter()
        .any(|(id, arn)| id == TARGET_ID && *arn == arns.queue);
    if !ours {
        delta.change(Change::new(
            "rule.target",
            rule.targets
                .iter()
                .find(|(id, _)| id == TARGET_ID)
                .map(|(_, arn)| arn.as_str().into()),
            Some(arns.queue.as_str().into()),
        ));
        delta.op(EventSourceOp::PutTargets {
            rule: name.to_owned(),
            arn: arns.queue.clone(),
        });
    }
    let others: Vec<String> = rule
        .targets
        .iter()
        .filter(|(id, _)| id != TARGET_ID)
        .map(|(id, _)| id.clone())
        .collect();
    if !others.is_empty() {
        delta.change(Change::new(
            "rule.targets",
            Some(others.clone().into()),
            None,
        ));
        delta.op(EventSourceOp::RemoveTargets {
            rule: name.to_owned(),
            ids: others,
        });
    }
    let missing: Tags = tags
        .iter()
        .filter(|(key, value)| rule.tags.get(*key) != Some(value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    for (key, value) in &missing {
        delta.change(Change::new(
            format!("rule.tags.{key}"),
            rule.tags.get(key).map(|v| v.as_str().into()),
            Some(value.as_str().into()),
        ));
    }
    if !missing.is_empty() {
        delta.op(EventSourceOp::TagRule {
            arn: rule.arn.clone(),
            tags: missing,
        });
    }
}

#[cfg(test)]
mod tests;
