//! Reading alarms: `DescribeAlarms` by name (100 names a call: one call for any posture of
//! fewer), then `ListTagsForResource` per existing alarm (CloudWatch has no batch tag read).
//! A whole pass (one that looks for orphans) lists every alarm anyway: observation then
//! reads the pass's shared listing instead.

use std::collections::HashMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::metric_alarm::MetricAlarmSpec;
use aws_sdk_cloudwatch::types::MetricAlarm;

use super::{AlarmConfig, LiveAlarm, MetricAlarmObserved};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};

/// How many per-alarm reads run at once.
const CONCURRENCY: usize = 4;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<MetricAlarmSpec>],
) -> Result<Vec<Option<MetricAlarmObserved>>, AwsError> {
    let identity = aws.identity().await?;
    let topic_arn_prefix = format!(
        "arn:{}:sns:{}:{}:",
        identity.partition,
        aws.region.as_deref().unwrap_or_default(),
        identity.account
    );
    let names: Vec<String> = want.iter().map(|r| r.name().to_owned()).collect();
    let mut alarms = if aws.whole_pass() {
        every_alarm(aws)
            .await?
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, alarm)| (name.clone(), alarm.clone()))
            .collect()
    } else {
        describe_alarms(aws, Some(names)).await?
    };
    let live = windowed(
        want.iter().map(|resource| {
            let alarm = alarms.remove(resource.name());
            async move {
                match alarm {
                    Some(alarm) => read_tags(aws, alarm).await.map(Some),
                    None => Ok(None),
                }
            }
        }),
        CONCURRENCY,
    )
    .await?;
    Ok(live
        .into_iter()
        .map(|alarm| {
            Some(MetricAlarmObserved {
                alarm,
                topic_arn_prefix: topic_arn_prefix.clone(),
            })
        })
        .collect())
}

/// Every metric alarm of the region by name, the pass's shared listing (what import and the
/// orphan search list, and a whole pass observes from).
pub(super) async fn every_alarm(aws: &Aws) -> Result<Arc<HashMap<String, LiveAlarm>>, AwsError> {
    aws.listing("CloudWatch.DescribeAlarms", || describe_alarms(aws, None))
        .await
}

/// The metric alarms by name: the ones named (100 names a call), or with `None` every one
/// of the region, page by page.
async fn describe_alarms(
    aws: &Aws,
    names: Option<Vec<String>>,
) -> Result<HashMap<String, LiveAlarm>, AwsError> {
    let batches: Vec<Option<Vec<String>>> = match names {
        Some(names) => names
            .chunks(100)
            .map(|chunk| Some(chunk.to_vec()))
            .collect(),
        None => vec![None],
    };
    let mut alarms = HashMap::new();
    for batch in batches {
        let mut pages = aws
            .cloudwatch()
            .describe_alarms()
            .set_alarm_names(batch.clone())
            .max_records(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|err| AwsError::from_sdk("observe alarms", "DescribeAlarms", &err))?;
            for alarm in page.metric_alarms.unwrap_or_default() {
                if let Some(name) = alarm.alarm_name.clone()
                    && batch.as_ref().is_none_or(|batch| batch.contains(&name))
                {
                    alarms.insert(name, live_alarm(alarm));
                }
            }
        }
    }
    Ok(alarms)
}

fn live_alarm(alarm: MetricAlarm) -> LiveAlarm {
    let count = |value: Option<i32>| {
        value
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or_default()
    };
    LiveAlarm {
        arn: alarm.alarm_arn.unwrap_or_default(),
        config: AlarmConfig {
            description: alarm.alarm_description.filter(|d| !d.is_empty()),
            metric_name: alarm.metric_name.unwrap_or_default(),
            namespace: alarm.namespace.unwrap_or_default(),
            dimensions: alarm
                .dimensions
                .unwrap_or_default()
                .into_iter()
                .filter_map(|d| Some((d.name?, d.value?)))
                .collect(),
            statistic: alarm
                .statistic
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            period: count(alarm.period),
            evaluation_periods: count(alarm.evaluation_periods),
            threshold: alarm.threshold.unwrap_or_default(),
            comparison: alarm
                .comparison_operator
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            treat_missing_data: alarm
                .treat_missing_data
                .unwrap_or_else(|| "missing".to_owned()),
            alarm_actions: alarm
                .alarm_actions
                .unwrap_or_default()
                .into_iter()
                .collect(),
            ok_actions: alarm.ok_actions.unwrap_or_default().into_iter().collect(),
        },
        tags: afu9_spec::tags::Tags::new(),
    }
}

async fn read_tags(aws: &Aws, mut alarm: LiveAlarm) -> Result<LiveAlarm, AwsError> {
    alarm.tags = aws
        .cloudwatch()
        .list_tags_for_resource()
        .resource_arn(&alarm.arn)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("observe alarm {}", alarm.arn),
                "ListTagsForResource",
                &err,
            )
        })?
        .tags
        .unwrap_or_default()
        .into_iter()
        .filter_map(|tag| Some((tag.key?, tag.value?)))
        .collect();
    Ok(alarm)
}
