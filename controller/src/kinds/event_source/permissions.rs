//! The IAM actions of `EventSource`: the queue and the rule share the manifest's name and every call names one of them; `afu9ctl run` also listens on the queue (`Access::Listen`).

use afu9_spec::event_source::EventSourceSpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<EventSourceSpec>],
) -> Vec<Grant> {
    let queues: Vec<String> = want.iter().map(|r| scope.arn("sqs", r.name())).collect();
    let rules: Vec<String> = want
        .iter()
        .map(|r| scope.arn("events", &format!("rule/{}", r.name())))
        .collect();
    vec![
        Grant::new(
            Access::Read,
            &[
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueueTags",
            ],
            queues.clone(),
        ),
        Grant::new(
            Access::Read,
            &[
                "events:DescribeRule",
                "events:ListTagsForResource",
                "events:ListTargetsByRule",
            ],
            rules.clone(),
        ),
        Grant::new(
            Access::Write,
            &[
                "sqs:CreateQueue",
                "sqs:SetQueueAttributes",
                "sqs:TagQueue",
                "sqs:UntagQueue",
            ],
            queues.clone(),
        ),
        Grant::new(
            Access::Write,
            &[
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:TagResource",
            ],
            rules,
        ),
        Grant::new(
            Access::Listen,
            &["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            queues,
        ),
    ]
}
