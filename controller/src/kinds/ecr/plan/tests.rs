use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::Tags;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::engine::PlanContext;
use crate::kinds::ecr::EcrRepositories;
use crate::plan::{Action, ResourcePlan};

fn state(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid manifests")
}

const REPO: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/control-center}
spec:
  scanOnPush: true
  tagMutability: IMMUTABLE
  lifecyclePolicy: {keepLast: 10}
  tags: {project: afu9}
";

fn owned_tags(extra: &[(&str, &str)]) -> Tags {
    let mut tags: Tags = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    tags.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
    tags
}

/// The live repository exactly as `REPO` wants it, with the lifecycle text as given.
fn in_sync(lifecycle: &str) -> EcrRepositoryObserved {
    EcrRepositoryObserved {
        arn: "arn:aws:ecr:eu-central-1:123456789012:repository/afu9/control-center".to_owned(),
        scan_on_push: true,
        tag_mutability: "IMMUTABLE".to_owned(),
        encryption_type: "AES256".to_owned(),
        kms_key: None,
        lifecycle_policy: Some(lifecycle.to_owned()),
        tags: owned_tags(&[("project", "afu9")]),
    }
}

const KEEP_10: &str = r#"{"rules":[{"rulePriority":1,"description":"keep the last 10 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}"#;

fn plan_for(yaml: &str, have: Option<&EcrRepositoryObserved>) -> ResourcePlan {
    let state = state(yaml);
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<EcrRepositories>().plan_one(&cx, &state.ecr_repositories[0], have)
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn missing_repository_is_created_with_everything_in_order() {
    let plan = plan_for(REPO, None);
    assert_eq!(plan.action, Action::Create);
    assert_eq!(calls(&plan), ["CreateRepository", "PutLifecyclePolicy"]);
    assert_eq!(
        paths(&plan),
        [
            "spec.scanOnPush",
            "spec.tagMutability",
            "spec.lifecyclePolicy",
            "spec.tags.managed-by",
            "spec.tags.project"
        ]
    );
}

#[test]
fn repository_as_wanted_is_in_sync() {
    let plan = plan_for(REPO, Some(&in_sync(KEEP_10)));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    assert!(plan.ops.is_empty());
}

#[test]
fn lifecycle_with_other_key_order_and_whitespace_is_in_sync() {
    let reordered = r#"
    {
      "rules": [ {
          "action": { "type": "expire" },
          "selection": { "countNumber": 10, "countType": "imageCountMoreThan", "tagStatus": "any" },
          "description": "keep the last 10 images",
          "rulePriority": 1
      } ]
    }"#;
    let plan = plan_for(REPO, Some(&in_sync(reordered)));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn lifecycle_rules_compare_by_priority_not_position() {
    let yaml = r"
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: afu9/x}
spec:
  lifecyclePolicy:
    rules:
      - {rulePriority: 1, selection: {tagStatus: untagged, countType: sinceImagePushed, countUnit: days, countNumber: 7}, action: {type: expire}}
      - {rulePriority: 2, selection: {tagStatus: tagged, tagPrefixList: [b, a], countType: imageCountMoreThan, countNumber: 5}, action: {type: expire}}
";
    let live = r#"{"rules":[
      {"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["a","b"],"countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}},
      {"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}"#;
    let plan = plan_for(yaml, Some(&in_sync(live)));
    assert!(
        !paths(&plan).contains(&"spec.lifecyclePolicy"),
        "{:?}",
        plan.changes
    );
}

#[test]
fn a_different_count_is_drift() {
    let plan = plan_for(REPO, Some(&in_sync(&KEEP_10.replace(":10}", ":20}"))));
    assert_eq!(paths(&plan), ["spec.lifecyclePolicy"]);
    assert_eq!(calls(&plan), ["PutLifecyclePolicy"]);
}

#[test]
fn every_drifted_field_is_named_and_fixed() {
    let mut have = in_sync(KEEP_10);
    have.scan_on_push = false;
    have.tag_mutability = "MUTABLE".to_owned();
    have.lifecycle_policy = None;
    have.tags.insert("project".to_owned(), "other".to_owned());
    have.tags.insert("stray".to_owned(), "x".to_owned());
    have.tags
        .insert("aws:cloudformation:stack-name".to_owned(), "s".to_owned());
    let plan = plan_for(REPO, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        [
            "spec.scanOnPush",
            "spec.tagMutability",
            "spec.lifecyclePolicy",
            "spec.tags.project",
            "spec.tags.stray"
        ]
    );
    assert_eq!(
        calls(&plan),
        [
            "PutImageScanningConfiguration",
            "PutImageTagMutability",
            "PutLifecyclePolicy",
            "TagResource",
            "UntagResource"
        ]
    );
    assert_eq!(plan.changes[0].before, Some(false.into()));
    assert_eq!(plan.changes[0].after, Some(true.into()));
}

#[test]
fn fields_left_out_are_not_managed() {
    let yaml = "apiVersion: posture.afu9.io/v1alpha1\nkind: EcrRepository\nmetadata: {name: afu9/x}\nspec: {}\n";
    let mut have = in_sync(KEEP_10);
    have.scan_on_push = false;
    have.tag_mutability = "MUTABLE".to_owned();
    have.tags = owned_tags(&[]);
    let plan = plan_for(yaml, Some(&have));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_repository_we_did_not_create_is_blocked_unless_adopted() {
    let mut have = in_sync(KEEP_10);
    have.tags.remove(MANAGED_BY_KEY);
    have.scan_on_push = false;
    let plan = plan_for(REPO, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert!(plan.reason.as_deref().unwrap_or_default().contains("adopt"));

    let adopted = REPO.replace(
        "metadata: {name: afu9/control-center}",
        "metadata: {name: afu9/control-center, adopt: true}",
    );
    let plan = plan_for(&adopted, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        calls(&plan),
        ["PutImageScanningConfiguration", "TagResource"]
    );
}

#[test]
fn different_encryption_is_blocked_but_other_fields_are_still_fixed() {
    let yaml = REPO.replace(
        "  tagMutability: IMMUTABLE\n",
        "  tagMutability: IMMUTABLE\n  encryption: {type: KMS}\n",
    );
    let mut have = in_sync(KEEP_10);
    have.scan_on_push = false;
    let plan = plan_for(&yaml, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .unwrap_or_default()
            .contains("created")
    );
    assert_eq!(paths(&plan), ["spec.scanOnPush", "spec.encryption"]);
    assert_eq!(calls(&plan), ["PutImageScanningConfiguration"]);
}

#[test]
fn posture_default_tags_are_wanted_and_ignored_tags_left_alone() {
    let yaml = format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: afu9}}\nspec:\n  defaultTags: {{owner: platform}}\n  ignoreTags: ['org:*']\n---{REPO}"
    );
    let mut have = in_sync(KEEP_10);
    have.tags.insert("org:billing".to_owned(), "x".to_owned());
    let plan = plan_for(&yaml, Some(&have));
    assert_eq!(paths(&plan), ["spec.tags.owner"]);
}
