//! The account's S3 Block Public Access (S3 Control `GetPublicAccessBlock` and
//! `PutPublicAccessBlock` with the caller's account id; Security Hub S3.1): read once a pass
//! when the document manages it, compared flag by flag, written whole.

use afu9_spec::bucket::PublicAccessBlock;
use serde_json::json;

use super::apply::AccountOp;
use crate::aws::{Aws, AwsError};
use crate::diff::compare_field;
use crate::plan::{Delta, Fact};

/// What an account with no configuration has: every flag off.
const NONE: PublicAccessBlock = PublicAccessBlock {
    block_public_acls: false,
    ignore_public_acls: false,
    block_public_policy: false,
    restrict_public_buckets: false,
};

/// The account's setting (every flag off when it has none).
pub(super) async fn read(aws: &Aws) -> Result<PublicAccessBlock, AwsError> {
    let account = aws.identity().await?.account.clone();
    match aws
        .s3control()
        .get_public_access_block()
        .account_id(account)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .public_access_block_configuration
            .map_or(NONE, |live| PublicAccessBlock {
                block_public_acls: live.block_public_acls.unwrap_or(false),
                ignore_public_acls: live.ignore_public_acls.unwrap_or(false),
                block_public_policy: live.block_public_policy.unwrap_or(false),
                restrict_public_buckets: live.restrict_public_buckets.unwrap_or(false),
            })),
        Err(err) => {
            let err = AwsError::from_sdk(
                "observe the account's S3 Block Public Access",
                "GetPublicAccessBlock",
                &err,
            );
            if err.is_code("NoSuchPublicAccessBlockConfiguration") {
                Ok(NONE)
            } else {
                Err(err)
            }
        }
    }
}

/// Each flag that differs is a change; one write sets all four.
pub(super) fn plan(want: PublicAccessBlock, have: PublicAccessBlock, delta: &mut Delta) {
    let flags = [
        (
            "blockPublicAcls",
            want.block_public_acls,
            have.block_public_acls,
        ),
        (
            "ignorePublicAcls",
            want.ignore_public_acls,
            have.ignore_public_acls,
        ),
        (
            "blockPublicPolicy",
            want.block_public_policy,
            have.block_public_policy,
        ),
        (
            "restrictPublicBuckets",
            want.restrict_public_buckets,
            have.restrict_public_buckets,
        ),
    ];
    let mut differs = false;
    for (flag, want, have) in flags {
        differs |= compare_field(
            &mut delta.changes,
            &format!("spec.s3BlockPublicAccess.{flag}"),
            Some(want),
            have,
        );
    }
    if differs {
        delta.op(AccountOp::PutS3PublicAccessBlock { block: want });
    }
}

/// S3.1: the account blocks public access with all four flags, whatever the document says.
pub(super) fn fact(have: PublicAccessBlock) -> Fact {
    Fact::judged(
        "S3.1",
        "s3BlockPublicAccess",
        Some(json!({
            "blockPublicAcls": have.block_public_acls,
            "ignorePublicAcls": have.ignore_public_acls,
            "blockPublicPolicy": have.block_public_policy,
            "restrictPublicBuckets": have.restrict_public_buckets,
        })),
        have.all(),
        (
            "the account blocks public access to every bucket (all four settings)",
            "the account does not block public access with all four settings: a bucket's own \
             setting is all that stands between it and the public",
        ),
    )
}
