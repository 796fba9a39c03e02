//! Importing the account settings: one Posture document for the account the credentials
//! belong to, named after it and pinned to it (`accountId`: a plan with other credentials
//! then refuses to run) and to the region the settings were read in, stating every setting
//! the kind manages (the account's S3 Block Public Access only when all four flags are on: a
//! flag off would be refused). Default tags and ignored tag keys are the team's choice, not a live
//! value: the document leaves them out.

use afu9_spec::bucket::PublicAccessBlock;
use afu9_spec::posture::PostureSpec;

use afu9_spec::registry_scanning::{RegistryScanning, ScanFrequency, ScanType};

use super::{AccountSettings, AccountSettingsObserved, RegistryScanningObserved, ScanRule};
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
                ecr_registry_scanning: Some(RegistryScanning::default()),
                s3_block_public_access: Some(PublicAccessBlock::ALL),
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
        ecr_registry_scanning: have.registry_scanning.as_ref().and_then(scanning),
        // A flag off would be refused (S3.1): the document then leaves the setting out
        // until someone chooses.
        s3_block_public_access: have.s3_block_public_access.filter(|block| block.all()),
        ..PostureSpec::default()
    }
}

/// The registry's scanning as the document can state it: one rule for every repository at a
/// scanning frequency. Anything else (ECR's default of manual scanning, narrower rules) is
/// left out, so the document does not manage it until someone chooses.
fn scanning(have: &RegistryScanningObserved) -> Option<RegistryScanning> {
    let [rule] = have.rules.as_slice() else {
        return None;
    };
    let wanted = RegistryScanning {
        scan_type: ScanType::from_name(&have.scan_type)?,
        frequency: ScanFrequency::from_name(&rule.frequency)?,
    };
    (*rule == ScanRule::every_repository(wanted)).then_some(wanted)
}

#[cfg(test)]
mod tests;
