use std::collections::{BTreeMap, BTreeSet};

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};
use serde_json::json;

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

const POLICY: &str = "arn:aws:iam::123456789012:policy/afu9/afu9-read";

fn role(tags: &[(&str, &str)]) -> IamRoleObserved {
    IamRoleObserved {
        path: "/".to_owned(),
        description: Some("runs the tasks".to_owned()),
        max_session_duration: 7200,
        trust_policy: json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        permissions_boundary: None,
        inline_policies: BTreeMap::from([(
            "logs".to_owned(),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:*:*:log-group:/ecs/afu9*"}]}),
        )]),
        managed_policies: BTreeSet::from([
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy".to_owned(),
            POLICY.to_owned(),
        ]),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        observed_at: 0,
    }
}

#[test]
fn a_role_with_inline_and_managed_policies_imports_in_sync() {
    let have = role(&[(MANAGED_BY_KEY, MANAGED_BY_VALUE)]);
    let plan = round_trip::<IamRoles>("afu9-task-role", &have, &BTreeMap::new(), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn an_imported_customer_policy_is_attached_by_its_manifest_name() {
    let have = role(&[(MANAGED_BY_KEY, MANAGED_BY_VALUE)]);
    let names = BTreeMap::from([(POLICY.to_owned(), "afu9-read".to_owned())]);
    let spec = import(ImportContext { names: &names }, "afu9-task-role", &have);
    assert!(
        spec.managed_policies.contains(&"afu9-read".to_owned()),
        "{:?}",
        spec.managed_policies
    );
    assert_eq!(spec.inline_policies.len(), 1);
}

#[test]
fn an_unowned_role_is_adopted() {
    let have = role(&[]);
    let plan = round_trip::<IamRoles>("afu9-task-role", &have, &BTreeMap::new(), None);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.tags.managed-by"], "{:?}", plan.reason);
}
