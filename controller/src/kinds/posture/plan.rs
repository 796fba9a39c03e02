//! The pure part of the account settings: compare the Posture document with what EC2 says.

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
    delta
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::load::load_str;

    use super::super::{AccountSettings, AccountSettingsObserved};
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

    #[test]
    fn ebs_encryption_on_is_in_sync() {
        let plan = planned(true);
        assert_eq!(plan.action, Action::Noop);
        assert!(plan.ops.is_empty());
    }
}
