//! The pure part of the CloudTrail kind: compare a manifest with a live trail.

use afu9_spec::Resource;
use afu9_spec::cloudtrail::{CloudTrailSpec, CloudWatchLogsDelivery};
use serde_json::{Value, json};

use super::apply::{TrailOp, TrailSettings};
use super::{CloudTrailObserved, LiveTrail};
use crate::diff::kms::canonical_kms_key;
use crate::engine::PlanContext;
use crate::plan::{Change, Delta};
use crate::refs::iam::role_arn;

pub(super) fn plan(
    cx: &PlanContext<'_>,
    want: &Resource<CloudTrailSpec>,
    have: Option<&CloudTrailObserved>,
) -> Delta {
    let observed = have.cloned().unwrap_or_default();
    match &observed.trail {
        None => plan_create(cx, want, &observed),
        Some(trail) => plan_update(cx, want, &observed, trail),
    }
}

/// What the manifest's CloudWatch Logs delivery is, as the calls take it: the log group's ARN
/// and the role's ARN; `Err` says why it cannot be set.
fn delivery_arns(
    cx: &PlanContext<'_>,
    logs: &CloudWatchLogsDelivery,
    observed: &CloudTrailObserved,
) -> Result<(String, String), String> {
    let (partition, account) = cx.identity.map_or(("aws", ""), |id| {
        (id.partition.as_str(), id.account.as_str())
    });
    // A group a `LogGroup` manifest creates in the same apply has its ARN known now.
    let planned = crate::refs::logs::log_group_dependency(cx.state, &logs.log_group)
        .and(cx.state.posture.region.as_deref())
        .map(|region| {
            crate::refs::logs::planned_log_group_arn(partition, region, account, &logs.log_group)
        });
    let group = observed.log_group_arn.clone().or(planned).ok_or_else(|| {
        format!(
            "log group {} does not exist and no LogGroup manifest with the Posture's region creates it; create it first",
            logs.log_group
        )
    })?;
    Ok((group, role_arn(cx.state, partition, account, &logs.role)))
}

fn missing_bucket(bucket: &str) -> String {
    format!(
        "bucket {bucket} does not exist and no Bucket manifest names it; add one (its policy then lets CloudTrail write), or create it first"
    )
}

fn delivery_value(logs: Option<&CloudWatchLogsDelivery>) -> Value {
    logs.map_or(
        Value::Null,
        |logs| json!({"logGroup": logs.log_group, "role": logs.role}),
    )
}

fn events_value(read: bool, write: bool) -> Value {
    json!({"read": read, "write": write})
}

fn plan_create(
    cx: &PlanContext<'_>,
    want: &Resource<CloudTrailSpec>,
    observed: &CloudTrailObserved,
) -> Delta {
    let spec = &want.spec;
    if observed.bucket_exists == Some(false)
        && !crate::refs::buckets::is_managed(cx.state, &spec.s3_bucket)
    {
        return Delta::unavailable(missing_bucket(&spec.s3_bucket));
    }
    let cloud_watch_logs = match &spec.cloud_watch_logs {
        Some(logs) => match delivery_arns(cx, logs, observed) {
            Ok(arns) => Some(arns),
            Err(reason) => return Delta::unavailable(reason),
        },
        None => None,
    };
    let mut delta = Delta::missing();
    let mut add = |path: &str, value: Value| delta.change(Change::new(path, None, Some(value)));
    add("spec.s3Bucket", spec.s3_bucket.as_str().into());
    if let Some(prefix) = &spec.s3_key_prefix {
        add("spec.s3KeyPrefix", prefix.as_str().into());
    }
    add("spec.multiRegion", spec.multi_region.into());
    add("spec.logFileValidation", spec.log_file_validation.into());
    if let Some(key) = &spec.kms_key {
        add("spec.kmsKey", key.as_str().into());
    }
    if spec.cloud_watch_logs.is_some() {
        add(
            "spec.cloudWatchLogs",
            delivery_value(spec.cloud_watch_logs.as_ref()),
        );
    }
    let events = spec.management_events;
    add(
        "spec.managementEvents",
        events_value(events.read, events.write),
    );
    add("spec.logging", spec.logging.into());
    let name = want.name().to_owned();
    delta.op(TrailOp::CreateTrail {
        name: name.clone(),
        settings: TrailSettings {
            s3_bucket: Some(spec.s3_bucket.clone()),
            s3_key_prefix: spec.s3_key_prefix.clone(),
            multi_region: Some(spec.multi_region),
            log_file_validation: Some(spec.log_file_validation),
            kms_key: spec.kms_key.clone(),
            cloud_watch_logs,
        },
        tags: cx.state.desired_tags(&spec.tags),
    });
    if events.read_write_type() != Some("All") {
        delta.op(TrailOp::PutEventSelectors {
            trail: name.clone(),
            read_write: events.read_write_type(),
        });
    }
    if spec.logging {
        delta.op(TrailOp::StartLogging { trail: name });
    }
    delta
}

fn plan_update(
    cx: &PlanContext<'_>,
    want: &Resource<CloudTrailSpec>,
    observed: &CloudTrailObserved,
    trail: &LiveTrail,
) -> Delta {
    let spec = &want.spec;
    let mut delta = Delta::exists();
    let mut settings = TrailSettings::default();
    if trail.s3_bucket != spec.s3_bucket {
        delta.change(Change::new(
            "spec.s3Bucket",
            Some(trail.s3_bucket.as_str().into()),
            Some(spec.s3_bucket.as_str().into()),
        ));
        if observed.bucket_exists == Some(false) {
            delta.block(missing_bucket(&spec.s3_bucket));
        } else {
            settings.s3_bucket = Some(spec.s3_bucket.clone());
        }
    } else if trail.delivery_error.as_deref() == Some("NoSuchBucket") {
        delta.block(missing_bucket(&spec.s3_bucket));
    }
    if trail.s3_key_prefix != spec.s3_key_prefix {
        delta.change(Change::new(
            "spec.s3KeyPrefix",
            trail.s3_key_prefix.as_deref().map(Value::from),
            spec.s3_key_prefix.as_deref().map(Value::from),
        ));
        settings.s3_key_prefix = Some(spec.s3_key_prefix.clone().unwrap_or_default());
    }
    if trail.multi_region != spec.multi_region {
        delta.change(flag(
            "spec.multiRegion",
            trail.multi_region,
            spec.multi_region,
        ));
        settings.multi_region = Some(spec.multi_region);
    }
    if trail.log_file_validation != spec.log_file_validation {
        delta.change(flag(
            "spec.logFileValidation",
            trail.log_file_validation,
            spec.log_file_validation,
        ));
        settings.log_file_validation = Some(spec.log_file_validation);
    }
    if !same_key(spec.kms_key.as_deref(), trail.kms_key.as_deref(), observed) {
        delta.change(Change::new(
            "spec.kmsKey",
            trail.kms_key.as_deref().map(Value::from),
            spec.kms_key.as_deref().map(Value::from),
        ));
        settings.kms_key = Some(spec.kms_key.clone().unwrap_or_default());
    }
    plan_delivery(cx, spec, observed, trail, &mut delta, &mut settings);
    let name = trail.arn.clone();
    if !spec.logging && trail.logging {
        delta.change(flag("spec.logging", true, false));
        delta.op(TrailOp::StopLogging {
            trail: name.clone(),
        });
    }
    if settings != TrailSettings::default() {
        delta.op(TrailOp::UpdateTrail {
            trail: name.clone(),
            settings,
        });
    }
    let events = spec.management_events;
    if trail.management_events != (events.read, events.write) {
        delta.change(Change::new(
            "spec.managementEvents",
            Some(events_value(
                trail.management_events.0,
                trail.management_events.1,
            )),
            Some(events_value(events.read, events.write)),
        ));
        delta.op(TrailOp::PutEventSelectors {
            trail: name.clone(),
            read_write: events.read_write_type(),
        });
    }
    if spec.logging && !trail.logging {
        delta.change(flag("spec.logging", false, true));
        delta.op(TrailOp::StartLogging { trail: name });
    }
    delta
}

fn plan_delivery(
    cx: &PlanContext<'_>,
    spec: &CloudTrailSpec,
    observed: &CloudTrailObserved,
    trail: &LiveTrail,
    delta: &mut Delta,
    settings: &mut TrailSettings,
) {
    let in_sync = match (&spec.cloud_watch_logs, &trail.log_group, &trail.role_arn) {
        (None, None, _) => true,
        (Some(logs), Some(group), Some(role)) => {
            *group == logs.log_group
                && same_role(&logs.role, role)
                && observed.log_group_arn.is_some()
        }
        _ => false,
    };
    if in_sync {
        return;
    }
    let live = trail.log_group.as_ref().map(
        |group| json!({"logGroup": group, "role": trail.role_arn.as_deref().unwrap_or_default()}),
    );
    delta.change(Change::new(
        "spec.cloudWatchLogs",
        live,
        spec.cloud_watch_logs
            .as_ref()
            .map(|logs| delivery_value(Some(logs))),
    ));
    match &spec.cloud_watch_logs {
        None => settings.cloud_watch_logs = Some((String::new(), String::new())),
        Some(logs) => match delivery_arns(cx, logs, observed) {
            Ok(arns) => settings.cloud_watch_logs = Some(arns),
            Err(reason) => delta.block(reason),
        },
    }
}

/// A role written as a name matches a live ARN with that name (whatever its path).
fn same_role(want: &str, live_arn: &str) -> bool {
    if want.starts_with("arn:") {
        want == live_arn
    } else {
        live_arn.rsplit('/').next() == Some(want)
    }
}

/// The manifest's key and the live one name the same key: written alike, or the manifest's
/// alias resolves to the live key ARN.
fn same_key(want: Option<&str>, live: Option<&str>, observed: &CloudTrailObserved) -> bool {
    match (want, live) {
        (None, None) => true,
        (Some(want), Some(live)) => {
            canonical_kms_key(want) == canonical_kms_key(live)
                || observed.kms_key_arn.as_deref() == Some(live)
        }
        _ => false,
    }
}

fn flag(path: &str, before: bool, after: bool) -> Change {
    Change::new(path, Some(before.into()), Some(after.into()))
}

#[cfg(test)]
mod tests;
