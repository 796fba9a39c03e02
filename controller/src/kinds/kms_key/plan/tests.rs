use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::super::{KmsKeyObserved, KmsKeys};
use crate::engine::PlanContext;
use crate::plan::{Action, ResourcePlan};

const KEY: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: KmsKey
metadata: {name: afu9-secrets}
spec:
  description: AFU-9 secrets
  rotation: true
  policy:
    Version: "2012-10-17"
    Statement:
      - {Sid: Root, Effect: Allow, Principal: {AWS: "arn:aws:iam::123456789012:root"}, Action: "kms:*", Resource: "*"}
"#;

/// The same policy as KMS might hand it back: a one-element list unwrapped, keys reordered.
const LIVE_POLICY: &str = r#"{"Statement":[{"Resource":"*","Action":["kms:*"],"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Effect":"Allow","Sid":"Root"}],"Version":"2012-10-17"}"#;

fn live() -> KmsKeyObserved {
    KmsKeyObserved {
        key_id: "k-1".to_owned(),
        manager: "CUSTOMER".to_owned(),
        state: "Enabled".to_owned(),
        description: "AFU-9 secrets".to_owned(),
        rotation: Some(true),
        policy: Some(LIVE_POLICY.to_owned()),
        tags: [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
            .into_iter()
            .collect(),
        aliased: true,
    }
}

fn planned(have: Option<&KmsKeyObserved>) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), KEY).expect("valid");
    let cx = PlanContext {
        state: &state,
        events: &[],
        identity: None,
    };
    crate::kinds::registered::<KmsKeys>().plan_one(&cx, &state.kms_keys[0], have)
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn a_policy_written_differently_is_in_sync() {
    let plan = planned(Some(&live()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn rotation_description_and_policy_drift_each_have_their_call() {
    let mut have = live();
    have.rotation = Some(false);
    have.description = "old".to_owned();
    have.policy = Some(LIVE_POLICY.replace("kms:*", "kms:Decrypt"));
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Update);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.description", "spec.rotation", "spec.policy"]);
    assert_eq!(
        calls(&plan),
        ["UpdateKeyDescription", "EnableKeyRotation", "PutKeyPolicy"]
    );
}

#[test]
fn missing_is_created_with_its_alias_and_rotation() {
    let plan = planned(None);
    assert_eq!(plan.action, Action::Create);
    assert_eq!(
        calls(&plan),
        ["CreateKey", "CreateAlias", "EnableKeyRotation"]
    );
}

#[test]
fn a_key_left_without_its_alias_gets_the_alias_instead_of_a_new_key() {
    let mut have = live();
    have.aliased = false;
    have.rotation = Some(false);
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(calls(&plan), ["CreateAlias", "EnableKeyRotation"]);
    assert_eq!(plan.changes[0].path, "alias");
}

#[test]
fn keys_pending_deletion_aws_managed_or_unowned_are_not_touched() {
    let mut have = live();
    have.state = "PendingDeletion".to_owned();
    have.rotation = None;
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    let mut have = live();
    have.manager = "AWS".to_owned();
    assert_eq!(planned(Some(&have)).action, Action::Blocked);
    let mut have = live();
    have.tags = Tags::new();
    have.rotation = Some(false);
    let plan = planned(Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}
