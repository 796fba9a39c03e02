//! Importing event sources: a queue and an EventBridge rule of the same name whose target
//! `afu9-posture-queue` is that queue, as `apply` makes them. The manifest states the queue's
//! visibility timeout, retention and tags; everything else (the queue policy, its encryption,
//! the rule's pattern and target) is derived from the desired state, so the import is in sync
//! only in a desired state holding the same kinds as the one the rule was built from.

use std::collections::BTreeSet;

use afu9_spec::event_source::{DEFAULT_RETENTION, DEFAULT_VISIBILITY_TIMEOUT, EventSourceSpec};

use super::{EventSourceObserved, EventSources, TARGET_ID, observe};
use crate::aws::{Aws, AwsError};
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};

impl Imports for EventSources {
    const FILE: &'static str = "events.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, EventSourceSpec> {
        Box::pin(async move {
            let queues = queue_names(aws).await?;
            let mut found = Vec::new();
            for rule in rule_names(aws).await? {
                if !queues.contains(&rule) {
                    continue;
                }
                let targets = observe::rule_targets(aws.eventbridge(), &rule).await?;
                let feeds_queue = targets.iter().any(|(id, arn)| {
                    id == TARGET_ID && arn.rsplit(':').next() == Some(rule.as_str())
                });
                if feeds_queue {
                    found.push((rule, probe()));
                }
            }
            Ok(found)
        })
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &EventSourceObserved) -> EventSourceSpec {
        import(cx, name, have)
    }
}

/// The names of the region's queues (`ListQueues`, paginated).
async fn queue_names(aws: &Aws) -> Result<BTreeSet<String>, AwsError> {
    let mut names = BTreeSet::new();
    let mut pages = aws
        .sqs()
        .list_queues()
        .max_results(1000)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk("list sqs queues", "ListQueues", &err))?;
        names.extend(
            page.queue_urls()
                .iter()
                .filter_map(|url| url.rsplit('/').next())
                .map(str::to_owned),
        );
    }
    Ok(names)
}

/// The names of the default event bus's rules (`ListRules`, page by page).
async fn rule_names(aws: &Aws) -> Result<Vec<String>, AwsError> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = aws
            .eventbridge()
            .list_rules()
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("list eventbridge rules", "ListRules", &err))?;
        names.extend(page.rules().iter().filter_map(|rule| rule.name.clone()));
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(names),
        }
    }
}

/// The queue and the rule are read whole whatever the manifest says.
fn probe() -> EventSourceSpec {
    EventSourceSpec {
        visibility_timeout_seconds: DEFAULT_VISIBILITY_TIMEOUT,
        message_retention_seconds: DEFAULT_RETENTION,
        tags: afu9_spec::tags::Tags::new(),
    }
}

/// The event source as a manifest (a queue gone between listing and reading: the defaults).
fn import(_cx: ImportContext<'_>, _name: &str, have: &EventSourceObserved) -> EventSourceSpec {
    let Some(queue) = &have.queue else {
        return probe();
    };
    let seconds = |attribute: &str, default: u32| {
        queue
            .attribute(attribute)
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    EventSourceSpec {
        visibility_timeout_seconds: seconds("VisibilityTimeout", DEFAULT_VISIBILITY_TIMEOUT),
        message_retention_seconds: seconds("MessageRetentionPeriod", DEFAULT_RETENTION),
        tags: manifest_tags(&queue.tags),
    }
}

#[cfg(test)]
mod tests;
