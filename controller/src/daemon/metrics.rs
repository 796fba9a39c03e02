//! Prometheus metrics of the run loop, in one registry owned by the daemon (no globals).

use std::collections::BTreeMap;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::aws::CallKey;

type Labels = Vec<(&'static str, String)>;

/// Every metric the daemon exports.
pub struct Metrics {
    registry: Registry,
    pass_duration: Histogram,
    passes: Family<Labels, Counter>,
    resources: Family<Labels, Gauge>,
    drift: Family<Labels, Counter>,
    changes: Family<Labels, Counter>,
    api_calls: Family<Labels, Counter>,
    errors: Family<Labels, Counter>,
    desired_state_valid: Gauge,
    held: Family<Labels, Gauge>,
    events: Family<Labels, Counter>,
    event_reconciles: Family<Labels, Counter>,
    event_latency: Histogram,
    seen_calls: BTreeMap<CallKey, u64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("afu9");
        let pass_duration = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        registry.register(
            "pass_duration_seconds",
            "Duration of one reconcile pass",
            pass_duration.clone(),
        );
        let passes = Family::<Labels, Counter>::default();
        registry.register("passes", "Reconcile passes by result", passes.clone());
        let resources = Family::<Labels, Gauge>::default();
        registry.register(
            "resources",
            "Managed resources by kind, condition and status",
            resources.clone(),
        );
        let drift = Family::<Labels, Counter>::default();
        registry.register(
            "drift_detected",
            "Resources found drifted, by kind",
            drift.clone(),
        );
        let changes = Family::<Labels, Counter>::default();
        registry.register(
            "changes_applied",
            "AWS write calls that succeeded, by kind",
            changes.clone(),
        );
        let api_calls = Family::<Labels, Counter>::default();
        registry.register(
            "aws_api_calls",
            "AWS API calls by service, operation and outcome",
            api_calls.clone(),
        );
        let errors = Family::<Labels, Counter>::default();
        registry.register("errors", "Failures by class", errors.clone());
        let desired_state_valid = Gauge::default();
        registry.register(
            "desired_state_valid",
            "1 when the desired state on disk is valid",
            desired_state_valid.clone(),
        );
        let held = Family::<Labels, Gauge>::default();
        registry.register(
            "held",
            "1 while the last full pass was held back whole, by reason (deletion_budget)",
            held.clone(),
        );
        let events = Family::<Labels, Counter>::default();
        registry.register(
            "events",
            "Events received from the queue, by outcome: matched, or ignored as own_write, failed_call, unknown or malformed",
            events.clone(),
        );
        let event_reconciles = Family::<Labels, Counter>::default();
        registry.register(
            "event_reconciles",
            "Resources reconciled because an event touched them, by kind",
            event_reconciles.clone(),
        );
        let event_latency = Histogram::new(exponential_buckets(0.25, 2.0, 12));
        registry.register(
            "event_to_converged_seconds",
            "From an event's time to the end of the reconcile it caused",
            event_latency.clone(),
        );
        Self {
            registry,
            events,
            event_reconciles,
            event_latency,
            pass_duration,
            passes,
            resources,
            drift,
            changes,
            api_calls,
            errors,
            desired_state_valid,
            held,
            seen_calls: BTreeMap::new(),
        }
    }
}

impl Metrics {
    /// Records a finished pass.
    pub fn pass(&self, seconds: f64, result: &str) {
        self.pass_duration.observe(seconds);
        self.passes
            .get_or_create(&vec![("result", result.to_owned())])
            .inc();
    }

    /// Counts one drifted resource of `kind`.
    pub fn drift(&self, kind: &str) {
        self.drift
            .get_or_create(&vec![("kind", kind.to_owned())])
            .inc();
    }

    /// Counts `count` successful writes on resources of `kind`.
    pub fn changes(&self, kind: &str, count: u64) {
        self.changes
            .get_or_create(&vec![("kind", kind.to_owned())])
            .inc_by(count);
    }

    /// Counts one failure of `class`.
    pub fn error(&self, class: &str) {
        self.errors
            .get_or_create(&vec![("class", class.to_owned())])
            .inc();
    }

    /// Counts one event received from the queue with its `outcome`.
    pub fn event(&self, outcome: &str) {
        self.events
            .get_or_create(&vec![("outcome", outcome.to_owned())])
            .inc();
    }

    /// Counts one resource of `kind` reconciled because of events.
    pub fn event_reconcile(&self, kind: &str) {
        self.event_reconciles
            .get_or_create(&vec![("kind", kind.to_owned())])
            .inc();
    }

    /// Records how long an event took to be converged.
    pub fn event_latency(&self, seconds: f64) {
        self.event_latency.observe(seconds);
    }

    /// Whether the desired state on disk is valid.
    pub fn desired_state_valid(&self, valid: bool) {
        self.desired_state_valid.set(i64::from(valid));
    }

    /// Whether the last full pass was held for `reason` (`deletion_budget`).
    pub fn held(&self, reason: &str, held: bool) {
        self.held
            .get_or_create(&vec![("reason", reason.to_owned())])
            .set(i64::from(held));
    }

    /// Replaces the resource gauges with `counts` of (kind, condition, status).
    pub fn resources(&self, counts: &BTreeMap<(String, &'static str, &'static str), i64>) {
        self.resources.clear();
        for ((kind, condition, status), count) in counts {
            let labels = vec![
                ("kind", kind.clone()),
                ("condition", (*condition).to_owned()),
                ("status", (*status).to_owned()),
            ];
            self.resources.get_or_create(&labels).set(*count);
        }
    }

    /// Adds the calls made since the last sync (the call counter is cumulative).
    pub fn sync_calls(&mut self, snapshot: BTreeMap<CallKey, u64>) {
        for (key, total) in snapshot {
            let seen = self.seen_calls.get(&key).copied().unwrap_or_default();
            let labels = vec![
                ("service", key.service.clone()),
                ("operation", key.operation.clone()),
                ("outcome", key.outcome.to_owned()),
            ];
            self.api_calls
                .get_or_create(&labels)
                .inc_by(total.saturating_sub(seen));
            self.seen_calls.insert(key, total);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}
