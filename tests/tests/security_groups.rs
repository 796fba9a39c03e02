//! `SecurityGroup` end to end against the emulator: the AFU-9 groups created from nothing in
//! one apply, every kind of rule drift planned, fixed and gone, equivalent spellings in sync,
//! descriptions of groups and rules, and reads batched for any number of groups.

use std::fmt::Write as _;
use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::kinds::registered;
use afu9_controller::kinds::security_group::SecurityGroups;
use afu9_controller::plan::{Action, Plan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, Ipv6Range, SecurityGroup, Tag};

fn network() -> DesiredState {
    let text = std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/network.yaml"))
        .expect("read");
    load_str(Path::new("desired-state/network.yaml"), &text).expect("valid")
}

fn engine() -> Engine {
    Engine::new(vec![registered::<SecurityGroups>().into()])
}

/// A VPC tagged as the AFU-9 manifests look it up.
async fn afu9_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("id");
    ec2.create_tags()
        .resources(&vpc)
        .tags(Tag::builder().key("Name").value("afu9-vpc").build())
        .send()
        .await
        .expect("tag");
    vpc
}

async fn group(ec2: &aws_sdk_ec2::Client, name: &str) -> SecurityGroup {
    ec2.describe_security_groups()
        .filters(Filter::builder().name("group-name").values(name).build())
        .send()
        .await
        .expect("describe")
        .security_groups
        .unwrap_or_default()
        .remove(0)
}

async fn converge(engine: &Engine, aws: &Aws, state: &DesiredState) {
    let report = engine.apply(aws, &engine.plan(aws, state).await).await;
    assert_eq!(report.failed(), 0, "{report:?}");
}

async fn assert_in_sync(engine: &Engine, aws: &Aws, state: &DesiredState) {
    let plan = engine.plan(aws, state).await;
    let drift: Vec<_> = plan
        .resources
        .iter()
        .filter(|r| r.is_drift())
        .map(|r| (&r.name, r.action, &r.changes))
        .collect();
    assert!(drift.is_empty(), "still drifted: {drift:?}");
}

/// A change as text: path, live value, wanted value.
type ChangeText<'a> = (&'a str, Option<String>, Option<String>);

fn changed<'a>(plan: &'a Plan, name: &str) -> (Action, Vec<ChangeText<'a>>) {
    let resource = plan
        .resources
        .iter()
        .find(|r| r.name == name)
        .expect("in plan");
    let text = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), ToOwned::to_owned))
    };
    (
        resource.action,
        resource
            .changes
            .iter()
            .map(|c| (c.path.as_str(), text(&c.before), text(&c.after)))
            .collect(),
    )
}

fn tcp(port: i32) -> aws_sdk_ec2::types::builders::IpPermissionBuilder {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
}

#[tokio::test]
async fn the_three_groups_are_created_from_nothing_in_one_apply() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    afu9_vpc(&ec2).await;
    let aws = Aws::from_config(&emulator.sdk_config());
    let (engine, state) = (engine(), network());
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(plan.summary().create, 3);
    let before = aws.calls.by_operation();
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let after = aws.calls.by_operation();
    let describes = |calls: &std::collections::BTreeMap<String, u64>| {
        calls
            .get("EC2.DescribeSecurityGroups")
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(
        describes(&after),
        describes(&before),
        "apply looked up a group whose id its create had returned: {after:?}"
    );
    assert_in_sync(&engine, &aws, &state).await;

    let (alb, ecs, rds) = (
        group(&ec2, "afu9-alb").await,
        group(&ec2, "afu9-ecs").await,
        group(&ec2, "afu9-rds").await,
    );
    assert!(
        rds.ip_permissions_egress().is_empty(),
        "the default egress was not revoked"
    );
    let from = ecs.ip_permissions()[0].user_id_group_pairs()[0]
        .group_id
        .clone();
    assert_eq!(from, alb.group_id, "ecs admits the alb by its id");
    let to = ecs
        .ip_permissions_egress()
        .iter()
        .find(|p| p.from_port == Some(5432))
        .expect("5432 egress");
    assert_eq!(to.user_id_group_pairs()[0].group_id, rds.group_id);
}

/// Every kind of out-of-band change but descriptions (next test): an SSH rule from anywhere,
/// a rule removed, a port changed, a CIDR changed, the default egress back, a tag changed.
async fn inject_drift(
    ec2: &aws_sdk_ec2::Client,
    alb: &SecurityGroup,
    ecs: &SecurityGroup,
    rds: &SecurityGroup,
) {
    let (alb, ecs, rds) = (
        alb.group_id().expect("id"),
        ecs.group_id().expect("id"),
        rds.group_id().expect("id"),
    );
    let anywhere = || IpRange::builder().cidr_ip("0.0.0.0/0").build();
    ec2.authorize_security_group_ingress()
        .group_id(ecs)
        .ip_permissions(tcp(22).ip_ranges(anywhere()).build())
        .send()
        .await
        .expect("ssh");
    ec2.revoke_security_group_ingress()
        .group_id(alb)
        .ip_permissions(tcp(80).ip_ranges(anywhere()).build())
        .send()
        .await
        .expect("80");
    ec2.revoke_security_group_egress()
        .group_id(ecs)
        .ip_permissions(tcp(443).ip_ranges(anywhere()).build())
        .send()
        .await
        .expect("443");
    ec2.authorize_security_group_egress()
        .group_id(ecs)
        .ip_permissions(tcp(8443).ip_ranges(anywhere()).build())
        .send()
        .await
        .expect("8443");
    ec2.revoke_security_group_ingress()
        .group_id(alb)
        .ip_permissions(tcp(443).ip_ranges(anywhere()).build())
        .send()
        .await
        .expect("443 in");
    ec2.authorize_security_group_ingress()
        .group_id(alb)
        .ip_permissions(
            tcp(443)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("10.0.0.0/8")
                        .description("HTTPS from the internet")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("cidr");
    ec2.authorize_security_group_egress()
        .group_id(rds)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(anywhere())
                .build(),
        )
        .send()
        .await
        .expect("default egress");
    ec2.create_tags()
        .resources(rds)
        .tags(Tag::builder().key("team").value("dba").build())
        .send()
        .await
        .expect("tag");
}

#[tokio::test]
async fn every_kind_of_rule_drift_is_planned_fixed_and_gone() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    afu9_vpc(&ec2).await;
    let aws = Aws::from_config(&emulator.sdk_config());
    let (engine, state) = (engine(), network());
    converge(&engine, &aws, &state).await;
    let (alb, ecs, rds) = (
        group(&ec2, "afu9-alb").await,
        group(&ec2, "afu9-ecs").await,
        group(&ec2, "afu9-rds").await,
    );
    inject_drift(&ec2, &alb, &ecs, &rds).await;

    let plan = engine.plan(&aws, &state).await;
    let (action, changes) = changed(&plan, "afu9-ecs");
    assert_eq!(action, Action::Update);
    let paths: Vec<(&str, bool, bool)> = changes
        .iter()
        .map(|(p, b, a)| (*p, b.is_some(), a.is_some()))
        .collect();
    assert_eq!(
        paths,
        [
            ("spec.ingress", true, false),
            ("spec.egress", true, false),
            ("spec.egress", false, true)
        ],
        "{changes:?}"
    );
    assert!(
        changes[0]
            .1
            .as_deref()
            .unwrap_or_default()
            .contains("tcp 22 from 0.0.0.0/0"),
        "{changes:?}"
    );
    assert!(
        changes[1]
            .1
            .as_deref()
            .unwrap_or_default()
            .contains("tcp 8443")
    );
    assert!(
        changes[2]
            .2
            .as_deref()
            .unwrap_or_default()
            .contains("tcp 443 to 0.0.0.0/0")
    );
    let (_, changes) = changed(&plan, "afu9-alb");
    assert_eq!(
        changes.len(),
        3,
        "10.0.0.0/8 revoked, 0.0.0.0/0 on 443 and 80 added: {changes:?}"
    );
    let (_, changes) = changed(&plan, "afu9-rds");
    let rds_paths: Vec<&str> = changes.iter().map(|c| c.0).collect();
    assert_eq!(rds_paths, ["spec.egress", "spec.tags.team"], "{changes:?}");
    let calls: Vec<&str> = plan
        .resources
        .iter()
        .find(|r| r.name == "afu9-rds")
        .expect("rds")
        .ops
        .iter()
        .map(|o| o.call())
        .collect();
    assert_eq!(calls, ["RevokeSecurityGroupEgress", "DeleteTags"]);

    converge(&engine, &aws, &state).await;
    assert_in_sync(&engine, &aws, &state).await;
}

async fn rule_ids(ec2: &aws_sdk_ec2::Client, group_id: &str) -> Vec<String> {
    let mut ids: Vec<String> = ec2
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(group_id).build())
        .send()
        .await
        .expect("rules")
        .security_group_rules
        .unwrap_or_default()
        .into_iter()
        .filter_map(|r| r.security_group_rule_id)
        .collect();
    ids.sort();
    ids
}

/// A changed description is updated in place: same rule ids before and after. (moto updates
/// descriptions of CIDR rules only, so a CIDR rule is used; AWS updates every kind.)
#[tokio::test]
async fn a_changed_rule_description_is_updated_in_place() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    afu9_vpc(&ec2).await;
    let aws = Aws::from_config(&emulator.sdk_config());
    let (engine, state) = (engine(), network());
    converge(&engine, &aws, &state).await;
    let alb = group(&ec2, "afu9-alb").await;
    let alb_id = alb.group_id().expect("id");
    let before = rule_ids(&ec2, alb_id).await;
    ec2.update_security_group_rule_descriptions_ingress()
        .group_id(alb_id)
        .ip_permissions(
            tcp(80)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("0.0.0.0/0")
                        .description("changed by hand")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("description");

    let plan = engine.plan(&aws, &state).await;
    let (action, changes) = changed(&plan, "afu9-alb");
    assert_eq!(action, Action::Update);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        changes[0]
            .1
            .as_deref()
            .unwrap_or_default()
            .contains("changed by hand")
    );
    let calls: Vec<&str> = plan
        .resources
        .iter()
        .find(|r| r.name == "afu9-alb")
        .expect("alb")
        .ops
        .iter()
        .map(|o| o.call())
        .collect();
    assert_eq!(
        calls,
        ["UpdateSecurityGroupRuleDescriptionsIngress"],
        "never revoke + authorize"
    );
    converge(&engine, &aws, &state).await;
    assert_in_sync(&engine, &aws, &state).await;
    assert_eq!(rule_ids(&ec2, alb_id).await, before, "the rule kept its id");
}

#[tokio::test]
async fn equivalent_spellings_of_rules_show_no_diff() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    let vpc = afu9_vpc(&ec2).await;
    let id = ec2
        .create_security_group()
        .group_name("afu9-web")
        .description("web")
        .vpc_id(&vpc)
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::SecurityGroup)
                .tags(
                    Tag::builder()
                        .key("managed-by")
                        .value("afu9-posture")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("group")
        .group_id
        .expect("id");
    // One merged permission with two CIDRs, numeric protocol 6; an IPv6 block in long form.
    ec2.authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("6")
                .from_port(443)
                .to_port(443)
                .ip_ranges(IpRange::builder().cidr_ip("10.1.0.0/16").build())
                .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/24").build())
                .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("2001:db8::/32").build())
                .build(),
        )
        .send()
        .await
        .expect("authorize");
    let manifest = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-web}
spec:
  vpc: {tags: {Name: afu9-vpc}}
  description: web
  guardrailExceptions: []
  ingress:
    - {protocol: tcp, ports: "443-443", from: {cidr: 10.1.2.3/16}}
    - {protocol: "6", ports: 443, from: {cidr: 192.168.0.77/24}}
    - {protocol: TCP, ports: 443, from: {cidr: "2001:DB8:0:0::/32"}}
  egress:
    - {protocol: all, to: {cidr: 0.0.0.0/0}}
"#;
    let state = load_str(Path::new("web.yaml"), manifest).expect("valid");
    let aws = Aws::from_config(&emulator.sdk_config());
    assert_in_sync(&engine(), &aws, &state).await;

    let near_miss = state_with(
        manifest,
        "ports: 443, from: {cidr: 192.168.0.77/24}",
        "ports: 8443, from: {cidr: 192.168.0.77/24}",
    );
    let plan = engine().plan(&aws, &near_miss).await;
    assert_eq!(
        changed(&plan, "afu9-web").1.len(),
        2,
        "port 443 revoked, 8443 added"
    );
}

fn state_with(manifest: &str, from: &str, to: &str) -> DesiredState {
    load_str(Path::new("web.yaml"), &manifest.replace(from, to)).expect("valid")
}

#[tokio::test]
async fn a_changed_group_description_is_blocked_unless_replacement_is_allowed() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    afu9_vpc(&ec2).await;
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let text = std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/network.yaml"))
        .expect("read");
    let state = network();
    converge(&engine, &aws, &state).await;
    let old_id = group(&ec2, "afu9-rds").await.group_id;

    let edited = text.replace(
        "description: AFU-9 RDS database",
        "description: AFU-9 PostgreSQL database",
    );
    let blocked = load_str(Path::new("n.yaml"), &edited).expect("valid");
    let plan = engine.plan(&aws, &blocked).await;
    let (action, changes) = changed(&plan, "afu9-rds");
    assert_eq!(action, Action::Blocked);
    assert_eq!(changes[0].0, "spec.description");
    converge(&engine, &aws, &blocked).await;
    assert_eq!(
        group(&ec2, "afu9-rds").await.group_id,
        old_id,
        "never replaced silently"
    );

    let allowed = load_str(
        Path::new("n.yaml"),
        &edited.replace(
            "description: AFU-9 PostgreSQL database",
            "description: AFU-9 PostgreSQL database\n  allowReplacement: true",
        ),
    )
    .expect("valid");
    let plan = engine.plan(&aws, &allowed).await;
    assert_eq!(changed(&plan, "afu9-rds").0, Action::Replace);
    converge(&engine, &aws, &allowed).await;
    let replaced = group(&ec2, "afu9-rds").await;
    assert_ne!(replaced.group_id, old_id);
    assert_eq!(
        replaced.description.as_deref(),
        Some("AFU-9 PostgreSQL database")
    );
    // The groups that referenced the old id converge on the next pass.
    converge(&engine, &aws, &allowed).await;
    assert_in_sync(&engine, &aws, &allowed).await;
}

#[tokio::test]
async fn reads_are_three_calls_for_three_groups_and_for_a_hundred() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    afu9_vpc(&ec2).await;
    let engine = engine();
    let mut yaml =
        std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/network.yaml"))
            .expect("read");
    for (count, extra) in [(3, 0), (100, 97)] {
        for i in 0..extra {
            writeln!(
                yaml,
                "---\napiVersion: posture.afu9.io/v1alpha1\nkind: SecurityGroup\nmetadata: {{name: extra-{i}}}\nspec:\n  vpc: {{tags: {{Name: afu9-vpc}}}}\n  description: extra\n  ingress:\n    - {{protocol: tcp, ports: 5432, from: {{securityGroup: afu9-ecs}}}}\n    - {{protocol: tcp, ports: 443, from: {{cidr: 10.0.0.0/8}}}}\n"
            ).expect("write");
        }
        let state = load_str(Path::new("n.yaml"), &yaml).expect("valid");
        assert_eq!(state.security_groups.len(), count);
        converge(&engine, &Aws::from_config(&emulator.sdk_config()), &state).await;
        // A whole pass, as `plan` makes it: the orphan search reads the same listings.
        let aws = Aws::from_config(&emulator.sdk_config());
        let plan = engine.plan_with_orphans(&aws, &state, false).await;
        assert!(!plan.has_drift(), "{plan:?}");
        assert!(plan.resources.iter().all(|r| !r.orphan), "{plan:?}");
        let calls = aws.calls.by_operation();
        let ec2: u64 = calls
            .iter()
            .filter(|(operation, _)| operation.starts_with("EC2."))
            .map(|(_, count)| count)
            .sum();
        // The VPCs, every group (one listing for observation and the orphan search, which
        // sees no unnamed group with the ownership tag in it), the managed groups' rules;
        // this engine has no other kind.
        assert_eq!(ec2, 3, "{count} groups: {calls:?}");
        assert_eq!(calls.values().sum::<u64>(), 3, "{count} groups: {calls:?}");
        for operation in [
            "EC2.DescribeVpcs",
            "EC2.DescribeSecurityGroups",
            "EC2.DescribeSecurityGroupRules",
        ] {
            assert_eq!(calls.get(operation), Some(&1), "{count} groups: {calls:?}");
        }
    }
}
