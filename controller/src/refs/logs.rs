//! References to CloudWatch Logs log groups (not a kind: afu9-posture does not manage them),
//! which trails deliver to and metric filters read.

use crate::aws::{Aws, AwsError};

/// The ARN of the log group named `name`, or `None` when there is none.
pub async fn log_group_arn(aws: &Aws, name: &str) -> Result<Option<String>, AwsError> {
    let output = aws
        .logs
        .describe_log_groups()
        .log_group_name_prefix(name)
        .send()
        .await
        .map_err(|err| {
            AwsError::from_sdk(
                format!("observe log group {name}"),
                "DescribeLogGroups",
                &err,
            )
        })?;
    Ok(output
        .log_groups
        .unwrap_or_default()
        .into_iter()
        .find(|group| group.log_group_name.as_deref() == Some(name))
        .and_then(|group| group.arn))
}
