//! The pure part of the metric filter kind: patterns compare by meaning (whitespace), the
//! metric field by field; any difference is one `PutMetricFilter`.

use afu9_spec::Resource;
use afu9_spec::log_metric_filter::{LogMetricFilterSpec, canonical_pattern};
use serde_json::{Value, json};

use super::LogMetricFilterObserved;
use super::apply::FilterOp;
use crate::plan::{Change, Delta};

pub(super) fn plan(
    want: &Resource<LogMetricFilterSpec>,
    have: Option<&LogMetricFilterObserved>,
) -> Delta {
    let spec = &want.spec;
    if !have.is_some_and(|h| h.log_group_exists) {
        return Delta::unavailable(format!(
            "log group {} does not exist: afu9-posture does not manage log groups; create it (or deliver the trail to it) first",
            spec.log_group
        ));
    }
    let live = have.and_then(|h| h.filter.as_ref());
    let mut delta = if live.is_some() {
        Delta::exists()
    } else {
        Delta::missing()
    };
    let metric = &spec.metric;
    let wanted_metric = metric_value(
        &metric.name,
        &metric.namespace,
        &metric.value,
        metric.default_value,
    );
    match live {
        None => {
            delta.change(Change::new(
                "spec.pattern",
                None,
                Some(spec.pattern.as_str().into()),
            ));
            delta.change(Change::new("spec.metric", None, Some(wanted_metric)));
        }
        Some(live) => {
            if canonical_pattern(&live.pattern) != canonical_pattern(&spec.pattern) {
                delta.change(Change::new(
                    "spec.pattern",
                    Some(live.pattern.as_str().into()),
                    Some(spec.pattern.as_str().into()),
                ));
            }
            let live_metric = metric_value(
                &live.metric_name,
                &live.namespace,
                &live.value,
                live.default_value,
            );
            if live_metric != wanted_metric {
                delta.change(Change::new(
                    "spec.metric",
                    Some(live_metric),
                    Some(wanted_metric),
                ));
            }
        }
    }
    if !delta.changes.is_empty() {
        delta.op(FilterOp::PutMetricFilter {
            log_group: spec.log_group.clone(),
            name: want.name().to_owned(),
            pattern: spec.pattern.clone(),
            metric_name: metric.name.clone(),
            namespace: metric.namespace.clone(),
            value: metric.value.clone(),
            default_value: metric.default_value,
            create: live.is_none(),
        });
    }
    delta
}

fn metric_value(name: &str, namespace: &str, value: &str, default_value: Option<f64>) -> Value {
    let mut metric = json!({"name": name, "namespace": namespace, "value": value});
    if let Some(default) = default_value {
        metric["defaultValue"] = default.into();
    }
    metric
}

#[cfg(test)]
mod tests;
