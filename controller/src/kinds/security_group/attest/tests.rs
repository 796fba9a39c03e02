use std::path::Path;

use afu9_spec::ManifestKind;
use afu9_spec::load::load_str;
use afu9_spec::security_group::rules::DescribedRule;

use super::super::{LiveGroup, LiveRule};
use super::*;

/// A manifest that opens nothing to the world: the facts must follow the live rules.
const GROUP: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: web}
spec:
  description: web
  vpc: {tags: {Name: afu9-vpc}}
  ingress: [{protocol: tcp, ports: 443, from: {cidr: 10.0.0.0/16}}]
";

fn live(rules: &[(Protocol, u16, u16, &str)]) -> SecurityGroupObserved {
    SecurityGroupObserved {
        vpc: Ok("vpc-1".to_owned()),
        group: Some(LiveGroup {
            id: "sg-1".to_owned(),
            description: "web".to_owned(),
            tags: afu9_spec::tags::Tags::default(),
            rules: rules
                .iter()
                .enumerate()
                .map(|(index, (protocol, from, to, cidr))| LiveRule {
                    id: format!("sgr-{index}"),
                    rule: DescribedRule::new(
                        AtomicRule {
                            direction: Direction::Ingress,
                            protocol: *protocol,
                            ports: if *protocol == Protocol::All {
                                Ports::All
                            } else {
                                Ports::Range {
                                    from: *from,
                                    to: *to,
                                }
                            },
                            peer: Peer::Ipv4((*cidr).to_owned()),
                        },
                        None,
                    ),
                })
                .collect(),
        }),
        group_ids: std::sync::Arc::default(),
        group_vpcs: std::sync::Arc::default(),
        created: std::sync::Arc::default(),
    }
}

fn judged(rules: &[(Protocol, u16, u16, &str)]) -> Vec<(&'static str, bool)> {
    let state = load_str(Path::new("sg.yaml"), GROUP).expect("valid manifest");
    let want = &SecurityGroupSpec::resources(&state)[0];
    SecurityGroups::facts(want, &live(rules))
        .iter()
        .map(|f| (f.control, f.holds))
        .collect()
}

#[test]
fn facts_read_the_live_rules_not_the_manifest() {
    let https = (Protocol::Tcp, 443, 443, "0.0.0.0/0");
    let inside = (Protocol::Tcp, 0, 65535, "10.0.0.0/16");
    assert_eq!(
        judged(&[https, inside]),
        [
            ("EC2.13", true),
            ("EC2.14", true),
            ("EC2.18", true),
            ("EC2.19", true)
        ]
    );
    let ssh = (Protocol::Tcp, 22, 22, "0.0.0.0/0");
    assert_eq!(
        judged(&[https, ssh]),
        [
            ("EC2.13", false),
            ("EC2.14", true),
            ("EC2.18", false),
            ("EC2.19", false)
        ]
    );
    let everything = (Protocol::All, 0, 0, "0.0.0.0/0");
    assert!(judged(&[everything]).iter().all(|(_, holds)| !holds));
    let high_port = (Protocol::Tcp, 40000, 40010, "0.0.0.0/0");
    assert_eq!(
        judged(&[high_port]),
        [
            ("EC2.13", true),
            ("EC2.14", true),
            ("EC2.18", false),
            ("EC2.19", true)
        ]
    );
}
