//! References to CloudWatch Logs log groups (the `LogGroup` kind manages the ones its
//! manifests name), which trails deliver to and metric filters read.

use crate::aws::{Aws, AwsError};

/// The ARN of the log group named `name`, or `None` when there is none.
pub async fn log_group_arn(aws: &Aws, name: &str) -> Result<Option<String>, AwsError> {
    let output = aws
        .logs()
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

/// The `LogGroup` manifest of the group `name`, as a dependency: a trail delivers to the
/// group once it exists with its key and retention.
pub fn log_group_dependency(
    state: &afu9_spec::DesiredState,
    name: &str,
) -> Option<crate::plan::Dependency> {
    state.log_groups.iter().any(|g| g.name() == name).then(|| {
        crate::plan::Dependency::done(
            <afu9_spec::log_group::LogGroupSpec as afu9_spec::ManifestKind>::KIND,
            name,
        )
    })
}

/// The ARN a log group named `name` has in `region` of `account`, as a trail's delivery names
/// it (`…:log-group:NAME:*`): known before a group a manifest creates exists.
pub fn planned_log_group_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:logs:{region}:{account}:log-group:{name}:*")
}
