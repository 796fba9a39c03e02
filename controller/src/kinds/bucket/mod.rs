//! `Bucket`: an S3 bucket's Block Public Access, default encryption, versioning, object
//! ownership, server access logging, lifecycle expiry, tags, and its bucket policy, owned by
//! meaning (the TLS-only statement, the delivering services' statements generated from the
//! manifests that write to it, and the manifest's own).

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod policy;
mod prune;

use std::collections::BTreeMap;

use afu9_spec::bucket::{BucketSpec, PublicAccessBlock};
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};
use serde_json::Value;

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::BucketOp;

/// The S3 bucket kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct Buckets;

/// What observing one bucket found: the bucket, and what its comparison needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketObserved {
    /// The region the clients talk to (the trails' ARNs in the policy name it).
    pub region: Option<String>,
    /// The bucket, if it exists.
    pub bucket: Option<LiveBucket>,
    /// The key ARNs of the aliases a key comparison needed (the manifest's alias against
    /// the key ARN S3 reports, or the other way round).
    pub kms_keys: BTreeMap<String, String>,
}

/// A bucket as S3 reports it, in the manifest's vocabulary; a field the manifest does not
/// manage is not read (`None`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveBucket {
    /// Block Public Access (all four flags off when none is configured).
    pub block_public_access: Option<PublicAccessBlock>,
    /// Default encryption: (`AES256` or `aws:kms`, the key as S3 holds it, bucket key on);
    /// `Some(None)` when the bucket has none.
    pub encryption: Option<Option<LiveEncryption>>,
    /// Versioning `Enabled`.
    pub versioning: Option<bool>,
    /// Object ownership (`BucketOwnerEnforced`); `Some(None)` when none is set.
    pub object_ownership: Option<Option<String>>,
    /// Server access logging's (target bucket, prefix); `Some(None)` when off.
    pub access_logging: Option<Option<(String, String)>>,
    /// The lifecycle rules.
    pub lifecycle: Option<Vec<LiveRule>>,
    /// The bucket policy, decoded; `None` when there is none.
    pub policy: Option<Value>,
    /// All tags.
    pub tags: Tags,
}

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key as S3 holds it, for KMS.
    pub kms_key: Option<String>,
    /// S3 Bucket Keys on.
    pub bucket_key: bool,
}

/// One lifecycle rule, as far as the manifest can state it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRule {
    /// The rule's id.
    pub id: String,
    /// `Enabled`.
    pub enabled: bool,
    /// The key prefix it applies to (empty: the whole bucket; `None`: another filter).
    pub prefix: Option<String>,
    /// Current objects expire after these days.
    pub expire_after_days: Option<u32>,
    /// Noncurrent versions expire after these days.
    pub noncurrent_expire_after_days: Option<u32>,
}

impl ManagedKind for Buckets {
    type Spec = BucketSpec;
    type Observed = BucketObserved;
    const SERVICE: &'static str = "S3";
    const NOUN: &'static str = "bucket";
    /// A posture has a handful of buckets, each up to nine calls from empty; S3's control
    /// plane takes far more.
    const WRITE_LIMIT: usize = 8;

    /// The policy names the bucket's and the trails' ARNs.
    fn needs_identity(state: &DesiredState) -> bool {
        !state.buckets.is_empty()
    }

    /// The bucket its server access logs go to, when a manifest names it (its policy lets
    /// this bucket's logs in first), and the `KmsKey` manifest its encryption names.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        let key = match &want.spec.encryption {
            Some(afu9_spec::bucket::BucketEncryption::SseKms { kms_key, .. }) => {
                Some(kms_key.as_str())
            }
            _ => None,
        };
        want.spec
            .access_logging
            .iter()
            .filter_map(|logging| crate::refs::buckets::bucket_dependency(state, &logging.bucket))
            .chain(crate::refs::kms::key_dependency(state, key))
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

impl Tagged for Buckets {
    fn live_tags<'a>(name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        have.bucket.as_ref().map(|bucket| LiveTags {
            tags: &bucket.tags,
            target: name,
        })
    }

    fn tag(bucket: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(BucketOp::PutBucketTagging {
            bucket,
            set: tags,
            remove: Vec::new(),
        })
    }

    fn untag(bucket: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(BucketOp::PutBucketTagging {
            bucket,
            set: Tags::new(),
            remove: keys,
        })
    }
}
