//! Tests of the parent module.

use std::collections::BTreeMap;

use super::*;
use proptest::prelude::*;

fn cidr(s: &str) -> Peer {
    parse_cidr(s).unwrap()
}

/// The single atomic rule of a one-peer permission.
fn one(
    direction: Direction,
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    peer: Peer,
) -> AtomicRule {
    let rules = explode(direction, protocol, from, to, &[peer], None).unwrap();
    assert_eq!(rules.len(), 1);
    rules[0].rule.clone()
}

fn tcp(port: i32, peer: &str) -> AtomicRule {
    one(
        Direction::Ingress,
        "tcp",
        Some(port),
        Some(port),
        cidr(peer),
    )
}

#[test]
fn protocols_parse_to_canonical_names() {
    for (text, want) in [
        ("tcp", Protocol::Tcp),
        ("TCP", Protocol::Tcp),
        ("6", Protocol::Tcp),
        ("udp", Protocol::Udp),
        ("17", Protocol::Udp),
        ("icmp", Protocol::Icmp),
        ("1", Protocol::Icmp),
        ("icmpv6", Protocol::Icmpv6),
        ("ICMPv6", Protocol::Icmpv6),
        ("58", Protocol::Icmpv6),
        ("-1", Protocol::All),
        ("all", Protocol::All),
        ("ALL", Protocol::All),
        ("0", Protocol::Other(0)),
        ("47", Protocol::Other(47)),
        ("255", Protocol::Other(255)),
    ] {
        assert_eq!(parse_protocol(text), Ok(want), "{text}");
    }
    for bad in ["", "256", "-2", "+6", "tcpp", "sctp", "1.5"] {
        assert_eq!(
            parse_protocol(bad),
            Err(RuleError::Protocol(bad.to_owned())),
            "{bad}"
        );
    }
    let names: Vec<String> = [
        Protocol::All,
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Icmp,
        Protocol::Icmpv6,
        Protocol::Other(47),
    ]
    .iter()
    .map(Protocol::as_aws)
    .collect();
    assert_eq!(names, ["-1", "tcp", "udp", "icmp", "icmpv6", "47"]);
    assert_eq!(
        parse_protocol("sctp").unwrap_err().to_string(),
        "invalid protocol `sctp`: use tcp, udp, icmp, icmpv6, -1 (or all) or a number 0-255"
    );
}

#[test]
fn ports_parse() {
    assert_eq!(parse_ports("443"), Ok((443, 443)));
    assert_eq!(parse_ports("1024-2048"), Ok((1024, 2048)));
    assert_eq!(parse_ports("all"), Ok((0, 65535)));
    assert_eq!(parse_ports("*"), Ok((0, 65535)));
    for bad in [
        "",
        "-",
        "80-",
        "-80",
        "2048-1024",
        "65536",
        "+80",
        "http",
        "1-2-3",
    ] {
        assert_eq!(
            parse_ports(bad),
            Err(RuleError::PortRange(bad.to_owned())),
            "{bad}"
        );
    }
}

#[test]
fn cidrs_are_masked_and_canonical() {
    assert_eq!(cidr("10.1.2.3/16"), Peer::Ipv4("10.1.0.0/16".to_owned()));
    assert_eq!(cidr("0.0.0.0/0"), Peer::Ipv4("0.0.0.0/0".to_owned()));
    assert_eq!(
        cidr("255.255.255.255/0"),
        Peer::Ipv4("0.0.0.0/0".to_owned())
    );
    assert_eq!(cidr("10.1.2.3/32"), Peer::Ipv4("10.1.2.3/32".to_owned()));
    assert_eq!(
        cidr("2001:DB8:0:0::/32"),
        Peer::Ipv6("2001:db8::/32".to_owned())
    );
    assert_eq!(
        cidr("2001:db8:0:0:0:0:0:1/64"),
        Peer::Ipv6("2001:db8::/64".to_owned())
    );
    assert_eq!(cidr("::/0"), Peer::Ipv6("::/0".to_owned()));
    assert_eq!(
        cidr("2001:db8::ff/128"),
        Peer::Ipv6("2001:db8::ff/128".to_owned())
    );
    assert_eq!(
        cidr("2001:db8:ffff::/33"),
        Peer::Ipv6("2001:db8:8000::/33".to_owned())
    );
}

#[test]
fn bad_cidrs_are_rejected_naming_the_value() {
    for bad in [
        "10.0.0.0",
        "10.0.0.0/33",
        "10.0.0/8",
        "10.0.0.256/8",
        "10.0.0.0/",
        "10.0.0.0/+8",
        "::/129",
        "2001:db8::g/32",
        "x/8",
    ] {
        let error = parse_cidr(bad).unwrap_err();
        assert!(matches!(error, RuleError::Cidr { .. }), "{bad}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("invalid cidr `{bad}`: ")),
            "{error}"
        );
    }
    assert_eq!(
        parse_cidr("10.0.0.0/33").unwrap_err().to_string(),
        "invalid cidr `10.0.0.0/33`: prefix length 33 is over 32"
    );
}

#[test]
fn peers_parse() {
    let own = Some("111111111111");
    assert_eq!(
        parse_peer("sg-0abc", own),
        Ok(Peer::group("sg-0abc", None, None))
    );
    assert_eq!(
        parse_peer("111111111111/sg-0abc", own),
        Ok(Peer::group("sg-0abc", None, None))
    );
    assert_eq!(
        parse_peer("222222222222/sg-0abc", own),
        Ok(Peer::Group {
            group_id: "sg-0abc".to_owned(),
            account: Some("222222222222".to_owned())
        })
    );
    assert_eq!(
        parse_peer("pl-12ab", own),
        Ok(Peer::PrefixList("pl-12ab".to_owned()))
    );
    assert_eq!(parse_peer("10.1.2.3/8", own), Ok(cidr("10.0.0.0/8")));
    for bad in ["sg-", "sg-a/b", "pl-", "acct/sg-1", "/sg-1"] {
        assert!(
            matches!(parse_peer(bad, own), Err(RuleError::Peer { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        parse_peer("web", own),
        Err(RuleError::Cidr { .. })
    ));
}

#[test]
fn equivalent_forms_compare_equal() {
    use Direction::{Egress, Ingress};
    // Numeric protocol 6 is tcp; -1 is all.
    assert_eq!(
        one(Ingress, "6", Some(443), Some(443), cidr("0.0.0.0/0")),
        one(Ingress, "tcp", Some(443), Some(443), cidr("0.0.0.0/0"))
    );
    assert_eq!(
        one(Egress, "-1", None, None, cidr("0.0.0.0/0")),
        one(Egress, "all", None, None, cidr("0.0.0.0/0"))
    );
    // Host bits, IPv6 spelling.
    assert_eq!(tcp(22, "10.1.2.3/16"), tcp(22, "10.1.0.0/16"));
    assert_eq!(tcp(22, "2001:DB8:0:0::/32"), tcp(22, "2001:db8::/32"));
    // icmpv6 -1/-1 is the same as absent; 58 is icmpv6.
    let v6 = cidr("::/0");
    assert_eq!(
        one(Ingress, "icmpv6", Some(-1), Some(-1), v6.clone()),
        one(Ingress, "58", None, None, v6.clone())
    );
    // Ports are ignored for -1 and for other numeric protocols.
    assert_eq!(
        one(Egress, "-1", Some(0), Some(65535), cidr("0.0.0.0/0")),
        one(Egress, "-1", None, None, cidr("0.0.0.0/0"))
    );
    assert_eq!(
        one(Ingress, "47", Some(1), Some(2), v6.clone()),
        one(Ingress, "47", None, None, v6)
    );
    // Our own account's UserId is dropped.
    let own = Some("111111111111");
    assert_eq!(
        one(
            Ingress,
            "tcp",
            Some(5432),
            Some(5432),
            Peer::group("sg-1", Some("111111111111"), own)
        ),
        one(
            Ingress,
            "tcp",
            Some(5432),
            Some(5432),
            Peer::group("sg-1", None, own)
        )
    );
    assert_eq!(
        Peer::group("sg-1", Some(""), None),
        Peer::group("sg-1", None, None)
    );
    // An empty description is none.
    assert_eq!(
        DescribedRule::new(tcp(22, "10.0.0.0/8"), Some("")),
        DescribedRule::new(tcp(22, "10.0.0.0/8"), None)
    );
    assert_eq!(
        explode(
            Ingress,
            "tcp",
            Some(22),
            Some(22),
            &[cidr("10.0.0.0/8")],
            Some("")
        )
        .unwrap()[0]
            .description,
        None
    );
}

#[test]
fn near_misses_differ() {
    use Direction::{Egress, Ingress};
    assert_ne!(tcp(443, "0.0.0.0/0"), tcp(444, "0.0.0.0/0"));
    assert_ne!(tcp(443, "10.0.0.0/8"), tcp(443, "10.0.0.0/16"));
    assert_ne!(tcp(443, "10.0.0.0/8"), tcp(443, "11.0.0.0/8"));
    assert_ne!(tcp(443, "2001:db8::/32"), tcp(443, "2001:db9::/32"));
    assert_ne!(
        one(Ingress, "udp", Some(53), Some(53), cidr("0.0.0.0/0")),
        one(Ingress, "tcp", Some(53), Some(53), cidr("0.0.0.0/0"))
    );
    assert_ne!(
        one(Ingress, "tcp", Some(53), Some(53), cidr("0.0.0.0/0")),
        one(Egress, "tcp", Some(53), Some(53), cidr("0.0.0.0/0"))
    );
    // A cross-account group keeps its account.
    let own = Some("111111111111");
    assert_ne!(
        one(
            Ingress,
            "tcp",
            Some(5432),
            Some(5432),
            Peer::group("sg-1", Some("222222222222"), own)
        ),
        one(
            Ingress,
            "tcp",
            Some(5432),
            Some(5432),
            Peer::group("sg-1", None, own)
        )
    );
    // icmpv6 with a type is not every type; icmp -1/-1 is not icmpv6.
    let v6 = cidr("::/0");
    assert_ne!(
        one(Ingress, "icmpv6", Some(128), Some(-1), v6.clone()),
        one(Ingress, "icmpv6", None, None, v6.clone())
    );
    assert_ne!(
        one(Ingress, "icmp", Some(-1), Some(-1), v6.clone()),
        one(Ingress, "icmpv6", Some(-1), Some(-1), v6)
    );
    // Ports still matter for tcp; 0-65535 is a range, not "all" (see `Ports`).
    assert_ne!(
        tcp(0, "10.0.0.0/8"),
        one(Ingress, "tcp", Some(0), Some(65535), cidr("10.0.0.0/8"))
    );
    assert_eq!(
        one(Ingress, "tcp", Some(0), Some(65535), cidr("10.0.0.0/8")).ports,
        Ports::Range { from: 0, to: 65535 }
    );
}

#[test]
fn merged_permission_is_the_separate_rules() {
    let peers = [cidr("10.0.0.0/8"), cidr("192.168.0.0/16")];
    let merged = explode(
        Direction::Ingress,
        "tcp",
        Some(443),
        Some(443),
        &peers,
        Some("https"),
    )
    .unwrap();
    let mut separate = explode(
        Direction::Ingress,
        "6",
        Some(443),
        Some(443),
        &peers[1..],
        Some("https"),
    )
    .unwrap();
    separate.extend(
        explode(
            Direction::Ingress,
            "TCP",
            Some(443),
            Some(443),
            &peers[..1],
            Some("https"),
        )
        .unwrap(),
    );
    assert!(diff_rules(&merged, &separate).is_empty());
    assert!(diff_rules(&separate, &merged).is_empty());
    assert_eq!(merged.len(), 2);
    // One CIDR fewer is a removal.
    let diff = diff_rules(&merged[..1], &merged);
    assert!(diff.add.is_empty() && diff.redescribe.is_empty());
    assert_eq!(diff.remove, vec![merged[1].rule.clone()]);
}

#[test]
fn bad_ports_for_the_protocol_are_rejected() {
    let peer = [cidr("10.0.0.0/8")];
    let attempt = |protocol, from, to| explode(Direction::Ingress, protocol, from, to, &peer, None);
    for (protocol, from, to) in [
        ("tcp", None, None),
        ("tcp", Some(80), None),
        ("udp", Some(-1), Some(-1)),
        ("tcp", Some(0), Some(65536)),
        ("tcp", Some(443), Some(80)),
        ("icmp", None, None),
        ("icmp", Some(8), None),
        ("icmp", Some(-1), Some(0)),
        ("icmp", Some(256), Some(0)),
        ("icmpv6", Some(-2), Some(-1)),
        ("icmpv6", None, Some(1)),
    ] {
        assert!(
            matches!(attempt(protocol, from, to), Err(RuleError::Ports { .. })),
            "{protocol} {from:?} {to:?}"
        );
    }
    assert_eq!(
        attempt("tcp", Some(443), Some(80)).unwrap_err().to_string(),
        "invalid ports 443/80 for protocol tcp: the from port is after the to port"
    );
    assert_eq!(
        attempt("6", None, None).unwrap_err().to_string(),
        "invalid ports none/none for protocol tcp: tcp and udp need both a from and a to port (all ports is 0-65535)"
    );
    assert!(attempt("icmp", Some(8), Some(-1)).is_ok());
    assert!(matches!(
        attempt("gre", None, None),
        Err(RuleError::Protocol(_))
    ));
}

#[test]
fn rules_display_compactly_and_send_aws_ports() {
    let ingress = one(
        Direction::Ingress,
        "tcp",
        Some(443),
        Some(443),
        cidr("0.0.0.0/0"),
    );
    assert_eq!(ingress.to_string(), "tcp 443 from 0.0.0.0/0");
    assert_eq!(ingress.aws_ports(), (Some(443), Some(443)));
    let egress = one(
        Direction::Egress,
        "all",
        Some(5),
        Some(6),
        Peer::group("sg-123", None, None),
    );
    assert_eq!(egress.to_string(), "-1 all to sg-123");
    assert_eq!(egress.aws_ports(), (None, None));
    let icmp = one(
        Direction::Ingress,
        "1",
        Some(8),
        Some(-1),
        cidr("10.1.1.1/8"),
    );
    assert_eq!(icmp.to_string(), "icmp type 8 code -1 from 10.0.0.0/8");
    assert_eq!(icmp.aws_ports(), (Some(8), Some(-1)));
    let range = one(
        Direction::Egress,
        "udp",
        Some(1024),
        Some(2048),
        Peer::group("sg-9", Some("222222222222"), None),
    );
    assert_eq!(range.to_string(), "udp 1024-2048 to 222222222222/sg-9");
    let v6 = one(
        Direction::Ingress,
        "icmpv6",
        None,
        None,
        Peer::PrefixList("pl-1".to_owned()),
    );
    assert_eq!(v6.to_string(), "icmpv6 all from pl-1");
    assert_eq!(v6.aws_ports(), (Some(-1), Some(-1)));
    assert_eq!(
        DescribedRule::new(ingress, Some("web")).to_string(),
        "tcp 443 from 0.0.0.0/0 (\"web\")"
    );
}

#[test]
fn a_changed_description_is_redescribed_not_replaced() {
    let rule = tcp(22, "10.0.0.0/8");
    let other = tcp(80, "10.0.0.0/8");
    let want = [
        DescribedRule::new(rule.clone(), Some("ssh")),
        DescribedRule::new(other.clone(), None),
    ];
    let have = [
        DescribedRule::new(rule.clone(), Some("old")),
        DescribedRule::new(other.clone(), Some("stale")),
    ];
    let diff = diff_rules(&want, &have);
    assert!(diff.add.is_empty());
    assert!(diff.remove.is_empty());
    assert_eq!(
        diff.redescribe,
        vec![
            DescribedRule::new(rule, Some("ssh")),
            DescribedRule::new(other, None)
        ]
    );
}

#[test]
fn diff_is_sorted_and_collapses_duplicates() {
    let a = DescribedRule::new(tcp(22, "10.0.0.0/8"), None);
    let b = DescribedRule::new(tcp(80, "10.0.0.0/8"), None);
    let c = DescribedRule::new(tcp(443, "10.0.0.0/8"), None);
    let d = DescribedRule::new(tcp(8443, "10.0.0.0/8"), None);
    let diff = diff_rules(
        &[d.clone(), a.clone(), c.clone(), a.clone()],
        &[b.clone(), c.clone(), b.clone()],
    );
    assert_eq!(diff.add, vec![a, d]);
    assert_eq!(diff.remove, vec![b.rule]);
    assert!(diff.redescribe.is_empty());
}

fn peer_strategy() -> impl Strategy<Value = Peer> {
    prop_oneof![
        (0u8..4, 8u32..=32).prop_map(|(octet, len)| cidr(&format!("10.{octet}.1.1/{len}"))),
        (0u16..3, 32u32..=64).prop_map(|(word, len)| cidr(&format!("2001:db8:{word:x}::1/{len}"))),
        (0u8..3, prop::option::of(Just("222222222222"))).prop_map(|(n, account)| Peer::group(
            &format!("sg-{n}"),
            account,
            Some("111111111111")
        )),
        Just(Peer::PrefixList("pl-1".to_owned())),
    ]
}

fn rule_strategy() -> impl Strategy<Value = DescribedRule> {
    let ports = prop_oneof![
        (0i32..4).prop_map(|p| (Some(p), Some(p + 1))),
        Just((None, None)),
        Just((Some(-1), Some(-1))),
        Just((Some(8), Some(-1))),
    ];
    let protocol =
        prop::sample::select(vec!["tcp", "6", "udp", "icmp", "icmpv6", "-1", "all", "47"]);
    let description = prop::option::of(prop::sample::select(vec!["", "a", "b"]));
    let direction = prop_oneof![Just(Direction::Ingress), Just(Direction::Egress)];
    (direction, protocol, ports, peer_strategy(), description).prop_filter_map(
        "ports invalid for the protocol",
        |(direction, protocol, (from, to), peer, description)| {
            explode(direction, protocol, from, to, &[peer], description)
                .ok()
                .map(|mut rules| rules.remove(0))
        },
    )
}

/// Identity → description, with the first description of duplicates, as `diff_rules` sees it.
fn as_map(rules: &[DescribedRule]) -> BTreeMap<AtomicRule, Option<String>> {
    let mut map = BTreeMap::new();
    for rule in rules {
        map.entry(rule.rule.clone())
            .or_insert_with(|| rule.description.clone());
    }
    map
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_set_has_no_diff_with_itself(rules in prop::collection::vec(rule_strategy(), 0..12)) {
        prop_assert!(diff_rules(&rules, &rules).is_empty());
        let mut reversed = rules.clone();
        reversed.reverse();
        let map = as_map(&rules);
        let reversed_map = as_map(&reversed);
        // Without conflicting descriptions, order does not matter either.
        if map == reversed_map {
            prop_assert!(diff_rules(&reversed, &rules).is_empty());
        }
    }

    #[test]
    fn applying_the_diff_converges(
        want in prop::collection::vec(rule_strategy(), 0..12),
        have in prop::collection::vec(rule_strategy(), 0..12),
    ) {
        let diff = diff_rules(&want, &have);
        let mut live = as_map(&have);
        for rule in &diff.remove {
            prop_assert!(live.remove(rule).is_some());
        }
        for rule in &diff.add {
            prop_assert!(live.insert(rule.rule.clone(), rule.description.clone()).is_none());
        }
        let identities: Vec<&AtomicRule> = live.keys().collect();
        let wanted: Vec<AtomicRule> = as_map(&want).into_keys().collect();
        prop_assert_eq!(identities, wanted.iter().collect::<Vec<_>>());
        for rule in &diff.redescribe {
            prop_assert!(live.insert(rule.rule.clone(), rule.description.clone()).is_some());
        }
        prop_assert_eq!(live, as_map(&want));
        prop_assert!(diff.add.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(diff.remove.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(diff.redescribe.windows(2).all(|w| w[0] < w[1]));
    }
}
