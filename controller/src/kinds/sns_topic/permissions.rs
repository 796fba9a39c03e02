//! The IAM actions of `SnsTopic`: `ListTopics` on `*`; the rest names the topics' ARNs.

use afu9_spec::sns_topic::SnsTopicSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<SnsTopicSpec>],
) -> Vec<Grant> {
    let topics: Vec<String> = want.iter().map(|r| scope.arn("sns", r.name())).collect();
    let mut grants = reads(topics.clone());
    grants.push(Grant::new(
        Access::Write,
        &[
            "sns:CreateTopic",
            "sns:SetTopicAttributes",
            "sns:TagResource",
            "sns:UntagResource",
        ],
        topics,
    ));
    grants
}

/// What listing and observing every topic reads (import, the orphan search).
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    reads(vec![scope.arn("sns", "*")])
}

/// The reads of observing `topics`.
fn reads(topics: Vec<String>) -> Vec<Grant> {
    vec![
        Grant::any(Access::Read, &["sns:ListTopics"]),
        Grant::new(
            Access::Read,
            &[
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
            ],
            topics,
        ),
    ]
}
