//! `SecurityGroup`: a security group and its whole rule set.

pub mod rules;
mod validate;

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::tags::Tags;
use rules::{
    AtomicRule, DescribedRule, Direction, Peer, Protocol, RuleError, parse_cidr, parse_peer,
    parse_ports, parse_protocol,
};

/// The desired state of one security group (`metadata.name` is the group name). Its rule
/// set is owned whole: rules not listed are revoked, including the allow-all egress rule AWS
/// gives every new group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecurityGroupSpec {
    /// The VPC the group lives in (not managed here).
    pub vpc: VpcRef,
    /// What the group is for. AWS cannot change a group's description: a different one is
    /// `blocked` unless `allowReplacement` is set.
    pub description: String,
    /// Allow deleting and recreating the group when its description differs. Recreating
    /// gives it a new id; AWS refuses while anything still uses or references the group.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_replacement: bool,
    /// Inbound rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<RuleSpec>,
    /// Outbound rules. None at all means no outbound traffic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<RuleSpec>,
    /// Guardrails this group is allowed to break, each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardrail_exceptions: Vec<GuardrailException>,
    /// The group's tags (merged over the posture's default tags).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

/// Which VPC: by id, or by tags that match exactly one VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum VpcRef {
    /// `vpc-0123…`
    Id(String),
    /// Tags the VPC carries, e.g. `{Name: afu9-vpc}`.
    Tags(BTreeMap<String, String>),
}

/// One rule: protocol, ports, one peer, and a description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleSpec {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `all` (or `-1`), or a protocol number.
    pub protocol: String,
    /// For tcp and udp: a port (`443`), a range (`1024-2048`) or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortRange>,
    /// For icmp and icmpv6: the message type and code (-1: any); left out: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icmp: Option<Icmp>,
    /// The source of an ingress rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PeerSpec>,
    /// The destination of an egress rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PeerSpec>,
    /// What the rule is for (not part of its identity: a changed description is updated in
    /// place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// ICMP type and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Icmp {
    /// Message type, -1 for any.
    #[serde(rename = "type")]
    pub kind: i32,
    /// Code, -1 for any.
    #[serde(default = "any_code")]
    pub code: i32,
}

fn any_code() -> i32 {
    -1
}

/// The other end of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum PeerSpec {
    /// An IPv4 or IPv6 CIDR block.
    Cidr(String),
    /// Another `SecurityGroup` of the desired state, by its manifest name.
    SecurityGroup(String),
    /// A group by id, `sg-…`, or `ACCOUNT/sg-…` in another account.
    GroupId(String),
    /// A managed prefix list, `pl-…`.
    PrefixList(String),
}

/// A named exception to a guardrail rule, for this group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GuardrailException {
    /// The rule id (`AFU9-SG-012`).
    pub rule: String,
    /// Why this group may break it; shown in reviews.
    pub reason: String,
}

/// A port or port range as written: `443`, `"1024-2048"` or `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRange(pub String);

impl Serialize for PortRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<u16>() {
            Ok(port) => serializer.serialize_u16(port),
            Err(_) => serializer.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PortVisitor;
        impl Visitor<'_> for PortVisitor {
            type Value = PortRange;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a port (443), a range (\"1024-2048\") or all")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PortRange, E> {
                Ok(PortRange(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PortRange, E> {
                Ok(PortRange(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PortRange, E> {
                Ok(PortRange(v.to_owned()))
            }
        }
        deserializer.deserialize_any(PortVisitor)
    }
}

impl JsonSchema for PortRange {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortRange".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A port (443), a range (\"1024-2048\") or \"all\".",
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": 65535},
                {"type": "string", "pattern": "^(all|\\*|[0-9]{1,5}(-[0-9]{1,5})?)$"},
            ],
        })
    }
}

/// A manifest rule in the canonical vocabulary of [`rules`]; a peer that names a
/// `SecurityGroup` manifest stays a name until its group id is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRule {
    /// Ingress or egress.
    pub direction: Direction,
    /// The protocol.
    pub protocol: Protocol,
    /// `FromPort` (ICMP type) as AWS takes it.
    pub from: Option<i32>,
    /// `ToPort` (ICMP code) as AWS takes it.
    pub to: Option<i32>,
    /// The other end.
    pub peer: RulePeer,
    /// The description, if any.
    pub description: Option<String>,
}

/// The other end of a canonical rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulePeer {
    /// A CIDR, group id or prefix list.
    Resolved(Peer),
    /// A `SecurityGroup` of the desired state, by manifest name.
    Managed(String),
}

impl CanonicalRule {
    /// The atomic rule, once the peer is known.
    pub fn with_peer(&self, peer: Peer) -> Result<DescribedRule, RuleError> {
        let rule = AtomicRule::new(self.direction, self.protocol, self.from, self.to, peer)?;
        Ok(DescribedRule::new(rule, self.description.as_deref()))
    }
}

impl RuleSpec {
    /// The peer written for `direction` (`from` for ingress, `to` for egress).
    pub fn peer(&self, direction: Direction) -> Option<&PeerSpec> {
        match direction {
            Direction::Ingress => self.from.as_ref(),
            Direction::Egress => self.to.as_ref(),
        }
    }

    /// This rule in canonical form. Errors name what is wrong with the value written.
    pub fn canonical(&self, direction: Direction) -> Result<CanonicalRule, RuleError> {
        let protocol = parse_protocol(&self.protocol)?;
        let (from, to) = match protocol {
            Protocol::Tcp | Protocol::Udp => {
                let ports = self.ports.as_ref().map_or("", |p| p.0.as_str());
                let (from, to) = parse_ports(ports)?;
                (Some(i32::from(from)), Some(i32::from(to)))
            }
            Protocol::Icmp | Protocol::Icmpv6 => {
                let icmp = self.icmp.unwrap_or(Icmp { kind: -1, code: -1 });
                (Some(icmp.kind), Some(icmp.code))
            }
            Protocol::All | Protocol::Other(_) => (None, None),
        };
        let peer = match self.peer(direction) {
            Some(PeerSpec::SecurityGroup(name)) => RulePeer::Managed(name.clone()),
            Some(PeerSpec::Cidr(cidr)) => RulePeer::Resolved(parse_cidr(cidr)?),
            Some(PeerSpec::GroupId(id)) => match parse_peer(id, None)? {
                group @ Peer::Group { .. } => RulePeer::Resolved(group),
                _ => return Err(wrong_peer(id, "groupId takes sg-... or ACCOUNT/sg-...")),
            },
            Some(PeerSpec::PrefixList(id)) => match parse_peer(id, None)? {
                list @ Peer::PrefixList(_) => RulePeer::Resolved(list),
                _ => return Err(wrong_peer(id, "prefixList takes pl-...")),
            },
            None => return Err(wrong_peer("", "a rule needs a peer")),
        };
        let canonical = CanonicalRule {
            direction,
            protocol,
            from,
            to,
            peer,
            description: self.description.clone().filter(|d| !d.is_empty()),
        };
        // Check protocol and ports against each other with a stand-in peer.
        canonical.with_peer(Peer::PrefixList("pl-check".to_owned()))?;
        Ok(canonical)
    }
}

fn wrong_peer(peer: &str, reason: &'static str) -> RuleError {
    RuleError::Peer {
        peer: peer.to_owned(),
        reason,
    }
}
