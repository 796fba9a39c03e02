//! What every kind's write calls share: the outcome of a call, the classified error of a
//! failed one, "already exists" and "already gone" counted as done, and patience with AWS's
//! eventual consistency. Kinds' operations use these instead of their own copies.

use std::future::Future;
use std::time::Duration;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use backon::{ExponentialBuilder, Retryable};
use serde::Serialize;

use super::{AwsError, ErrorClass};

/// What a write call found when it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "note", rename_all = "camelCase")]
pub enum OpOutcome {
    /// The call changed the account.
    Done,
    /// The account already was as wanted (a create that found the resource, a delete that
    /// found nothing); the note says what was found.
    AlreadyDone(String),
}

/// One AWS write call: which operation, on what, and its answer turned into an outcome or a
/// classified error that names both. The helpers are for the concrete call types; what the
/// engine reads through `dyn Operation` is `call` and `subject`.
pub trait WriteCall {
    /// The AWS operation it calls (`PutImageTagMutability`).
    fn call(&self) -> &'static str;

    /// What the call acts on, for errors (`update ecr repository afu9/x`).
    fn subject(&self) -> String;

    /// The classified error of a failed call.
    fn error<E>(&self, err: &SdkError<E, Response>) -> AwsError
    where
        Self: Sized,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        AwsError::from_sdk(self.subject(), self.call(), err)
    }

    /// An error of this call found before or after AWS answered (a precondition that does
    /// not hold, an answer that cannot be used).
    fn failure(&self, class: ErrorClass, message: impl Into<String>) -> AwsError
    where
        Self: Sized,
    {
        AwsError::new(self.subject(), self.call(), class, message)
    }

    /// `Done`, or the classified error.
    fn done<T, E>(&self, result: Result<T, SdkError<E, Response>>) -> Result<OpOutcome, AwsError>
    where
        Self: Sized,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        result
            .map(|_| OpOutcome::Done)
            .map_err(|err| self.error(&err))
    }

    /// `Done`; AWS's error `code` means the work was already done (`note` says how: the
    /// resource exists, the rule is gone); any other error is returned.
    fn done_unless<T, E>(
        &self,
        result: Result<T, SdkError<E, Response>>,
        code: &str,
        note: &str,
    ) -> Result<OpOutcome, AwsError>
    where
        Self: Sized,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        already_done(self.done(result), code, note)
    }
}

/// Turns the error `code` of a classified result into `AlreadyDone(note)`.
pub fn already_done(
    result: Result<OpOutcome, AwsError>,
    code: &str,
    note: &str,
) -> Result<OpOutcome, AwsError> {
    match result {
        Err(err) if err.is_code(code) => Ok(OpOutcome::AlreadyDone(note.to_owned())),
        other => other,
    }
}

/// Runs `attempt`, and again while it fails with the error `code` that means AWS has not
/// caught up yet with a resource created moments ago (IAM's `NoSuchEntity` after
/// `CreateRole`): five more times, with exponential backoff from 250 ms (about 7 s in all).
pub async fn retry_until_consistent<T, F, Fut>(code: &str, attempt: F) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    attempt
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(250))
                .with_max_times(5),
        )
        .when(|err: &AwsError| err.is_code(code))
        .await
}
