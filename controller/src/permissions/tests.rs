use super::{ANY, Access, ArnScope, Mode, Policy};
use crate::engine::{Engine, PolicyOptions};
use crate::kinds::standard;

fn policy(state: &afu9_spec::DesiredState, scope: &ArnScope, mode: Mode) -> Policy {
    Engine::new(standard()).permissions(state, scope, mode, &PolicyOptions::default())
}

fn afu9_state() -> afu9_spec::DesiredState {
    let root = crate::repo_root().join("desired-state");
    afu9_spec::load_paths(&[root]).expect("the AFU-9 desired state is valid")
}

#[test]
fn plan_is_read_only_and_apply_adds_writes_and_listening() {
    let state = afu9_state();
    let scope = ArnScope::new(&state, Some("123456789012"), Some("eu-central-1"));
    let plan = policy(&state, &scope, Mode::Plan);
    let apply = policy(&state, &scope, Mode::Apply);
    assert!(plan.statements.iter().all(|s| s.sid.contains("Read")));
    for statement in &plan.statements {
        assert!(apply.statements.contains(statement), "{}", statement.sid);
    }
    assert!(apply.statements.iter().any(|s| s.sid.contains("Write")));
    assert!(
        apply
            .statements
            .iter()
            .any(|s| s.sid == "EventSourceListen")
    );
    let actions: Vec<&str> = apply
        .statements
        .iter()
        .flat_map(|s| s.actions.iter().map(String::as_str))
        .collect();
    assert!(!actions.contains(&"secretsmanager:GetSecretValue"));
    assert!(!actions.contains(&"secretsmanager:PutSecretValue"));
    assert!(!actions.contains(&"sts:GetCallerIdentity"));
}

#[test]
fn sids_are_unique_and_the_policy_is_stable() {
    let state = afu9_state();
    let scope = ArnScope::new(&state, None, None);
    let first = policy(&state, &scope, Mode::Apply);
    let second = policy(&state, &scope, Mode::Apply);
    assert_eq!(first, second);
    let mut sids: Vec<&str> = first.statements.iter().map(|s| s.sid.as_str()).collect();
    let count = sids.len();
    sids.sort_unstable();
    sids.dedup();
    assert_eq!(sids.len(), count, "{sids:?}");
    for statement in &first.statements {
        let mut sorted = statement.actions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, statement.actions);
        assert!(!statement.resources.is_empty() && !statement.actions.is_empty());
    }
}

#[test]
fn an_unknown_account_and_region_are_wildcards_and_known_ones_are_used() {
    let state = afu9_state();
    let unknown = ArnScope {
        partition: "aws".to_owned(),
        region: ANY.to_owned(),
        account: ANY.to_owned(),
    };
    assert_eq!(unknown.arn("sns", "t"), "arn:aws:sns:*:*:t");
    let known = ArnScope::new(&state, Some("123456789012"), Some("eu-west-1"));
    assert_eq!(known.account, "123456789012");
    assert_eq!(known.region, "eu-west-1");
    assert_eq!(
        known.global_arn("iam", "role/r"),
        "arn:aws:iam::123456789012:role/r"
    );
}

#[test]
fn without_manifests_only_looking_for_orphans_is_granted_and_pruning_adds_only_deletes() {
    let state = afu9_spec::DesiredState::default();
    let scope = ArnScope::new(&state, None, None);
    let plan = policy(&state, &scope, Mode::Apply);
    assert!(!plan.statements.is_empty());
    assert!(
        plan.statements.iter().all(|s| s.sid.contains("Read")),
        "{:?}",
        plan.statements
    );
    let options = PolicyOptions {
        security_hub: false,
        prune: true,
        ..PolicyOptions::default()
    };
    let pruning = Engine::new(standard()).permissions(&state, &scope, Mode::Apply, &options);
    let writes: Vec<&String> = pruning
        .statements
        .iter()
        .filter(|s| !s.sid.contains("Read"))
        .flat_map(|s| s.actions.iter())
        .collect();
    assert!(!writes.is_empty());
    for action in &writes {
        let verb = action.split(':').nth(1).unwrap_or_default();
        assert!(
            ["Delete", "Detach", "Remove"]
                .iter()
                .any(|v| verb.starts_with(v)),
            "pruning grants only deleting calls, not {action}"
        );
    }
    assert!(!writes.iter().any(|a| a.contains("ForceDelete")));
    let read_only = Engine::new(standard()).permissions(&state, &scope, Mode::Plan, &options);
    assert!(read_only.statements.iter().all(|s| s.sid.contains("Read")));
    assert!(Mode::Plan.includes(Access::Read) && !Mode::Plan.includes(Access::Listen));
}

#[test]
fn the_security_hub_export_is_granted_only_when_asked_in_either_mode_on_its_product_and_hub() {
    let state = afu9_state();
    let scope = ArnScope::new(&state, Some("123456789012"), Some("eu-central-1"));
    for mode in [Mode::Plan, Mode::Apply] {
        let without = policy(&state, &scope, mode);
        assert!(
            !without
                .statements
                .iter()
                .any(|s| s.sid.starts_with("SecurityHub"))
        );
        let options = PolicyOptions {
            security_hub: true,
            prune: false,
            ..PolicyOptions::default()
        };
        let with = Engine::new(standard()).permissions(&state, &scope, mode, &options);
        let export: Vec<(&str, &[String], &[String])> = with
            .statements
            .iter()
            .filter(|s| s.sid.starts_with("SecurityHubExport"))
            .map(|s| (s.sid.as_str(), s.actions.as_slice(), s.resources.as_slice()))
            .collect();
        assert_eq!(
            export,
            [
                (
                    "SecurityHubExport1",
                    ["securityhub:GetFindings".to_owned()].as_slice(),
                    ["arn:aws:securityhub:eu-central-1:123456789012:hub/default".to_owned()]
                        .as_slice()
                ),
                (
                    "SecurityHubExport2",
                    ["securityhub:BatchImportFindings".to_owned()].as_slice(),
                    [
                        "arn:aws:securityhub:eu-central-1:123456789012:product/123456789012/default"
                            .to_owned()
                    ]
                    .as_slice()
                ),
            ]
        );
        assert_eq!(with.statements.len(), without.statements.len() + 2);
    }
}

#[test]
fn a_statement_another_covers_is_dropped() {
    let scoped = super::Grant::new(
        Access::Read,
        &["iam:GetRole", "iam:ListRoleTags"],
        vec!["arn:aws:iam::1:role/afu9-task".to_owned()],
    );
    let any_role = super::Grant::new(
        Access::Read,
        &["iam:GetRole"],
        vec!["arn:aws:iam::1:role/*".to_owned()],
    );
    let write = super::Grant::new(
        Access::Write,
        &["iam:GetRole"],
        vec!["arn:aws:iam::1:role/afu9-task".to_owned()],
    );
    let policy = super::policy([("IamRole", vec![scoped, any_role, write])], Mode::Apply);
    let shown: Vec<(&str, Vec<&str>)> = policy
        .statements
        .iter()
        .map(|s| {
            (
                s.sid.as_str(),
                s.actions.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("IamRoleRead1", vec!["iam:GetRole"]),
            ("IamRoleRead2", vec!["iam:ListRoleTags"]),
            ("IamRoleWrite", vec!["iam:GetRole"]),
        ]
    );
    assert!(super::glob(
        "arn:aws:iam::1:role/*",
        "arn:aws:iam::1:role/a/b"
    ));
    assert!(!super::glob("arn:aws:iam::1:role/*", "*"));
    assert!(super::glob("secret:x-??????", "secret:x-abcdef"));
}

#[test]
fn the_lease_is_granted_on_its_table_in_apply_mode_only() {
    let state = afu9_state();
    let scope = ArnScope::new(&state, Some("123456789012"), Some("eu-central-1"));
    let options = PolicyOptions {
        lease_table: Some("afu9-posture-lease".to_owned()),
        ..PolicyOptions::default()
    };
    let engine = Engine::new(standard());
    let apply = engine.permissions(&state, &scope, Mode::Apply, &options);
    let lease: Vec<_> = apply
        .statements
        .iter()
        .filter(|s| s.sid == "ControllerLease")
        .collect();
    assert_eq!(lease.len(), 1, "{:?}", apply.statements);
    assert_eq!(
        lease[0].actions,
        [
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem"
        ]
    );
    assert_eq!(
        lease[0].resources,
        ["arn:aws:dynamodb:eu-central-1:123456789012:table/afu9-posture-lease"]
    );
    let plan = engine.permissions(&state, &scope, Mode::Plan, &options);
    assert!(
        !plan
            .statements
            .iter()
            .any(|s| s.sid.starts_with("Controller"))
    );
    assert!(
        !policy(&state, &scope, Mode::Apply)
            .statements
            .iter()
            .any(|s| s.sid.starts_with("Controller")),
        "no lease without a table"
    );
}
