use std::collections::BTreeMap;
use std::sync::Arc;

use afu9_spec::security_group::rules::{AtomicRule, Ports};
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::*;
use crate::kinds::round_trip::{round_trip, round_trip_all};
use crate::kinds::security_group::{LiveGroup, LiveRule};
use crate::plan::Action;

const VPC: &str = "vpc-0a1b2c";

fn owned() -> Tags {
    [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())].into()
}

fn rule(
    direction: Direction,
    protocol: Protocol,
    ports: Ports,
    peer: Peer,
    description: Option<&str>,
) -> DescribedRule {
    DescribedRule::new(
        AtomicRule {
            direction,
            protocol,
            ports,
            peer,
        },
        description,
    )
}

fn tcp(direction: Direction, port: u16, peer: Peer, description: Option<&str>) -> DescribedRule {
    rule(
        direction,
        Protocol::Tcp,
        Ports::Range {
            from: port,
            to: port,
        },
        peer,
        description,
    )
}

fn group(id: &str) -> Peer {
    Peer::group(id, None, None)
}

/// `groups` as observation reports them in one pass: each with the ids of all of them.
fn observed(groups: &[(&str, &str, Vec<DescribedRule>, Tags)]) -> Vec<SecurityGroupObserved> {
    let ids: Arc<BTreeMap<String, String>> = Arc::new(
        groups
            .iter()
            .map(|(name, id, ..)| ((*name).to_owned(), (*id).to_owned()))
            .collect(),
    );
    let vpcs: Arc<BTreeMap<String, String>> = Arc::new(
        groups
            .iter()
            .map(|(name, ..)| ((*name).to_owned(), VPC.to_owned()))
            .collect(),
    );
    groups
        .iter()
        .map(|(name, id, rules, tags)| SecurityGroupObserved {
            vpc: Ok(VPC.to_owned()),
            group: Some(LiveGroup {
                id: (*id).to_owned(),
                description: format!("the {name} tier"),
                tags: tags.clone(),
                rules: rules
                    .iter()
                    .enumerate()
                    .map(|(index, rule)| LiveRule {
                        id: format!("sgr-{id}-{index}"),
                        rule: rule.clone(),
                    })
                    .collect(),
            }),
            group_ids: Arc::clone(&ids),
            group_vpcs: Arc::clone(&vpcs),
            created: Arc::default(),
        })
        .collect()
}

/// The live ids of `groups` to their names, as the engine passes them to `import`.
fn names(groups: &[(&str, &str, Vec<DescribedRule>, Tags)]) -> BTreeMap<String, String> {
    groups
        .iter()
        .map(|(name, id, ..)| ((*id).to_owned(), (*name).to_owned()))
        .collect()
}

#[test]
fn groups_that_refer_to_each_other_and_to_themselves_import_in_sync_by_manifest_name() {
    use Direction::{Egress, Ingress};
    let groups = [
        (
            "web",
            "sg-0web",
            vec![
                tcp(
                    Ingress,
                    443,
                    Peer::Ipv4("0.0.0.0/0".to_owned()),
                    Some("HTTPS"),
                ),
                tcp(Egress, 5432, group("sg-1db"), Some("to the database")),
                rule(Ingress, Protocol::All, Ports::All, group("sg-0web"), None),
            ],
            owned(),
        ),
        (
            "db",
            "sg-1db",
            vec![tcp(Ingress, 5432, group("sg-0web"), Some("from web"))],
            owned(),
        ),
    ];
    let live = observed(&groups);
    let names = names(&groups);
    let spec = import(ImportContext { names: &names }, "web", &live[0]);
    let peers: Vec<Option<&PeerSpec>> = spec
        .ingress
        .iter()
        .map(|r| r.from.as_ref())
        .chain(spec.egress.iter().map(|r| r.to.as_ref()))
        .collect();
    assert!(
        peers.contains(&Some(&PeerSpec::SecurityGroup("web".to_owned())))
            && peers.contains(&Some(&PeerSpec::SecurityGroup("db".to_owned()))),
        "{peers:?}"
    );
    assert_eq!(spec.vpc, VpcRef::Id(VPC.to_owned()));
    let plans =
        round_trip_all::<SecurityGroups>(&[("web", &live[0]), ("db", &live[1])], &names, None);
    for plan in plans {
        assert_eq!(
            plan.action,
            Action::Noop,
            "{}: {:?}",
            plan.name,
            plan.changes
        );
    }
}

#[test]
fn every_kind_of_rule_imports_in_sync_and_a_group_not_imported_stays_an_id() {
    use Direction::{Egress, Ingress};
    let rules = vec![
        rule(
            Ingress,
            Protocol::Tcp,
            Ports::Range {
                from: 1024,
                to: 2048,
            },
            Peer::Ipv4("10.0.0.0/8".to_owned()),
            None,
        ),
        rule(
            Ingress,
            Protocol::Icmp,
            Ports::Icmp { type_: 8, code: -1 },
            Peer::Ipv6("2001:db8::/32".to_owned()),
            Some("ping"),
        ),
        rule(
            Ingress,
            Protocol::Icmpv6,
            Ports::All,
            Peer::PrefixList("pl-0abc".to_owned()),
            None,
        ),
        tcp(Ingress, 8080, group("sg-0elsewhere"), None),
        tcp(
            Ingress,
            9090,
            Peer::group("sg-0theirs", Some("210987654321"), None),
            Some("partner"),
        ),
        rule(
            Ingress,
            Protocol::Other(47),
            Ports::All,
            group("sg-0elsewhere"),
            None,
        ),
        rule(
            Egress,
            Protocol::Udp,
            Ports::Range { from: 0, to: 65535 },
            Peer::Ipv4("10.1.0.0/16".to_owned()),
            None,
        ),
    ];
    let groups = [("app", "sg-0app", rules, owned())];
    let live = observed(&groups);
    let names = names(&groups);
    let spec = import(ImportContext { names: &names }, "app", &live[0]);
    assert!(
        spec.ingress
            .iter()
            .any(|r| r.from == Some(PeerSpec::GroupId("sg-0elsewhere".to_owned()))),
        "{:?}",
        spec.ingress
    );
    let plan = round_trip::<SecurityGroups>("app", &live[0], &names, None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn an_unowned_default_group_is_adopted_and_only_its_ownership_tag_differs() {
    let groups = [(
        "default",
        "sg-0default",
        vec![
            rule(
                Direction::Ingress,
                Protocol::All,
                Ports::All,
                group("sg-0default"),
                None,
            ),
            rule(
                Direction::Egress,
                Protocol::All,
                Ports::All,
                Peer::Ipv4("0.0.0.0/0".to_owned()),
                None,
            ),
        ],
        Tags::new(),
    )];
    let live = observed(&groups);
    let plan = round_trip::<SecurityGroups>("default", &live[0], &names(&groups), None);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.tags.managed-by"], "{:?}", plan.reason);
}

#[test]
fn a_group_without_rules_imports_without_rules() {
    let groups = [("closed", "sg-0closed", Vec::new(), owned())];
    let live = observed(&groups);
    let spec = import(
        ImportContext {
            names: &names(&groups),
        },
        "closed",
        &live[0],
    );
    assert!(
        spec.ingress.is_empty() && spec.egress.is_empty(),
        "{spec:?}"
    );
    let plan = round_trip::<SecurityGroups>("closed", &live[0], &names(&groups), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}
