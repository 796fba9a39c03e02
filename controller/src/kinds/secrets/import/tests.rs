use std::collections::BTreeMap;

use afu9_spec::secrets::Schedule;

use super::*;
use crate::kinds::round_trip::round_trip;

fn secret(rotating: bool) -> SecretObserved {
    SecretObserved {
        arn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:afu9/database-AbCdEf"
            .to_owned(),
        description: Some("database password".to_owned()),
        kms_key: Some("alias/afu9-secrets".to_owned()),
        rotation_enabled: rotating,
        rotation_lambda: rotating.then(|| {
            "arn:aws:lambda:eu-central-1:123456789012:function:afu9-rotate-db-password".to_owned()
        }),
        schedule: rotating.then_some(Schedule::Days(90)),
        has_value: true,
        created: Some(0),
        last_rotated: None,
        value_stored: None,
        rotation_pending: None,
        deletion_date: None,
        observed_at: 1,
        tags: afu9_spec::tags::Tags::new(),
    }
}

#[test]
fn a_rotating_secret_imports_in_sync_and_is_adopted() {
    let have = secret(true);
    let plan = round_trip::<Secrets>("afu9/database", &have, &BTreeMap::new(), None);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.tags.managed-by"], "{:?}", plan.reason);
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9/database",
        &have,
    );
    assert_eq!(spec.rotation.and_then(|r| r.after_days), Some(90));
}

#[test]
fn a_secret_that_does_not_rotate_imports_without_rotation() {
    let have = secret(false);
    let plan = round_trip::<Secrets>("afu9/database", &have, &BTreeMap::new(), None);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.tags.managed-by"], "{:?}", plan.reason);
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9/database",
        &have,
    );
    assert!(spec.rotation.is_none());
}
