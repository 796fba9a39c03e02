//! What a live security group proves about the world's reach into it: no SSH (EC2.13), no
//! RDP (EC2.14), only the authorized ports 80 and 443 (EC2.18), no high-risk port (EC2.19)
//! open to `0.0.0.0/0` or `::/0`, read off the group's live rules whatever its manifest says.

use afu9_spec::Resource;
use afu9_spec::security_group::SecurityGroupSpec;
use afu9_spec::security_group::rules::{AtomicRule, Direction, Peer, Ports, Protocol};
use serde_json::Value;

use super::{SecurityGroupObserved, SecurityGroups};
use crate::engine::Attests;
use crate::plan::Fact;

/// The ports Security Hub EC2.18 authorizes from anywhere by default.
const AUTHORIZED: [u16; 2] = [80, 443];

/// The ports Security Hub EC2.19 calls high-risk.
const HIGH_RISK: [u16; 24] = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
];

impl Attests for SecurityGroups {
    fn facts(_want: &Resource<SecurityGroupSpec>, have: &SecurityGroupObserved) -> Vec<Fact> {
        let Some(group) = &have.group else {
            return Vec::new();
        };
        let open: Vec<(&AtomicRule, (u16, u16))> = group
            .rules
            .iter()
            .map(|live| &live.rule.rule)
            .filter(|rule| rule.direction == Direction::Ingress && from_anywhere(&rule.peer))
            .filter_map(|rule| port_span(rule).map(|span| (rule, span)))
            .collect();
        let reaching = |port: u16| -> Vec<String> {
            open.iter()
                .filter(|(_, (from, to))| (*from..=*to).contains(&port))
                .map(|(rule, _)| rule.to_string())
                .collect()
        };
        let unauthorized: Vec<String> = open
            .iter()
            .filter(|(_, (from, to))| !(from == to && AUTHORIZED.contains(from)))
            .map(|(rule, _)| rule.to_string())
            .collect();
        let high_risk: Vec<String> = HIGH_RISK.iter().flat_map(|port| reaching(*port)).collect();
        vec![
            judged("EC2.13", &reaching(22), "port 22 (SSH)"),
            judged("EC2.14", &reaching(3389), "port 3389 (RDP)"),
            judged("EC2.18", &unauthorized, "a port other than 80 and 443"),
            judged("EC2.19", &dedup(high_risk), "a high-risk port"),
        ]
    }
}

/// A fact on the group's ingress: it holds when no rule opens `what` to anywhere.
fn judged(control: &'static str, rules: &[String], what: &str) -> Fact {
    let holds = rules.is_empty();
    let live = Value::Array(rules.iter().cloned().map(Value::String).collect());
    if holds {
        Fact::holds(
            control,
            "ingress",
            Some(live),
            format!("no ingress rule opens {what} to 0.0.0.0/0 or ::/0"),
        )
    } else {
        Fact::fails(
            control,
            "ingress",
            Some(live),
            format!("ingress open to anywhere on {what}: {}", rules.join("; ")),
        )
    }
}

fn dedup(mut rules: Vec<String>) -> Vec<String> {
    rules.sort();
    rules.dedup();
    rules
}

fn from_anywhere(peer: &Peer) -> bool {
    matches!(peer, Peer::Ipv4(cidr) if cidr == "0.0.0.0/0")
        || matches!(peer, Peer::Ipv6(cidr) if cidr == "::/0")
}

/// The TCP/UDP ports a rule opens (every port for protocol -1); `None` for ICMP.
fn port_span(rule: &AtomicRule) -> Option<(u16, u16)> {
    match (rule.protocol, rule.ports) {
        (Protocol::All, _) => Some((0, u16::MAX)),
        (Protocol::Tcp | Protocol::Udp, Ports::Range { from, to }) => Some((from, to)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
