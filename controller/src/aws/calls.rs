//! Counts every HTTP attempt the SDK makes, by service, operation and outcome.
//!
//! An SDK interceptor, so it sees retries too: the figure is what `CloudTrail` and the
//! throttling budget see, not what the code believes it asked for.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// One kind of call: `(service, operation, outcome)`; outcome is `ok` or `error`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallKey {
    /// The service, as the SDK names it (`ECR`, `STS`).
    pub service: String,
    /// The operation (`DescribeRepositories`).
    pub operation: String,
    /// `ok` for a 2xx response, `error` otherwise.
    pub outcome: &'static str,
}

/// A shared tally of calls, cheap to clone; install it on every client.
#[derive(Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<CallKey, u64>>>,
}

impl fmt::Debug for CallCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallCounter")
            .field("total", &self.total())
            .finish()
    }
}

impl CallCounter {
    /// A copy of the tally so far.
    pub fn snapshot(&self) -> BTreeMap<CallKey, u64> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many calls were made in all.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }

    /// Calls by `Service.Operation`, outcomes added up.
    pub fn by_operation(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (key, count) in self.snapshot() {
            *out.entry(format!("{}.{}", key.service, key.operation))
                .or_default() += count;
        }
        out
    }

    fn record(&self, key: CallKey) {
        *self
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default() += 1;
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "afu9-call-counter"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg.load::<Metadata>().map_or_else(
            || ("unknown".to_owned(), "unknown".to_owned()),
            |m| (m.service().to_owned(), m.name().to_owned()),
        );
        let ok = context
            .response()
            .is_some_and(|response| response.status().is_success());
        self.record(CallKey {
            service,
            operation,
            outcome: if ok { "ok" } else { "error" },
        });
        Ok(())
    }
}
