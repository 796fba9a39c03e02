use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

#[test]
fn an_encrypted_topic_imports_in_sync() {
    let have = SnsTopicObserved {
        arn: "arn:aws:sns:eu-central-1:123456789012:afu9-security-alerts".to_owned(),
        kms_key: Some("alias/afu9-alerts".to_owned()),
        display_name: "AFU-9 alerts".to_owned(),
        subscriptions: 1,
        tags: [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
            .into_iter()
            .collect(),
    };
    let plan = round_trip::<SnsTopics>("afu9-security-alerts", &have, &BTreeMap::new(), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}
