use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::Tags;
use serde_json::json;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::aws::Identity;
use crate::kinds::iam::role::IamRoles;
use crate::plan::{Action, Dependency, ResourcePlan};

const ROLE: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-task-role}
spec:
  description: runs the tasks
  trustPolicy: {service: ecs-tasks.amazonaws.com}
  managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess, afu9-extra]
  permissionsBoundary: arn:aws:iam::aws:policy/PowerUserAccess
  inlinePolicies:
    read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]}
---
apiVersion: posture.afu9.io/v1alpha1
kind: IamPolicy
metadata: {name: afu9-extra}
spec:
  path: /afu9/
  document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: "arn:aws:sqs:*:*:afu9-*"}]}
"#;

const EXTRA_ARN: &str = "arn:aws:iam::123456789012:policy/afu9/afu9-extra";

fn identity() -> Identity {
    Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/afu9".to_owned(),
    }
}

fn plan_for(yaml: &str, have: Option<&IamRoleObserved>) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), yaml).expect("valid");
    let identity = identity();
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: Some(&identity),
    };
    crate::kinds::registered::<IamRoles>().plan_one(&cx, &state.iam_roles[0], have)
}

fn in_sync() -> IamRoleObserved {
    let mut tags = Tags::new();
    tags.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
    IamRoleObserved {
        path: "/".to_owned(),
        description: Some("runs the tasks".to_owned()),
        max_session_duration: 3600,
        trust_policy: json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}}),
        permissions_boundary: Some("arn:aws:iam::aws:policy/PowerUserAccess".to_owned()),
        inline_policies: [(
            "read".to_owned(),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:getobject"], "Resource": "*"}]}),
        )]
        .into(),
        managed_policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned(), EXTRA_ARN.to_owned()].into(),
        tags,
        observed_at: 0,
    }
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn a_role_as_wanted_is_in_sync() {
    let plan = plan_for(ROLE, Some(&in_sync()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_missing_role_is_created_whole_with_policy_names_resolved() {
    let plan = plan_for(ROLE, None);
    assert_eq!(plan.action, Action::Create);
    assert_eq!(
        calls(&plan),
        [
            "CreateRole",
            "PutRolePolicy",
            "AttachRolePolicy",
            "AttachRolePolicy"
        ]
    );
    assert!(
        plan.changes
            .iter()
            .any(|c| c.after == Some(EXTRA_ARN.into()))
    );
}

#[test]
fn privileges_are_removed_before_they_are_granted_and_the_boundary_loosened_last() {
    let yaml = ROLE.replace(
        "  permissionsBoundary: arn:aws:iam::aws:policy/PowerUserAccess\n",
        "",
    );
    let mut have = in_sync();
    have.managed_policies.remove(EXTRA_ARN);
    have.managed_policies
        .insert("arn:aws:iam::aws:policy/AdministratorAccess".to_owned());
    have.inline_policies.insert(
        "extra".to_owned(),
        json!({"Version": "2012-10-17", "Statement": []}),
    );
    have.inline_policies.remove("read");
    let plan = plan_for(&yaml, Some(&have));
    assert_eq!(
        calls(&plan),
        [
            "DetachRolePolicy",
            "DeleteRolePolicy",
            "AttachRolePolicy",
            "PutRolePolicy",
            "DeleteRolePermissionsBoundary"
        ]
    );
}

#[test]
fn a_new_boundary_is_put_first() {
    let mut have = in_sync();
    have.permissions_boundary = None;
    have.description = None;
    let plan = plan_for(ROLE, Some(&have));
    assert_eq!(calls(&plan), ["PutRolePermissionsBoundary", "UpdateRole"]);
}

#[test]
fn a_deleted_principal_is_reported_with_its_unique_id() {
    let mut have = in_sync();
    have.trust_policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "AROAEXAMPLEEXAMPLE1234"}, "Action": "sts:AssumeRole"}]});
    let plan = plan_for(ROLE, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(calls(&plan), ["UpdateAssumeRolePolicy"]);
    let reason = plan.reason.unwrap_or_default();
    assert!(
        reason.contains("AROAEXAMPLEEXAMPLE1234") && reason.contains("deleted"),
        "{reason}"
    );
}

#[test]
fn a_role_we_did_not_create_is_blocked_and_a_different_path_too() {
    let mut have = in_sync();
    have.tags.clear();
    let plan = plan_for(ROLE, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());

    let mut have = in_sync();
    have.path = "/legacy/".to_owned();
    let plan = plan_for(ROLE, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.reason.unwrap_or_default().contains("path"));
}

#[test]
fn documents_are_compared_canonically_but_shown_as_written_and_as_returned() {
    let mut have = in_sync();
    let live = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]
    });
    have.inline_policies.insert("read".to_owned(), live.clone());
    let plan = plan_for(ROLE, Some(&have));
    let change = plan
        .changes
        .iter()
        .find(|c| c.path == "spec.inlinePolicies.read")
        .expect("the inline policy differs");
    assert_eq!(
        change.before.as_ref(),
        Some(&live),
        "the live document as observed"
    );
    let after = change
        .after
        .as_ref()
        .expect("the wanted document")
        .to_string();
    assert!(
        after.contains("s3:GetObject"),
        "as the manifest writes it: {after}"
    );
    assert!(!after.contains("s3:getobject"), "not lower-cased: {after}");

    // The same document written with the action in another case is no change at all.
    have.inline_policies.insert(
        "read".to_owned(),
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["S3:GETOBJECT"], "Resource": "*"}}),
    );
    assert_eq!(plan_for(ROLE, Some(&have)).action, Action::Noop);
}

#[test]
fn a_role_depends_on_the_iam_policy_manifests_it_attaches_not_on_aws_managed_policies() {
    let plan = plan_for(ROLE, None);
    assert_eq!(
        plan.depends_on,
        [Dependency::done("IamPolicy", "afu9-extra")]
    );
}

#[test]
fn facts_read_the_live_role_s_policies_not_the_manifest() {
    use crate::engine::Attests as _;
    let state = load_str(Path::new("test.yaml"), ROLE).expect("valid manifests");
    let judged = |have: &IamRoleObserved| -> Vec<(&str, bool)> {
        IamRoles::facts(&state.iam_roles[0], have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect()
    };
    // The live trust policy trusts ecs-tasks without a source condition: the trust fact
    // (AFU9.IAM.1, tested in attest.rs) fails throughout, whatever the policies grant.
    assert_eq!(
        judged(&in_sync()),
        [("IAM.1", true), ("IAM.21", true), ("AFU9.IAM.1", false)]
    );
    let mut wide = in_sync();
    wide.inline_policies.insert(
        "all-of-s3".to_owned(),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}]}),
    );
    wide.managed_policies
        .insert("arn:aws:iam::aws:policy/AdministratorAccess".to_owned());
    assert_eq!(
        judged(&wide),
        [("IAM.1", false), ("IAM.21", false), ("AFU9.IAM.1", false)]
    );
}
