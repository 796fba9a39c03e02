//! `IamPolicy`: a customer-managed policy whose default version carries the manifest's
//! document. A changed document becomes a new default version; at IAM's five-version limit
//! the oldest non-default version is deleted first.

mod apply;
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
use crate::engine::{Importer, LiveTags, ManagedKind, PlanContext, Pruner, TagOps, Tagging};
use crate::events::Events;
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency};

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
    const NOUN: &'static str = "policy";
    /// IAM is one global control plane per account, shared by every caller of the account,
    /// and its write rate is low: 4 in flight for all of IAM.
    const WRITE_LIMIT: usize = 4;
    const EVENTS: Events = events::EVENTS;

    /// A customer-managed policy's ARN contains the account.
    fn needs_identity(_state: &DesiredState) -> bool {
        true
    }

    fn tagging() -> Tagging<Self> {
        Tagging::Owned(TagOps {
            desired: |spec| &spec.tags,
            live: |_, have| {
                Some(LiveTags {
                    tags: &have.tags,
                    target: &have.arn,
                })
            },
            tag: |target, tags| Box::new(PolicyOp::TagPolicy { arn: target, tags }),
            untag: |target, keys| Box::new(PolicyOp::UntagPolicy { arn: target, keys }),
        })
    }

    fn importer() -> Importer<Self> {
        Importer::Supported(import::ops())
    }

    fn pruner() -> Pruner<Self> {
        Pruner::Deletes(prune::ops())
    }

    /// A customer-managed policy refers to no other managed resource.
    fn depends_on(_state: &DesiredState, _want: &Resource<Self::Spec>) -> Vec<Dependency> {
        Vec::new()
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
