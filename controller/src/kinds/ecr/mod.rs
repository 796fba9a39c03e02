//! `EcrRepository`: scanning, tag mutability, lifecycle policy, tags; encryption checked.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod prune;

use afu9_spec::ecr::EcrRepositorySpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::Delta;
use crate::plan::Operation;

pub use apply::EcrOp;

/// The ECR repository kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct EcrRepositories;

/// A repository as it is in AWS, in the manifest's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRepositoryObserved {
    /// The repository ARN (tagging needs it).
    pub arn: String,
    /// Scan on push.
    pub scan_on_push: bool,
    /// `MUTABLE`, `IMMUTABLE`, or whatever else ECR reports.
    pub tag_mutability: String,
    /// `AES256` or `KMS` (ECR also has `KMS_DSSE`).
    pub encryption_type: String,
    /// The KMS key ARN, for KMS encryption.
    pub kms_key: Option<String>,
    /// The lifecycle policy text as ECR returned it; `None` when there is none or when the
    /// manifest does not manage it (it is then not read).
    pub lifecycle_policy: Option<String>,
    /// All tags, including ones the controller does not manage.
    pub tags: Tags,
}

impl ManagedKind for EcrRepositories {
    type Spec = EcrRepositorySpec;
    type Observed = EcrRepositoryObserved;
    const SERVICE: &'static str = "ECR";
    const NOUN: &'static str = "repository";
    /// ECR throttles per account and region; a repository takes 2–5 calls from empty, and
    /// 8 in flight at 50 ms a call is about 160 calls a second at most.
    const WRITE_LIMIT: usize = 8;

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
        plan::plan(cx.state, want, have)
    }
}

impl Tagged for EcrRepositories {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(EcrOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(EcrOp::UntagResource { arn, keys })
    }
}
