//! The account settings' write calls (EC2's EBS default, ECR's registry scanning, S3
//! Control's account Block Public Access).

use crate::aws::{Aws, AwsError, ErrorClass};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation};

/// One account-setting call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOp {
    /// `EnableEbsEncryptionByDefault` (or, never planned while the guardrail holds, its
    /// opposite).
    SetEbsEncryptionByDefault {
        /// The wanted setting.
        enabled: bool,
    },
    /// `PutRegistryScanningConfiguration`: one rule scanning every repository (`*`).
    PutRegistryScanning {
        /// `BASIC` or `ENHANCED`.
        scan_type: &'static str,
        /// `SCAN_ON_PUSH` or `CONTINUOUS_SCAN`.
        frequency: &'static str,
    },
    /// S3 Control `PutPublicAccessBlock` for the caller's account: all four flags.
    PutS3PublicAccessBlock {
        /// The wanted flags.
        block: afu9_spec::bucket::PublicAccessBlock,
    },
}

impl Operation for AccountOp {
    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        match *self {
            Self::SetEbsEncryptionByDefault { enabled } => Box::pin(self.ebs(aws.ec2(), enabled)),
            Self::PutRegistryScanning {
                scan_type,
                frequency,
            } => Box::pin(self.scanning(aws.ecr(), scan_type, frequency)),
            Self::PutS3PublicAccessBlock { block } => Box::pin(self.public_access(aws, block)),
        }
    }
}

impl WriteCall for AccountOp {
    fn call(&self) -> &'static str {
        match self {
            Self::SetEbsEncryptionByDefault { enabled: true } => "EnableEbsEncryptionByDefault",
            Self::SetEbsEncryptionByDefault { enabled: false } => "DisableEbsEncryptionByDefault",
            Self::PutRegistryScanning { .. } => "PutRegistryScanningConfiguration",
            Self::PutS3PublicAccessBlock { .. } => "PutPublicAccessBlock",
        }
    }

    fn subject(&self) -> String {
        match self {
            Self::SetEbsEncryptionByDefault { .. } => {
                "update account EBS encryption by default".to_owned()
            }
            Self::PutRegistryScanning { .. } => "update the ECR registry's scanning".to_owned(),
            Self::PutS3PublicAccessBlock { .. } => {
                "update the account's S3 Block Public Access".to_owned()
            }
        }
    }
}

impl AccountOp {
    async fn ebs(&self, ec2: &aws_sdk_ec2::Client, enabled: bool) -> Result<OpOutcome, AwsError> {
        if enabled {
            self.done(ec2.enable_ebs_encryption_by_default().send().await)
        } else {
            self.done(ec2.disable_ebs_encryption_by_default().send().await)
        }
    }

    async fn public_access(
        &self,
        aws: &Aws,
        block: afu9_spec::bucket::PublicAccessBlock,
    ) -> Result<OpOutcome, AwsError> {
        let account = aws.identity().await?.account.clone();
        self.done(
            aws.s3control()
                .put_public_access_block()
                .account_id(account)
                .public_access_block_configuration(
                    aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                        .block_public_acls(block.block_public_acls)
                        .ignore_public_acls(block.ignore_public_acls)
                        .block_public_policy(block.block_public_policy)
                        .restrict_public_buckets(block.restrict_public_buckets)
                        .build(),
                )
                .send()
                .await,
        )
    }

    async fn scanning(
        &self,
        ecr: &aws_sdk_ecr::Client,
        scan_type: &str,
        frequency: &str,
    ) -> Result<OpOutcome, AwsError> {
        use aws_sdk_ecr::types::{
            RegistryScanningRule, ScanFrequency, ScanType, ScanningRepositoryFilter,
            ScanningRepositoryFilterType,
        };
        let invalid = |err: aws_sdk_ecr::error::BuildError| {
            self.failure(ErrorClass::Terminal, err.to_string())
        };
        let filter = ScanningRepositoryFilter::builder()
            .filter(afu9_spec::registry_scanning::EVERY_REPOSITORY)
            .filter_type(ScanningRepositoryFilterType::Wildcard)
            .build()
            .map_err(invalid)?;
        let rule = RegistryScanningRule::builder()
            .scan_frequency(ScanFrequency::from(frequency))
            .repository_filters(filter)
            .build()
            .map_err(invalid)?;
        self.done(
            ecr.put_registry_scanning_configuration()
                .scan_type(ScanType::from(scan_type))
                .rules(rule)
                .send()
                .await,
        )
    }
}
