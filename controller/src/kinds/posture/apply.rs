//! The account settings' write calls.

use crate::aws::{Aws, AwsError};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation};

/// One EC2 account-setting call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOp {
    /// `EnableEbsEncryptionByDefault` (or, never planned while the guardrail holds, its
    /// opposite).
    SetEbsEncryptionByDefault {
        /// The wanted setting.
        enabled: bool,
    },
}

impl Operation for AccountOp {
    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(&aws.ec2))
    }
}

impl WriteCall for AccountOp {
    fn call(&self) -> &'static str {
        match self {
            Self::SetEbsEncryptionByDefault { enabled: true } => "EnableEbsEncryptionByDefault",
            Self::SetEbsEncryptionByDefault { enabled: false } => "DisableEbsEncryptionByDefault",
        }
    }

    fn subject(&self) -> String {
        "update account EBS encryption by default".to_owned()
    }
}

impl AccountOp {
    async fn run(&self, ec2: &aws_sdk_ec2::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::SetEbsEncryptionByDefault { enabled: true } => {
                self.done(ec2.enable_ebs_encryption_by_default().send().await)
            }
            Self::SetEbsEncryptionByDefault { enabled: false } => {
                self.done(ec2.disable_ebs_encryption_by_default().send().await)
            }
        }
    }
}
