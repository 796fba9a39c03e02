//! Security-group rules compared by meaning: every permission is exploded into atomic rules
//! (direction, protocol, ports, one peer) in a canonical form, and rule sets are compared as
//! sets. See NORMALIZATION.md, "Security group rules". No AWS SDK types here.
//!
//! Canonical forms:
//! - protocols: `6`/`17`/`1`/`58` are `tcp`/`udp`/`icmp`/`icmpv6`, `all` is `-1`, case ignored;
//! - ports: absent for `-1` and for numeric protocols other than the four above (AWS drops
//!   them); ICMP "ports" are a type and a code; icmpv6 `-1/-1` is the same as absent;
//! - CIDRs: host bits masked, IPv6 in RFC 5952 form;
//! - group peers: a `UserId` equal to our own account is dropped, other accounts are kept.
//!
//! A rule's description is not part of its identity: a changed description is updated in
//! place (see [`RuleDiff::redescribe`]), never by revoke + authorize.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use thiserror::Error;

/// Why a rule, or one of its parts, could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    /// A protocol that is neither a known name nor a number 0-255 (or `-1`).
    #[error("invalid protocol `{0}`: use tcp, udp, icmp, icmpv6, -1 (or all) or a number 0-255")]
    Protocol(String),
    /// A port or port range that does not parse.
    #[error("invalid port range `{0}`: use a port (443), a range (1024-2048) or all")]
    PortRange(String),
    /// Ports (or ICMP type and code) that do not fit the protocol.
    #[error("invalid ports {ports} for protocol {protocol}: {reason}")]
    Ports {
        /// The protocol, as sent to AWS.
        protocol: String,
        /// The offending values, as `from/to` (`none` when absent).
        ports: String,
        /// What is wrong with them.
        reason: &'static str,
    },
    /// A CIDR block that does not parse.
    #[error("invalid cidr `{cidr}`: {reason}")]
    Cidr {
        /// The offending text.
        cidr: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A peer that is neither a CIDR, a security group nor a prefix list.
    #[error("invalid peer `{peer}`: {reason}")]
    Peer {
        /// The offending text.
        peer: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The direction of traffic a rule allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Inbound traffic, from the peer.
    Ingress,
    /// Outbound traffic, to the peer.
    Egress,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        })
    }
}

/// An IP protocol in canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// Every protocol: AWS `-1` (or `all`).
    All,
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
    /// ICMP for IPv6 (58).
    Icmpv6,
    /// Any other protocol, by number (never 1, 6, 17 or 58).
    Other(u8),
}

impl Protocol {
    /// What to send to AWS as `IpProtocol`: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or the number.
    pub fn as_aws(&self) -> String {
        match self {
            Self::All => "-1".to_owned(),
            Self::Tcp => "tcp".to_owned(),
            Self::Udp => "udp".to_owned(),
            Self::Icmp => "icmp".to_owned(),
            Self::Icmpv6 => "icmpv6".to_owned(),
            Self::Other(number) => number.to_string(),
        }
    }

    /// The protocol with IANA number `number`, named when it has a name.
    fn from_number(number: u8) -> Self {
        match number {
            1 => Self::Icmp,
            6 => Self::Tcp,
            17 => Self::Udp,
            58 => Self::Icmpv6,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_aws())
    }
}

/// Parses a protocol as written in a manifest or returned by AWS: `tcp`/`6`, `udp`/`17`,
/// `icmp`/`1`, `icmpv6`/`58`, `-1`/`all` (any case), or another number 0-255.
pub fn parse_protocol(s: &str) -> Result<Protocol, RuleError> {
    let lower = s.trim().to_ascii_lowercase();
    match lower.as_str() {
        "-1" | "all" => Ok(Protocol::All),
        "tcp" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        "icmp" => Ok(Protocol::Icmp),
        "icmpv6" => Ok(Protocol::Icmpv6),
        digits if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => digits
            .parse::<u8>()
            .map(Protocol::from_number)
            .map_err(|_| RuleError::Protocol(s.to_owned())),
        _ => Err(RuleError::Protocol(s.to_owned())),
    }
}

/// The ports of a rule, in canonical form for its protocol.
///
/// TCP and UDP always carry a [`Ports::Range`]: AWS requires one for them, and "every port" is
/// `0-65535`, which AWS stores and reports as such. So `0-65535` is kept as a range, distinct
/// from [`Ports::All`], which never occurs for tcp/udp (absent tcp/udp ports are an error
/// rather than silently meaning every port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ports {
    /// No ports: protocol `-1`, a protocol other than tcp/udp/icmp/icmpv6, or icmpv6 with
    /// every type and code.
    All,
    /// A tcp/udp port range, inclusive, `from <= to`.
    Range {
        /// The first port.
        from: u16,
        /// The last port.
        to: u16,
    },
    /// An icmp or icmpv6 type and code; `-1` means any.
    Icmp {
        /// The ICMP type, or `-1` for every type (then the code is `-1` too).
        type_: i32,
        /// The ICMP code, or `-1` for every code.
        code: i32,
    },
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Range { from, to } if from == to => write!(f, "{from}"),
            Self::Range { from, to } => write!(f, "{from}-{to}"),
            Self::Icmp { type_, code } => write!(f, "type {type_} code {code}"),
        }
    }
}

/// Parses a tcp/udp port or port range as written in a manifest: `443`, `1024-2048`, or
/// `all`/`*` (every port, `0-65535`, the only way AWS expresses it for tcp and udp).
pub fn parse_ports(s: &str) -> Result<(u16, u16), RuleError> {
    let bad = || RuleError::PortRange(s.to_owned());
    let port = |p: &str| -> Result<u16, RuleError> {
        let p = p.trim();
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse::<u16>().map_err(|_| bad())
    };
    let trimmed = s.trim();
    if trimmed.eq_ignore_ascii_case("all") || trimmed == "*" {
        return Ok((0, u16::MAX));
    }
    let (from, to) = if let Some((from, to)) = trimmed.split_once('-') {
        (port(from)?, port(to)?)
    } else {
        let single = port(trimmed)?;
        (single, single)
    };
    if from > to {
        return Err(bad());
    }
    Ok((from, to))
}

/// Canonical ports for `protocol` given AWS's `FromPort`/`ToPort` (ICMP type/code for icmp).
fn normalize_ports(
    protocol: Protocol,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<Ports, RuleError> {
    let error = |reason: &'static str| {
        let show = |v: Option<i32>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
        RuleError::Ports {
            protocol: protocol.as_aws(),
            ports: format!("{}/{}", show(from), show(to)),
            reason,
        }
    };
    match protocol {
        // AWS allows every port for these, whatever range was sent, and drops the range.
        Protocol::All | Protocol::Other(_) => Ok(Ports::All),
        Protocol::Tcp | Protocol::Udp => {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(error(
                    "tcp and udp need both a from and a to port (all ports is 0-65535)",
                ));
            };
            let (Ok(from), Ok(to)) = (u16::try_from(from), u16::try_from(to)) else {
                return Err(error("ports must be within 0-65535"));
            };
            if from > to {
                return Err(error("the from port is after the to port"));
            }
            Ok(Ports::Range { from, to })
        }
        Protocol::Icmp | Protocol::Icmpv6 => {
            let (type_, code) = match (from, to) {
                (Some(type_), Some(code)) => (type_, code),
                (None, None) if protocol == Protocol::Icmpv6 => return Ok(Ports::All),
                (None, None) => return Err(error("icmp needs a type and a code (-1 for any)")),
                _ => return Err(error("give both an icmp type and a code, or neither")),
            };
            if !(-1..=255).contains(&type_) || !(-1..=255).contains(&code) {
                return Err(error(
                    "icmp type and code must be within 0-255, or -1 for any",
                ));
            }
            if type_ == -1 && code != -1 {
                return Err(error("every icmp type (-1) needs every code (-1)"));
            }
            if protocol == Protocol::Icmpv6 && type_ == -1 {
                return Ok(Ports::All);
            }
            Ok(Ports::Icmp { type_, code })
        }
    }
}

/// The other end of a rule: where traffic comes from (ingress) or goes to (egress).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Peer {
    /// An IPv4 CIDR block, canonical `a.b.c.d/n` with the host bits masked.
    Ipv4(String),
    /// An IPv6 CIDR block, RFC 5952 form (lowercase, compressed) with the host bits masked.
    Ipv6(String),
    /// A security group, with its account when that is not our own.
    Group {
        /// The group id, `sg-...`.
        group_id: String,
        /// The account owning the group, for cross-account grants only.
        account: Option<String>,
    },
    /// A managed prefix list, `pl-...`.
    PrefixList(String),
}

impl Peer {
    /// A security-group peer as AWS reports it (`GroupId` and `UserId`): a `user_id` that is
    /// empty or equal to `own_account` is dropped, so that it compares equal to a group given
    /// without an account. Pass `own_account` whenever it is known.
    pub fn group(group_id: &str, user_id: Option<&str>, own_account: Option<&str>) -> Self {
        let account = user_id.filter(|user| !user.is_empty() && Some(*user) != own_account);
        Self::Group {
            group_id: group_id.to_owned(),
            account: account.map(str::to_owned),
        }
    }
}

impl fmt::Display for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ipv4(cidr) | Self::Ipv6(cidr) => f.write_str(cidr),
            Self::Group {
                group_id,
                account: None,
            } => f.write_str(group_id),
            Self::Group {
                group_id,
                account: Some(account),
            } => write!(f, "{account}/{group_id}"),
            Self::PrefixList(id) => f.write_str(id),
        }
    }
}

/// Parses an IPv4 or IPv6 CIDR block into its canonical peer: host bits masked
/// (`10.1.2.3/16` is `10.1.0.0/16`), IPv6 in RFC 5952 form (`2001:DB8:0:0::/32` is
/// `2001:db8::/32`). The prefix length is required.
pub fn parse_cidr(s: &str) -> Result<Peer, RuleError> {
    let bad = |reason: String| RuleError::Cidr {
        cidr: s.to_owned(),
        reason,
    };
    let Some((address, prefix)) = s.split_once('/') else {
        return Err(bad(
            "missing the prefix length (as in 10.0.0.0/8)".to_owned()
        ));
    };
    let prefix_len =
        if !prefix.is_empty() && prefix.len() <= 3 && prefix.bytes().all(|b| b.is_ascii_digit()) {
            prefix
                .parse::<u32>()
                .map_err(|_| bad(format!("bad prefix length `{prefix}`")))?
        } else {
            return Err(bad(format!("bad prefix length `{prefix}`")));
        };
    if address.contains(':') {
        let address: Ipv6Addr = address
            .parse()
            .map_err(|_| bad(format!("bad IPv6 address `{address}`")))?;
        if prefix_len > 128 {
            return Err(bad(format!("prefix length {prefix_len} is over 128")));
        }
        let mask = u128::MAX.checked_shl(128 - prefix_len).unwrap_or(0);
        let network = Ipv6Addr::from(u128::from(address) & mask);
        Ok(Peer::Ipv6(format!("{network}/{prefix_len}")))
    } else {
        let address: Ipv4Addr = address
            .parse()
            .map_err(|_| bad(format!("bad IPv4 address `{address}`")))?;
        if prefix_len > 32 {
            return Err(bad(format!("prefix length {prefix_len} is over 32")));
        }
        let mask = u32::MAX.checked_shl(32 - prefix_len).unwrap_or(0);
        let network = Ipv4Addr::from(u32::from(address) & mask);
        Ok(Peer::Ipv4(format!("{network}/{prefix_len}")))
    }
}

/// Parses a peer as written in a manifest (after security-group names are resolved to ids):
/// a CIDR block, `sg-...`, `account/sg-...` (the account dropped when it is `own_account`) or
/// `pl-...`.
pub fn parse_peer(s: &str, own_account: Option<&str>) -> Result<Peer, RuleError> {
    let bad = |reason| RuleError::Peer {
        peer: s.to_owned(),
        reason,
    };
    let valid_id = |id: &str, prefix: &str| {
        id.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
    };
    if s.starts_with("sg-") {
        if !valid_id(s, "sg-") {
            return Err(bad("a group id is sg- followed by letters and digits"));
        }
        return Ok(Peer::group(s, None, own_account));
    }
    if s.starts_with("pl-") {
        if !valid_id(s, "pl-") {
            return Err(bad(
                "a prefix list id is pl- followed by letters and digits",
            ));
        }
        return Ok(Peer::PrefixList(s.to_owned()));
    }
    if let Some((account, group_id)) = s.split_once('/')
        && group_id.starts_with("sg-")
    {
        if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the account of account/sg-... is digits"));
        }
        if !valid_id(group_id, "sg-") {
            return Err(bad("a group id is sg- followed by letters and digits"));
        }
        return Ok(Peer::group(group_id, Some(account), own_account));
    }
    parse_cidr(s)
}

/// The identity of a security-group rule: one direction, protocol, port range and peer, in
/// canonical form. Descriptions are not part of it.
///
/// Build it with [`AtomicRule::new`] or [`explode`], which normalise; the fields are public
/// for reading and matching.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AtomicRule {
    /// Inbound or outbound.
    pub direction: Direction,
    /// The protocol.
    pub protocol: Protocol,
    /// The ports (or ICMP type and code), canonical for the protocol.
    pub ports: Ports,
    /// The one peer.
    pub peer: Peer,
}

impl AtomicRule {
    /// A rule from AWS-style values: `from`/`to` are `FromPort`/`ToPort` (`-1` for all, the
    /// ICMP type and code for icmp and icmpv6), normalised for `protocol`.
    pub fn new(
        direction: Direction,
        protocol: Protocol,
        from: Option<i32>,
        to: Option<i32>,
        peer: Peer,
    ) -> Result<Self, RuleError> {
        let ports = normalize_ports(protocol, from, to)?;
        Ok(Self {
            direction,
            protocol,
            ports,
            peer,
        })
    }

    /// The `FromPort` and `ToPort` to send to AWS for this rule: none for protocol `-1` and
    /// other protocols without ports, `-1/-1` for every icmpv6 type and code.
    pub fn aws_ports(&self) -> (Option<i32>, Option<i32>) {
        match (self.protocol, self.ports) {
            (Protocol::All | Protocol::Other(_), _) => (None, None),
            (_, Ports::All) => (Some(-1), Some(-1)),
            (_, Ports::Range { from, to }) => (Some(i32::from(from)), Some(i32::from(to))),
            (_, Ports::Icmp { type_, code }) => (Some(type_), Some(code)),
        }
    }
}

impl fmt::Display for AtomicRule {
    /// A compact form for plans: `ingress tcp 443 from 0.0.0.0/0`, `egress -1 all to sg-123`,
    /// `ingress icmp type 8 code -1 from 10.0.0.0/8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let towards = match self.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        write!(
            f,
            "{} {} {} {towards} {}",
            self.direction, self.protocol, self.ports, self.peer
        )
    }
}

/// A rule with its description, which is not part of its identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DescribedRule {
    /// The rule's identity.
    pub rule: AtomicRule,
    /// Its description; never `Some("")`.
    pub description: Option<String>,
}

impl DescribedRule {
    /// `rule` described by `description`, an empty description being none.
    pub fn new(rule: AtomicRule, description: Option<&str>) -> Self {
        let description = description.filter(|d| !d.is_empty()).map(str::to_owned);
        Self { rule, description }
    }
}

impl fmt::Display for DescribedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.description {
            Some(description) => write!(f, "{} ({description:?})", self.rule),
            None => write!(f, "{}", self.rule),
        }
    }
}

/// Explodes one AWS-style permission into atomic rules, one per peer (AWS merges grants that
/// share protocol and ports into one permission). `protocol` is parsed with
/// [`parse_protocol`]; `from`/`to` are AWS's `FromPort`/`ToPort` (ICMP type and code for
/// icmp). The result is sorted, without duplicates.
pub fn explode(
    direction: Direction,
    protocol: &str,
    from: Option<i32>,
    to: Option<i32>,
    peers: &[Peer],
    description: Option<&str>,
) -> Result<Vec<DescribedRule>, RuleError> {
    let protocol = parse_protocol(protocol)?;
    let ports = normalize_ports(protocol, from, to)?;
    let mut rules: Vec<DescribedRule> = peers
        .iter()
        .map(|peer| {
            let rule = AtomicRule {
                direction,
                protocol,
                ports,
                peer: peer.clone(),
            };
            DescribedRule::new(rule, description)
        })
        .collect();
    rules.sort();
    rules.dedup();
    Ok(rules)
}

/// What converging a group's rules takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleDiff {
    /// Rules to authorize, wanted but not live.
    pub add: Vec<DescribedRule>,
    /// Rules to revoke, live but not wanted.
    pub remove: Vec<AtomicRule>,
    /// Rules live and wanted whose description differs, with the wanted description (`None`
    /// clears it): updated in place, never by revoke + authorize.
    pub redescribe: Vec<DescribedRule>,
}

impl RuleDiff {
    /// Whether the rules are in sync.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty() && self.redescribe.is_empty()
    }
}

/// The rules of `rules` keyed by identity; of duplicates, the first description wins.
fn by_identity(rules: &[DescribedRule]) -> BTreeMap<&AtomicRule, Option<&str>> {
    let mut map = BTreeMap::new();
    for rule in rules {
        map.entry(&rule.rule)
            .or_insert(rule.description.as_deref().filter(|d| !d.is_empty()));
    }
    map
}

/// Compares wanted and live rules as sets of identities: duplicates collapse (for the same
/// identity listed twice, the first description wins), and each list of the result is sorted.
/// A description is owned like the rule: a live description the manifest leaves out is
/// cleared.
pub fn diff_rules(want: &[DescribedRule], have: &[DescribedRule]) -> RuleDiff {
    let want = by_identity(want);
    let have = by_identity(have);
    let mut diff = RuleDiff::default();
    for (&rule, &description) in &want {
        match have.get(rule) {
            None => diff.add.push(DescribedRule::new(rule.clone(), description)),
            Some(&live) if live != description => {
                diff.redescribe
                    .push(DescribedRule::new(rule.clone(), description));
            }
            Some(_) => {}
        }
    }
    diff.remove = have
        .keys()
        .filter(|rule| !want.contains_key(*rule))
        .map(|&rule| rule.clone())
        .collect();
    diff
}

#[cfg(test)]
mod tests {
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
        let attempt =
            |protocol, from, to| explode(Direction::Ingress, protocol, from, to, &peer, None);
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
        assert_eq!(ingress.to_string(), "ingress tcp 443 from 0.0.0.0/0");
        assert_eq!(ingress.aws_ports(), (Some(443), Some(443)));
        let egress = one(
            Direction::Egress,
            "all",
            Some(5),
            Some(6),
            Peer::group("sg-123", None, None),
        );
        assert_eq!(egress.to_string(), "egress -1 all to sg-123");
        assert_eq!(egress.aws_ports(), (None, None));
        let icmp = one(
            Direction::Ingress,
            "1",
            Some(8),
            Some(-1),
            cidr("10.1.1.1/8"),
        );
        assert_eq!(
            icmp.to_string(),
            "ingress icmp type 8 code -1 from 10.0.0.0/8"
        );
        assert_eq!(icmp.aws_ports(), (Some(8), Some(-1)));
        let range = one(
            Direction::Egress,
            "udp",
            Some(1024),
            Some(2048),
            Peer::group("sg-9", Some("222222222222"), None),
        );
        assert_eq!(
            range.to_string(),
            "egress udp 1024-2048 to 222222222222/sg-9"
        );
        let v6 = one(
            Direction::Ingress,
            "icmpv6",
            None,
            None,
            Peer::PrefixList("pl-1".to_owned()),
        );
        assert_eq!(v6.to_string(), "ingress icmpv6 all from pl-1");
        assert_eq!(v6.aws_ports(), (Some(-1), Some(-1)));
        assert_eq!(
            DescribedRule::new(ingress, Some("web")).to_string(),
            "ingress tcp 443 from 0.0.0.0/0 (\"web\")"
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
            (0u16..3, 32u32..=64)
                .prop_map(|(word, len)| cidr(&format!("2001:db8:{word:x}::1/{len}"))),
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
}
