use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use afu9_spec::security_group::rules::{
    AtomicRule, DescribedRule, Direction, Peer, Ports, Protocol,
};

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::kinds::security_group::SecurityGroups;
use crate::kinds::security_group::{LiveGroup, LiveRule};
use crate::plan::{Action, Dependency, ResourcePlan};

const GROUPS: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: web}
spec:
  vpc: {id: vpc-1}
  description: web
  ingress:
    - {protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}}
  egress:
    - {protocol: tcp, ports: 5432, to: {securityGroup: db}}
---
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: db}
spec:
  vpc: {id: vpc-1}
  description: db
  ingress:
    - {protocol: tcp, ports: 5432, from: {securityGroup: web}, description: from web}
";

fn state() -> DesiredState {
    load_str(Path::new("t.yaml"), GROUPS).expect("valid")
}

fn plan_for(state: &DesiredState, index: usize, have: &SecurityGroupObserved) -> ResourcePlan {
    let cx = PlanContext {
        events: &[],
        state,
        identity: None,
    };
    crate::kinds::registered::<SecurityGroups>().plan_one(
        &cx,
        &state.security_groups[index],
        Some(have),
    )
}

fn observed(group: Option<LiveGroup>, ids: &[(&str, &str)]) -> SecurityGroupObserved {
    SecurityGroupObserved {
        vpc: Ok("vpc-1".to_owned()),
        group,
        group_ids: std::sync::Arc::new(
            ids.iter()
                .map(|(n, i)| ((*n).to_owned(), (*i).to_owned()))
                .collect(),
        ),
        group_vpcs: std::sync::Arc::new(
            [
                ("web".to_owned(), "vpc-1".to_owned()),
                ("db".to_owned(), "vpc-1".to_owned()),
            ]
            .into(),
        ),
        created: std::sync::Arc::default(),
    }
}

fn rule(direction: Direction, port: u16, peer: Peer, description: Option<&str>) -> DescribedRule {
    DescribedRule::new(
        AtomicRule {
            direction,
            protocol: Protocol::Tcp,
            ports: Ports::Range {
                from: port,
                to: port,
            },
            peer,
        },
        description,
    )
}

fn owned(id: &str, description: &str, rules: Vec<DescribedRule>) -> LiveGroup {
    let mut tags = BTreeMap::new();
    tags.insert(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned());
    LiveGroup {
        id: id.to_owned(),
        description: description.to_owned(),
        tags,
        rules: rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| LiveRule {
                id: format!("sgr-{i}"),
                rule,
            })
            .collect(),
    }
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn a_new_group_loses_the_default_egress_and_refers_to_a_new_peer_by_name() {
    let state = state();
    let plan = plan_for(&state, 0, &observed(None, &[]));
    assert_eq!(plan.action, Action::Create);
    assert_eq!(
        calls(&plan),
        [
            "CreateSecurityGroup",
            "RevokeSecurityGroupEgress",
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress"
        ]
    );
    let egress = plan
        .changes
        .iter()
        .find(|c| c.path == "spec.egress")
        .expect("egress change");
    let shown = egress
        .after
        .as_ref()
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    assert!(shown.contains("group db (id known after apply)"), "{shown}");
}

#[test]
fn a_group_as_wanted_is_in_sync_with_its_peer_resolved_by_id() {
    let state = state();
    let live = owned(
        "sg-db",
        "db",
        vec![rule(
            Direction::Ingress,
            5432,
            Peer::group("sg-web", None, None),
            Some("from web"),
        )],
    );
    let plan = plan_for(
        &state,
        1,
        &observed(Some(live), &[("web", "sg-web"), ("db", "sg-db")]),
    );
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn extra_rules_are_revoked_by_id_before_missing_ones_are_authorized() {
    let state = state();
    let anywhere = Peer::Ipv4("0.0.0.0/0".to_owned());
    let live = owned(
        "sg-db",
        "db",
        vec![
            rule(Direction::Ingress, 22, anywhere.clone(), None),
            rule(
                Direction::Ingress,
                5432,
                Peer::group("sg-web", None, None),
                Some("old words"),
            ),
        ],
    );
    let plan = plan_for(
        &state,
        1,
        &observed(Some(live), &[("web", "sg-web"), ("db", "sg-db")]),
    );
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        calls(&plan),
        [
            "RevokeSecurityGroupIngress",
            "UpdateSecurityGroupRuleDescriptionsIngress"
        ]
    );
}

#[test]
fn a_changed_description_is_blocked_unless_replacement_is_allowed() {
    let state = state();
    let live = owned(
        "sg-db",
        "database",
        vec![rule(
            Direction::Ingress,
            5432,
            Peer::group("sg-web", None, None),
            Some("from web"),
        )],
    );
    let have = observed(Some(live), &[("web", "sg-web"), ("db", "sg-db")]);
    let plan = plan_for(&state, 1, &have);
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.ops.is_empty(),
        "rules already match; nothing else to do"
    );

    let allowed = load_str(
        Path::new("t.yaml"),
        &GROUPS.replace(
            "  description: db\n",
            "  description: db\n  allowReplacement: true\n",
        ),
    )
    .expect("valid");
    let plan = plan_for(&allowed, 1, &have);
    assert_eq!(plan.action, Action::Replace);
    assert_eq!(
        calls(&plan)[..2],
        ["DeleteSecurityGroup", "CreateSecurityGroup"]
    );
}

#[test]
fn an_unresolved_vpc_or_a_group_we_do_not_own_is_blocked_without_ops() {
    let state = state();
    let mut have = observed(None, &[]);
    have.vpc = Err("no VPC has the tags Name=afu9-vpc".to_owned());
    let plan = plan_for(&state, 0, &have);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty() && plan.reason.unwrap_or_default().contains("afu9-vpc"));

    let mut live = owned("sg-db", "db", vec![]);
    live.tags.clear();
    let plan = plan_for(
        &state,
        1,
        &observed(Some(live), &[("web", "sg-web"), ("db", "sg-db")]),
    );
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}

#[test]
fn a_group_depends_on_the_managed_groups_its_rules_name_and_on_nothing_else() {
    let state = state();
    let web = plan_for(&state, 0, &observed(None, &[]));
    let db = plan_for(&state, 1, &observed(None, &[]));
    assert_eq!(web.depends_on, [Dependency::created("SecurityGroup", "db")]);
    assert_eq!(db.depends_on, [Dependency::created("SecurityGroup", "web")]);
}
