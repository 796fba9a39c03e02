//! `LogGroup`: a CloudWatch Logs log group's retention, KMS key and tags; created when
//! missing, never deleted.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use std::collections::BTreeMap;

use afu9_spec::log_group::LogGroupSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::LogGroupOp;

/// The CloudWatch Logs log group kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogGroups;

/// A log group as CloudWatch Logs reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogGroupObserved {
    /// The group's ARN without the trailing `:*` (what the tag calls take).
    pub arn: String,
    /// Retention in days; `None`: kept forever.
    pub retention_days: Option<u32>,
    /// The KMS key ARN, if encrypted with one.
    pub kms_key: Option<String>,
    /// The key ARNs of the aliases a key comparison needed.
    pub kms_keys: BTreeMap<String, String>,
    /// All tags.
    pub tags: Tags,
}

impl ManagedKind for LogGroups {
    type Spec = LogGroupSpec;
    type Observed = LogGroupObserved;
    const SERVICE: &'static str = "CloudWatchLogs";
    const NOUN: &'static str = "log group";
    /// A posture has a few log groups, each up to three calls from empty.
    const WRITE_LIMIT: usize = 4;

    /// The `KmsKey` manifest its key names.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        crate::refs::kms::key_dependency(state, want.spec.kms_key.as_deref())
            .into_iter()
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

impl Tagged for LogGroups {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(LogGroupOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(LogGroupOp::UntagResource { arn, keys })
    }
}
