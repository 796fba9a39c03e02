//! One pass's listings: each list read (every repository, every security group) made at
//! most once per pass, and shared by whoever needs it in that pass — a kind's observation,
//! its orphan search, its import.
//!
//! The engine starts a pass with [`super::Aws::for_pass`]; outside a pass (a test calling a
//! kind directly, an apply) every listing is read afresh. A failed listing is not kept: the
//! next reader in the pass asks again, and sees its own error.

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use super::AwsError;

/// What a pass lists, and whether it is a whole pass.
#[derive(Debug, Default)]
pub struct Listings {
    /// One cell per listing, by its key (`ECR.DescribeRepositories`, or a read of one
    /// resource that two kinds need: `S3.GetBucketLogging afu9-audit-logs`).
    cells: Mutex<HashMap<Cow<'static, str>, Arc<dyn Any + Send + Sync>>>,
    /// Whether the pass looks at every live resource of each tracked kind (a whole plan,
    /// which looks for orphans): a kind then reads its resources from its full listing
    /// instead of a listing filtered by the manifests' names.
    whole: bool,
}

impl Listings {
    /// The listings of a new pass; `whole` as [`Listings::whole`] says.
    pub fn new(whole: bool) -> Self {
        Self {
            cells: Mutex::default(),
            whole,
        }
    }

    /// Whether this is a whole pass (see the field).
    pub fn whole(&self) -> bool {
        self.whole
    }

    /// The listing `key`, read by `read` the first time it is asked for in this pass.
    /// A key asked for with two types is a programming error; the second type is then
    /// read afresh each time rather than shared.
    pub async fn get<T, F, Fut>(
        &self,
        key: impl Into<Cow<'static, str>>,
        read: F,
    ) -> Result<Arc<T>, AwsError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AwsError>>,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            let any = Arc::clone(cells.entry(key.into()).or_insert_with(
                || -> Arc<dyn Any + Send + Sync> { Arc::new(OnceCell::<Arc<T>>::new()) },
            ));
            any.downcast::<OnceCell<Arc<T>>>().ok()
        };
        match cell {
            Some(cell) => cell
                .get_or_try_init(|| async { read().await.map(Arc::new) })
                .await
                .cloned(),
            None => read().await.map(Arc::new),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Listings;
    use crate::aws::{AwsError, ErrorClass};

    #[tokio::test]
    async fn a_listing_is_read_once_per_pass_and_shared() {
        let listings = Listings::new(true);
        let reads = AtomicUsize::new(0);
        let read = || async {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, AwsError>(vec!["a".to_owned()])
        };
        let (first, second) =
            tokio::join!(listings.get("X.List", read), listings.get("X.List", read));
        assert_eq!(first.expect("first"), second.expect("second"));
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        let _ = listings.get("Y.List", read).await.expect("other key");
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_listing_is_asked_again() {
        let listings = Listings::new(false);
        let failed = listings
            .get("X.List", || async {
                Err::<u8, _>(AwsError::new("x", "List", ErrorClass::Transient, "down"))
            })
            .await;
        assert!(failed.is_err());
        let again = listings.get("X.List", || async { Ok(7_u8) }).await;
        assert_eq!(*again.expect("second read"), 7);
    }
}
