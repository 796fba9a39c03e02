//! Importing web ACLs: every regional web ACL with its default action, metrics, the rules a
//! manifest can state (rate limits per IP, managed rule groups; other rules are left out,
//! so review them before applying) in their evaluation order, and its logging. The load
//! balancers it protects are left out (unmanaged): which ALBs it should protect is the
//! reviewer's choice.

use afu9_spec::web_acl::{
    ManagedRuleGroup, OverrideAction, RateLimit, RuleMode, RuleOverride, WafAction, WafLogging,
    WafRule, WebAclSpec, log_group_name,
};

use super::rules::Statement;
use super::{WebAclObserved, WebAcls, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};
use crate::permissions::{ArnScope, Grant};

impl Imports for WebAcls {
    const FILE: &'static str = "edge.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, WebAclSpec> {
        Box::pin(async move {
            Ok(observe::listed(aws)
                .await?
                .keys()
                .map(|name| (name.clone(), probe()))
                .collect())
        })
    }

    fn import(_cx: ImportContext<'_>, _name: &str, have: &WebAclObserved) -> WebAclSpec {
        import(have)
    }

    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

/// A manifest that makes `observe` read the logging configuration too.
fn probe() -> WebAclSpec {
    WebAclSpec {
        default_action: WafAction::Allow,
        rules: Vec::new(),
        metrics: None,
        logging: Some(WafLogging {
            log_group: String::new(),
        }),
        load_balancers: None,
        tags: afu9_spec::tags::Tags::default(),
    }
}

fn import(have: &WebAclObserved) -> WebAclSpec {
    let body = &have.body;
    let rules = body
        .ordered()
        .into_iter()
        .filter_map(|rule| {
            let (rate_limit, managed_rule_group) = match &rule.statement {
                Statement::Rate {
                    limit,
                    uri_starts_with,
                } => (
                    Some(RateLimit {
                        limit: u64::try_from(*limit).unwrap_or_default(),
                        uri_starts_with: uri_starts_with.clone(),
                    }),
                    None,
                ),
                Statement::Managed {
                    vendor,
                    name,
                    version,
                } => (
                    None,
                    Some(ManagedRuleGroup {
                        name: name.clone(),
                        vendor: (vendor != "AWS").then(|| vendor.clone()),
                        version: version.clone(),
                        rule_overrides: rule
                            .overrides
                            .iter()
                            .filter_map(|(name, action)| {
                                let action = match action.as_str() {
                                    "Allow" => OverrideAction::Allow,
                                    "Count" => OverrideAction::Count,
                                    "Block" => OverrideAction::Block,
                                    _ => return None,
                                };
                                Some(RuleOverride {
                                    name: name.clone(),
                                    action,
                                })
                            })
                            .collect(),
                    }),
                ),
                Statement::Other(_) => return None,
            };
            Some(WafRule {
                name: rule.name.clone(),
                priority: None,
                action: if rule.action == "count" {
                    RuleMode::Count
                } else {
                    RuleMode::Block
                },
                rate_limit,
                managed_rule_group,
            })
        })
        .collect();
    WebAclSpec {
        default_action: if body.default_action == "block" {
            WafAction::Block
        } else {
            WafAction::Allow
        },
        rules,
        metrics: (!body.metrics).then_some(false),
        logging: have
            .logging
            .as_ref()
            .and_then(|destinations| destinations.first())
            .map(|arn| WafLogging {
                log_group: log_group_name(arn).to_owned(),
            }),
        load_balancers: None,
        tags: manifest_tags(&have.tags),
    }
}
