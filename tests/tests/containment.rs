//! Incident containment through git, end to end against the emulator: `rotatedAfter` rotates
//! a compromised Lambda-rotated secret now, once; `revokeSessionsIssuedBefore` puts exactly
//! IAM's revoke-older-sessions deny on the role, is quiet while it is in force, and is removed
//! once the clock has passed the role's session bound.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::kinds::iam::role::IamRoles;
use afu9_controller::kinds::registered;
use afu9_controller::plan::{Action, Plan, ResourcePlan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use afu9_spec::time::format_utc;
use aws_sdk_secretsmanager::types::RotationRulesType;
use serde_json::{Value, json};

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid test manifests")
}

fn resource<'a>(plan: &'a Plan, name: &str) -> &'a ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the plan"))
}

fn unix_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    i64::try_from(secs).expect("fits")
}

fn rotate_calls(aws: &Aws) -> u64 {
    aws.calls
        .by_operation()
        .get("Secrets Manager.RotateSecret")
        .copied()
        .unwrap_or(0)
}

/// The version id that carries `AWSCURRENT`.
async fn current_version(emulator: &Emulator, name: &str) -> String {
    version_in(emulator, name, "AWSCURRENT")
        .await
        .expect("a current version")
}

/// The version id that carries `stage`, if one does.
async fn version_in(emulator: &Emulator, name: &str, stage: &str) -> Option<String> {
    let versions = emulator
        .secretsmanager()
        .list_secret_version_ids()
        .secret_id(name)
        .send()
        .await
        .expect("list versions");
    versions
        .versions()
        .iter()
        .find(|v| v.version_stages().iter().any(|s| s == stage))
        .and_then(|v| v.version_id().map(str::to_owned))
}

#[tokio::test]
async fn rotated_after_rotates_a_lambda_rotated_secret_now_and_only_once() {
    let emulator = Emulator::start();
    emulator.create_stub_lambda("afu9-rotate-db-password").await;
    let secrets = emulator.secretsmanager();
    secrets
        .create_secret()
        .name("afu9/database")
        .secret_string("dummy-value-set-by-the-owner")
        .tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("managed-by")
                .value("afu9-posture")
                .build(),
        )
        .send()
        .await
        .expect("create secret");
    let rules = RotationRulesType::builder()
        .automatically_after_days(90)
        .build();
    secrets
        .rotate_secret()
        .secret_id("afu9/database")
        .rotation_lambda_arn(
            "arn:aws:lambda:eu-central-1:123456789012:function:afu9-rotate-db-password",
        )
        .rotation_rules(rules)
        .rotate_immediately(false)
        .send()
        .await
        .expect("turn rotation on");
    let compromised = current_version(&emulator, "afu9/database").await;
    // The incident is declared after the current value was stored (dates are whole seconds).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let state = desired(&format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: Secret\nmetadata: {{name: afu9/database}}\n\
         spec:\n  rotation: {{lambda: afu9-rotate-db-password, afterDays: 90, rotatedAfter: '{}'}}\n",
        format_utc(unix_now())
    ));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let secret = resource(&plan, "afu9/database");
    assert_eq!(secret.action, Action::Update, "{secret:?}");
    let ops: Vec<String> = secret.ops.iter().map(|op| format!("{op:?}")).collect();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert!(ops[0].starts_with("RotateSecretNow"), "{ops:?}");
    assert_eq!(secret.changes[0].path, "spec.rotation.rotatedAfter");
    let json = afu9_controller::render::json::plan_value(&plan);
    assert_eq!(
        json["resources"][0]["operations"][0], "RotateSecret",
        "{json}"
    );

    assert_eq!(rotate_calls(&aws), 0);
    assert_eq!(engine.apply(&aws, &plan).await.failed(), 0);
    assert_eq!(rotate_calls(&aws), 1, "one RotateSecret");
    // The rotation began: a pending version, made now, that the Lambda (a stub here, which
    // never finishes) would make current. The compromised value is still current.
    let pending = version_in(&emulator, "afu9/database", "AWSPENDING").await;
    assert!(
        pending.as_ref().is_some_and(|p| *p != compromised),
        "RotateImmediately began a new version: {pending:?}"
    );
    assert_eq!(
        current_version(&emulator, "afu9/database").await,
        compromised
    );

    // The next pass finds the rotation in progress: nothing to do, no second call.
    let again = engine.plan(&aws, &state).await;
    let settled = resource(&again, "afu9/database");
    assert_eq!(settled.action, Action::Noop, "{settled:?}");
    assert!(
        settled
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("a rotation began at")),
        "{settled:?}"
    );
    engine.apply(&aws, &again).await;
    assert_eq!(rotate_calls(&aws), 1, "no second RotateSecret");
    assert!(
        !aws.calls
            .by_operation()
            .keys()
            .any(|k| k.contains("SecretValue")),
        "a value call was made"
    );
}

fn role_engine(now: Option<SystemTime>) -> Engine {
    Engine::new(vec![
        registered::<IamRoles>()
            .with(IamRoles {
                now,
                ..IamRoles::default()
            })
            .into(),
    ])
}

async fn inline_policies(emulator: &Emulator, role: &str) -> Vec<String> {
    emulator
        .iam()
        .list_role_policies()
        .role_name(role)
        .send()
        .await
        .expect("list role policies")
        .policy_names
}

async fn inline_document(emulator: &Emulator, role: &str, policy: &str) -> Value {
    let text = emulator
        .iam()
        .get_role_policy()
        .role_name(role)
        .policy_name(policy)
        .send()
        .await
        .expect("get role policy")
        .policy_document;
    let decoded = percent_decode(&text);
    serde_json::from_str(&decoded).expect("a JSON document")
}

/// IAM returns documents URL-encoded (moto does too, or not: both read).
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

#[tokio::test]
async fn revoke_sessions_puts_iams_deny_is_quiet_then_removes_it_after_the_session_bound() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let issued_before = "2026-12-06T09:30:00Z";
    let t = afu9_spec::time::parse_utc(issued_before).expect("valid");
    let role = "apiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata: {name: afu9-task-role}\n\
         spec:\n  trustPolicy: {service: ecs-tasks.amazonaws.com}\n  maxSessionDuration: 7200\n  \
         inlinePolicies:\n    logs: {Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:eu-central-1:123456789012:log-group:/afu9/*'}]}\n";
    let at = |secs: i64| {
        Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).expect("after 1970")))
    };
    // The role exists as the manifest says, before the incident.
    let before = role_engine(at(t - 60));
    let report = before
        .apply(&aws, &before.plan(&aws, &desired(role)).await)
        .await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(inline_policies(&emulator, "afu9-task-role").await, ["logs"]);

    let contained = desired(&format!(
        "{role}  revokeSessionsIssuedBefore: {issued_before}\n"
    ));
    let during = role_engine(at(t + 60));
    let plan = during.plan(&aws, &contained).await;
    let planned = resource(&plan, "afu9-task-role");
    assert_eq!(planned.action, Action::Update);
    let calls: Vec<&str> = planned.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["PutRolePolicy"]);
    assert_eq!(planned.changes[0].path, "spec.revokeSessionsIssuedBefore");
    assert_eq!(during.apply(&aws, &plan).await.failed(), 0);
    let mut names = inline_policies(&emulator, "afu9-task-role").await;
    names.sort();
    assert_eq!(names, ["AWSRevokeOlderSessions", "logs"]);
    assert_eq!(
        inline_document(&emulator, "afu9-task-role", "AWSRevokeOlderSessions").await,
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": issued_before}}}}),
        "exactly IAM's revoke-older-sessions statement"
    );

    // Quiet while sessions issued before the time may still be alive (7200 s).
    let writes = aws.calls.total();
    let quiet = role_engine(at(t + 7199)).plan(&aws, &contained).await;
    assert_eq!(
        resource(&quiet, "afu9-task-role").action,
        Action::Noop,
        "{quiet:?}"
    );
    assert!(resource(&quiet, "afu9-task-role").ops.is_empty());
    let reads = aws.calls.total() - writes;
    assert!(reads > 0);

    // Once the clock has passed the session bound, the deny goes (and only it).
    let after = role_engine(at(t + 7200));
    let plan = after.plan(&aws, &contained).await;
    let planned = resource(&plan, "afu9-task-role");
    let calls: Vec<&str> = planned.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["DeleteRolePolicy"]);
    assert!(
        planned
            .reason
            .as_deref()
            .is_some_and(|n| n.contains("revoked sessions have all expired")),
        "{:?}",
        planned.reason
    );
    assert_eq!(after.apply(&aws, &plan).await.failed(), 0);
    assert_eq!(inline_policies(&emulator, "afu9-task-role").await, ["logs"]);
    let done = after.plan(&aws, &contained).await;
    assert_eq!(resource(&done, "afu9-task-role").action, Action::Noop);
}
