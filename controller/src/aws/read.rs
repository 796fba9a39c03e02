//! Reads in a bounded window: how every kind runs its per-resource reads.

use std::future::Future;

use futures_util::{StreamExt as _, TryStreamExt as _, stream};

use super::AwsError;

/// Runs `reads` at most `limit` at a time and returns their results in order; the first
/// error fails the whole. A sliding window, not batches: a slow read holds up only its own
/// slot. The futures are lazy, so nothing starts before its slot is free.
pub async fn windowed<T, Fut>(
    reads: impl IntoIterator<Item = Fut>,
    limit: usize,
) -> Result<Vec<T>, AwsError>
where
    Fut: Future<Output = Result<T, AwsError>>,
{
    // Collected first: with a closure in the stream's type rustc cannot prove the future
    // `Send` for every lifetime (rust-lang/rust#100013).
    let reads: Vec<Fut> = reads.into_iter().collect();
    stream::iter(reads).buffered(limit).try_collect().await
}
