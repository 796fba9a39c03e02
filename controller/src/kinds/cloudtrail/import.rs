//! Importing trails: every trail of the region (not the shadows of other regions' trails),
//! with every setting the kind manages. Its KMS key is named by the imported `KmsKey`
//! manifest's alias, its delivery role by name when the role has no path.

use afu9_spec::cloudtrail::{CloudTrailSpec, CloudWatchLogsDelivery, ManagementEvents};

use super::{CloudTrailObserved, CloudTrails, LiveTrail, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
use crate::permissions::{ArnScope, Grant};

impl Imports for CloudTrails {
    const FILE: &'static str = "audit.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, CloudTrailSpec> {
        Box::pin(async move {
            Ok(observe::every_trail(aws)
                .await?
                .iter()
                .map(|(name, live)| (name.clone(), probe(live)))
                .collect())
        })
    }

    fn live_id(have: &CloudTrailObserved) -> Option<String> {
        have.trail.as_ref().map(|trail| trail.arn.clone())
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &CloudTrailObserved) -> CloudTrailSpec {
        import(cx, name, have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::orphan_reads(scope)
    }
}

/// A manifest naming the trail's own bucket, so that `observe` does not look for another.
fn probe(live: &LiveTrail) -> CloudTrailSpec {
    CloudTrailSpec {
        s3_bucket: live.s3_bucket.clone(),
        s3_key_prefix: None,
        multi_region: false,
        log_file_validation: false,
        kms_key: None,
        cloud_watch_logs: None,
        logging: false,
        management_events: ManagementEvents::default(),
        guardrail_exceptions: Vec::new(),
        tags: afu9_spec::tags::Tags::new(),
    }
}

fn import(cx: ImportContext<'_>, _name: &str, have: &CloudTrailObserved) -> CloudTrailSpec {
    let trail = have.trail.clone().unwrap_or_default();
    CloudTrailSpec {
        s3_bucket: trail.s3_bucket,
        s3_key_prefix: trail.s3_key_prefix,
        multi_region: trail.multi_region,
        log_file_validation: trail.log_file_validation,
        kms_key: trail.kms_key.as_deref().map(|key| key_name(cx, key)),
        cloud_watch_logs: trail
            .log_group
            .zip(trail.role_arn)
            .map(|(log_group, role)| CloudWatchLogsDelivery {
                log_group,
                role: role_name(role),
            }),
        logging: trail.logging,
        management_events: ManagementEvents {
            read: trail.management_events.0,
            write: trail.management_events.1,
        },
        guardrail_exceptions: Vec::new(),
        tags: manifest_tags(&trail.tags),
    }
}

/// The trail's key as the alias of the imported `KmsKey` manifest for it (the plan resolves
/// the alias to the key ARN CloudTrail reports); a key not imported stays as CloudTrail
/// wrote it.
fn key_name(cx: ImportContext<'_>, key: &str) -> String {
    let id = key.rsplit_once(":key/").map_or(key, |(_, id)| id);
    cx.name_of(id)
        .map_or_else(|| key.to_owned(), |name| format!("alias/{name}"))
}

/// The delivery role's name when its ARN has no path (the manifest's `role` names a role of
/// this account by name, an `IamRole` manifest's name included); otherwise the ARN.
fn role_name(arn: String) -> String {
    match arn.split_once(":role/") {
        Some((_, name)) if !name.contains('/') => name.to_owned(),
        _ => arn,
    }
}

#[cfg(test)]
mod tests;
