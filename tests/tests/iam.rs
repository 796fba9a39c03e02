//! `IamRole` and `IamPolicy` end to end against the emulator: each kind of drift injected
//! through the SDK, named by the plan, fixed by apply, gone on the next plan; documents
//! rewritten in equivalent forms stay in sync.

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::kinds::iam::policy::IamPolicies;
use afu9_controller::kinds::iam::role::{IamRoles, ReadStrategy};
use afu9_controller::kinds::registered;
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_iam::types::Tag;

const EXECUTION_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";

fn afu9_roles() -> DesiredState {
    let text = std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/iam.yaml"))
        .expect("read");
    load_str(Path::new("desired-state/iam.yaml"), &text).expect("valid")
}

fn engine_with(strategy: ReadStrategy) -> Engine {
    Engine::new(vec![
        registered::<IamPolicies>().into(),
        registered::<IamRoles>()
            .with(IamRoles {
                strategy,
                ..IamRoles::default()
            })
            .into(),
    ])
}

async fn converge(engine: &Engine, aws: &Aws, state: &DesiredState) {
    let report = engine.apply(aws, &engine.plan(aws, state).await).await;
    assert_eq!(report.failed(), 0, "{report:?}");
}

fn changes(plan: &Plan, name: &str) -> (Action, Vec<String>) {
    let resource = plan
        .resources
        .iter()
        .find(|r| r.name == name)
        .expect("in plan");
    (
        resource.action,
        resource.changes.iter().map(|c| c.path.clone()).collect(),
    )
}

async fn assert_in_sync(engine: &Engine, aws: &Aws, state: &DesiredState) {
    let plan = engine.plan(aws, state).await;
    let drift: Vec<_> = plan
        .resources
        .iter()
        .filter(|r| r.is_drift())
        .map(|r| (&r.name, &r.changes))
        .collect();
    assert!(drift.is_empty(), "still drifted: {drift:?}");
}

/// Every kind of out-of-band change to the two AFU-9 roles.
async fn inject_role_drift(iam: &aws_sdk_iam::Client, role: &str, exec: &str) {
    iam.update_assume_role_policy()
        .role_name(role)
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .expect("trust");
    iam.put_role_policy()
        .role_name(role)
        .policy_name("secrets-read")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#)
        .send()
        .await
        .expect("edit inline");
    iam.put_role_policy()
        .role_name(role)
        .policy_name("backdoor")
        .policy_document(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
        .send()
        .await
        .expect("add inline");
    iam.delete_role_policy()
        .role_name(role)
        .policy_name("ecs-deploy")
        .send()
        .await
        .expect("remove inline");
    iam.detach_role_policy()
        .role_name(exec)
        .policy_arn(EXECUTION_POLICY)
        .send()
        .await
        .expect("detach");
    iam.attach_role_policy()
        .role_name(exec)
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .expect("attach extra");
    iam.tag_role()
        .role_name(exec)
        .tags(
            Tag::builder()
                .key("project")
                .value("other")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("tag");
    iam.update_role()
        .role_name(exec)
        .description("changed")
        .max_session_duration(7200)
        .send()
        .await
        .expect("update");
}

#[tokio::test]
async fn every_kind_of_role_drift_is_planned_fixed_and_gone_with_both_read_strategies() {
    for strategy in [ReadStrategy::PerRole, ReadStrategy::AccountDetails] {
        let emulator = Emulator::start();
        let iam = emulator.iam();
        let aws = Aws::from_config(&emulator.sdk_config());
        let engine = engine_with(strategy);
        let state = afu9_roles();
        converge(&engine, &aws, &state).await;
        assert_in_sync(&engine, &aws, &state).await;

        let (role, exec) = ("afu9-task-role", "afu9-task-execution-role");
        inject_role_drift(&iam, role, exec).await;

        let plan = engine.plan(&aws, &state).await;
        let (action, paths) = changes(&plan, role);
        assert_eq!(action, Action::Update, "{strategy:?}");
        assert_eq!(
            paths,
            [
                "spec.inlinePolicies.backdoor",
                "spec.inlinePolicies.ecs-deploy",
                "spec.inlinePolicies.secrets-read",
                "spec.trustPolicy"
            ],
            "{strategy:?}"
        );
        let (action, paths) = changes(&plan, exec);
        assert_eq!(action, Action::Update);
        assert_eq!(
            paths,
            [
                "spec.managedPolicies",
                "spec.description",
                "spec.maxSessionDuration",
                "spec.managedPolicies",
                "spec.tags.project"
            ],
            "{strategy:?}"
        );
        let calls: Vec<&str> = plan
            .resources
            .iter()
            .find(|r| r.name == exec)
            .expect("exec")
            .ops
            .iter()
            .map(|o| o.call())
            .collect();
        assert_eq!(
            calls,
            [
                "DetachRolePolicy",
                "UpdateRole",
                "AttachRolePolicy",
                "UntagRole"
            ],
            "restrict before grant"
        );

        converge(&engine, &aws, &state).await;
        assert_in_sync(&engine, &aws, &state).await;
        let attached: Vec<String> = iam
            .list_attached_role_policies()
            .role_name(exec)
            .send()
            .await
            .expect("list")
            .attached_policies
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.policy_arn)
            .collect();
        assert_eq!(attached, [EXECUTION_POLICY]);
        let mut inline = iam
            .list_role_policies()
            .role_name(role)
            .send()
            .await
            .expect("list")
            .policy_names;
        inline.sort();
        assert_eq!(inline, ["ecs-deploy", "logs-and-metrics", "secrets-read"]);
    }
}

#[tokio::test]
async fn documents_rewritten_in_equivalent_forms_show_no_diff() {
    let emulator = Emulator::start();
    let iam = emulator.iam();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let state = afu9_roles();
    converge(&engine, &aws, &state).await;

    // Statement as an object, a list for a single action and a single service principal,
    // keys reordered (the conditions' too, a condition key in another case, a single value as
    // a list), an empty Sid where there was none (the emulator, unlike IAM, rejects
    // another case for sts:AssumeRole; action case is covered in the inline policy below).
    iam.update_assume_role_policy()
        .role_name("afu9-task-role")
        .policy_document(r#"{"Statement":{"Sid":"","Condition":{"ArnLike":{"aws:SourceArn":["arn:aws:ecs:eu-central-1:123456789012:*"]},"StringEquals":{"AWS:SourceAccount":"123456789012"}},"Action":["sts:AssumeRole"],"Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Effect":"Allow"},"Version":"2012-10-17"}"#)
        .send()
        .await
        .expect("trust");
    iam.put_role_policy()
        .role_name("afu9-task-role")
        .policy_name("ecs-deploy")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Resource":["*"],"Action":["ecs:ListTasks","ECS:describeServices","ecs:DescribeTasks","ecs:DescribeTaskDefinition","ecs:ListTasks"],"Effect":"Allow","Sid":"ReadAfu9Services"},{"Sid":"UpdateAfu9Services","Effect":"Allow","Action":["ECS:updateService"],"Resource":["arn:aws:ecs:*:*:service/afu9*/*"]}]}"#)
        .send()
        .await
        .expect("inline");
    iam.put_role_policy()
        .role_name("afu9-task-role")
        .policy_name("logs-and-metrics")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Sid":"PutMetrics","Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*","Condition":{"StringEquals":{"CloudWatch:Namespace":["AFU9"]}}},{"Sid":"WriteLogs","Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream"],"Resource":["arn:aws:logs:*:*:log-group:/ecs/afu9*"]}]}"#)
        .send()
        .await
        .expect("inline");
    assert_in_sync(&engine, &aws, &state).await;

    // A near miss is drift: Deny instead of Allow.
    iam.put_role_policy()
        .role_name("afu9-task-role")
        .policy_name("ecs-deploy")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Resource":"*","Action":["ecs:ListTasks","ecs:DescribeServices","ecs:DescribeTasks","ecs:DescribeTaskDefinition"],"Effect":"Deny","Sid":"ReadAfu9Services"},{"Sid":"UpdateAfu9Services","Effect":"Allow","Action":"ecs:UpdateService","Resource":"arn:aws:ecs:*:*:service/afu9*/*"}]}"#)
        .send()
        .await
        .expect("inline");
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(
        changes(&plan, "afu9-task-role").1,
        ["spec.inlinePolicies.ecs-deploy"]
    );
}

#[tokio::test]
async fn a_missing_managed_policy_is_a_terminal_error_for_that_role_only() {
    let emulator = Emulator::start();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let text = std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/iam.yaml"))
        .expect("read")
        .replace(
            EXECUTION_POLICY,
            "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere",
        );
    let state = load_str(Path::new("iam.yaml"), &text).expect("valid");
    let report = engine.apply(&aws, &engine.plan(&aws, &state).await).await;
    assert_eq!(report.failed(), 1, "{report:?}");
    let failed = report
        .resources
        .iter()
        .find(|r| r.ops.iter().any(|o| o.result.is_err()))
        .expect("a failure");
    assert_eq!(failed.name, "afu9-task-execution-role");
    let err = failed
        .ops
        .last()
        .and_then(|o| o.result.as_ref().err())
        .expect("error");
    assert_eq!(err.operation, "AttachRolePolicy");
    assert_eq!(err.class, afu9_controller::aws::ErrorClass::Terminal);
    assert!(
        err.to_string().contains("afu9-task-execution-role"),
        "{err}"
    );
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(
        changes(&plan, "afu9-task-role").0,
        Action::Noop,
        "the other role converged"
    );
}

const POLICY: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: IamPolicy
metadata: {name: afu9-secrets-read}
spec:
  path: /afu9/
  description: Read the AFU-9 secrets
  document:
    Version: "2012-10-17"
    Statement:
      - {Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: "arn:aws:secretsmanager:*:*:secret:afu9/*"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-reader}
spec:
  trustPolicy: {service: ecs-tasks.amazonaws.com}
  managedPolicies: [afu9-secrets-read]
"#;

#[tokio::test]
async fn a_managed_policy_converges_by_new_default_versions_within_the_five_version_limit() {
    let emulator = Emulator::start();
    let iam = emulator.iam();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let state = load_str(Path::new("p.yaml"), POLICY).expect("valid");
    converge(&engine, &aws, &state).await;
    assert_in_sync(&engine, &aws, &state).await;
    let arn = "arn:aws:iam::123456789012:policy/afu9/afu9-secrets-read";
    let attached = iam
        .list_attached_role_policies()
        .role_name("afu9-reader")
        .send()
        .await
        .expect("list");
    assert_eq!(
        attached.attached_policies.unwrap_or_default()[0]
            .policy_arn
            .as_deref(),
        Some(arn)
    );

    // Fill the version history out of band, the default drifting to a broader document.
    for resource in [
        "*",
        "arn:aws:secretsmanager:*:*:secret:*",
        "arn:aws:secretsmanager:*:*:secret:x*",
        "*",
    ] {
        iam.create_policy_version()
            .policy_arn(arn)
            .policy_document(format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"{resource}"}}]}}"#
            ))
            .set_as_default(true)
            .send()
            .await
            .expect("version");
    }
    let plan = engine.plan(&aws, &state).await;
    let policy = plan
        .resources
        .iter()
        .find(|r| r.name == "afu9-secrets-read")
        .expect("policy");
    assert_eq!(policy.action, Action::Update);
    let calls: Vec<&str> = policy.ops.iter().map(|o| o.call()).collect();
    assert_eq!(calls, ["DeletePolicyVersion", "CreatePolicyVersion"]);
    converge(&engine, &aws, &state).await;
    assert_in_sync(&engine, &aws, &state).await;
    let versions = iam
        .list_policy_versions()
        .policy_arn(arn)
        .send()
        .await
        .expect("versions")
        .versions
        .unwrap_or_default();
    assert_eq!(versions.len(), 5);
    assert!(
        !versions
            .iter()
            .any(|v| v.version_id.as_deref() == Some("v1")),
        "the oldest version was pruned"
    );
}

#[tokio::test]
async fn a_steady_state_pass_over_the_afu9_roles_costs_a_fixed_number_of_calls() {
    let emulator = Emulator::start();
    let state = afu9_roles();
    converge(
        &engine_with(ReadStrategy::PerRole),
        &Aws::from_config(&emulator.sdk_config()),
        &state,
    )
    .await;
    let mut figures = Vec::new();
    for strategy in [ReadStrategy::PerRole, ReadStrategy::AccountDetails] {
        let aws = Aws::from_config(&emulator.sdk_config());
        let plan = engine_with(strategy).plan(&aws, &state).await;
        assert!(!plan.has_drift());
        figures.push((strategy, aws.calls.by_operation()));
    }
    // PerRole: 4 × (GetRole, ListRolePolicies, ListAttachedRolePolicies) + 6 GetRolePolicy
    // (the two task roles, the trail's delivery role and the rotation Lambda's role).
    // No STS call: the AFU-9 roles reference managed policies by ARN only.
    assert_eq!(figures[0].1.values().sum::<u64>(), 18, "{figures:?}");
    assert_eq!(figures[0].1.get("IAM.GetRolePolicy"), Some(&6));
    // AccountDetails: GetAccountAuthorizationDetails + ListRoles.
    assert_eq!(figures[1].1.values().sum::<u64>(), 2, "{figures:?}");
    assert_eq!(
        figures[1].1.get("IAM.GetAccountAuthorizationDetails"),
        Some(&1)
    );
}
