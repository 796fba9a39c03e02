//! `SnsTopic`: a topic's KMS key, display name and tags; its subscriptions are counted, not
//! managed.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod prune;

use afu9_spec::sns_topic::SnsTopicSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::TopicOp;

/// The SNS topic kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct SnsTopics;

/// A topic as SNS reports it, in the manifest's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsTopicObserved {
    /// The topic ARN.
    pub arn: String,
    /// `KmsMasterKeyId` as SNS returns it (as it was set), if encrypted.
    pub kms_key: Option<String>,
    /// The display name (`""` when none).
    pub display_name: String,
    /// Subscriptions, confirmed or pending.
    pub subscriptions: usize,
    /// All tags.
    pub tags: Tags,
}

impl ManagedKind for SnsTopics {
    type Spec = SnsTopicSpec;
    type Observed = SnsTopicObserved;
    const SERVICE: &'static str = "SNS";
    const NOUN: &'static str = "topic";
    /// SNS allows far more than a posture writes; 8 matches the other regional services.
    const WRITE_LIMIT: usize = 8;

    /// The `KmsKey` manifest its key names, if any: it is encrypted with the key once the key
    /// exists.
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

impl Tagged for SnsTopics {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(TopicOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(TopicOp::UntagResource { arn, keys })
    }
}
