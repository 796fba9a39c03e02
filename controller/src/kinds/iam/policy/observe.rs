//! Reading policies: `GetPolicy`, `GetPolicyVersion` (the default) and `ListPolicyVersions`
//! for each managed policy, a few at a time.

use afu9_spec::Resource;
use afu9_spec::iam::IamPolicySpec;

use super::{IamPolicyObserved, PolicyVersion};
use crate::aws::read::windowed;
use crate::aws::{Aws, AwsError};
use crate::refs::iam::{customer_policy_arn, decode};

const CONCURRENCY: usize = 4;

/// Reads every managed policy; the caller's identity (for the ARNs) is cached by `Aws`, so
/// this costs no call beyond the one the engine made.
pub(super) async fn observe(
    aws: &Aws,
    want: &[Resource<IamPolicySpec>],
) -> Result<Vec<Option<IamPolicyObserved>>, AwsError> {
    let identity = aws.identity().await?;
    let reads = want.iter().map(|policy| {
        let arn = customer_policy_arn(
            identity,
            policy.spec.path.as_deref().unwrap_or("/"),
            policy.name(),
        );
        read_policy(aws.iam(), arn)
    });
    windowed(reads, CONCURRENCY).await
}

async fn read_policy(
    iam: &aws_sdk_iam::Client,
    arn: String,
) -> Result<Option<IamPolicyObserved>, AwsError> {
    let what = || format!("observe iam policy {arn}");
    let policy = match iam.get_policy().policy_arn(&arn).send().await {
        Ok(output) => output.policy,
        Err(err) => {
            let err = AwsError::from_sdk(what(), "GetPolicy", &err);
            return if err.is_code("NoSuchEntity") {
                Ok(None)
            } else {
                Err(err)
            };
        }
    };
    let Some(policy) = policy else {
        return Ok(None);
    };
    let default_version = policy.default_version_id.clone().unwrap_or_default();
    let version = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id(&default_version)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "GetPolicyVersion", &err))?;
    let text = version
        .policy_version
        .and_then(|v| v.document)
        .unwrap_or_default();
    let versions = iam
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .map_err(|err| AwsError::from_sdk(what(), "ListPolicyVersions", &err))?
        .versions
        .unwrap_or_default()
        .into_iter()
        .map(|v| PolicyVersion {
            id: v.version_id.unwrap_or_default(),
            is_default: v.is_default_version,
            created: v.create_date.map_or(0, |d| d.secs()),
        })
        .collect();
    Ok(Some(IamPolicyObserved {
        document: decode(&what(), "GetPolicyVersion", &text)?,
        description: policy.description.filter(|d| !d.is_empty()),
        versions,
        tags: policy
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect(),
        arn,
    }))
}
