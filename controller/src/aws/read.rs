//! Reads in a bounded window: how every kind runs its per-resource reads.

use std::future::Future;

use futures_util::stream::BoxStream;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};

use super::AwsError;

/// Runs `reads` at most `limit` at a time and returns their results in order; the first
/// error fails the whole. A sliding window, not batches: a slow read holds up only its own
/// slot. The futures are made lazily, when a slot is free: at most `limit` of them exist at
/// once (a read's future holds its SDK calls' state, some kilobytes; made all at once, a
/// thousand resources' reads took megabytes before the first call).
pub fn windowed<'a, T, Fut>(
    reads: impl IntoIterator<Item = Fut, IntoIter: Send + 'a>,
    limit: usize,
) -> impl Future<Output = Result<Vec<T>, AwsError>> + Send + 'a
where
    Fut: Future<Output = Result<T, AwsError>> + Send + 'a,
    T: Send + 'a,
{
    // Boxed: the stream's type then names no caller's closure, whose lifetimes rustc
    // cannot prove `Send` for every instance of (rust-lang/rust#100013).
    let reads: BoxStream<'a, Fut> = stream::iter(reads).boxed();
    reads.buffered(limit).try_collect()
}
