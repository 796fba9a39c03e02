//! `EcrRepository` end to end against the emulator: drift injected through the SDK, a plan
//! that names it, an apply that fixes it, and a second plan that is empty.

use std::collections::BTreeMap;
use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ecr::types::{
    EncryptionConfiguration, EncryptionType, ImageScanningConfiguration, ImageTagMutability, Tag,
};

const TWO_REPOSITORIES: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/control-center}
spec:
  scanOnPush: true
  tagMutability: IMMUTABLE
  lifecyclePolicy: {keepLast: 10}
  tags: {project: afu9}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/mcp-github}
spec:
  scanOnPush: true
  tagMutability: IMMUTABLE
  lifecyclePolicy: {keepLast: 10}
  tags: {project: afu9}
";

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid test manifests")
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("tag")
}

/// A repository created out of band, owned by afu9-posture, with every kind of drift.
async fn seed_drifted_repository(ecr: &aws_sdk_ecr::Client, name: &str) {
    ecr.create_repository()
        .repository_name(name)
        .image_tag_mutability(ImageTagMutability::Mutable)
        .image_scanning_configuration(
            ImageScanningConfiguration::builder()
                .scan_on_push(false)
                .build(),
        )
        .tags(tag("managed-by", "afu9-posture"))
        .tags(tag("project", "legacy"))
        .tags(tag("stray", "x"))
        .send()
        .await
        .expect("seed repository");
}

fn changes_of<'a>(plan: &'a Plan, name: &str) -> (Action, Vec<&'a str>) {
    let resource = plan
        .resources
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the plan"));
    assert_ne!(
        resource.action,
        Action::Error,
        "{name}: {:?}",
        resource.reason
    );
    (
        resource.action,
        resource.changes.iter().map(|c| c.path.as_str()).collect(),
    )
}

#[tokio::test]
async fn drift_is_planned_field_by_field_applied_and_gone_on_the_next_plan() {
    let emulator = Emulator::start();
    let ecr = emulator.ecr();
    seed_drifted_repository(&ecr, "afu9/control-center").await;
    let state = desired(TWO_REPOSITORIES);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let (action, paths) = changes_of(&plan, "afu9/control-center");
    assert_eq!(action, Action::Update);
    assert_eq!(
        paths,
        [
            "spec.scanOnPush",
            "spec.tagMutability",
            "spec.lifecyclePolicy",
            "spec.tags.project",
            "spec.tags.stray"
        ]
    );
    let (action, _) = changes_of(&plan, "afu9/mcp-github");
    assert_eq!(action, Action::Create);

    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    // The account itself, read independently of the controller, now matches.
    let repository = ecr
        .describe_repositories()
        .repository_names("afu9/control-center")
        .send()
        .await
        .expect("describe")
        .repositories
        .unwrap_or_default()
        .remove(0);
    assert_eq!(
        repository.image_tag_mutability,
        Some(ImageTagMutability::Immutable)
    );
    assert!(
        repository
            .image_scanning_configuration
            .is_some_and(|c| c.scan_on_push)
    );
    let tags: BTreeMap<String, String> = ecr
        .list_tags_for_resource()
        .resource_arn(repository.repository_arn.unwrap_or_default())
        .send()
        .await
        .expect("tags")
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    assert_eq!(tags.get("project").map(String::as_str), Some("afu9"));
    assert!(!tags.contains_key("stray"));
    let lifecycle = ecr
        .get_lifecycle_policy()
        .repository_name("afu9/mcp-github")
        .send()
        .await
        .expect("the created repository has a lifecycle policy");
    assert!(
        lifecycle
            .lifecycle_policy_text
            .unwrap_or_default()
            .contains("imageCountMoreThan")
    );

    let again = engine.plan(&aws, &state).await;
    assert!(!again.has_drift(), "second plan still has drift: {again:?}");
    let second_apply = engine.apply(&aws, &again).await;
    assert!(
        second_apply.resources.is_empty(),
        "second apply changed something"
    );
}

#[tokio::test]
async fn a_lifecycle_policy_written_differently_but_meaning_the_same_is_in_sync() {
    let emulator = Emulator::start();
    let ecr = emulator.ecr();
    let state = desired(TWO_REPOSITORIES);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let report = engine.apply(&aws, &engine.plan(&aws, &state).await).await;
    assert_eq!(report.failed(), 0);

    let reordered = r#"{ "rules" : [ { "selection" : { "countNumber" : 10, "tagStatus" : "any",
        "countType" : "imageCountMoreThan" }, "action" : { "type" : "expire" },
        "rulePriority" : 1, "description" : "keep the last 10 images" } ] }"#;
    ecr.put_lifecycle_policy()
        .repository_name("afu9/control-center")
        .lifecycle_policy_text(reordered)
        .send()
        .await
        .expect("put reordered policy");

    let plan = engine.plan(&aws, &state).await;
    assert!(!plan.has_drift(), "{plan:?}");
}

#[tokio::test]
async fn a_steady_state_plan_reads_all_repositories_in_one_describe() {
    let emulator = Emulator::start();
    let state = desired(
        &std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/ecr.yaml"))
            .expect("read"),
    );
    assert_eq!(state.ecr_repositories.len(), 4);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    engine.apply(&aws, &engine.plan(&aws, &state).await).await;

    // A whole pass, as `plan` makes it: the orphan search reads the same listing.
    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan_with_orphans(&counting, &state, false).await;
    assert!(!plan.has_drift());
    assert!(plan.resources.iter().all(|r| !r.orphan), "{plan:?}");
    let calls = counting.calls.by_operation();
    assert_eq!(calls.get("ECR.DescribeRepositories"), Some(&1), "{calls:?}");
    assert_eq!(calls.get("ECR.ListTagsForResource"), Some(&4), "{calls:?}");
    assert_eq!(calls.get("ECR.GetLifecyclePolicy"), Some(&4), "{calls:?}");
    let ecr: u64 = calls
        .iter()
        .filter(|(operation, _)| operation.starts_with("ECR."))
        .map(|(_, count)| count)
        .sum();
    assert_eq!(ecr, 9, "{calls:?}");
    // The other tracked kinds, with no manifest here: one list call each (EC2: the groups
    // and the VPCs, to tell the default VPC; IAM: roles and policies; WAF: the web ACLs; S3:
    // the buckets; CloudTrail: the trails; Secrets Manager: the secrets), and one census
    // of owned resources instead of listing keys, topics, alarms and log groups.
    assert_eq!(counting.calls.total(), 9 + 9, "{calls:?}");
}

#[tokio::test]
async fn a_repository_not_created_by_us_is_left_alone_until_adopted() {
    let emulator = Emulator::start();
    let ecr = emulator.ecr();
    ecr.create_repository()
        .repository_name("afu9/control-center")
        .image_tag_mutability(ImageTagMutability::Mutable)
        .send()
        .await
        .expect("seed");
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let state = desired(TWO_REPOSITORIES);

    let plan = engine.plan(&aws, &state).await;
    let (action, _) = changes_of(&plan, "afu9/control-center");
    assert_eq!(action, Action::Blocked);
    engine.apply(&aws, &plan).await;
    let mutability = ecr
        .describe_repositories()
        .repository_names("afu9/control-center")
        .send()
        .await
        .expect("describe")
        .repositories
        .unwrap_or_default()[0]
        .image_tag_mutability
        .clone();
    assert_eq!(
        mutability,
        Some(ImageTagMutability::Mutable),
        "an unowned repository was changed"
    );

    let adopted = desired(&TWO_REPOSITORIES.replace(
        "metadata: {name: afu9/control-center}",
        "metadata: {name: afu9/control-center, adopt: true}",
    ));
    let report = engine.apply(&aws, &engine.plan(&aws, &adopted).await).await;
    assert_eq!(report.failed(), 0);
    assert!(!engine.plan(&aws, &adopted).await.has_drift());
}

#[tokio::test]
async fn different_encryption_is_blocked_and_the_repository_never_recreated() {
    let emulator = Emulator::start();
    let ecr = emulator.ecr();
    let created = ecr
        .create_repository()
        .repository_name("afu9/control-center")
        .encryption_configuration(
            EncryptionConfiguration::builder()
                .encryption_type(EncryptionType::Kms)
                .build()
                .expect("encryption"),
        )
        .tags(tag("managed-by", "afu9-posture"))
        .send()
        .await
        .expect("seed")
        .repository
        .and_then(|r| r.created_at)
        .expect("created at");
    let state = desired(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {name: afu9/control-center}\nspec:\n  scanOnPush: true\n  encryption: {type: AES256}\n",
    );
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let (action, paths) = changes_of(&plan, "afu9/control-center");
    assert_eq!(action, Action::Blocked);
    assert_eq!(paths, ["spec.scanOnPush", "spec.encryption"]);
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0);

    let repository = ecr
        .describe_repositories()
        .repository_names("afu9/control-center")
        .send()
        .await
        .expect("describe")
        .repositories
        .unwrap_or_default()
        .remove(0);
    assert_eq!(
        repository.created_at,
        Some(created),
        "the repository was recreated"
    );
    assert!(
        repository
            .image_scanning_configuration
            .is_some_and(|c| c.scan_on_push)
    );
    let again = engine.plan(&aws, &state).await;
    let (action, paths) = changes_of(&again, "afu9/control-center");
    assert_eq!((action, paths), (Action::Blocked, vec!["spec.encryption"]));
}

#[tokio::test]
async fn observe_only_resources_are_planned_but_never_written() {
    let emulator = Emulator::start();
    let ecr = emulator.ecr();
    let state = desired(&TWO_REPOSITORIES.replace(
        "metadata: {name: afu9/mcp-github}",
        "metadata: {name: afu9/mcp-github, managementPolicy: observe}",
    ));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(changes_of(&plan, "afu9/mcp-github").0, Action::Create);
    engine.apply(&aws, &plan).await;
    let missing = ecr
        .describe_repositories()
        .repository_names("afu9/mcp-github")
        .send()
        .await;
    assert!(missing.is_err(), "an observe-only repository was created");
    assert_eq!(
        changes_of(&engine.plan(&aws, &state).await, "afu9/control-center").0,
        Action::Noop
    );
}
