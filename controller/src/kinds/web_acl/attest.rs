//! What a live web ACL proves, read off WAF whatever its manifest asks: it has rules
//! (Security Hub WAF.10), a rate limit that blocks (`AFU9.WAF.1`), AWS managed rule groups
//! that block rather than count (`AFU9.WAF.2`), logging (WAF.11), CloudWatch metrics on the
//! ACL and every rule (WAF.12), and the load balancers it names protected by it (ELB.16).

use afu9_spec::Resource;
use afu9_spec::web_acl::WebAclSpec;
use serde_json::{Value, json};

use super::{AclRule, Statement, WebAclObserved, WebAcls};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for WebAcls {
    fn facts(_want: &Resource<WebAclSpec>, have: &WebAclObserved) -> Vec<Fact> {
        let body = &have.body;
        let mut facts = vec![Fact::judged(
            "WAF.10",
            "rules",
            Some(json!(body.rules.len())),
            !body.rules.is_empty(),
            (
                "the web ACL has rules",
                "the web ACL has no rule: it inspects nothing",
            ),
        )];
        facts.push(rate_limit(&body.rules));
        facts.extend(managed_groups(&body.rules));
        facts.push(Fact::judged(
            "WAF.11",
            "logging",
            have.logging.as_ref().map(|to| json!(to)),
            have.logging.as_ref().is_some_and(|to| !to.is_empty()),
            (
                "the web ACL's requests are logged",
                "the web ACL's requests are not logged",
            ),
        ));
        let unwatched: Vec<&str> = body
            .rules
            .iter()
            .filter(|rule| !rule.metrics)
            .map(|rule| rule.name.as_str())
            .collect();
        facts.push(Fact::judged(
            "WAF.12",
            "metrics",
            Some(json!({"acl": body.metrics, "rulesWithout": unwatched})),
            body.metrics && unwatched.is_empty(),
            (
                "the web ACL and every rule send CloudWatch metrics",
                "CloudWatch metrics are off for the web ACL or some of its rules",
            ),
        ));
        for (name, protection) in &have.protects {
            let live = protection.acl.clone().map_or(Value::Null, Value::String);
            facts.push(Fact::judged(
                "ELB.16",
                format!("loadBalancers[{name}]"),
                Some(live),
                protection.acl.as_deref() == Some(have.arn.as_str()),
                (
                    "the load balancer is protected by this web ACL",
                    "the load balancer is not protected by this web ACL",
                ),
            ));
        }
        facts
    }
}

/// A rate-based rule that blocks: one fact, for the first such rule or the lack of one.
fn rate_limit(rules: &[AclRule]) -> Fact {
    let rates: Vec<&AclRule> = rules
        .iter()
        .filter(|rule| matches!(rule.statement, Statement::Rate { .. }))
        .collect();
    let blocking = rates.iter().find(|rule| rule.action == "block");
    match (blocking, rates.first()) {
        (Some(rule), _) | (None, Some(rule)) => {
            let Statement::Rate {
                limit,
                uri_starts_with,
            } = &rule.statement
            else {
                unreachable!("filtered to rate rules")
            };
            Fact::judged(
                "AFU9.WAF.1",
                format!("rules[{}].rateLimit", rule.name),
                Some(json!({
                    "limit": limit,
                    "uriStartsWith": uri_starts_with,
                    "action": rule.action,
                })),
                rule.action == "block",
                (
                    "requests past the limit per client IP are blocked",
                    "the rate-based rule only counts: nothing is blocked",
                ),
            )
        }
        (None, None) => Fact::fails(
            "AFU9.WAF.1",
            "rules",
            Some(json!([])),
            "no rate-based rule: requests are not rate limited",
        ),
    }
}

/// One fact per AWS managed rule group (blocking, or only counting); a failing one when
/// there is none.
fn managed_groups(rules: &[AclRule]) -> Vec<Fact> {
    let facts: Vec<Fact> = rules
        .iter()
        .filter_map(|rule| match &rule.statement {
            Statement::Managed { vendor, name, .. } => Some(Fact::judged(
                "AFU9.WAF.2",
                format!("rules[{}].managedRuleGroup", rule.name),
                Some(json!({"vendor": vendor, "name": name, "action": rule.action})),
                rule.action == "block",
                (
                    "the managed rule group blocks the requests it matches",
                    "the managed rule group only counts the requests it matches",
                ),
            )),
            _ => None,
        })
        .collect();
    if facts.is_empty() {
        vec![Fact::fails(
            "AFU9.WAF.2",
            "rules",
            Some(json!([])),
            "no managed rule group filters known attack patterns",
        )]
    } else {
        facts
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;
    use afu9_spec::tags::Tags;

    use super::super::{AclBody, Protection};
    use super::*;

    /// A manifest that asks for every control: the facts must still follow the live ACL.
    const ACL: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: WebAcl
metadata: {name: edge}
spec:
  defaultAction: allow
  rules:
    - {name: rate, rateLimit: {limit: 2000}}
    - {name: common, managedRuleGroup: {name: AWSManagedRulesCommonRuleSet}}
  logging: {logGroup: aws-waf-logs-edge}
";

    const ARN: &str = "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/edge/1";

    fn rule(name: &str, action: &str, statement: Statement) -> AclRule {
        AclRule {
            name: name.to_owned(),
            priority: 0,
            action: action.to_owned(),
            statement,
            overrides: BTreeMap::new(),
            metrics: true,
        }
    }

    fn live(rules: Vec<AclRule>, logging: bool, protected_by: Option<&str>) -> WebAclObserved {
        WebAclObserved {
            arn: ARN.to_owned(),
            id: "1".to_owned(),
            lock_token: "t".to_owned(),
            body: AclBody {
                default_action: "allow".to_owned(),
                metrics: true,
                rules,
            },
            logging: logging.then(|| vec!["arn:aws:logs:r:1:log-group:aws-waf-logs-edge".into()]),
            protects: BTreeMap::from([(
                "alb".to_owned(),
                Protection {
                    alb: Some("arn:alb".to_owned()),
                    acl: protected_by.map(str::to_owned),
                },
            )]),
            tags: Tags::default(),
        }
    }

    fn judged(facts: &[Fact]) -> Vec<(&str, bool)> {
        facts.iter().map(|f| (f.control, f.holds)).collect()
    }

    #[test]
    fn facts_read_the_live_acl_not_the_manifest() {
        let state = load_str(Path::new("edge.yaml"), ACL).expect("valid manifest");
        let want = &WebAclSpec::resources(&state)[0];
        let counting = rule(
            "common",
            "count",
            Statement::Managed {
                vendor: "AWS".to_owned(),
                name: "AWSManagedRulesCommonRuleSet".to_owned(),
                version: None,
            },
        );
        let facts = WebAcls::facts(want, &live(vec![counting], false, None));
        assert_eq!(
            judged(&facts),
            [
                ("WAF.10", true),
                ("AFU9.WAF.1", false),
                ("AFU9.WAF.2", false),
                ("WAF.11", false),
                ("WAF.12", true),
                ("ELB.16", false),
            ]
        );
        let rate = rule(
            "rate",
            "block",
            Statement::Rate {
                limit: 2000,
                uri_starts_with: None,
            },
        );
        let facts = WebAcls::facts(want, &live(vec![rate], true, Some(ARN)));
        assert_eq!(
            judged(&facts),
            [
                ("WAF.10", true),
                ("AFU9.WAF.1", true),
                ("AFU9.WAF.2", false),
                ("WAF.11", true),
                ("WAF.12", true),
                ("ELB.16", true),
            ]
        );
    }
}
