//! The rule model the plan hands to the operations: which group an operation acts on (by id,
//! or a group created in the same apply) and the rules to authorize (whole, or waiting for a
//! peer group's id). A group created in the same apply passes its id on through a slot that
//! its create operation fills; only when the create found the group already there is the id
//! looked up by name.

use std::fmt;
use std::sync::{Arc, OnceLock};

use afu9_spec::security_group::CanonicalRule;
use afu9_spec::security_group::rules::{DescribedRule, Direction, Peer};

/// Where the id of a group created in this apply is passed on, from its create operation to
/// every later operation on it or with it as a peer (one slot per managed group and pass).
pub type CreatedId = Arc<OnceLock<String>>;

/// The group an operation acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupRef {
    /// An existing group.
    Id(String),
    /// A group created earlier in the same apply: its id from the create, else found by
    /// name in its VPC.
    Named {
        /// Group name.
        name: String,
        /// VPC id.
        vpc: String,
        /// Filled by the group's create operation.
        created: CreatedId,
    },
}

impl fmt::Display for GroupRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => f.write_str(id),
            Self::Named { name, vpc, .. } => write!(f, "{name} in {vpc}"),
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
        /// Filled by the peer group's create operation.
        created: CreatedId,
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
