//! Reading topics: one paginated `ListTopics` (100 a page, once per pass: the orphan search
//! and import read the same listing) to find which exist, then per
//! managed topic `GetTopicAttributes`, `ListTagsForResource` and `ListSubscriptionsByTopic`
//! (the attributes' subscription counts are approximate on AWS and always 0 in moto).

use std::collections::HashMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::sns_topic::SnsTopicSpec;
use aws_sdk_sns::Client;

use super::SnsTopicObserved;
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};

/// How many per-topic reads run at once.
const CONCURRENCY: usize = 4;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<SnsTopicSpec>],
) -> Result<Vec<Option<SnsTopicObserved>>, AwsError> {
    let arns = list_topics(aws).await?;
    let sns = aws.sns();
    windowed(
        want.iter().map(|resource| {
            let arn = arns.get(resource.name()).cloned();
            async move {
                match arn {
                    Some(arn) => read_topic(sns, resource.name(), arn).await.map(Some),
                    None => Ok(None),
                }
            }
        }),
        CONCURRENCY,
    )
    .await
}

/// Every topic of the account and region, by name (the pass's shared listing).
pub(super) async fn list_topics(aws: &Aws) -> Result<Arc<HashMap<String, String>>, AwsError> {
    aws.listing("SNS.ListTopics", || read_topics(aws.sns()))
        .await
}

async fn read_topics(sns: &Client) -> Result<HashMap<String, String>, AwsError> {
    let mut pages = sns.list_topics().into_paginator().send();
    let mut topics = HashMap::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|err| AwsError::from_sdk("list sns topics", "ListTopics", &err))?;
        for topic in page.topics.unwrap_or_default() {
            if let Some(arn) = topic.topic_arn {
                let name = arn.rsplit(':').next().unwrap_or_default().to_owned();
                topics.insert(name, arn);
            }
        }
    }
    Ok(topics)
}

async fn read_topic(sns: &Client, name: &str, arn: String) -> Result<SnsTopicObserved, AwsError> {
    let what = || format!("observe sns topic {name}");
    let mut attributes = sns
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "GetTopicAttributes", &err))?
        .attributes
        .unwrap_or_default();
    let tags = sns
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
    let mut subscriptions = 0;
    let mut pages = sns
        .list_subscriptions_by_topic()
        .topic_arn(&arn)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|err| AwsError::from_sdk(what(), "ListSubscriptionsByTopic", &err))?;
        subscriptions += page.subscriptions.map_or(0, |s| s.len());
    }
    Ok(SnsTopicObserved {
        arn,
        kms_key: attributes
            .remove("KmsMasterKeyId")
            .filter(|k| !k.is_empty()),
        display_name: attributes.remove("DisplayName").unwrap_or_default(),
        subscriptions,
        tags,
    })
}
