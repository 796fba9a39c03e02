//! `Posture`: the account-wide settings of the Posture document (EBS encryption by default,
//! Security Hub EC2.7; ECR registry scanning, ECR.1 for every repository; S3 Block Public
//! Access for the account, S3.1), reconciled as one
//! resource named after the document.
//!
//! A singleton kind rather than a special case in the engine: the setting has a live value, a
//! drift, a write call and a management policy like any field, so it goes through the same
//! observe, plan and decision, and shows in plans as `Posture/<name>`. It has no tags and no
//! owner to check: the setting belongs to the account, and naming it in the Posture document
//! is the claim.

mod apply;
mod attest;
mod events;
mod import;
mod permissions;
mod plan;
mod public_access;
mod scanning;

use afu9_spec::posture::PostureSpec;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{ManagedKind, PlanContext};
use crate::permissions::{ArnScope, Grant};
use crate::plan::Delta;

pub use apply::AccountOp;
pub use scanning::{RegistryScanningObserved, ScanRule};

/// The account-wide settings kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountSettings;

/// The account's settings in the region, as EC2 reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSettingsObserved {
    /// The region the settings were read in (EBS encryption by default is a regional
    /// setting), as the clients are configured; `None` when they take the SDK's default.
    pub region: Option<String>,
    /// `GetEbsEncryptionByDefault`; `None` when the document does not manage it (not read).
    pub ebs_encryption_by_default: Option<bool>,
    /// `GetRegistryScanningConfiguration`; `None` when the document does not manage it.
    pub registry_scanning: Option<RegistryScanningObserved>,
    /// S3 Control's `GetPublicAccessBlock` for the account (every flag off when it has
    /// none); `None` when the document does not manage it.
    pub s3_block_public_access: Option<afu9_spec::bucket::PublicAccessBlock>,
}

impl ManagedKind for AccountSettings {
    type Spec = PostureSpec;
    type Observed = AccountSettingsObserved;
    const SERVICE: &'static str = "EC2";
    const NOUN: &'static str = "account";
    /// One call per pass at most.
    const WRITE_LIMIT: usize = 8;

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
        observe(aws, want)
    }

    fn plan(
        _cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(want, have)
    }
}

/// One read per setting the document manages (there is one document at most).
async fn observe(
    aws: &Aws,
    want: &[Resource<PostureSpec>],
) -> Result<Vec<Option<AccountSettingsObserved>>, AwsError> {
    let mut observed = Vec::with_capacity(want.len());
    for document in want {
        let ebs_encryption_by_default = match document.spec.ebs_encryption_by_default {
            Some(_) => Some(read_ebs_default(aws.ec2()).await?),
            None => None,
        };
        let registry_scanning = match document.spec.ecr_registry_scanning {
            Some(_) => Some(scanning::read(aws.ecr()).await?),
            None => None,
        };
        let s3_block_public_access = match document.spec.s3_block_public_access {
            Some(_) => Some(public_access::read(aws).await?),
            None => None,
        };
        observed.push(Some(AccountSettingsObserved {
            region: aws.region.clone(),
            ebs_encryption_by_default,
            registry_scanning,
            s3_block_public_access,
        }));
    }
    Ok(observed)
}

async fn read_ebs_default(ec2: &aws_sdk_ec2::Client) -> Result<bool, AwsError> {
    ec2.get_ebs_encryption_by_default()
        .send()
        .await
        .map(|output| output.ebs_encryption_by_default.unwrap_or(false))
        .map_err(|err| {
            AwsError::from_sdk(
                "observe account EBS encryption by default",
                "GetEbsEncryptionByDefault",
                &err,
            )
        })
}
