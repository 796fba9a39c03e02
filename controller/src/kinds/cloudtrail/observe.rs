//! Reading trails: one `DescribeTrails` for all of them, one `ListTags` for every existing
//! trail (20 a call), then per trail `GetTrailStatus` and `GetEventSelectors`; per distinct
//! log group one `DescribeLogGroups`. Only when needed: `HeadBucket` (a trail to create, or
//! a bucket to change) and KMS `DescribeKey` (an alias to compare with a key ARN).

use std::collections::HashMap;
use std::sync::Arc;

use afu9_spec::Resource;
use afu9_spec::cloudtrail::CloudTrailSpec;
use afu9_spec::tags::Tags;
use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType, Trail};

use super::{CloudTrailObserved, LiveTrail};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::diff::kms::{canonical_kms_key, is_alias};
use crate::refs::logs::log_group_arn;

/// How many per-trail reads run at once.
const CONCURRENCY: usize = 4;

pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<CloudTrailSpec>],
) -> Result<Vec<Option<CloudTrailObserved>>, AwsError> {
    let names: Vec<String> = want.iter().map(|r| r.name().to_owned()).collect();
    let mut trails = if aws.whole_pass() {
        every_trail(aws)
            .await?
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, trail)| (name.clone(), trail.clone()))
            .collect()
    } else {
        describe_trails(aws, Some(names)).await?
    };
    let tags = list_tags(aws, trails.values().map(|t| t.arn.clone()).collect()).await?;
    for trail in trails.values_mut() {
        trail.tags = tags.get(&trail.arn).cloned().unwrap_or_default();
    }
    let details = windowed(
        want.iter()
            .map(|resource| observe_one(aws, resource, trails.get(resource.name()))),
        CONCURRENCY,
    )
    .await?;
    Ok(details.into_iter().map(Some).collect())
}

async fn observe_one(
    aws: &Aws,
    resource: &Resource<CloudTrailSpec>,
    live: Option<&LiveTrail>,
) -> Result<CloudTrailObserved, AwsError> {
    let spec = &resource.spec;
    let what = || format!("observe trail {}", resource.name());
    let trail = match live {
        Some(live) => Some(read_details(aws, live.clone(), &what).await?),
        None => None,
    };
    let bucket_exists = match &trail {
        Some(trail) if trail.s3_bucket == spec.s3_bucket => None,
        _ => bucket_exists(aws, &spec.s3_bucket).await?,
    };
    let bucket_access_logging = match &trail {
        Some(trail) => bucket_access_logging(aws, &trail.s3_bucket).await?,
        None => None,
    };
    let log_group_arn = match &spec.cloud_watch_logs {
        Some(logs) => log_group_arn(aws, &logs.log_group).await?,
        None => None,
    };
    let live_key = trail.as_ref().and_then(|t| t.kms_key.as_deref());
    let kms_key_arn = match (&spec.kms_key, live_key) {
        (Some(want), Some(live))
            if is_alias(want) && canonical_kms_key(want) != canonical_kms_key(live) =>
        {
            resolve_alias(aws, want).await?
        }
        _ => None,
    };
    Ok(CloudTrailObserved {
        trail,
        bucket_exists,
        bucket_access_logging,
        log_group_arn,
        kms_key_arn,
    })
}

/// Every trail of this region by name, the pass's shared listing (what import and the orphan
/// search list, and a whole pass observes from).
pub(super) async fn every_trail(aws: &Aws) -> Result<Arc<HashMap<String, LiveTrail>>, AwsError> {
    aws.listing("CloudTrail.DescribeTrails", || describe_trails(aws, None))
        .await
}

/// The trails of this region (no shadow trails of other regions) by name: the ones named,
/// or with `None` every one.
async fn describe_trails(
    aws: &Aws,
    names: Option<Vec<String>>,
) -> Result<HashMap<String, LiveTrail>, AwsError> {
    let output = aws
        .cloudtrail()
        .describe_trails()
        .set_trail_name_list(names.clone())
        .include_shadow_trails(false)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk("observe trails", "DescribeTrails", &err))?;
    Ok(output
        .trail_list
        .unwrap_or_default()
        .into_iter()
        .filter_map(|trail| Some((trail.name.clone()?, live_trail(trail))))
        .filter(|(name, _)| names.as_ref().is_none_or(|names| names.contains(name)))
        .collect())
}

fn live_trail(trail: Trail) -> LiveTrail {
    let non_empty = |value: Option<String>| value.filter(|v| !v.is_empty());
    LiveTrail {
        arn: trail.trail_arn.unwrap_or_default(),
        s3_bucket: trail.s3_bucket_name.unwrap_or_default(),
        s3_key_prefix: non_empty(trail.s3_key_prefix),
        multi_region: trail.is_multi_region_trail.unwrap_or_default(),
        log_file_validation: trail.log_file_validation_enabled.unwrap_or_default(),
        kms_key: non_empty(trail.kms_key_id),
        log_group: non_empty(trail.cloud_watch_logs_log_group_arn)
            .map(|arn| log_group_name(&arn).to_owned()),
        role_arn: non_empty(trail.cloud_watch_logs_role_arn),
        ..LiveTrail::default()
    }
}

/// The log group's name in its ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*`).
fn log_group_name(arn: &str) -> &str {
    arn.split_once(":log-group:")
        .map_or(arn, |(_, rest)| rest.strip_suffix(":*").unwrap_or(rest))
}

async fn list_tags(aws: &Aws, arns: Vec<String>) -> Result<HashMap<String, Tags>, AwsError> {
    let mut tags = HashMap::new();
    for chunk in arns.chunks(20) {
        let output = aws
            .cloudtrail()
            .list_tags()
            .set_resource_id_list(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|err| AwsError::from_sdk("observe trails", "ListTags", &err))?;
        for resource in output.resource_tag_list.unwrap_or_default() {
            let Some(id) = resource.resource_id else {
                continue;
            };
            let set = resource
                .tags_list
                .unwrap_or_default()
                .into_iter()
                .map(|tag| (tag.key, tag.value.unwrap_or_default()))
                .collect();
            tags.insert(id, set);
        }
    }
    Ok(tags)
}

async fn read_details(
    aws: &Aws,
    mut trail: LiveTrail,
    what: &impl Fn() -> String,
) -> Result<LiveTrail, AwsError> {
    let status = aws
        .cloudtrail()
        .get_trail_status()
        .name(&trail.arn)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "GetTrailStatus", &err))?;
    trail.logging = status.is_logging.unwrap_or_default();
    trail.delivery_error = status.latest_delivery_error.filter(|e| !e.is_empty());
    let selectors = aws
        .cloudtrail()
        .get_event_selectors()
        .trail_name(&trail.arn)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "GetEventSelectors", &err))?;
    trail.management_events = management_events(
        &selectors.event_selectors.unwrap_or_default(),
        &selectors.advanced_event_selectors.unwrap_or_default(),
    );
    Ok(trail)
}

/// Which management events the selectors record, as (read, write). No selectors at all
/// (how moto reports a new trail) is CloudTrail's default: both.
fn management_events(
    basic: &[EventSelector],
    advanced: &[aws_sdk_cloudtrail::types::AdvancedEventSelector],
) -> (bool, bool) {
    if basic.is_empty() && advanced.is_empty() {
        return (true, true);
    }
    let mut events = (false, false);
    for selector in basic {
        if selector.include_management_events == Some(false) {
            continue;
        }
        match selector.read_write_type {
            Some(ReadWriteType::ReadOnly) => events.0 = true,
            Some(ReadWriteType::WriteOnly) => events.1 = true,
            _ => events = (true, true),
        }
    }
    for selector in advanced {
        let field = |name: &str| selector.field_selectors.iter().find(|f| f.field == name);
        let management =
            field("eventCategory").is_some_and(|f| f.equals().iter().any(|v| v == "Management"));
        if !management {
            continue;
        }
        match field("readOnly").map(|f| f.equals().to_vec()).as_deref() {
            Some([only]) if only == "true" => events.0 = true,
            Some([only]) if only == "false" => events.1 = true,
            _ => events = (true, true),
        }
    }
    events
}

/// Whether `bucket` exists: `None` when S3 will not say (access denied: a bucket in
/// another account, as central log buckets often are).
async fn bucket_exists(aws: &Aws, bucket: &str) -> Result<Option<bool>, AwsError> {
    match aws.s3().head_bucket().bucket(bucket).send().await {
        Ok(_) => Ok(Some(true)),
        Err(err) => {
            let err = AwsError::from_sdk(format!("observe bucket {bucket}"), "HeadBucket", &err);
            if err.is_code("NotFound") || err.is_code("NoSuchBucket") {
                Ok(Some(false))
            } else if err.is_code("Forbidden") || err.is_code("AccessDenied") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

/// Whether `bucket` logs its server access (the read its `Bucket` manifest's observation
/// shares): `None` when S3 will not say (access denied, or the bucket is gone: the trail's
/// delivery error tells that).
async fn bucket_access_logging(aws: &Aws, bucket: &str) -> Result<Option<bool>, AwsError> {
    match crate::refs::buckets::access_logging(aws, bucket).await {
        Ok(target) => Ok(Some(target.is_some())),
        Err(err)
            if ["NoSuchBucket", "NotFound", "Forbidden", "AccessDenied"]
                .iter()
                .any(|code| err.is_code(code)) =>
        {
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

async fn resolve_alias(aws: &Aws, alias: &str) -> Result<Option<String>, AwsError> {
    match aws.kms().describe_key().key_id(alias).send().await {
        Ok(output) => Ok(output.key_metadata.and_then(|key| key.arn)),
        Err(err) => {
            let err = AwsError::from_sdk(format!("resolve kms key {alias}"), "DescribeKey", &err);
            if err.is_code("NotFoundException") {
                Ok(None)
            } else {
                Err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_names_come_out_of_their_arns() {
        assert_eq!(
            log_group_name("arn:aws:logs:eu-central-1:123456789012:log-group:/afu9/cloudtrail:*"),
            "/afu9/cloudtrail"
        );
    }

    #[test]
    fn selectors_say_which_management_events_are_recorded() {
        let selector = |kind: ReadWriteType, include: bool| {
            EventSelector::builder()
                .read_write_type(kind)
                .include_management_events(include)
                .build()
        };
        assert_eq!(management_events(&[], &[]), (true, true));
        assert_eq!(
            management_events(&[selector(ReadWriteType::WriteOnly, true)], &[]),
            (false, true)
        );
        assert_eq!(
            management_events(&[selector(ReadWriteType::All, false)], &[]),
            (false, false)
        );
    }
}
