//! The pure part of the account settings: compare the Posture document with what EC2, ECR
//! and S3 Control say.

use afu9_spec::Resource;
use afu9_spec::posture::PostureSpec;

use super::AccountSettingsObserved;
use super::apply::AccountOp;
use crate::diff::compare_field;
use crate::plan::Delta;

pub(super) fn plan(want: &Resource<PostureSpec>, have: Option<&AccountSettingsObserved>) -> Delta {
    let mut delta = Delta::exists();
    let Some(have) = have else {
        return delta;
    };
    if let (Some(want_ebs), Some(have_ebs)) = (
        want.spec.ebs_encryption_by_default,
        have.ebs_encryption_by_default,
    ) && compare_field(
        &mut delta.changes,
        "spec.ebsEncryptionByDefault",
        Some(want_ebs),
        have_ebs,
    ) {
        delta.op(AccountOp::SetEbsEncryptionByDefault { enabled: want_ebs });
    }
    if let (Some(want_scanning), Some(have_scanning)) =
        (want.spec.ecr_registry_scanning, &have.registry_scanning)
    {
        super::scanning::plan(want_scanning, have_scanning, &mut delta);
    }
    if let (Some(want_block), Some(have_block)) = (
        want.spec.s3_block_public_access,
        have.s3_block_public_access,
    ) {
        super::public_access::plan(want_block, have_block, &mut delta);
    }
    delta
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::load::load_str;

    use afu9_spec::registry_scanning::RegistryScanning;

    use super::super::{
        AccountSettings, AccountSettingsObserved, RegistryScanningObserved, ScanRule,
    };
    use crate::engine::PlanContext;
    use crate::plan::Action;

    const POSTURE: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {name: afu9}\nspec: {ebsEncryptionByDefault: true}\n";

    fn planned(have: bool) -> crate::plan::ResourcePlan {
        let state = load_str(Path::new("posture.yaml"), POSTURE).expect("valid");
        let want = state.posture_document.clone().expect("a Posture document");
        let cx = PlanContext {
            state: &state,
            events: &[],
            identity: None,
        };
        let observed = AccountSettingsObserved {
            region: None,
            ebs_encryption_by_default: Some(have),
            registry_scanning: None,
            s3_block_public_access: None,
        };
        crate::kinds::registered::<AccountSettings>().plan_one(&cx, &want, Some(&observed))
    }

    #[test]
    fn ebs_encryption_off_is_drift_turned_on() {
        let plan = planned(false);
        assert_eq!(plan.action, Action::Update);
        assert_eq!(plan.changes[0].path, "spec.ebsEncryptionByDefault");
        assert_eq!(plan.ops.len(), 1);
        assert_eq!(plan.ops[0].call(), "EnableEbsEncryptionByDefault");
    }

    fn planned_scanning(have: RegistryScanningObserved) -> crate::plan::ResourcePlan {
        let text = POSTURE.replace(
            "ebsEncryptionByDefault: true",
            "ecrRegistryScanning: {scanType: BASIC}",
        );
        let state = load_str(Path::new("posture.yaml"), &text).expect("valid");
        let want = state.posture_document.clone().expect("a Posture document");
        let cx = PlanContext {
            state: &state,
            events: &[],
            identity: None,
        };
        let observed = AccountSettingsObserved {
            region: None,
            ebs_encryption_by_default: None,
            registry_scanning: Some(have),
            s3_block_public_access: None,
        };
        crate::kinds::registered::<AccountSettings>().plan_one(&cx, &want, Some(&observed))
    }

    /// ECR's default (basic, no rule: manual scanning) and a rule for some repositories only
    /// are drift fixed by one call; the `*` rule on push is in sync.
    #[test]
    fn registry_scanning_is_one_rule_for_every_repository() {
        let default = planned_scanning(RegistryScanningObserved {
            scan_type: "BASIC".to_owned(),
            rules: Vec::new(),
        });
        assert_eq!(default.action, Action::Update);
        assert_eq!(default.changes[0].path, "spec.ecrRegistryScanning.rules");
        assert_eq!(default.ops.len(), 1);
        assert_eq!(default.ops[0].call(), "PutRegistryScanningConfiguration");
        let narrow = planned_scanning(RegistryScanningObserved {
            scan_type: "ENHANCED".to_owned(),
            rules: vec![ScanRule {
                frequency: "SCAN_ON_PUSH".to_owned(),
                filters: vec![("afu9/*".to_owned(), "WILDCARD".to_owned())],
            }],
        });
        let paths: Vec<&str> = narrow.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.ecrRegistryScanning.scanType",
                "spec.ecrRegistryScanning.rules"
            ]
        );
        assert_eq!(narrow.ops.len(), 1);
        let every = planned_scanning(RegistryScanningObserved {
            scan_type: "BASIC".to_owned(),
            rules: vec![ScanRule::every_repository(RegistryScanning::default())],
        });
        assert_eq!(every.action, Action::Noop, "{:?}", every.changes);
    }

    #[test]
    fn ebs_encryption_on_is_in_sync() {
        let plan = planned(true);
        assert_eq!(plan.action, Action::Noop);
        assert!(plan.ops.is_empty());
    }
}
