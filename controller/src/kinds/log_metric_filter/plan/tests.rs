use std::path::Path;

use afu9_spec::load::load_str;

use super::super::{LiveFilter, LogMetricFilters};
use super::*;
use crate::engine::PlanContext;
use crate::plan::{Action, ResourcePlan};

const FILTER: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: LogMetricFilter\nmetadata: {name: afu9-errors}\nspec:\n  logGroup: /afu9/app\n  pattern: '{ ($.level = ERROR) && ($.service = afu9) }'\n  metric: {name: Errors, namespace: AFU9/App, defaultValue: 0}\n";

fn live(pattern: &str) -> LogMetricFilterObserved {
    LogMetricFilterObserved {
        log_group_exists: true,
        filter: Some(LiveFilter {
            log_group: "/afu9/app".to_owned(),
            pattern: pattern.to_owned(),
            metric_name: "Errors".to_owned(),
            namespace: "AFU9/App".to_owned(),
            value: "1".to_owned(),
            default_value: Some(0.0),
        }),
    }
}

fn planned(have: &LogMetricFilterObserved) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), FILTER).expect("valid");
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<LogMetricFilters>().plan_one(
        &cx,
        &state.log_metric_filters[0],
        Some(have),
    )
}

#[test]
fn the_same_pattern_spaced_differently_is_in_sync_and_another_is_not() {
    let plan = planned(&live("{($.level=ERROR)&&($.service=afu9)}"));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    let plan = planned(&live("{ $.level = ERROR }"));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(plan.changes[0].path, "spec.pattern");
    assert_eq!(plan.ops.len(), 1);
}

#[test]
fn a_changed_metric_is_drift_and_a_missing_log_group_blocks() {
    let mut have = live("{ ($.level = ERROR) && ($.service = afu9) }");
    if let Some(filter) = have.filter.as_mut() {
        filter.default_value = None;
    }
    let plan = planned(&have);
    assert_eq!(plan.changes[0].path, "spec.metric");
    let gone = LogMetricFilterObserved {
        log_group_exists: false,
        filter: None,
    };
    let plan = planned(&gone);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    let missing = LogMetricFilterObserved {
        log_group_exists: true,
        filter: None,
    };
    assert_eq!(planned(&missing).action, Action::Create);
}
