//! The IAM actions of `KmsKey`: keys are found by alias (`ListAliases`, on `*`), so the key calls go to `key/*` of the account (their ids are AWS's); `CreateKey` takes no resource; `CreateAlias` needs the alias and the key.

use afu9_spec::kms_key::KmsKeySpec;
use afu9_spec::{DesiredState, Resource};

use crate::permissions::{Access, ArnScope, Grant};

/// What listing and observing every key reads (import, the orphan search): every alias,
/// and any key of the account.
pub(super) fn discovery(scope: &ArnScope) -> Vec<Grant> {
    vec![
        Grant::any(Access::Read, &["kms:ListAliases", "kms:ListKeys"]),
        Grant::new(
            Access::Read,
            &[
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
            ],
            vec![scope.arn("kms", "key/*")],
        ),
    ]
}

/// The grants the kind's observe, ops and tag calls need for `want`.
pub(super) fn permissions(
    _state: &DesiredState,
    scope: &ArnScope,
    want: &[Resource<KmsKeySpec>],
) -> Vec<Grant> {
    let keys = vec![scope.arn("kms", "key/*")];
    let aliases: Vec<String> = want
        .iter()
        .map(|r| scope.arn("kms", &format!("alias/{}", r.name())))
        .collect();
    let mut reads = vec![
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
    ];
    if want.iter().any(|r| r.spec.policy.is_some()) {
        reads.push("kms:GetKeyPolicy");
    }
    let mut writes = vec![
        "kms:CreateAlias",
        "kms:EnableKeyRotation",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:UpdateKeyDescription",
    ];
    if want.iter().any(|r| r.spec.policy.is_some()) {
        writes.push("kms:PutKeyPolicy");
    }
    vec![
        Grant::any(Access::Read, &["kms:ListAliases", "kms:ListKeys"]),
        Grant::new(Access::Read, &reads, keys.clone()),
        Grant::any(Access::Write, &["kms:CreateKey"]),
        Grant::new(Access::Write, &writes, keys),
        Grant::new(Access::Write, &["kms:CreateAlias"], aliases),
    ]
}
