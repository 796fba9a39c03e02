//! `SecurityGroup`: a group and its exclusive rule set, compared as sets of atomic rules
//! (`afu9_spec::security_group::rules`), with references between managed groups by manifest name.

mod apply;
mod attest;
mod ec2;
mod events;
mod import;
mod model;
mod observe;
mod permissions;
mod plan;
mod prune;

use std::collections::BTreeMap;
use std::sync::Arc;

use afu9_spec::security_group::rules::DescribedRule;
use afu9_spec::security_group::{PeerSpec, SecurityGroupSpec};
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, ManifestKind, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::SgOp;
pub use model::{CreatedId, GroupRef, PlannedRule};

/// The security group kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityGroups;

/// What observation found for one managed group. Always present: even a group that does not
/// exist yet needs its VPC resolved and its managed peers' ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityGroupObserved {
    /// The VPC id, or why the manifest's VPC reference matched no single VPC.
    pub vpc: Result<String, String>,
    /// The group, when it exists.
    pub group: Option<LiveGroup>,
    /// Every managed group that exists: manifest name → group id (one map shared by all
    /// groups of a pass: a copy per group would grow with the square of their number).
    pub group_ids: Arc<BTreeMap<String, String>>,
    /// Every managed group whose VPC resolved: manifest name → VPC id (shared likewise).
    pub group_vpcs: Arc<BTreeMap<String, String>>,
    /// Every managed group that does not exist: manifest name → the slot its create fills
    /// with its id, for the later operations on it or naming it (shared likewise).
    pub created: Arc<BTreeMap<String, CreatedId>>,
}

/// A security group as it is in EC2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveGroup {
    /// `sg-…`
    pub id: String,
    /// The (immutable) description.
    pub description: String,
    /// All tags.
    pub tags: Tags,
    /// Every rule, atomic, with its rule id.
    pub rules: Vec<LiveRule>,
}

/// One live rule and its `SecurityGroupRuleId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRule {
    /// `sgr-…`
    pub id: String,
    /// The rule in canonical form.
    pub rule: DescribedRule,
}

impl ManagedKind for SecurityGroups {
    type Spec = SecurityGroupSpec;
    type Observed = SecurityGroupObserved;
    const SERVICE: &'static str = "EC2";
    const NOUN: &'static str = "security group";
    /// EC2 meters mutating calls per account and region in a token bucket of its own
    /// (apart from reads); 8 in flight, as for ECR.
    const WRITE_LIMIT: usize = 8;
    /// A group's rules name peer groups by manifest name, resolved through the ids of the
    /// kind's other groups.
    const OBSERVED_TOGETHER: bool = true;

    /// The other `SecurityGroup` manifests its rules name as peers: a rule needs its peer's
    /// id, so the peer must exist.
    fn depends_on(_state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        want.spec
            .ingress
            .iter()
            .map(|rule| &rule.from)
            .chain(want.spec.egress.iter().map(|rule| &rule.to))
            .filter_map(|peer| match peer {
                Some(PeerSpec::SecurityGroup(name)) if name != want.name() => {
                    Some(Dependency::created(SecurityGroupSpec::KIND, name.as_str()))
                }
                _ => None,
            })
            .collect()
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx, want, have)
    }
}

impl Tagged for SecurityGroups {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        have.group.as_ref().map(|group| LiveTags {
            tags: &group.tags,
            target: &group.id,
        })
    }

    fn tag(group_id: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(SgOp::CreateTags { group_id, tags })
    }

    fn untag(group_id: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(SgOp::DeleteTags { group_id, keys })
    }
}
