use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::Tags;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::diff::kms::canonical_kms_key;
use crate::engine::PlanContext;
use crate::kinds::secrets::Secrets;
use crate::plan::{Action, ResourcePlan};

const ARN: &str = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:afu9/database-AbCdEf";
const LAMBDA: &str = "arn:aws:lambda:eu-central-1:123456789012:function:afu9-rotate-db-password";
/// 2026-11-27T00:00:00Z.
const NOW: i64 = 1_795_737_600;

fn state(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid manifests")
}

fn manifest(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: Secret\nmetadata: {{name: {name}}}\nspec: {spec}\n"
    )
}

fn owned_tags() -> Tags {
    [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
        .into_iter()
        .collect()
}

/// A secret with a value, rotated by `LAMBDA` every 90 days, owned, created 10 days ago.
fn rotated() -> SecretObserved {
    SecretObserved {
        arn: ARN.to_owned(),
        description: None,
        kms_key: None,
        rotation_enabled: true,
        rotation_lambda: Some(LAMBDA.to_owned()),
        schedule: Some(Schedule::Days(90)),
        has_value: true,
        created: Some(NOW - 10 * DAY),
        last_rotated: None,
        value_stored: Some(NOW - 10 * DAY),
        rotation_pending: None,
        deletion_date: None,
        observed_at: NOW,
        tags: owned_tags(),
    }
}

fn plan_for(yaml: &str, have: Option<&SecretObserved>) -> ResourcePlan {
    let state = state(yaml);
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<Secrets>().plan_one(&cx, &state.secrets[0], have)
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

const DATABASE: &str = "{rotation: {lambda: afu9-rotate-db-password, afterDays: 90}}";

#[test]
fn a_lambda_name_resolves_in_the_secrets_region_and_account() {
    assert_eq!(lambda_arn("afu9-rotate-db-password", ARN), LAMBDA);
    assert_eq!(lambda_arn(LAMBDA, "whatever"), LAMBDA);
    let plan = plan_for(&manifest("afu9/database", DATABASE), Some(&rotated()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn rate_in_days_is_the_same_schedule_as_after_days() {
    let by_rate = manifest(
        "afu9/database",
        "{rotation: {lambda: afu9-rotate-db-password, schedule: rate(90 days)}}",
    );
    assert_eq!(plan_for(&by_rate, Some(&rotated())).action, Action::Noop);
    let mut live = rotated();
    live.schedule = Some(Schedule::from_expression("rate(90 days)"));
    assert_eq!(
        plan_for(&manifest("afu9/database", DATABASE), Some(&live)).action,
        Action::Noop
    );
    live.schedule = Some(Schedule::from_expression("rate(30 days)"));
    let plan = plan_for(&by_rate, Some(&live));
    assert_eq!(paths(&plan), ["spec.rotation.schedule"]);
    assert_eq!(plan.changes[0].before, Some("rate(30 days)".into()));
}

#[test]
fn rotation_disabled_lambda_and_days_changed_are_each_named_and_fixed_in_one_call() {
    let mut live = rotated();
    live.rotation_enabled = false;
    live.rotation_lambda = Some(LAMBDA.replace("db-password", "other"));
    live.schedule = Some(Schedule::Days(30));
    let plan = plan_for(&manifest("afu9/database", DATABASE), Some(&live));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        [
            "spec.rotation.enabled",
            "spec.rotation.lambda",
            "spec.rotation.afterDays"
        ]
    );
    assert_eq!(plan.changes[2].before, Some(30.into()));
    assert_eq!(calls(&plan), ["RotateSecret"]);
}

#[test]
fn a_never_rotated_secret_reads_as_disabled_and_needs_a_value_first() {
    let mut live = rotated();
    live.rotation_enabled = false;
    live.rotation_lambda = None;
    live.schedule = None;
    live.has_value = false;
    let plan = plan_for(&manifest("afu9/database", DATABASE), Some(&live));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert!(
        plan.reason
            .as_deref()
            .unwrap_or_default()
            .contains("first value")
    );
}

#[test]
fn settings_and_tags_are_converged() {
    let yaml = manifest(
        "afu9/database",
        "{description: DB password, kmsKey: alias/afu9-secrets, tags: {team: platform}}",
    );
    let mut live = rotated();
    live.kms_key = Some("arn:aws:kms:eu-central-1:123456789012:alias/afu9-secrets".to_owned());
    assert_eq!(
        paths(&plan_for(&yaml, Some(&live))),
        ["spec.description", "spec.tags.team"]
    );
    live.kms_key = Some("alias/aws/secretsmanager".to_owned());
    live.tags.insert("stray".to_owned(), "x".to_owned());
    let plan = plan_for(&yaml, Some(&live));
    assert_eq!(
        paths(&plan),
        [
            "spec.description",
            "spec.kmsKey",
            "spec.tags.team",
            "spec.tags.stray"
        ]
    );
    assert_eq!(
        calls(&plan),
        ["UpdateSecret", "TagResource", "UntagResource"]
    );
}

#[test]
fn kms_keys_compare_by_id_or_alias() {
    assert_eq!(
        canonical_kms_key("arn:aws:kms:eu-central-1:123456789012:key/1234abcd"),
        canonical_kms_key("1234abcd")
    );
    assert_eq!(
        canonical_kms_key("alias/x"),
        canonical_kms_key("arn:aws:kms:eu-central-1:123456789012:alias/x")
    );
    assert_ne!(canonical_kms_key("alias/x"), canonical_kms_key("alias/y"));
}

const GITHUB: &str = "{rotation: {manual: true, maxAgeDays: 90}}";

#[test]
fn a_manual_secret_within_its_age_is_in_sync_and_an_old_one_is_overdue_without_a_write() {
    let mut live = rotated();
    live.rotation_enabled = false;
    live.value_stored = Some(NOW - 89 * DAY);
    let yaml = manifest("afu9/github", GITHUB);
    assert_eq!(plan_for(&yaml, Some(&live)).action, Action::Noop);

    live.value_stored = Some(NOW - 120 * DAY);
    let plan = plan_for(&yaml, Some(&live));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert_eq!(paths(&plan), ["spec.rotation.maxAgeDays"]);
    let reason = plan.reason.unwrap_or_default();
    assert!(
        reason.starts_with(
            "overdue since 2026-10-28: the value was stored on 2026-07-30 (120 days ago"
        ),
        "{reason}"
    );
}

#[test]
fn a_manual_secret_ages_from_its_value_not_from_a_tag_change() {
    let mut live = rotated();
    live.rotation_enabled = false;
    live.value_stored = None;
    live.last_rotated = None;
    live.created = Some(NOW - 200 * DAY);
    assert_eq!(
        plan_for(&manifest("afu9/github", GITHUB), Some(&live)).action,
        Action::Blocked
    );
}

#[test]
fn automatic_rotation_on_a_manual_secret_is_turned_off() {
    let plan = plan_for(&manifest("afu9/github", GITHUB), Some(&rotated()));
    assert_eq!(paths(&plan), ["spec.rotation.manual"]);
    assert_eq!(calls(&plan), ["CancelRotateSecret"]);
}

#[test]
fn a_missing_secret_is_blocked_unless_created_empty() {
    let plan = plan_for(&manifest("afu9/database", DATABASE), None);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert!(
        plan.reason
            .unwrap_or_default()
            .contains("its owner creates it")
    );

    let plan = plan_for(
        &manifest(
            "afu9/new",
            "{create: true, description: d, tags: {team: x}}",
        ),
        None,
    );
    assert_eq!(plan.action, Action::Create);
    assert_eq!(calls(&plan), ["CreateSecret"]);
    assert_eq!(
        paths(&plan),
        ["spec.description", "spec.tags.managed-by", "spec.tags.team"]
    );
}

#[test]
fn an_unowned_secret_is_left_alone_unless_adopted() {
    let mut live = rotated();
    live.tags.clear();
    let plan = plan_for(&manifest("afu9/database", DATABASE), Some(&live));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    let adopted = format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: Secret\nmetadata: {{name: afu9/database, adopt: true}}\nspec: {DATABASE}\n"
    );
    let plan = plan_for(&adopted, Some(&live));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(calls(&plan), ["TagResource"]);
}

#[test]
fn a_secret_scheduled_for_deletion_whose_manifest_is_back_is_restored_first_then_converged() {
    let mut live = rotated();
    live.deletion_date = Some(NOW + 7 * DAY);
    let plan = plan_for(&manifest("afu9/database", DATABASE), Some(&live));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(calls(&plan), ["RestoreSecret"]);
    assert_eq!(plan.changes[0].path, "status.deletionDate");
    assert_eq!(plan.changes[0].before, Some("2026-12-04".into()));
    let described =
        "{description: DB password, rotation: {lambda: afu9-rotate-db-password, afterDays: 90}}";
    let plan = plan_for(&manifest("afu9/database", described), Some(&live));
    assert_eq!(calls(&plan), ["RestoreSecret", "UpdateSecret"]);
}

#[test]
fn dates_are_utc_calendar_days() {
    assert_eq!(date(0), "1970-01-01");
    assert_eq!(date(951_782_400), "2000-02-29");
    assert_eq!(date(NOW), "2026-11-27");
}

fn rotated_after(rotation: &str) -> String {
    manifest("afu9/database", &format!("{{rotation: {rotation}}}"))
}

#[test]
fn a_value_older_than_rotated_after_is_rotated_now_once() {
    let yaml = rotated_after(
        "{lambda: afu9-rotate-db-password, afterDays: 90, rotatedAfter: '2026-11-26T00:00:00Z'}",
    );
    let plan = plan_for(&yaml, Some(&rotated()));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(calls(&plan), ["RotateSecret"]);
    assert_eq!(
        format!("{:?}", plan.ops[0]),
        format!(
            "RotateSecretNow {{ arn: {ARN:?}, lambda: Some({:?}), schedule: Some(Days(90)) }}",
            rotated().rotation_lambda.expect("a lambda")
        )
    );
    assert_eq!(paths(&plan), ["spec.rotation.rotatedAfter"]);
    // Rotated since: quiet. Rotating still (a pending version made after the time): quiet.
    let mut since = rotated();
    since.value_stored = Some(NOW - 3600);
    assert_eq!(plan_for(&yaml, Some(&since)).action, Action::Noop);
    let mut rotating = rotated();
    rotating.rotation_pending = Some(NOW - 60);
    assert_eq!(plan_for(&yaml, Some(&rotating)).action, Action::Noop);
}

#[test]
fn a_hand_rotated_value_older_than_rotated_after_is_blocked_and_a_future_time_waits() {
    let manual =
        rotated_after("{manual: true, maxAgeDays: 90, rotatedAfter: '2026-11-26T00:00:00Z'}");
    let mut have = rotated();
    have.rotation_enabled = false;
    have.rotation_lambda = None;
    have.schedule = None;
    let plan = plan_for(&manual, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r
                .starts_with("compromised: the current value was stored at 2026-11-17T00:00:00Z")),
        "{:?}",
        plan.reason
    );
    let future = rotated_after(
        "{lambda: afu9-rotate-db-password, afterDays: 90, rotatedAfter: '2026-12-26T00:00:00Z'}",
    );
    let plan = plan_for(&future, Some(&rotated()));
    assert_eq!(plan.action, Action::Noop);
    assert!(plan.ops.is_empty());
}
