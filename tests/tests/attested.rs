//! The checklist judged on the account's facts, end to end against the emulator: three drifts
//! a manifest-equality report used to pass (the registry scans only some repositories, an
//! unsafe superseded revision is still ACTIVE, a service role is trusted without a source
//! condition). The plan names each field, the report fails the item naming the resource, the
//! field and the live value, one apply fixes all three, the next plan is empty and the items
//! pass; the steady pass reads the registry's scanning once.

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Plan, ResourcePlan};
use afu9_controller::report::{Evidence, Finding, ItemReport, Report, Status, evaluate};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ecr::types::{
    ImageScanningConfiguration, ImageTagMutability, RegistryScanningRule, ScanFrequency, ScanType,
    ScanningRepositoryFilter, ScanningRepositoryFilterType,
};
use aws_sdk_ecs::types::{
    Compatibility, ContainerDefinition, LogConfiguration, LogDriver, NetworkMode,
    TaskDefinitionStatus,
};
use serde_json::json;

const FAMILY: &str = "afu9-control-center";
const ROLE: &str = "afu9-task-role";

/// The manifests: each asks for what its control needs, so only the account can fail it.
const STATE: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: Posture
metadata: {name: facts}
spec:
  ecrRegistryScanning: {scanType: BASIC, frequency: SCAN_ON_PUSH}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/app}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-task-role}
spec:
  trustPolicy:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Principal: {Service: ecs-tasks.amazonaws.com}
        Action: sts:AssumeRole
        Condition:
          StringEquals: {"aws:SourceAccount": "123456789012"}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcsTaskDefinition
metadata: {name: afu9-control-center}
spec:
  logGroup: /ecs/afu9-control-center
  containers:
    "*": {user: "1001", readonlyRootFilesystem: true, privileged: false}
  supersededRevisions: {keepCompliant: 3}
  services: []
"#;

fn desired() -> DesiredState {
    let state = load_str(Path::new("facts.yaml"), STATE).expect("valid test manifests");
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
    state
}

/// The registry scans `afu9/*` only; the repository is as its manifest says.
async fn seed_registry(emulator: &Emulator) {
    let ecr = emulator.ecr();
    let some = ScanningRepositoryFilter::builder()
        .filter("afu9/*")
        .filter_type(ScanningRepositoryFilterType::Wildcard)
        .build()
        .expect("filter");
    ecr.put_registry_scanning_configuration()
        .scan_type(ScanType::Basic)
        .rules(
            RegistryScanningRule::builder()
                .scan_frequency(ScanFrequency::ScanOnPush)
                .repository_filters(some)
                .build()
                .expect("rule"),
        )
        .send()
        .await
        .expect("put the registry's scanning");
    ecr.create_repository()
        .repository_name("afu9/app")
        .image_scanning_configuration(
            ImageScanningConfiguration::builder()
                .scan_on_push(true)
                .build(),
        )
        .image_tag_mutability(ImageTagMutability::Immutable)
        .tags(
            aws_sdk_ecr::types::Tag::builder()
                .key("managed-by")
                .value("afu9-posture")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("create the repository");
}

/// The task role trusts ECS tasks with no condition at all.
async fn seed_role(emulator: &Emulator) {
    let bare = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    emulator
        .iam()
        .create_role()
        .role_name(ROLE)
        .assume_role_policy_document(bare.to_string())
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("managed-by")
                .value("afu9-posture")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("create the role");
}

/// Revision 1 privileged, root, writable and without logs; revision 2, the latest, hardened.
async fn seed_revisions(emulator: &Emulator) {
    let ecs = emulator.ecs();
    for safe in [false, true] {
        let web = ContainerDefinition::builder()
            .name("web")
            .image("registry.example/afu9/control-center:1");
        let web = if safe {
            web.user("1001")
                .readonly_root_filesystem(true)
                .privileged(false)
                .log_configuration(
                    LogConfiguration::builder()
                        .log_driver(LogDriver::Awslogs)
                        .options("awslogs-group", "/ecs/afu9-control-center")
                        .build()
                        .expect("log configuration"),
                )
        } else {
            web.user("root")
                .privileged(true)
                .readonly_root_filesystem(false)
        };
        ecs.register_task_definition()
            .family(FAMILY)
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(web.build())
            .send()
            .await
            .expect("register a revision");
    }
}

fn resource<'a>(plan: &'a Plan, kind: &str) -> &'a ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("{kind} is in the plan: {plan:#?}"))
}

fn paths(resource: &ResourcePlan) -> Vec<&str> {
    resource.changes.iter().map(|c| c.path.as_str()).collect()
}

fn item(report: &Report, number: u8) -> &ItemReport {
    &report.items[usize::from(number) - 1]
}

/// The item's evidence of `control` on `kind`'s field, which must be there.
fn fact<'a>(item: &'a ItemReport, kind: &str, field: &str, control: &str) -> &'a Evidence {
    item.evidence
        .iter()
        .find(|e| {
            e.kind == kind
                && e.field.as_deref() == Some(field)
                && e.rule.as_deref() == Some(control)
        })
        .unwrap_or_else(|| {
            panic!(
                "no {control} evidence on {kind} {field}: {:#?}",
                item.evidence
            )
        })
}

#[tokio::test]
async fn each_drift_fails_its_item_by_resource_and_field_and_one_apply_fixes_all() {
    let emulator = Emulator::start();
    seed_registry(&emulator).await;
    seed_role(&emulator).await;
    seed_revisions(&emulator).await;
    let state = desired();
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    // The plan names each drift, field by field.
    let plan = engine.plan(&aws, &state).await;
    let posture = resource(&plan, "Posture");
    assert_eq!(paths(posture), ["spec.ecrRegistryScanning.rules"]);
    assert_eq!(
        posture.changes[0].before,
        Some(json!([{"scanFrequency": "SCAN_ON_PUSH",
            "repositoryFilters": [{"filter": "afu9/*", "filterType": "WILDCARD"}]}]))
    );
    assert_eq!(paths(resource(&plan, "IamRole")), ["spec.trustPolicy"]);
    let family = resource(&plan, "EcsTaskDefinition");
    assert_eq!(
        paths(family),
        [format!("spec.supersededRevisions[{FAMILY}:1]")]
    );
    assert!(paths(resource(&plan, "EcrRepository")).is_empty());

    // The report fails items 7 and 2 on the live facts, naming resource, field and value.
    let report = evaluate(&state, &plan);
    let scanning = item(&report, 7);
    assert_eq!(scanning.status, Status::Fail);
    let registry = fact(scanning, "Posture", "ecrRegistryScanning", "AFU9.ECR.1");
    assert_eq!(
        (registry.name.as_str(), registry.finding),
        ("facts", Finding::Violates)
    );
    let live = registry.live.clone().expect("the live rules");
    assert_eq!(live["rules"][0]["repositoryFilters"][0]["filter"], "afu9/*");
    // The repository itself scans on push: ECR.1 holds for it.
    assert_eq!(
        fact(scanning, "EcrRepository", "scanOnPush", "ECR.1").finding,
        Finding::Holds
    );
    let least = item(&report, 2);
    assert_eq!(least.status, Status::Fail);
    let trust = fact(least, "IamRole", "trustPolicy", "AFU9.IAM.1");
    assert_eq!(
        (trust.name.as_str(), trust.finding),
        (ROLE, Finding::Violates)
    );
    assert_eq!(
        trust.live,
        Some(json!(["Statement[0]: ecs-tasks.amazonaws.com"]))
    );
    let superseded = fact(
        least,
        "EcsTaskDefinition",
        "supersededRevisions",
        "AFU9.ECS.1",
    );
    assert_eq!(
        (superseded.name.as_str(), superseded.finding),
        (FAMILY, Finding::Violates)
    );
    let unsafe_revisions = superseded.live.clone().expect("the unsafe revisions");
    assert_eq!(unsafe_revisions[0]["revision"], 1);
    // The latest revision is hardened: its controls hold.
    for (field, control) in [
        ("containers.web.privileged", "ECS.4"),
        ("containers.web.readonlyRootFilesystem", "ECS.5"),
    ] {
        assert_eq!(
            fact(least, "EcsTaskDefinition", field, control).finding,
            Finding::Holds
        );
    }

    // One apply fixes all three.
    let applied = engine.apply(&aws, &plan).await;
    assert_eq!(applied.failed(), 0, "{applied:?}");
    let rules = emulator
        .ecr()
        .get_registry_scanning_configuration()
        .send()
        .await
        .expect("read the registry's scanning")
        .scanning_configuration
        .and_then(|c| c.rules)
        .unwrap_or_default();
    let filters: Vec<&str> = rules
        .iter()
        .flat_map(|r| r.repository_filters.iter().map(|f| f.filter.as_str()))
        .collect();
    assert_eq!(filters, ["*"]);
    assert_eq!(active(&emulator).await, [2]);
    let trust = trust_policy(&emulator).await;
    assert!(trust.contains("SourceAccount"), "{trust}");

    // The next plan is empty and both items pass, on one read of the registry's scanning.
    let counting = Aws::from_config(&emulator.sdk_config());
    let again = engine.plan(&counting, &state).await;
    assert!(
        !again.has_drift(),
        "second plan still has drift: {again:#?}"
    );
    let report = evaluate(&state, &again);
    for number in [2, 7] {
        assert_eq!(
            item(&report, number).status,
            Status::Pass,
            "{:#?}",
            item(&report, number)
        );
    }
    let calls = counting.calls.by_operation();
    assert_eq!(calls.get("ECR.GetRegistryScanningConfiguration"), Some(&1));
    // Nothing could go (no unsafe or surplus revision): who runs what is not read.
    assert_eq!(calls.get("ECS.ListTaskDefinitions"), Some(&1));
    assert_eq!(calls.get("ECS.ListClusters"), None, "{calls:?}");
}

/// The ACTIVE revisions of the family, as ECS lists them.
async fn active(emulator: &Emulator) -> Vec<i32> {
    let mut numbers: Vec<i32> = emulator
        .ecs()
        .list_task_definitions()
        .family_prefix(FAMILY)
        .status(TaskDefinitionStatus::Active)
        .send()
        .await
        .expect("list")
        .task_definition_arns
        .unwrap_or_default()
        .iter()
        .filter_map(|arn| arn.rsplit(':').next()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers
}

/// The role's live trust policy as IAM returns it (URL-encoded JSON).
async fn trust_policy(emulator: &Emulator) -> String {
    emulator
        .iam()
        .get_role()
        .role_name(ROLE)
        .send()
        .await
        .expect("get the role")
        .role
        .and_then(|r| r.assume_role_policy_document)
        .expect("a trust policy")
}
