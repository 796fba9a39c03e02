//! The account and region guard: refuse to act on an account or region the desired state
//! does not name.

use afu9_spec::DesiredState;

use crate::aws::{Aws, AwsError};

/// Why the controller refuses to touch this account.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// The credentials belong to another account.
    #[error(
        "refusing to act: the desired state is for account {want}, but the credentials are for account {have}"
    )]
    WrongAccount {
        /// The posture's account.
        want: String,
        /// The caller's account.
        have: String,
    },
    /// The clients talk to another region.
    #[error(
        "refusing to act: the desired state is for region {want}, but the AWS region in use is {have}"
    )]
    WrongRegion {
        /// The posture's region.
        want: String,
        /// The configured region.
        have: String,
    },
    /// No region was configured at all.
    #[error("no AWS region: set AWS_REGION, --region, or spec.region in the Posture document")]
    NoRegion,
    /// STS could not say who we are.
    #[error(transparent)]
    Identity(#[from] AwsError),
}

/// Checks the region the clients use and, when the posture names an account, asks STS
/// whose credentials these are. One STS call at most.
pub async fn check_target(aws: &Aws, state: &DesiredState) -> Result<(), GuardError> {
    let Some(region) = &aws.region else {
        return Err(GuardError::NoRegion);
    };
    if let Some(want) = &state.posture.region
        && want != region
    {
        return Err(GuardError::WrongRegion {
            want: want.clone(),
            have: region.clone(),
        });
    }
    if let Some(want) = &state.posture.account_id {
        let have = &aws.identity().await?.account;
        if have != want {
            return Err(GuardError::WrongAccount {
                want: want.clone(),
                have: have.clone(),
            });
        }
    }
    Ok(())
}
