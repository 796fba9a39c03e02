//! Rule sets: AWS permissions exploded into atomic rules, and two sets of atomic rules
//! compared (what to authorize, revoke and re-describe).

use std::collections::BTreeMap;

use super::{
    AtomicRule, DescribedRule, Direction, Peer, RuleError, normalize_ports, parse_protocol,
};

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
