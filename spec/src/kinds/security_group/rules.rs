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

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use thiserror::Error;

mod diff;

pub use diff::{RuleDiff, diff_rules, explode};

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
    /// A compact form for plans, where the field (`spec.ingress`, `spec.egress`) already says
    /// the direction and `from`/`to` repeats it: `tcp 443 from 0.0.0.0/0`, `-1 all to sg-123`,
    /// `icmp type 8 code -1 from 10.0.0.0/8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let towards = match self.direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        write!(
            f,
            "{} {} {towards} {}",
            self.protocol, self.ports, self.peer
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

#[cfg(test)]
mod tests;
