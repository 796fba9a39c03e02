//! `Bucket`: an S3 bucket's protections: Block Public Access, default encryption,
//! versioning, object ownership, server access logging, lifecycle expiry, tags, and its
//! bucket policy.
//!
//! Fields left out are not managed, except the bucket policy, which is owned by meaning: it
//! always holds a statement denying requests without TLS (Security Hub S3.5), the statements
//! the services that deliver to the bucket need, generated from the manifests that name it
//! (a `CloudTrail`'s `s3Bucket`, a `LoadBalancer`'s `accessLogs.bucket`, another `Bucket`'s
//! `accessLogging.bucket`), and the `additionalStatements` written here. A bucket is created
//! when missing; a pruned bucket that still holds objects is never deleted.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kinds::security_group::GuardrailException;
use crate::tags::Tags;

pub use validate::{
    KMS_FOR_A_LOG_TARGET, NO_ACCESS_LOGGING, NO_BLOCK_PUBLIC_ACCESS, NO_ENCRYPTION, NO_VERSIONING,
    OWNERSHIP, sse_s3_writers,
};

/// The desired configuration of one bucket (`metadata.name` is the bucket name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BucketSpec {
    /// The bucket's Block Public Access settings (Security Hub S3.8); every flag defaults
    /// to `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_public_access: Option<PublicAccessBlock>,
    /// Default encryption of new objects (S3.17: SSE-KMS). SSE-S3 where the writing service
    /// requires it: Elastic Load Balancing access logs and S3 server access logs can only be
    /// delivered to an SSE-S3 bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<BucketEncryption>,
    /// Object versioning (S3.14); `false` suspends it (it can never be turned off again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<bool>,
    /// Object ownership; `BucketOwnerEnforced` turns ACLs off (S3.12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_ownership: Option<ObjectOwnership>,
    /// Server access logging to another bucket (S3.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_logging: Option<AccessLogging>,
    /// Object expiry; the bucket's lifecycle configuration is then owned whole (one rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Bucket-policy statements beyond the generated ones (IAM policy statements, compared
    /// by meaning).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_statements: Vec<Value>,
    /// Guardrails this bucket is allowed to break, each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardrail_exceptions: Vec<GuardrailException>,
    /// The bucket's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// S3 Block Public Access: the four flags, each `true` unless written otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[expect(
    clippy::struct_excessive_bools,
    reason = "the four independent flags of S3's PublicAccessBlockConfiguration"
)]
pub struct PublicAccessBlock {
    /// Refuse requests that add public ACLs.
    #[serde(default = "yes")]
    pub block_public_acls: bool,
    /// Ignore public ACLs already there.
    #[serde(default = "yes")]
    pub ignore_public_acls: bool,
    /// Refuse bucket policies that grant public access.
    #[serde(default = "yes")]
    pub block_public_policy: bool,
    /// Restrict access to a bucket with a public policy to AWS services and the account.
    #[serde(default = "yes")]
    pub restrict_public_buckets: bool,
}

impl Default for PublicAccessBlock {
    fn default() -> Self {
        Self::ALL
    }
}

impl PublicAccessBlock {
    /// Every flag on.
    pub const ALL: Self = Self {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// Whether every flag is on.
    pub fn all(self) -> bool {
        self == Self::ALL
    }
}

/// Default encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum BucketEncryption {
    /// S3-managed keys (`AES256`): what ELB access logs and S3 server access logs require.
    #[serde(rename = "SSE-S3")]
    SseS3,
    /// A KMS key (`aws:kms`).
    #[serde(rename = "SSE-KMS", rename_all = "camelCase")]
    SseKms {
        /// The key: an alias (`alias/afu9-audit`: a `KmsKey` manifest by its name), alias
        /// ARN, key id or key ARN.
        kms_key: String,
        /// S3 Bucket Keys (fewer KMS calls); left out: not managed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bucket_key: Option<bool>,
    },
}

/// Who owns the objects written to the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ObjectOwnership {
    /// ACLs are off; the bucket owner owns every object.
    BucketOwnerEnforced,
    /// The bucket owner owns objects written with `bucket-owner-full-control`.
    BucketOwnerPreferred,
    /// The writer owns its objects.
    ObjectWriter,
}

impl ObjectOwnership {
    /// The name S3 uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BucketOwnerEnforced => "BucketOwnerEnforced",
            Self::BucketOwnerPreferred => "BucketOwnerPreferred",
            Self::ObjectWriter => "ObjectWriter",
        }
    }
}

/// Where the bucket's server access logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessLogging {
    /// The target bucket (a `Bucket` manifest by name, or a bucket that exists); not the
    /// bucket itself.
    pub bucket: String,
    /// The key prefix of the log objects; left out: none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
}

/// Object expiry, as one whole-bucket lifecycle rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Lifecycle {
    /// Current objects expire this many days after they were written.
    pub expire_after_days: u32,
    /// Noncurrent versions are deleted this many days after they became noncurrent; left
    /// out: kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noncurrent_expire_after_days: Option<u32>,
}

fn yes() -> bool {
    true
}
