//! `Secret` end to end against the emulator: rotation drift injected through the SDK, a plan
//! that names it, an apply that fixes it, a second plan that is empty; manual rotation that
//! is overdue; missing secrets; and proof that no secret value is ever read or written.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, SystemTime};

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::kinds::registered;
use afu9_controller::kinds::secrets::Secrets;
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::{Emulator, repo_root};
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_secretsmanager::types::{RotationRulesType, Tag};

const LAMBDA: &str = "afu9-rotate-db-password";

const DATABASE: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {name: afu9/database}
spec:
  description: AFU-9 database password
  rotation: {lambda: afu9-rotate-db-password, afterDays: 90}
  tags: {project: afu9}
";

/// The calls no part of afu9-posture may ever make, as the call counter names them.
const VALUE_CALLS: [&str; 2] = [
    "Secrets Manager.GetSecretValue",
    "Secrets Manager.PutSecretValue",
];

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid test manifests")
}

fn lambda_arn(name: &str) -> String {
    format!("arn:aws:lambda:eu-central-1:123456789012:function:{name}")
}

/// Rotation Lambdas exist (moto needs them for `RotateSecret`), invoked as stubs.
async fn create_lambdas(emulator: &Emulator, names: &[&str]) {
    for name in names {
        emulator.create_stub_lambda(name).await;
    }
}

/// A secret as its owner creates it: with a (dummy) value, the only place a value appears.
async fn create_secret(emulator: &Emulator, name: &str, owned: bool) {
    let mut request = emulator
        .secretsmanager()
        .create_secret()
        .name(name)
        .secret_string("dummy-value-set-by-the-owner");
    if owned {
        request = request.tags(tag("managed-by", "afu9-posture"));
    }
    request.send().await.expect("create secret");
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

fn resource<'a>(plan: &'a Plan, name: &str) -> &'a afu9_controller::plan::ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the plan"))
}

fn paths<'a>(plan: &'a Plan, name: &str) -> Vec<&'a str> {
    resource(plan, name)
        .changes
        .iter()
        .map(|c| c.path.as_str())
        .collect()
}

fn assert_no_value_calls(aws: &Aws) {
    let calls = aws.calls.by_operation();
    assert!(
        calls.keys().any(|k| k.starts_with("Secrets Manager.")),
        "the counter did not see Secrets Manager at all: {calls:?}"
    );
    for call in VALUE_CALLS {
        assert!(!calls.contains_key(call), "{call} was called: {calls:?}");
    }
    assert!(
        !calls.keys().any(|k| k.contains("SecretValue")),
        "a value call was made: {calls:?}"
    );
}

async fn describe(
    emulator: &Emulator,
    name: &str,
) -> aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput {
    emulator
        .secretsmanager()
        .describe_secret()
        .secret_id(name)
        .send()
        .await
        .expect("describe secret")
}

#[tokio::test]
async fn rotation_disabled_lambda_days_and_tags_changed_out_of_band_are_named_fixed_and_gone() {
    let emulator = Emulator::start();
    create_lambdas(&emulator, &[LAMBDA, "someone-elses-function"]).await;
    create_secret(&emulator, "afu9/database", true).await;
    let state = desired(DATABASE);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let first = engine.apply(&aws, &engine.plan(&aws, &state).await).await;
    assert_eq!(first.failed(), 0, "{first:?}");
    assert!(!engine.plan(&aws, &state).await.has_drift());

    // Out of band: another Lambda every 30 days, then rotation off, and a tag changed.
    let client = emulator.secretsmanager();
    client
        .rotate_secret()
        .secret_id("afu9/database")
        .rotation_lambda_arn(lambda_arn("someone-elses-function"))
        .rotation_rules(
            RotationRulesType::builder()
                .automatically_after_days(30)
                .build(),
        )
        .rotate_immediately(false)
        .send()
        .await
        .expect("rotate");
    client
        .cancel_rotate_secret()
        .secret_id("afu9/database")
        .send()
        .await
        .expect("cancel rotation");
    client
        .tag_resource()
        .secret_id("afu9/database")
        .tags(tag("project", "legacy"))
        .send()
        .await
        .expect("tag");

    let plan = engine.plan(&aws, &state).await;
    assert_eq!(resource(&plan, "afu9/database").action, Action::Update);
    assert_eq!(
        paths(&plan, "afu9/database"),
        [
            "spec.rotation.enabled",
            "spec.rotation.lambda",
            "spec.rotation.afterDays",
            "spec.tags.project"
        ]
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    let live = describe(&emulator, "afu9/database").await;
    assert_eq!(live.rotation_enabled, Some(true));
    assert_eq!(live.rotation_lambda_arn, Some(lambda_arn(LAMBDA)));
    assert_eq!(
        live.rotation_rules.and_then(|r| r.automatically_after_days),
        Some(90)
    );
    let tags: BTreeMap<String, String> = live
        .tags
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| Some((t.key?, t.value?)))
        .collect();
    assert_eq!(tags.get("project").map(String::as_str), Some("afu9"));

    let again = engine.plan(&aws, &state).await;
    assert!(!again.has_drift(), "second plan still has drift: {again:?}");
    assert_no_value_calls(&aws);
}

#[tokio::test]
async fn a_schedule_written_as_rate_in_days_is_in_sync_with_after_days() {
    let emulator = Emulator::start();
    create_lambdas(&emulator, &[LAMBDA]).await;
    create_secret(&emulator, "afu9/database", true).await;
    let state = desired(&DATABASE.replace("afterDays: 90", "schedule: rate(90 days)"));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(
        paths(&plan, "afu9/database"),
        [
            "spec.description",
            "spec.rotation.enabled",
            "spec.rotation.lambda",
            "spec.rotation.schedule",
            "spec.tags.project"
        ]
    );
    assert_eq!(engine.apply(&aws, &plan).await.failed(), 0);
    let again = engine.plan(&aws, &state).await;
    assert!(!again.has_drift(), "{again:?}");
    assert_no_value_calls(&aws);
}

const GITHUB: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: Secret
metadata: {name: afu9/github}
spec:
  rotation: {manual: true, maxAgeDays: 90}
";

#[tokio::test]
async fn an_overdue_manual_secret_is_reported_with_its_due_date_and_nothing_is_written() {
    let emulator = Emulator::start();
    create_secret(&emulator, "afu9/github", true).await;
    let state = desired(GITHUB);
    let aws = Aws::from_config(&emulator.sdk_config());

    let today = Engine::new(afu9_controller::kinds::standard())
        .plan(&aws, &state)
        .await;
    assert_eq!(resource(&today, "afu9/github").action, Action::Noop);

    // 100 days from now, the value stored today is ten days overdue.
    let later = Engine::new(vec![
        registered::<Secrets>()
            .with(Secrets {
                now: Some(SystemTime::now() + Duration::from_secs(100 * 86_400)),
            })
            .into(),
    ]);
    let plan = later.plan(&aws, &state).await;
    let github = resource(&plan, "afu9/github");
    assert_eq!(github.action, Action::Blocked);
    assert!(github.ops.is_empty());
    let reason = github.reason.clone().unwrap_or_default();
    assert!(
        reason.starts_with("overdue since ") && reason.contains("100 days ago"),
        "{reason}"
    );
    let json = afu9_controller::render::json::plan_value(&plan);
    assert_eq!(json["resources"][0]["action"], "blocked");
    assert!(
        json["resources"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("overdue since"))
    );
    let writes_before = aws.calls.total();
    let report = later.apply(&aws, &plan).await;
    assert!(report.resources.is_empty(), "{report:?}");
    assert_eq!(
        aws.calls.total(),
        writes_before,
        "apply of an overdue secret wrote"
    );
    assert_no_value_calls(&aws);
}

#[tokio::test]
async fn a_missing_secret_is_blocked_and_one_marked_create_is_created_without_a_value() {
    let emulator = Emulator::start();
    let state = desired(&format!(
        "{GITHUB}---\napiVersion: posture.afu9.io/v1alpha1\nkind: Secret\nmetadata: {{name: afu9/scratch}}\n\
         spec: {{create: true, description: created empty, rotation: {{manual: true, maxAgeDays: 90}}}}\n"
    ));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(resource(&plan, "afu9/github").action, Action::Blocked);
    assert!(resource(&plan, "afu9/github").ops.is_empty());
    assert_eq!(resource(&plan, "afu9/scratch").action, Action::Create);
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(report.resources.len(), 1, "only afu9/scratch is written");

    let versions = emulator
        .secretsmanager()
        .list_secret_version_ids()
        .secret_id("afu9/scratch")
        .send()
        .await
        .expect("versions")
        .versions
        .unwrap_or_default();
    assert!(
        versions.is_empty(),
        "the created secret has a value: {versions:?}"
    );
    assert_eq!(
        describe(&emulator, "afu9/scratch")
            .await
            .description
            .as_deref(),
        Some("created empty")
    );
    let again = engine.plan(&aws, &state).await;
    assert_eq!(resource(&again, "afu9/scratch").action, Action::Noop);
    assert_eq!(resource(&again, "afu9/github").action, Action::Blocked);
    assert_no_value_calls(&aws);
}

#[tokio::test]
async fn a_steady_state_plan_of_the_afu9_secrets_costs_three_calls() {
    let emulator = Emulator::start();
    create_lambdas(&emulator, &[LAMBDA]).await;
    for name in ["afu9/database", "afu9/github", "afu9/llm"] {
        create_secret(&emulator, name, false).await;
    }
    let state = desired(
        &std::fs::read_to_string(repo_root().join("desired-state/secrets.yaml")).expect("read"),
    );
    assert_eq!(state.secrets.len(), 3);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let report = engine.apply(&aws, &engine.plan(&aws, &state).await).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    // A whole pass, as `plan` makes it: the orphan search reads the same listing.
    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan_with_orphans(&counting, &state, false).await;
    assert!(!plan.has_drift(), "{plan:?}");
    assert!(plan.resources.iter().all(|r| !r.orphan), "{plan:?}");
    let calls = counting.calls.by_operation();
    assert_eq!(
        calls.get("Secrets Manager.ListSecrets"),
        Some(&1),
        "{calls:?}"
    );
    assert_eq!(
        calls.get("Secrets Manager.ListSecretVersionIds"),
        Some(&2),
        "{calls:?}"
    );
    let secrets: u64 = calls
        .iter()
        .filter(|(operation, _)| operation.starts_with("Secrets Manager."))
        .map(|(_, count)| count)
        .sum();
    assert_eq!(secrets, 3, "{calls:?}");
    // The other tracked kinds, with no manifest here: one list call each (EC2: the groups
    // and the VPCs, to tell the default VPC; IAM: roles and policies; WAF: the web ACLs; S3:
    // the buckets; CloudTrail: the trails; ECR: the repositories), one census of owned
    // resources instead of listing keys, topics, alarms and log groups, and IAM account
    // details once for the rotation Lambda's role, which no manifest names (`ListRoles`
    // shows no tags).
    assert_eq!(counting.calls.total(), 3 + 10, "{calls:?}");
    assert_no_value_calls(&aws);
    assert_no_value_calls(&counting);
}

/// The structural half of the guarantee: no code of the controller or the spec crate can
/// call the value APIs, because their SDK methods are named nowhere in it.
#[test]
fn no_controller_or_spec_source_names_a_secret_value_call() {
    let forbidden = [
        ["get", "secret", "value"].join("_"),
        ["put", "secret", "value"].join("_"),
        ["batch", "get", "secret", "value"].join("_"),
    ];
    let mut checked = 0;
    for dir in ["controller/src", "spec/src"] {
        let mut stack = vec![repo_root().join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("read dir") {
                    stack.push(entry.expect("entry").path());
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                for call in &forbidden {
                    assert!(
                        !text.contains(call.as_str()),
                        "{} names {call}",
                        path.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} source files found");
}
