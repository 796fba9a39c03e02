//! `IamPolicy`: a customer-managed policy whose default version carries the manifest's
//! document. A changed document becomes a new default version; at IAM's five-version limit
//! the oldest non-default version is deleted first.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod prune;

use afu9_spec::iam::IamPolicySpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};
use serde_json::Value;

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Operation};

pub use apply::PolicyOp;

/// IAM allows this many versions of a managed policy.
pub const MAX_VERSIONS: usize = 5;

/// The customer-managed IAM policy kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct IamPolicies;

/// One stored version of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVersion {
    /// `v1`, `v2`, ...
    pub id: String,
    /// Whether it is the version in force.
    pub is_default: bool,
    /// Creation time, seconds since the epoch (orders versions).
    pub created: i64,
}

/// A policy as it is in IAM.
#[derive(Debug, Clone, PartialEq)]
pub struct IamPolicyObserved {
    /// The policy ARN.
    pub arn: String,
    /// The description.
    pub description: Option<String>,
    /// The default version's document, decoded.
    pub document: Value,
    /// Every stored version.
    pub versions: Vec<PolicyVersion>,
    /// All tags.
    pub tags: Tags,
}

impl ManagedKind for IamPolicies {
    type Spec = IamPolicySpec;
    type Observed = IamPolicyObserved;
    const SERVICE: &'static str = "IAM";
    const GLOBAL: bool = true;
    const NOUN: &'static str = "policy";
    /// IAM is one global control plane per account, shared by every caller of the account,
    /// and its write rate is low: 4 in flight for all of IAM.
    const WRITE_LIMIT: usize = 4;

    /// A customer-managed policy's ARN contains the account.
    fn needs_identity(_state: &DesiredState) -> bool {
        true
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

impl Tagged for IamPolicies {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(PolicyOp::TagPolicy { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(PolicyOp::UntagPolicy { arn, keys })
    }
}
