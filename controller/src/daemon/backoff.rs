//! Per-resource backoff: after a failure a resource waits (exponentially, with jitter, up to
//! a cap) before its next write; a terminal failure waits for the desired state to change.
//! Success resets it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::aws::ErrorClass;

/// The first wait after a failure.
const BASE: Duration = Duration::from_secs(2);
/// The longest wait.
const CAP: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
struct Failure {
    count: u32,
    until: Option<Instant>,
    terminal_revision: Option<String>,
}

/// Backoff state of every resource, by (kind, name).
#[derive(Debug, Default)]
pub struct Backoff {
    failures: HashMap<(String, String), Failure>,
}

impl Backoff {
    /// Records a failure of class `class` at desired-state `revision`.
    pub fn failed(
        &mut self,
        key: (String, String),
        class: ErrorClass,
        revision: &str,
        now: Instant,
    ) {
        let failure = self.failures.entry(key).or_insert(Failure {
            count: 0,
            until: None,
            terminal_revision: None,
        });
        failure.count = failure.count.saturating_add(1);
        if class == ErrorClass::Terminal {
            failure.terminal_revision = Some(revision.to_owned());
            failure.until = None;
        } else {
            let exponent = failure.count.saturating_sub(1).min(16);
            let delay = BASE.saturating_mul(1 << exponent).min(CAP);
            // ±20 % jitter so that many resources do not retry in lockstep.
            let jitter = delay.mul_f64(0.8 + 0.4 * fastrand::f64());
            failure.until = Some(now + jitter);
        }
    }

    /// Forgets a resource's failures.
    pub fn succeeded(&mut self, key: &(String, String)) {
        self.failures.remove(key);
    }

    /// Why a resource must not be written now, if it must not.
    pub fn holds(&self, key: &(String, String), revision: &str, now: Instant) -> Option<String> {
        let failure = self.failures.get(key)?;
        if failure.terminal_revision.as_deref() == Some(revision) {
            return Some("a terminal error waits for a change of the desired state".to_owned());
        }
        let until = failure.until?;
        (until > now).then(|| {
            format!(
                "backing off after {} failures; next attempt in {}s",
                failure.count,
                (until - now).as_secs()
            )
        })
    }

    /// Whether some backoff ended in `(since, now]`: the loop then passes early.
    pub fn expired_between(&self, since: Instant, now: Instant) -> bool {
        self.failures
            .values()
            .filter_map(|f| f.until)
            .any(|until| since < until && until <= now)
    }

    /// When the earliest backoff ends, to wake the loop for it.
    pub fn next_expiry(&self, now: Instant) -> Option<Instant> {
        self.failures
            .values()
            .filter_map(|f| f.until)
            .filter(|until| *until > now)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (String, String) {
        ("K".to_owned(), "n".to_owned())
    }

    #[test]
    fn waits_grow_to_a_cap_and_success_resets() {
        let mut backoff = Backoff::default();
        let now = Instant::now();
        let mut last = Duration::ZERO;
        for _ in 0..12 {
            backoff.failed(key(), ErrorClass::Throttled, "r", now);
            let until = backoff.next_expiry(now).expect("waiting");
            last = until - now;
        }
        assert!(
            last <= CAP.mul_f64(1.2) && last >= CAP.mul_f64(0.8),
            "{last:?}"
        );
        assert!(backoff.holds(&key(), "r", now).is_some());
        backoff.succeeded(&key());
        assert!(backoff.holds(&key(), "r", now).is_none());
    }

    #[test]
    fn a_terminal_error_waits_for_a_new_revision() {
        let mut backoff = Backoff::default();
        let now = Instant::now();
        backoff.failed(key(), ErrorClass::Terminal, "r1", now);
        assert!(backoff.holds(&key(), "r1", now + CAP * 10).is_some());
        assert!(backoff.holds(&key(), "r2", now).is_none());
    }
}
