//! IAM kinds (`IamPolicy`, `IamRole`) and what they share: documents compared by meaning,
//! policy references resolved to ARNs, and patience with IAM's eventual consistency.

pub mod policy;
pub mod role;

use std::future::Future;
use std::time::Duration;

use afu9_spec::DesiredState;
use afu9_spec::policy_doc;
use afu9_spec::tags::Tags;
use backon::{ExponentialBuilder, Retryable};
use serde_json::Value;

use crate::aws::{AwsError, Identity};
use crate::engine::{Change, OpOutcome};

/// A document change for a plan when `live` and `want` differ in meaning; both sides shown
/// in canonical form, so the rendered diff shows only what matters.
pub(crate) fn document_change(path: &str, live: Option<&Value>, want: &Value) -> Option<Change> {
    let want = policy_doc::canonical(want);
    let live = live.map(policy_doc::canonical);
    (live.as_ref() != Some(&want)).then(|| Change::new(path, live, Some(want)))
}

/// Decodes a document as IAM returned it (URL-encoded or plain JSON).
pub(crate) fn decode(what: &str, operation: &'static str, text: &str) -> Result<Value, AwsError> {
    policy_doc::decode_document(text).map_err(|err| AwsError {
        resource: what.to_owned(),
        operation,
        class: crate::aws::ErrorClass::Terminal,
        code: None,
        message: err.to_string(),
    })
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
/// apply), a `NoSuchEntity` answer is IAM not having caught up yet and is retried a few
/// times with backoff (about 7 s in all) before it counts.
pub(crate) async fn call<F, Fut>(after_create: bool, write: F) -> Result<OpOutcome, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<OpOutcome, AwsError>>,
{
    if !after_create {
        let mut write = write;
        return write().await;
    }
    write
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(250))
                .with_max_times(5),
        )
        .when(|err: &AwsError| err.is_code("NoSuchEntity"))
        .await
}

/// Turns "already gone" answers of a delete or detach into success.
pub(crate) fn gone_is_done(result: Result<OpOutcome, AwsError>) -> Result<OpOutcome, AwsError> {
    match result {
        Err(err) if err.is_code("NoSuchEntity") => {
            Ok(OpOutcome::AlreadyDone("already gone".to_owned()))
        }
        other => other,
    }
}
