//! Importing the account settings: one Posture document for the account the credentials
//! belong to, named after it and pinned to it (`accountId`: a plan with other credentials
//! then refuses to run) and to the region the settings were read in, stating every setting
//! the kind manages. Default tags and ignored tag keys are the team's choice, not a live
//! value: the document leaves them out.

use afu9_spec::posture::PostureSpec;

use super::{AccountSettings, AccountSettingsObserved};
use crate::aws::Aws;
use crate::engine::{Discovery, ImportContext, Imports};

impl Imports for AccountSettings {
    const FILE: &'static str = "posture.yaml";

    /// The one account the credentials belong to, with a probe that makes `observe` read every
    /// setting.
    fn discover(aws: &Aws) -> Discovery<'_, PostureSpec> {
        Box::pin(async move {
            let account = aws.identity().await?.account.clone();
            let probe = PostureSpec {
                ebs_encryption_by_default: Some(true),
                ..PostureSpec::default()
            };
            Ok(vec![(account, probe)])
        })
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &AccountSettingsObserved) -> PostureSpec {
        import(cx, name, have)
    }
}

fn import(_cx: ImportContext<'_>, account: &str, have: &AccountSettingsObserved) -> PostureSpec {
    PostureSpec {
        account_id: Some(account.to_owned()),
        region: have.region.clone(),
        ebs_encryption_by_default: have.ebs_encryption_by_default,
        ..PostureSpec::default()
    }
}

#[cfg(test)]
mod tests;
