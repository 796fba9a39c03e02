use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::super::SnsTopics;
use super::*;
use crate::engine::PlanContext;
use crate::plan::{Action, ResourcePlan};

const TOPIC: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: SnsTopic\nmetadata: {name: alerts}\nspec: {kmsKey: alias/afu9-alerts}\n";

fn live(key: Option<&str>, tags: Tags) -> SnsTopicObserved {
    SnsTopicObserved {
        arn: "arn:aws:sns:eu-central-1:123456789012:alerts".to_owned(),
        kms_key: key.map(ToOwned::to_owned),
        display_name: String::new(),
        subscriptions: 2,
        tags,
    }
}

fn owned() -> Tags {
    [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
        .into_iter()
        .collect()
}

fn planned(have: Option<&SnsTopicObserved>) -> ResourcePlan {
    let state = load_str(Path::new("t.yaml"), TOPIC).expect("valid");
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<SnsTopics>().plan_one(&cx, &state.sns_topics[0], have)
}

#[test]
fn the_key_by_alias_arn_is_in_sync_and_the_subscriptions_are_counted() {
    let alias_arn = "arn:aws:kms:eu-central-1:123456789012:alias/afu9-alerts";
    let plan = planned(Some(&live(Some(alias_arn), owned())));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    assert_eq!(plan.reason.as_deref(), Some("2 subscriptions"));
}

#[test]
fn removed_encryption_is_set_again_unless_the_topic_is_not_ours() {
    let plan = planned(Some(&live(None, owned())));
    assert_eq!(plan.action, Action::Update);
    let calls: Vec<&str> = plan.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["SetTopicAttributes"]);
    let plan = planned(Some(&live(None, Tags::new())));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert_eq!(planned(None).action, Action::Create);
}

#[test]
fn facts_read_the_live_topic_not_the_manifest() {
    use crate::engine::Attests as _;
    let state = load_str(Path::new("t.yaml"), TOPIC).expect("valid");
    let holds = |have: &SnsTopicObserved| {
        SnsTopics::facts(&state.sns_topics[0], have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect::<Vec<_>>()
    };
    assert_eq!(holds(&live(None, owned())), [("SNS.1", false)]);
    assert_eq!(
        holds(&live(Some("alias/afu9-alerts"), owned())),
        [("SNS.1", true)]
    );
}
