//! IAM kinds (`IamPolicy`, `IamRole`) and what they share: documents compared by meaning,
//! policy references resolved to ARNs, and patience with IAM's eventual consistency.

pub mod policy;
pub mod role;

use std::future::Future;

use afu9_spec::DesiredState;
use afu9_spec::iam::policy_doc;
use afu9_spec::tags::Tags;
use serde_json::Value;

use crate::aws::OpOutcome;
use crate::aws::write::retry_until_consistent;
use crate::aws::{AwsError, ErrorClass, Identity};
use crate::plan::Change;

/// A document change for a plan when `live` and `want` differ in meaning. The canonical
/// forms are only compared: the change shows the live document as IAM returned it (decoded)
/// and the wanted one as the manifest writes it, which is also what the audit trail keeps.
pub(crate) fn document_change(path: &str, live: Option<&Value>, want: &Value) -> Option<Change> {
    let differs = live.map(policy_doc::canonical) != Some(policy_doc::canonical(want));
    differs.then(|| Change::new(path, live.cloned(), Some(want.clone())))
}

/// Decodes a document as IAM returned it (URL-encoded or plain JSON).
pub(crate) fn decode(what: &str, operation: &'static str, text: &str) -> Result<Value, AwsError> {
    policy_doc::decode_document(text)
        .map_err(|err| AwsError::new(what, operation, ErrorClass::Terminal, err.to_string()))
}

/// The ARN a managed-policy reference stands for: an ARN as written, or the name of an
/// `IamPolicy` manifest turned into its customer-managed policy ARN.
pub(crate) fn policy_arn(reference: &str, state: &DesiredState, identity: &Identity) -> String {
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
pub(crate) fn customer_policy_arn(identity: &Identity, path: &str, name: &str) -> String {
    format!(
        "arn:{}:iam::{}:policy{path}{name}",
        identity.partition, identity.account
    )
}

/// Tags as the IAM SDK takes them.
pub(crate) fn sdk_tags(tags: &Tags) -> Vec<aws_sdk_iam::types::Tag> {
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
pub(crate) async fn call<F, Fut>(after_create: bool, mut write: F) -> Result<OpOutcome, AwsError>
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
pub(crate) const GONE: &str = "NoSuchEntity";
