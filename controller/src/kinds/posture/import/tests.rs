use std::collections::BTreeMap;

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;
use afu9_spec::registry_scanning::RegistryScanning;

fn observed(ebs: bool) -> AccountSettingsObserved {
    AccountSettingsObserved {
        region: Some("eu-central-1".to_owned()),
        ebs_encryption_by_default: Some(ebs),
        registry_scanning: Some(RegistryScanningObserved {
            scan_type: "BASIC".to_owned(),
            rules: vec![ScanRule::every_repository(RegistryScanning::default())],
        }),
        s3_block_public_access: Some(afu9_spec::bucket::PublicAccessBlock::ALL),
    }
}

#[test]
fn the_account_settings_import_in_sync() {
    let plan =
        round_trip::<AccountSettings>("123456789012", &observed(true), &BTreeMap::new(), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

/// An account without EBS encryption by default is imported as it is (`validate` then names
/// the guardrail, `AFU9-POSTURE-004`, as for the other kinds' insecure settings), pinned to
/// its account and region.
#[test]
fn the_document_states_the_live_setting_and_where_it_was_read() {
    let cx = ImportContext {
        names: &BTreeMap::new(),
    };
    let spec = import(cx, "123456789012", &observed(false));
    assert_eq!(spec.account_id.as_deref(), Some("123456789012"));
    assert_eq!(spec.region.as_deref(), Some("eu-central-1"));
    assert_eq!(spec.ebs_encryption_by_default, Some(false));
    assert!(spec.default_tags.is_empty() && spec.ignore_tags.is_empty());
}
