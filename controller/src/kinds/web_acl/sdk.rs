//! Between WAF's types and the canonical `AclBody`: reading an ACL's rules, and building
//! the rules, default action and visibility an update or create call sends.

use aws_sdk_wafv2::types::{
    AllowAction, BlockAction, ByteMatchStatement, CountAction, DefaultAction, FieldToMatch,
    ManagedRuleGroupStatement, NoneAction, OverrideAction, PositionalConstraint,
    RateBasedStatement, RateBasedStatementAggregateKeyType, Rule, RuleAction, RuleActionOverride,
    Statement as SdkStatement, TextTransformation, TextTransformationType, UriPath,
    VisibilityConfig, WebAcl,
};

use super::rules::{AclBody, AclRule, Statement};

/// The window of every rate rule, seconds (AWS's default and the guide's "per 5 minutes").
const RATE_WINDOW: i64 = 300;

/// An ACL as the canonical body.
pub(super) fn body(acl: &WebAcl) -> AclBody {
    AclBody {
        default_action: match &acl.default_action {
            Some(action) if action.block.is_some() => "block",
            _ => "allow",
        }
        .to_owned(),
        metrics: acl
            .visibility_config
            .as_ref()
            .is_some_and(|v| v.cloud_watch_metrics_enabled),
        rules: acl.rules.iter().flatten().map(rule).collect(),
    }
}

fn rule(rule: &Rule) -> AclRule {
    let managed = rule
        .statement
        .as_ref()
        .and_then(|s| s.managed_rule_group_statement.as_ref());
    let action = match (&rule.action, &rule.override_action) {
        (Some(action), _) if action.count.is_some() => "count",
        (_, Some(over)) if over.count.is_some() => "count",
        _ => "block",
    };
    AclRule {
        name: rule.name.clone(),
        priority: rule.priority,
        action: action.to_owned(),
        statement: rule
            .statement
            .as_ref()
            .map_or_else(|| Statement::Other("no statement".to_owned()), statement),
        overrides: managed
            .iter()
            .flat_map(|m| m.rule_action_overrides.iter().flatten())
            .map(|o| {
                (
                    o.name.clone(),
                    action_name(o.action_to_use.as_ref()).to_owned(),
                )
            })
            .collect(),
        metrics: rule
            .visibility_config
            .as_ref()
            .is_some_and(|v| v.cloud_watch_metrics_enabled),
    }
}

fn action_name(action: Option<&RuleAction>) -> &'static str {
    match action {
        Some(a) if a.allow.is_some() => "Allow",
        Some(a) if a.count.is_some() => "Count",
        Some(a) if a.block.is_some() => "Block",
        _ => "Other",
    }
}

fn statement(statement: &SdkStatement) -> Statement {
    if let Some(rate) = &statement.rate_based_statement {
        let scope = rate.scope_down_statement.as_deref().map(uri_prefix);
        return match scope {
            Some(None) => Statement::Other(
                "a rate limit with a scope-down the manifest cannot state".to_owned(),
            ),
            _ if rate.aggregate_key_type != RateBasedStatementAggregateKeyType::Ip => {
                Statement::Other(format!(
                    "a rate limit per {}",
                    rate.aggregate_key_type.as_str()
                ))
            }
            scope => Statement::Rate {
                limit: rate.limit,
                uri_starts_with: scope.flatten(),
            },
        };
    }
    if let Some(group) = &statement.managed_rule_group_statement {
        return Statement::Managed {
            vendor: group.vendor_name.clone(),
            name: group.name.clone(),
            version: group.version.clone(),
        };
    }
    Statement::Other("a custom rule".to_owned())
}

/// `Some(path)` for a scope-down that is "the URI path starts with `path`".
fn uri_prefix(statement: &SdkStatement) -> Option<String> {
    let byte = statement.byte_match_statement.as_ref()?;
    let on_path = byte
        .field_to_match
        .as_ref()
        .is_some_and(|f| f.uri_path.is_some());
    (on_path && byte.positional_constraint == PositionalConstraint::StartsWith)
        .then(|| String::from_utf8_lossy(byte.search_string.as_ref()).into_owned())
}

/// The default action to send.
pub(super) fn default_action(body: &AclBody) -> DefaultAction {
    if body.default_action == "block" {
        DefaultAction::builder()
            .block(BlockAction::builder().build())
            .build()
    } else {
        DefaultAction::builder()
            .allow(AllowAction::builder().build())
            .build()
    }
}

/// A visibility config: metrics named `name`, sampled requests with them.
pub(super) fn visibility(name: &str, metrics: bool) -> VisibilityConfig {
    VisibilityConfig::builder()
        .sampled_requests_enabled(metrics)
        .cloud_watch_metrics_enabled(metrics)
        .metric_name(name)
        .build()
        .unwrap_or_else(|_| unreachable!("every required field is set"))
}

/// The rules to send.
pub(super) fn rules(body: &AclBody) -> Vec<Rule> {
    body.rules.iter().map(sdk_rule).collect()
}

fn rule_action(name: &str) -> RuleAction {
    match name {
        "Allow" => RuleAction::builder()
            .allow(AllowAction::builder().build())
            .build(),
        "Count" | "count" => RuleAction::builder()
            .count(CountAction::builder().build())
            .build(),
        _ => RuleAction::builder()
            .block(BlockAction::builder().build())
            .build(),
    }
}

fn sdk_rule(rule: &AclRule) -> Rule {
    let builder = Rule::builder()
        .name(&rule.name)
        .priority(rule.priority)
        .visibility_config(visibility(&rule.name, rule.metrics));
    let builder = match &rule.statement {
        Statement::Rate {
            limit,
            uri_starts_with,
        } => builder
            .statement(
                SdkStatement::builder()
                    .rate_based_statement(
                        RateBasedStatement::builder()
                            .limit(*limit)
                            .evaluation_window_sec(RATE_WINDOW)
                            .aggregate_key_type(RateBasedStatementAggregateKeyType::Ip)
                            .set_scope_down_statement(
                                uri_starts_with.as_deref().map(|p| Box::new(scope_down(p))),
                            )
                            .build()
                            .unwrap_or_else(|_| unreachable!("every required field is set")),
                    )
                    .build(),
            )
            .action(rule_action(&rule.action)),
        Statement::Managed {
            vendor,
            name,
            version,
        } => builder
            .statement(
                SdkStatement::builder()
                    .managed_rule_group_statement(
                        ManagedRuleGroupStatement::builder()
                            .vendor_name(vendor)
                            .name(name)
                            .set_version(version.clone())
                            .set_rule_action_overrides((!rule.overrides.is_empty()).then(|| {
                                rule.overrides
                                    .iter()
                                    .map(|(name, action)| {
                                        RuleActionOverride::builder()
                                            .name(name)
                                            .action_to_use(rule_action(action))
                                            .build()
                                            .unwrap_or_else(|_| {
                                                unreachable!("every required field is set")
                                            })
                                    })
                                    .collect()
                            }))
                            .build()
                            .unwrap_or_else(|_| unreachable!("every required field is set")),
                    )
                    .build(),
            )
            .override_action(if rule.action == "count" {
                OverrideAction::builder()
                    .count(CountAction::builder().build())
                    .build()
            } else {
                OverrideAction::builder()
                    .none(NoneAction::builder().build())
                    .build()
            }),
        // Never planned: a rule the manifest cannot state is removed, not written.
        Statement::Other(_) => builder,
    };
    builder
        .build()
        .unwrap_or_else(|_| unreachable!("every required field is set"))
}

fn scope_down(path: &str) -> SdkStatement {
    SdkStatement::builder()
        .byte_match_statement(
            ByteMatchStatement::builder()
                .search_string(aws_smithy_types::Blob::new(path.as_bytes()))
                .field_to_match(
                    FieldToMatch::builder()
                        .uri_path(UriPath::builder().build())
                        .build(),
                )
                .text_transformations(
                    TextTransformation::builder()
                        .priority(0)
                        .r#type(TextTransformationType::None)
                        .build()
                        .unwrap_or_else(|_| unreachable!("every required field is set")),
                )
                .positional_constraint(PositionalConstraint::StartsWith)
                .build()
                .unwrap_or_else(|_| unreachable!("every required field is set")),
        )
        .build()
}
