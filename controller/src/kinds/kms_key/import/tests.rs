use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

#[test]
fn a_rotating_key_with_a_policy_imports_in_sync() {
    let have = KmsKeyObserved {
        key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".to_owned(),
        manager: "CUSTOMER".to_owned(),
        state: "Enabled".to_owned(),
        description: "audit trail".to_owned(),
        rotation: Some(true),
        policy: Some(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#
                .to_owned(),
        ),
        tags: [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
            .into_iter()
            .collect(),
        aliased: true,
    };
    let plan = round_trip::<KmsKeys>("afu9-audit", &have, &BTreeMap::new(), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-audit",
        &have,
    );
    assert!(spec.policy.is_some());
    assert_eq!(spec.rotation, Some(true));
}
