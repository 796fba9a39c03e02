//! Rules for `SecurityGroup` manifests: rule syntax, references, duplicates, and the
//! network guardrails of the AFU-9 guide (AWS Security Hub EC2.13, EC2.14, EC2.18, EC2.19).

use std::collections::BTreeSet;

use super::rules::{AtomicRule, Direction, Peer, Ports, Protocol};
use super::{CanonicalRule, RulePeer, SecurityGroupSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::check_tags;

/// Guardrail: ingress from anywhere to SSH (EC2.13). Never excepted.
pub const SSH_FROM_ANYWHERE: &str = "AFU9-SG-010";
/// Guardrail: ingress from anywhere to RDP (EC2.14). Never excepted.
pub const RDP_FROM_ANYWHERE: &str = "AFU9-SG-011";
/// Guardrail: ingress from anywhere to a port other than 80 and 443 (EC2.18, EC2.19);
/// a `guardrailExceptions` entry naming it allows it for that group.
pub const OPEN_PORT_FROM_ANYWHERE: &str = "AFU9-SG-012";

impl Validate for SecurityGroupSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        check(&state.security_groups, errors);
    }
}

fn check(groups: &[Resource<SecurityGroupSpec>], errors: &mut Vec<ManifestError>) {
    let names: BTreeSet<&str> = groups.iter().map(Resource::name).collect();
    for group in groups {
        check_group(group, &names, errors);
        check_tags(&group.source, &group.spec.tags, errors);
    }
}

fn check_group(
    group: &Resource<SecurityGroupSpec>,
    names: &BTreeSet<&str>,
    errors: &mut Vec<ManifestError>,
) {
    let spec = &group.spec;
    let error = |field: &str, rule: &'static str, message: String| {
        ManifestError::new(group.source.clone(), message)
            .field(field)
            .rule(rule)
    };
    if group.name().len() > 255 || group.name().starts_with("sg-") {
        errors.push(
            error(
                "metadata.name",
                "AFU9-SG-006",
                format!("`{}` is not a valid security group name", group.name()),
            )
            .hint("at most 255 characters, not starting with sg-"),
        );
    }
    if spec.description.is_empty() || spec.description.len() > 255 || !spec.description.is_ascii() {
        errors.push(error(
            "spec.description",
            "AFU9-SG-006",
            "the description must be 1-255 ASCII characters".to_owned(),
        ));
    }
    if let super::VpcRef::Tags(tags) = &spec.vpc
        && tags.is_empty()
    {
        errors.push(error(
            "spec.vpc.tags",
            "AFU9-SG-007",
            "name at least one tag of the VPC".to_owned(),
        ));
    }
    let excepted: BTreeSet<&str> = spec
        .guardrail_exceptions
        .iter()
        .map(|e| e.rule.as_str())
        .collect();
    for (index, exception) in spec.guardrail_exceptions.iter().enumerate() {
        if exception.rule != OPEN_PORT_FROM_ANYWHERE || exception.reason.trim().is_empty() {
            errors.push(error(
                &format!("spec.guardrailExceptions[{index}]"),
                "AFU9-SG-005",
                format!("only {OPEN_PORT_FROM_ANYWHERE} can be excepted, and only with a reason"),
            ));
        }
    }
    for (direction, rules, list) in [
        (Direction::Ingress, &spec.ingress, "ingress"),
        (Direction::Egress, &spec.egress, "egress"),
    ] {
        let mut seen = BTreeSet::new();
        for (index, rule) in rules.iter().enumerate() {
            let field = format!("spec.{list}[{index}]");
            let (wrong, right) = match direction {
                Direction::Ingress => (rule.to.is_some(), "from"),
                Direction::Egress => (rule.from.is_some(), "to"),
            };
            if wrong || rule.peer(direction).is_none() {
                errors.push(error(
                    &field,
                    "AFU9-SG-001",
                    format!("an {list} rule names its peer with `{right}:` and only with it"),
                ));
                continue;
            }
            let canonical = match rule.canonical(direction) {
                Ok(canonical) => canonical,
                Err(err) => {
                    errors.push(error(&field, "AFU9-SG-002", err.to_string()));
                    continue;
                }
            };
            if let RulePeer::Managed(name) = &canonical.peer
                && !names.contains(name.as_str())
            {
                errors.push(
                    error(
                        &field,
                        "AFU9-SG-003",
                        format!("`{name}` names no SecurityGroup manifest"),
                    )
                    .hint("use {groupId: sg-...} for a group the desired state does not manage"),
                );
                continue;
            }
            if !seen.insert(identity(&canonical)) {
                errors.push(error(
                    &field,
                    "AFU9-SG-004",
                    "the same rule is listed twice".to_owned(),
                ));
            }
            if direction == Direction::Ingress {
                check_guardrails(&canonical, &field, &excepted, &error, errors);
            }
        }
    }
}

/// A rule's identity for duplicate detection: its canonical form with a managed peer as name.
fn identity(rule: &CanonicalRule) -> String {
    let peer = match &rule.peer {
        RulePeer::Resolved(peer) => peer.to_string(),
        RulePeer::Managed(name) => format!("group {name}"),
    };
    let ports = rule
        .with_peer(Peer::PrefixList("pl-x".to_owned()))
        .map(|r| r.rule.ports.to_string())
        .unwrap_or_default();
    format!("{} {ports} {peer}", rule.protocol)
}

fn check_guardrails(
    rule: &CanonicalRule,
    field: &str,
    excepted: &BTreeSet<&str>,
    error: &dyn Fn(&str, &'static str, String) -> ManifestError,
    errors: &mut Vec<ManifestError>,
) {
    let RulePeer::Resolved(peer) = &rule.peer else {
        return;
    };
    if !is_anywhere(peer) {
        return;
    }
    let Ok(atomic) = rule.with_peer(peer.clone()) else {
        return;
    };
    let Some((from, to)) = port_span(&atomic.rule) else {
        return;
    };
    let covers = |port: u16| from <= port && port <= to;
    if covers(22) {
        errors.push(
            error(
                field,
                SSH_FROM_ANYWHERE,
                format!("ingress from {peer} reaches port 22 (SSH); Security Hub EC2.13"),
            )
            .hint("allow SSH from a known range, or use Session Manager"),
        );
    } else if covers(3389) {
        errors.push(error(
            field,
            RDP_FROM_ANYWHERE,
            format!("ingress from {peer} reaches port 3389 (RDP); Security Hub EC2.14"),
        ));
    } else if !(from == to && (from == 80 || from == 443))
        && !excepted.contains(OPEN_PORT_FROM_ANYWHERE)
    {
        errors.push(
            error(field, OPEN_PORT_FROM_ANYWHERE, format!("ingress from {peer} to ports {from}-{to}: only 80 and 443 may be open to anywhere (Security Hub EC2.18/EC2.19)"))
                .hint(format!("if this is intended, add guardrailExceptions: [{{rule: {OPEN_PORT_FROM_ANYWHERE}, reason: ...}}]")),
        );
    }
}

fn is_anywhere(peer: &Peer) -> bool {
    matches!(peer, Peer::Ipv4(cidr) if cidr == "0.0.0.0/0")
        || matches!(peer, Peer::Ipv6(cidr) if cidr == "::/0")
}

/// The TCP/UDP ports a rule opens (all of them for protocol -1); `None` for ICMP.
fn port_span(rule: &AtomicRule) -> Option<(u16, u16)> {
    match (rule.protocol, rule.ports) {
        (Protocol::All, _) => Some((0, u16::MAX)),
        (Protocol::Tcp | Protocol::Udp, Ports::Range { from, to }) => Some((from, to)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::load_str;

    fn rules_fired(ingress: &str, exceptions: &str) -> Vec<&'static str> {
        let yaml = format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: SecurityGroup\nmetadata: {{name: g}}\nspec:\n  vpc: {{id: vpc-1}}\n  description: g\n  ingress: [{ingress}]\n  guardrailExceptions: [{exceptions}]\n"
        );
        match load_str(Path::new("g.yaml"), &yaml) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .0
                .iter()
                .filter(|e| !e.warning)
                .map(|e| e.rule)
                .collect(),
        }
    }

    #[test]
    fn an_open_port_needs_a_named_exception_but_ssh_and_rdp_cannot_have_one() {
        let open = "{protocol: tcp, ports: 8080, from: {cidr: 0.0.0.0/0}}";
        let exception = "{rule: AFU9-SG-012, reason: public health checks}";
        assert_eq!(rules_fired(open, ""), ["AFU9-SG-012"]);
        assert!(rules_fired(open, exception).is_empty());
        let ssh = "{protocol: tcp, ports: 20-25, from: {cidr: 0.0.0.0/0}}";
        assert_eq!(rules_fired(ssh, exception), ["AFU9-SG-010"]);
        assert_eq!(
            rules_fired(open, "{rule: AFU9-SG-010, reason: x}"),
            ["AFU9-SG-005", "AFU9-SG-012"]
        );
    }

    #[test]
    fn restricted_sources_and_web_ports_pass() {
        assert!(rules_fired("{protocol: tcp, ports: 22, from: {cidr: 10.0.0.0/8}}", "").is_empty());
        assert!(rules_fired("{protocol: tcp, ports: 443, from: {cidr: \"::/0\"}}", "").is_empty());
        assert!(
            rules_fired(
                "{protocol: icmp, icmp: {type: 8}, from: {cidr: 0.0.0.0/0}}",
                ""
            )
            .is_empty()
        );
    }
}
