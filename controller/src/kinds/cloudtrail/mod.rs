//! `CloudTrail`: a trail's bucket, regions, log-file validation, KMS key, CloudWatch Logs
//! delivery, logging and management events, and tags.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use afu9_spec::cloudtrail::CloudTrailSpec;
use afu9_spec::iam::IamRoleSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, ManifestKind, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::{TrailOp, TrailSettings};

/// The CloudTrail trail kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudTrails;

/// What observing one trail found: the trail, and the things it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CloudTrailObserved {
    /// The trail, if it exists in this region.
    pub trail: Option<LiveTrail>,
    /// Whether the manifest's bucket exists; `None` when it was not asked (the trail
    /// already delivers to it) or could not be told (access denied: not ours to check).
    pub bucket_exists: Option<bool>,
    /// Whether the live trail's bucket logs its server access (`GetBucketLogging`, for
    /// CloudTrail.7); `None` when there is no trail or S3 will not say (a bucket in another
    /// account).
    pub bucket_access_logging: Option<bool>,
    /// The manifest's log group's ARN (`…:log-group:NAME:*`), or `None` when it does not
    /// exist (or the manifest names none).
    pub log_group_arn: Option<String>,
    /// The manifest's KMS alias resolved to its key ARN, when the live key is a key ARN
    /// that the alias's text alone cannot be compared with.
    pub kms_key_arn: Option<String>,
}

/// A trail as CloudTrail reports it, in the manifest's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveTrail {
    /// The trail ARN.
    pub arn: String,
    /// The bucket.
    pub s3_bucket: String,
    /// The key prefix, if any.
    pub s3_key_prefix: Option<String>,
    /// Multi-region.
    pub multi_region: bool,
    /// Log-file validation.
    pub log_file_validation: bool,
    /// The KMS key as CloudTrail returned it (AWS: the key ARN), if any.
    pub kms_key: Option<String>,
    /// The CloudWatch Logs log group's name, if delivering.
    pub log_group: Option<String>,
    /// The delivery role's ARN, if delivering.
    pub role_arn: Option<String>,
    /// Whether it is logging.
    pub logging: bool,
    /// Management events recorded: (read, write).
    pub management_events: (bool, bool),
    /// CloudTrail's last error delivering to the bucket (`NoSuchBucket`), if any.
    pub delivery_error: Option<String>,
    /// All tags.
    pub tags: Tags,
}

impl ManagedKind for CloudTrails {
    type Spec = CloudTrailSpec;
    type Observed = CloudTrailObserved;
    const SERVICE: &'static str = "CloudTrail";
    const NOUN: &'static str = "trail";
    /// A posture has one or two trails; CloudTrail's control plane allows few calls a second.
    const WRITE_LIMIT: usize = 4;

    fn needs_identity(state: &afu9_spec::DesiredState) -> bool {
        state.cloud_trails.iter().any(|trail| {
            trail
                .spec
                .cloud_watch_logs
                .as_ref()
                .is_some_and(|logs| !logs.role.starts_with("arn:"))
        })
    }

    /// The `IamRole` manifest its CloudWatch Logs delivery names (the trail delivers through
    /// it once it exists with its policies), the `KmsKey` manifest its key names, and the
    /// `Bucket` and `LogGroup` manifests it delivers to.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        want.spec
            .cloud_watch_logs
            .iter()
            .map(|logs| logs.role.as_str())
            .filter(|role| state.iam_roles.iter().any(|r| r.name() == *role))
            .map(|role| Dependency::done(IamRoleSpec::KIND, role))
            .chain(crate::refs::kms::key_dependency(
                state,
                want.spec.kms_key.as_deref(),
            ))
            .chain(crate::refs::buckets::bucket_dependency(
                state,
                &want.spec.s3_bucket,
            ))
            .chain(
                want.spec.cloud_watch_logs.as_ref().and_then(|logs| {
                    crate::refs::logs::log_group_dependency(state, &logs.log_group)
                }),
            )
            .collect()
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx, want, have)
    }
}

impl Tagged for CloudTrails {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        have.trail.as_ref().map(|trail| LiveTags {
            tags: &trail.tags,
            target: &trail.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(TrailOp::AddTags { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(TrailOp::RemoveTags { arn, keys })
    }
}
