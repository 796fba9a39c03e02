//! Reading the event source: the queue (`GetQueueUrl`, `GetQueueAttributes`,
//! `ListQueueTags`) and the rule (`DescribeRule`, `ListTargetsByRule`, `ListTagsForResource`),
//! the two services at once: six calls.

use afu9_spec::Resource;
use afu9_spec::event_source::EventSourceSpec;
use aws_sdk_sqs::types::QueueAttributeName;
use futures_util::future::try_join;

use super::{EventSourceObserved, LiveQueue, LiveRule};
use crate::aws::{Aws, AwsError};

/// The queue attributes the kind manages.
pub(super) const ATTRIBUTES: [&str; 4] = [
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "SqsManagedSseEnabled",
    "Policy",
];

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<EventSourceSpec>],
) -> Result<Vec<Option<EventSourceObserved>>, AwsError> {
    let mut observed = Vec::with_capacity(want.len());
    for source in want {
        let (queue, rule) = try_join(
            read_queue(aws.sqs(), source.name()),
            read_rule(aws.eventbridge(), source.name()),
        )
        .await?;
        observed.push(Some(EventSourceObserved {
            region: aws.region.clone().unwrap_or_default(),
            queue,
            rule,
        }));
    }
    Ok(observed)
}

/// The URL of the queue `name`, or `None` when there is none.
pub async fn queue_url(sqs: &aws_sdk_sqs::Client, name: &str) -> Result<Option<String>, AwsError> {
    match sqs.get_queue_url().queue_name(name).send().await {
        Ok(output) => Ok(output.queue_url),
        Err(err)
            if err.as_service_error().is_some_and(
                aws_sdk_sqs::operation::get_queue_url::GetQueueUrlError::is_queue_does_not_exist,
            ) =>
        {
            Ok(None)
        }
        Err(err) => Err(AwsError::from_sdk(
            format!("observe sqs queue {name}"),
            "GetQueueUrl",
            &err,
        )),
    }
}

async fn read_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> Result<Option<LiveQueue>, AwsError> {
    let Some(url) = queue_url(sqs, name).await? else {
        return Ok(None);
    };
    let what = || format!("observe sqs queue {name}");
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "GetQueueAttributes", &err))?
        .attributes
        .unwrap_or_default();
    let tags = sqs
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "ListQueueTags", &err))?
        .tags
        .unwrap_or_default()
        .into_iter()
        .collect();
    let mut managed: Vec<(String, String)> = attributes
        .into_iter()
        .map(|(key, value)| (key.as_str().to_owned(), value))
        .filter(|(key, _)| ATTRIBUTES.contains(&key.as_str()))
        .collect();
    managed.sort();
    Ok(Some(LiveQueue {
        url,
        attributes: managed,
        tags,
    }))
}

async fn read_rule(
    events: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<Option<LiveRule>, AwsError> {
    let what = || format!("observe eventbridge rule {name}");
    let rule = match events.describe_rule().name(name).send().await {
        Ok(rule) => rule,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(aws_sdk_eventbridge::operation::describe_rule::DescribeRuleError::is_resource_not_found_exception) =>
        {
            return Ok(None);
        }
        Err(err) => return Err(AwsError::from_sdk(what(), "DescribeRule", &err)),
    };
    let arn = rule.arn.unwrap_or_default();
    let targets = rule_targets(events, name).await?;
    let tags = events
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "ListTagsForResource", &err))?
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|tag| (tag.key, tag.value))
        .collect();
    Ok(Some(LiveRule {
        arn,
        pattern: rule.event_pattern,
        state: rule
            .state
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        targets,
        tags,
    }))
}

/// Every target of the rule `name`: (id, ARN).
pub(super) async fn rule_targets(
    events: &aws_sdk_eventbridge::Client,
    name: &str,
) -> Result<Vec<(String, String)>, AwsError> {
    Ok(events
        .list_targets_by_rule()
        .rule(name)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("observe eventbridge rule {name}"),
                "ListTargetsByRule",
                &err,
            )
        })?
        .targets
        .unwrap_or_default()
        .into_iter()
        .map(|target| (target.id, target.arn))
        .collect())
}
