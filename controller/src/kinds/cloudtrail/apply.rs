//! CloudTrail write calls, one `TrailOp` each, all idempotent.

use afu9_spec::tags::Tags;
use aws_sdk_cloudtrail::types::{EventSelector, ReadWriteType, Tag};

use crate::aws::{Aws, AwsError, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation};

/// A trail's settings as `CreateTrail` and `UpdateTrail` take them, fixed at plan time.
/// `None` in an update leaves the setting alone; an empty string removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailSettings {
    /// The bucket.
    pub s3_bucket: Option<String>,
    /// The key prefix (`""`: none).
    pub s3_key_prefix: Option<String>,
    /// Multi-region (with global service events, which AWS requires of it).
    pub multi_region: Option<bool>,
    /// Log-file validation.
    pub log_file_validation: Option<bool>,
    /// The KMS key as the manifest writes it (`""`: none).
    pub kms_key: Option<String>,
    /// The log group ARN (`arn:…:log-group:NAME:*`) and the role ARN (`""`, `""`: none).
    pub cloud_watch_logs: Option<(String, String)>,
}

/// One CloudTrail call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum TrailOp {
    /// Create the trail with its settings and tags (it is created not logging).
    CreateTrail {
        /// Trail name.
        name: String,
        /// Every setting.
        settings: TrailSettings,
        /// Every tag, the ownership tag included.
        tags: Tags,
    },
    /// Change the settings that differ, in one call.
    UpdateTrail {
        /// Trail name or ARN.
        trail: String,
        /// The settings to change.
        settings: TrailSettings,
    },
    /// Record management events: `All`, `ReadOnly`, `WriteOnly`, or none.
    PutEventSelectors {
        /// Trail name or ARN.
        trail: String,
        /// `ReadWriteType`; `None`: no management events.
        read_write: Option<&'static str>,
    },
    /// Start logging.
    StartLogging {
        /// Trail name or ARN.
        trail: String,
    },
    /// Stop logging.
    StopLogging {
        /// Trail name or ARN.
        trail: String,
    },
    /// Add or overwrite tags.
    AddTags {
        /// Trail ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    RemoveTags {
        /// Trail ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

/// Every trail call converges, `CreateTrail` included: creating a trail names its bucket,
/// key, log group and role, which CloudTrail checks then (the bucket's policy, the key's), so
/// it waits for the manifests that create them in the same apply; no resource refers to a
/// trail, so nothing waits for it to exist.
impl Operation for TrailOp {
    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.cloudtrail()))
    }
}

impl WriteCall for TrailOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateTrail { name: trail, .. }
            | Self::UpdateTrail { trail, .. }
            | Self::PutEventSelectors { trail, .. }
            | Self::StartLogging { trail }
            | Self::StopLogging { trail } => format!("update trail {trail}"),
            Self::AddTags { arn, .. } | Self::RemoveTags { arn, .. } => format!("tag trail {arn}"),
        }
    }
}

impl TrailOp {
    async fn run(&self, cloudtrail: &aws_sdk_cloudtrail::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateTrail {
                name,
                settings,
                tags,
            } => {
                let (log_group, role) = settings.cloud_watch_logs.clone().unzip();
                let request = cloudtrail
                    .create_trail()
                    .name(name)
                    .s3_bucket_name(settings.s3_bucket.clone().unwrap_or_default())
                    .set_s3_key_prefix(settings.s3_key_prefix.clone().filter(|p| !p.is_empty()))
                    .include_global_service_events(true)
                    .is_multi_region_trail(settings.multi_region.unwrap_or_default())
                    .enable_log_file_validation(settings.log_file_validation.unwrap_or_default())
                    .set_kms_key_id(settings.kms_key.clone().filter(|k| !k.is_empty()))
                    .set_cloud_watch_logs_log_group_arn(log_group.filter(|g| !g.is_empty()))
                    .set_cloud_watch_logs_role_arn(role.filter(|r| !r.is_empty()))
                    .set_tags_list(Some(sdk_tags(tags)));
                self.done_unless(
                    request.send().await,
                    "TrailAlreadyExistsException",
                    "the trail already exists; the next pass reconciles its settings",
                )
            }
            Self::UpdateTrail { trail, settings } => {
                let (log_group, role) = settings.cloud_watch_logs.clone().unzip();
                let mut request = cloudtrail
                    .update_trail()
                    .name(trail)
                    .set_s3_bucket_name(settings.s3_bucket.clone())
                    .set_s3_key_prefix(settings.s3_key_prefix.clone())
                    .set_is_multi_region_trail(settings.multi_region)
                    .set_enable_log_file_validation(settings.log_file_validation)
                    .set_kms_key_id(settings.kms_key.clone())
                    .set_cloud_watch_logs_log_group_arn(log_group)
                    .set_cloud_watch_logs_role_arn(role);
                if settings.multi_region == Some(true) {
                    request = request.include_global_service_events(true);
                }
                self.done(request.send().await)
            }
            Self::PutEventSelectors { trail, read_write } => {
                let selector = EventSelector::builder()
                    .read_write_type(ReadWriteType::from(read_write.unwrap_or("All")))
                    .include_management_events(read_write.is_some())
                    .build();
                self.done(
                    cloudtrail
                        .put_event_selectors()
                        .trail_name(trail)
                        .event_selectors(selector)
                        .send()
                        .await,
                )
            }
            Self::StartLogging { trail } => {
                self.done(cloudtrail.start_logging().name(trail).send().await)
            }
            Self::StopLogging { trail } => {
                self.done(cloudtrail.stop_logging().name(trail).send().await)
            }
            Self::AddTags { arn, tags } => self.done(
                cloudtrail
                    .add_tags()
                    .resource_id(arn)
                    .set_tags_list(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::RemoveTags { arn, keys } => self.done(
                cloudtrail
                    .remove_tags()
                    .resource_id(arn)
                    .set_tags_list(Some(
                        keys.iter()
                            .filter_map(|key| Tag::builder().key(key).build().ok())
                            .collect(),
                    ))
                    .send()
                    .await,
            ),
        }
    }
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().key(key).value(value).build().ok())
        .collect()
}
