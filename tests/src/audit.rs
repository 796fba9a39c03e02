//! What the AFU-9 audit manifests refer to but do not manage, created in the emulator as the
//! platform's bootstrap would: the trail's bucket, the log group, the delivery role and the
//! two KMS keys with their aliases. And SDK clients for the audit services.

use aws_sdk_cloudtrail::Client as CloudTrail;
use aws_sdk_cloudwatch::Client as CloudWatch;
use aws_sdk_cloudwatchlogs::Client as Logs;
use aws_sdk_sns::Client as Sns;

use crate::{Emulator, REGION};

/// The trail's bucket.
pub const BUCKET: &str = "afu9-audit-logs";
/// The log group the trail delivers to and the filters read.
pub const LOG_GROUP: &str = "/afu9/cloudtrail";
/// The role CloudTrail assumes to deliver to the log group.
pub const DELIVERY_ROLE: &str = "afu9-cloudtrail-logs";

/// The ARNs of the keys created by [`seed_audit_prerequisites`].
#[derive(Debug, Clone)]
pub struct AuditKeys {
    /// The key behind `alias/afu9-audit` (the trail's).
    pub audit: String,
    /// The key behind `alias/afu9-alerts` (the topic's).
    pub alerts: String,
}

impl Emulator {
    /// A CloudTrail client for injecting and checking state.
    pub fn cloudtrail(&self) -> CloudTrail {
        CloudTrail::new(&self.sdk_config())
    }

    /// A CloudWatch client for injecting and checking state.
    pub fn cloudwatch(&self) -> CloudWatch {
        CloudWatch::new(&self.sdk_config())
    }

    /// A CloudWatch Logs client for injecting and checking state.
    pub fn logs(&self) -> Logs {
        Logs::new(&self.sdk_config())
    }

    /// An SNS client for injecting and checking state.
    pub fn sns(&self) -> Sns {
        Sns::new(&self.sdk_config())
    }

    /// An S3 client (path-style, as the emulator needs).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.sdk_config())
                .force_path_style(true)
                .build(),
        )
    }

    /// A KMS client.
    pub fn kms(&self) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::new(&self.sdk_config())
    }

    /// Creates the trail's bucket.
    pub async fn create_audit_bucket(&self) {
        self.s3()
            .create_bucket()
            .bucket(BUCKET)
            .create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                    .build(),
            )
            .send()
            .await
            .expect("create the audit bucket");
    }

    /// Creates the log group the trail delivers to.
    pub async fn create_audit_log_group(&self) {
        self.logs()
            .create_log_group()
            .log_group_name(LOG_GROUP)
            .send()
            .await
            .expect("create the log group");
    }
}

/// Creates everything the audit manifests refer to: bucket, log group, role, keys.
pub async fn seed_audit_prerequisites(emulator: &Emulator) -> AuditKeys {
    emulator.create_audit_bucket().await;
    emulator.create_audit_log_group().await;
    emulator
        .iam()
        .create_role()
        .role_name(DELIVERY_ROLE)
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .expect("create the delivery role");
    AuditKeys {
        audit: key_with_alias(emulator, "alias/afu9-audit").await,
        alerts: key_with_alias(emulator, "alias/afu9-alerts").await,
    }
}

async fn key_with_alias(emulator: &Emulator, alias: &str) -> String {
    let kms = emulator.kms();
    let key = kms
        .create_key()
        .send()
        .await
        .expect("create a key")
        .key_metadata
        .expect("key metadata");
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(&key.key_id)
        .send()
        .await
        .expect("create the alias");
    key.arn.expect("key ARN")
}
