//! `SecurityGroup`: a group and its exclusive rule set, compared as sets of atomic rules
//! (`afu9_spec::sg_rules`), with references between managed groups by manifest name.

mod apply;
mod observe;
mod plan;

use std::collections::BTreeMap;
use std::sync::Arc;

use afu9_spec::ec2::SecurityGroupSpec;
use afu9_spec::sg_rules::DescribedRule;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{ManagedKind, PlanContext, ResourcePlan};

pub use apply::{GroupRef, PlannedRule, SgOp};

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
    const KIND: &'static str = "SecurityGroup";
    const SERVICE: &'static str = "EC2";
    type Spec = SecurityGroupSpec;
    type Observed = SecurityGroupObserved;

    fn resources(state: &DesiredState) -> &[Resource<Self::Spec>] {
        &state.security_groups
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(&aws.ec2, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> ResourcePlan {
        plan::plan(cx, want, have)
    }
}
