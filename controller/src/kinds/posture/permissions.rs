//! The IAM actions of `Posture`: EBS encryption by default, ECR registry scanning and the account's S3 Block Public Access, account-wide settings whose calls take no resource (`*`), each only when the Posture document manages it.

use afu9_spec::posture::PostureSpec;
use afu9_spec::registry_scanning::ScanType;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    state: &DesiredState,
    _scope: &ArnScope,
    _want: &[Resource<PostureSpec>],
) -> Vec<Grant> {
    let mut grants = Vec::new();
    if state.posture.ebs_encryption_by_default.is_some() {
        grants.push(Grant::any(Access::Read, &["ec2:GetEbsEncryptionByDefault"]));
        grants.push(Grant::any(
            Access::Write,
            &["ec2:EnableEbsEncryptionByDefault"],
        ));
    }
    if let Some(scanning) = state.posture.ecr_registry_scanning {
        grants.push(Grant::any(
            Access::Read,
            &["ecr:GetRegistryScanningConfiguration"],
        ));
        grants.push(Grant::any(
            Access::Write,
            &["ecr:PutRegistryScanningConfiguration"],
        ));
        if scanning.scan_type == ScanType::Enhanced {
            // Enhanced scanning is Amazon Inspector's: ECR enables it for the caller.
            grants.push(Grant::any(
                Access::Write,
                &["inspector2:Enable", "iam:CreateServiceLinkedRole"],
            ));
        }
    }
    if state.posture.s3_block_public_access.is_some() {
        grants.push(Grant::any(
            Access::Read,
            &["s3:GetAccountPublicAccessBlock"],
        ));
        grants.push(Grant::any(
            Access::Write,
            &["s3:PutAccountPublicAccessBlock"],
        ));
    }
    grants
}
