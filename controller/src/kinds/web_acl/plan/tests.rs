use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::*;
use crate::engine::PlanContext;
use crate::kinds::web_acl::rules::{AclRule, Statement};
use crate::kinds::web_acl::{Protection, WebAcls};
use crate::plan::{Action, ResourcePlan};

const ACL: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: WebAcl
metadata: {name: afu9-edge}
spec:
  defaultAction: allow
  rules:
    - name: rate-limit
      rateLimit: {limit: 1000, uriStartsWith: /api/}
    - name: common
      managedRuleGroup:
        name: AWSManagedRulesCommonRuleSet
        ruleOverrides: [{name: SizeRestrictions_BODY, action: count}]
  logging: {logGroup: aws-waf-logs-afu9}
";

const ARN: &str = "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/afu9-edge/1";

fn rule(name: &str, priority: i32, statement: Statement) -> AclRule {
    AclRule {
        name: name.to_owned(),
        priority,
        action: "block".to_owned(),
        statement,
        overrides: BTreeMap::new(),
        metrics: true,
    }
}

fn in_sync() -> WebAclObserved {
    let mut common = rule(
        "common",
        1,
        Statement::Managed {
            vendor: "AWS".to_owned(),
            name: "AWSManagedRulesCommonRuleSet".to_owned(),
            version: None,
        },
    );
    common
        .overrides
        .insert("SizeRestrictions_BODY".to_owned(), "Count".to_owned());
    WebAclObserved {
        arn: ARN.to_owned(),
        id: "1".to_owned(),
        lock_token: "token".to_owned(),
        body: AclBody {
            default_action: "allow".to_owned(),
            metrics: true,
            rules: vec![
                rule(
                    "rate-limit",
                    0,
                    Statement::Rate {
                        limit: 1000,
                        uri_starts_with: Some("/api/".to_owned()),
                    },
                ),
                common,
            ],
        },
        logging: Some(vec![
            "arn:aws:logs:eu-central-1:123456789012:log-group:aws-waf-logs-afu9".to_owned(),
        ]),
        protects: BTreeMap::<String, Protection>::new(),
        tags: Tags::from_iter([(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]),
    }
}

fn plan_for(have: Option<&WebAclObserved>) -> ResourcePlan {
    let state = load_str(Path::new("test.yaml"), ACL).expect("valid manifests");
    let cx = PlanContext {
        events: &[],
        state: &state,
        identity: None,
    };
    crate::kinds::registered::<WebAcls>().plan_one(&cx, &state.web_acls[0], Some(have).flatten())
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

#[test]
fn in_sync_is_a_noop() {
    let plan = plan_for(Some(&in_sync()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn other_priority_numbers_and_listing_order_in_the_same_evaluation_order_stay_quiet() {
    let mut have = in_sync();
    have.body.rules.reverse();
    have.body.rules[0].priority = 20;
    have.body.rules[1].priority = 10;
    assert_eq!(plan_for(Some(&have)).action, Action::Noop);
}

#[test]
fn a_swapped_evaluation_order_is_drift() {
    let mut have = in_sync();
    have.body.rules[0].priority = 5;
    let plan = plan_for(Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(paths(&plan), ["spec.rules"]);
}

#[test]
fn a_removed_rate_rule_and_a_group_in_count_are_named_and_updated_once() {
    let mut have = in_sync();
    have.body.rules.remove(0);
    have.body.rules[0].action = "count".to_owned();
    let plan = plan_for(Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        ["spec.rules[rate-limit]", "spec.rules[common]"]
    );
    assert_eq!(plan.ops.len(), 1, "{:?}", plan.ops);
    assert_eq!(plan.ops[0].call(), "UpdateWebACL");
}

#[test]
fn logging_off_is_named_and_put_back() {
    let mut have = in_sync();
    have.logging = None;
    let plan = plan_for(Some(&have));
    assert_eq!(paths(&plan), ["spec.logging.logGroup"]);
    assert_eq!(plan.ops[0].call(), "PutLoggingConfiguration");
}

#[test]
fn a_missing_acl_is_created_then_logged() {
    let plan = plan_for(None);
    assert_eq!(plan.action, Action::Create);
    let calls: Vec<&str> = plan.ops.iter().map(|op| op.call()).collect();
    assert_eq!(calls, ["CreateWebACL", "PutLoggingConfiguration"]);
}
