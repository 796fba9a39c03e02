//! References to IAM roles and policies, and what the two IAM kinds (`IamPolicy`, `IamRole`)
//! share: documents compared by meaning, IAM's tags, and patience with its eventual
//! consistency.
//!
//! The role and policy ARNs are built here once, for every kind that names a role or a policy
//! (the roles a trail delivers with or a task runs as, the policies a role attaches). The
//! shared IAM helpers live here too rather than in `kinds/iam/mod.rs`: then no kind folder
//! imports anything outside itself but `refs` and the top-level modules, with no exception
//! for an area folder that holds two kinds.

use std::future::Future;

use afu9_spec::DesiredState;
use afu9_spec::iam::policy_doc;
use afu9_spec::tags::Tags;
use serde_json::Value;

use crate::aws::OpOutcome;
use crate::aws::write::retry_until_consistent;
use crate::aws::{AwsError, ErrorClass, Identity};
use crate::plan::Change;

/// The ARN of the role `name` in `partition` and `account`: an ARN as it is, else the
/// `IamRole` manifest's (with its path), else `role/NAME`.
pub fn role_arn(state: &DesiredState, partition: &str, account: &str, name: &str) -> String {
    if name.starts_with("arn:") {
        return name.to_owned();
    }
    let path = state
        .iam_roles
        .iter()
        .find(|role| role.name() == name)
        .and_then(|role| role.spec.path.as_deref())
        .unwrap_or("/");
    format!("arn:{partition}:iam::{account}:role{path}{name}")
}

/// The role name of a role ARN (`arn:aws:iam::1:role/path/name` → `name`) or of a name.
pub fn role_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// The ARN a managed-policy reference stands for: an ARN as written, or the name of an
/// `IamPolicy` manifest turned into its customer-managed policy ARN.
pub fn policy_arn(reference: &str, state: &DesiredState, identity: &Identity) -> String {
    if reference.starts_with("arn:") {
        return reference.to_owned();
    }
    let path = state
        .iam_policies
        .iter()
        .find(|p| p.name() == reference)
        .and_then(|p| p.spec.path.clone())
        .unwrap_or_else(|| "/".to_owned());
    customer_policy_arn(identity, &path, reference)
}

/// `arn:<partition>:iam::<account>:policy<path><name>`.
pub fn customer_policy_arn(identity: &Identity, path: &str, name: &str) -> String {
    format!(
        "arn:{}:iam::{}:policy{path}{name}",
        identity.partition, identity.account
    )
}

/// A document change for a plan when `live` and `want` differ in meaning. The canonical
/// forms are only compared: the change shows the live document as IAM returned it (decoded)
/// and the wanted one as the manifest writes it, which is also what the audit trail keeps.
pub fn document_change(path: &str, live: Option<&Value>, want: &Value) -> Option<Change> {
    let differs = live.map(policy_doc::canonical) != Some(policy_doc::canonical(want));
    differs.then(|| Change::new(path, live.cloned(), Some(want.clone())))
}

/// Decodes a document as IAM returned it (URL-encoded or plain JSON).
///
/// # Errors
///
/// A terminal error naming `what` and `operation` when the text is no JSON document.
pub fn decode(what: &str, operation: &'static str, text: &str) -> Result<Value, AwsError> {
    policy_doc::decode_document(text)
        .map_err(|err| AwsError::new(what, operation, ErrorClass::Terminal, err.to_string()))
}

/// Tags as the IAM SDK takes them.
pub fn sdk_tags(tags: &Tags) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .filter_map(|(key, value)| {
            aws_sdk_iam::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .ok()
        })
        .collect()
}

/// Runs an IAM write; when `after_create` (the resource was created earlier in the same
/// apply), a `NoSuchEntity` answer is IAM not having caught up yet and is retried.
///
/// # Errors
///
/// The write's error, once it is not (or no longer) IAM catching up.
pub async fn call<F, Fut>(after_create: bool, mut write: F) -> Result<OpOutcome, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<OpOutcome, AwsError>>,
{
    if after_create {
        retry_until_consistent("NoSuchEntity", write).await
    } else {
        write().await
    }
}

/// IAM's answer to a delete or detach of something that is not there.
pub const GONE: &str = "NoSuchEntity";

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::load::load_str;

    use super::{role_arn, role_name};

    #[test]
    fn a_managed_role_s_arn_carries_its_path_and_an_arn_is_kept() {
        let role = "apiVersion: posture.afu9.io/v1alpha1\nkind: IamRole\nmetadata: {name: logs}\nspec:\n  path: /service-role/\n  trustPolicy: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: cloudtrail.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n";
        let state = load_str(Path::new("r.yaml"), role).expect("valid");
        assert_eq!(
            role_arn(&state, "aws", "1", "logs"),
            "arn:aws:iam::1:role/service-role/logs"
        );
        assert_eq!(
            role_arn(&state, "aws", "1", "other"),
            "arn:aws:iam::1:role/other"
        );
        assert_eq!(
            role_arn(&state, "aws", "1", "arn:aws:iam::2:role/x"),
            "arn:aws:iam::2:role/x"
        );
        assert_eq!(role_name("arn:aws:iam::1:role/service-role/logs"), "logs");
    }
}
