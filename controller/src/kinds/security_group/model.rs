//! The rule model the plan hands to the operations: which group an operation acts on (by id,
//! or by name for a group created in the same apply) and the rules to authorize (whole, or
//! waiting for a peer group's id).

use std::fmt;

use afu9_spec::security_group::CanonicalRule;
use afu9_spec::security_group::rules::{DescribedRule, Direction, Peer};

/// The group an operation acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// An existing group.
    Id(String),
    /// A group created earlier in the same apply, found by name in its VPC.
    Named {
        /// Group name.
        name: String,
        /// VPC id.
        vpc: String,
    },
}

impl fmt::Display for GroupRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id),
            Self::Named { name, vpc } => write!(f, "{name} in {vpc}"),
        }
    }
}

/// A rule to authorize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedRule {
    /// Every part known at plan time.
    Known(DescribedRule),
    /// The peer is a managed group created in the same apply.
    PeerGroup {
        /// The rule, its peer still a name.
        rule: CanonicalRule,
        /// The peer group's manifest name.
        group: String,
        /// The peer group's VPC.
        vpc: String,
    },
}

impl PlannedRule {
    /// Ingress or egress.
    pub fn direction(&self) -> Direction {
        match self {
            Self::Known(rule) => rule.rule.direction,
            Self::PeerGroup { rule, .. } => rule.direction,
        }
    }
}

impl fmt::Display for PlannedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(rule) => write!(f, "{rule}"),
            Self::PeerGroup { rule, group, .. } => {
                let shown = rule
                    .with_peer(Peer::group("sg-new", None, None))
                    .map(|r| {
                        r.to_string()
                            .replace("sg-new", &format!("group {group} (id known after apply)"))
                    })
                    .unwrap_or_default();
                f.write_str(&shown)
            }
        }
    }
}
