use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::aws::Identity;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

const KEY_ID: &str = "0f1e2d3c-aaaa-bbbb-cccc-123456789012";

fn identity() -> Identity {
    Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/afu9".to_owned(),
    }
}

/// The AFU-9 trail as CloudTrail reports it: its key as the key ARN, which the imported
/// manifest's alias resolves to.
fn audit_trail() -> CloudTrailObserved {
    let key_arn = format!("arn:aws:kms:eu-central-1:123456789012:key/{KEY_ID}");
    CloudTrailObserved {
        trail: Some(LiveTrail {
            arn: "arn:aws:cloudtrail:eu-central-1:123456789012:trail/afu9-audit-trail".to_owned(),
            s3_bucket: "afu9-audit-logs".to_owned(),
            s3_key_prefix: Some("trail".to_owned()),
            multi_region: true,
            log_file_validation: true,
            kms_key: Some(key_arn.clone()),
            log_group: Some("/afu9/cloudtrail".to_owned()),
            role_arn: Some("arn:aws:iam::123456789012:role/afu9-cloudtrail-logs".to_owned()),
            logging: true,
            management_events: (true, true),
            delivery_error: None,
            tags: [
                (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
                ("team".to_owned(), "security".to_owned()),
            ]
            .into_iter()
            .collect(),
        }),
        bucket_exists: None,
        bucket_access_logging: None,
        log_group_arn: Some(
            "arn:aws:logs:eu-central-1:123456789012:log-group:/afu9/cloudtrail:*".to_owned(),
        ),
        kms_key_arn: Some(key_arn),
    }
}

#[test]
fn a_trail_with_an_imported_key_imports_in_sync_naming_the_key_by_its_alias() {
    let have = audit_trail();
    let names: BTreeMap<String, String> = [(KEY_ID.to_owned(), "afu9-audit".to_owned())]
        .into_iter()
        .collect();
    let spec = import(ImportContext { names: &names }, "afu9-audit-trail", &have);
    assert_eq!(spec.kms_key.as_deref(), Some("alias/afu9-audit"));
    assert_eq!(
        spec.cloud_watch_logs.map(|logs| logs.role).as_deref(),
        Some("afu9-cloudtrail-logs")
    );
    let plan = round_trip::<CloudTrails>("afu9-audit-trail", &have, &names, Some(&identity()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

/// An insecure trail is imported as it is (its guardrails then refuse the manifest, as
/// `afu9ctl validate` shows).
#[test]
fn an_unencrypted_stopped_trail_without_delivery_is_imported_as_it_is() {
    let mut have = audit_trail();
    if let Some(trail) = have.trail.as_mut() {
        trail.kms_key = None;
        trail.log_group = None;
        trail.role_arn = None;
        trail.logging = false;
        trail.multi_region = false;
        trail.management_events = (false, true);
    }
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9-audit-trail", &have);
    assert_eq!(spec.kms_key, None);
    assert_eq!(spec.cloud_watch_logs, None);
    assert!(!spec.logging && !spec.multi_region);
    assert_eq!(
        (spec.management_events.read, spec.management_events.write),
        (false, true)
    );
}

#[test]
fn a_key_not_imported_and_a_role_on_a_path_stay_as_cloudtrail_reports_them() {
    let mut have = audit_trail();
    let role = "arn:aws:iam::123456789012:role/service/afu9-logs";
    if let Some(trail) = have.trail.as_mut() {
        trail.role_arn = Some(role.to_owned());
    }
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9-audit-trail", &have);
    let live = have.trail.as_ref().expect("a trail");
    assert_eq!(spec.kms_key, live.kms_key);
    assert_eq!(
        spec.cloud_watch_logs.map(|logs| logs.role).as_deref(),
        Some(role)
    );
    let plan = round_trip::<CloudTrails>("afu9-audit-trail", &have, &names, Some(&identity()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}
