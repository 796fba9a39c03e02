use std::collections::BTreeMap;

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

#[test]
fn an_application_log_filter_imports_in_sync_on_its_group() {
    let have = LogMetricFilterObserved {
        log_group_exists: true,
        filter: Some(LiveFilter {
            log_group: "/afu9/app".to_owned(),
            pattern: "{ ($.level = ERROR) && ($.service = afu9) }".to_owned(),
            metric_name: "Errors".to_owned(),
            namespace: "AFU9/App".to_owned(),
            value: "1".to_owned(),
            default_value: Some(0.0),
        }),
    };
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-errors",
        &have,
    );
    assert_eq!(spec.log_group, "/afu9/app");
    let plan = round_trip::<LogMetricFilters>("afu9-errors", &have, &BTreeMap::new(), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}
