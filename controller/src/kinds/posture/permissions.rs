//! The IAM actions of `Posture`: EBS encryption by default, an account-wide setting whose calls take no resource (`*`), only when the Posture document manages it.

use afu9_spec::posture::PostureSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    state: &DesiredState,
    _scope: &ArnScope,
    _want: &[Resource<PostureSpec>],
) -> Vec<Grant> {
    if !state.posture.manages_account_settings() {
        return Vec::new();
    }
    vec![
        Grant::any(Access::Read, &["ec2:GetEbsEncryptionByDefault"]),
        Grant::any(Access::Write, &["ec2:EnableEbsEncryptionByDefault"]),
    ]
}
