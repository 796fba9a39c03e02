//! Rules for `WebAcl` manifests: names, rules that WAF accepts (AWS's documented bounds, not
//! the emulator's), references to `LoadBalancer` manifests, and the guardrails of Security
//! Hub's WAF controls.

use std::collections::BTreeSet;

use super::{AWS_MANAGED_RULE_GROUPS, WafRule, WebAclSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: a web ACL with no rule (Security Hub WAF.10).
pub const NO_RULES: &str = "AFU9-WAF-002";
/// Guardrail: metrics turned off (Security Hub WAF.12).
pub const NO_METRICS: &str = "AFU9-WAF-009";
/// Guardrail: no logging (Security Hub WAF.11).
pub const NO_LOGGING: &str = "AFU9-WAF-010";
/// The prefix WAF requires of a log group it writes to.
pub const LOG_PREFIX: &str = "aws-waf-logs-";
/// The least rate limit AWS WAF accepts (requests per 5 minutes).
pub const RATE_LIMIT_MIN: u64 = 10;
/// The greatest rate limit AWS WAF accepts.
pub const RATE_LIMIT_MAX: u64 = 2_000_000_000;

impl Validate for WebAclSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        let balancers: BTreeSet<&str> = state.load_balancers.iter().map(Resource::name).collect();
        for acl in &state.web_acls {
            check(acl, &balancers, errors);
            check_tags(&acl.source, &acl.spec.tags, errors);
        }
    }
}

/// Web ACL, rule and metric names: 1-128 letters, digits, `-` or `_`.
fn is_waf_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check(acl: &Resource<WebAclSpec>, balancers: &BTreeSet<&str>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(acl);
    let spec = &acl.spec;
    if !is_waf_name(acl.name()) {
        errors.push(
            error(
                "metadata.name",
                "AFU9-WAF-001",
                format!("`{}` is not a valid web ACL name", acl.name()),
            )
            .hint("1-128 letters, digits, `-` or `_`"),
        );
    }
    if spec.rules.is_empty() {
        errors.push(
            error(
                "spec.rules",
                NO_RULES,
                "a web ACL with no rule inspects nothing; Security Hub WAF.10".to_owned(),
            )
            .hint("add a rate limit and AWSManagedRulesCommonRuleSet"),
        );
    }
    let given = spec.rules.iter().filter(|r| r.priority.is_some()).count();
    if given != 0 && given != spec.rules.len() {
        errors.push(
            error(
                "spec.rules",
                "AFU9-WAF-006",
                "either every rule has a priority or none has".to_owned(),
            )
            .hint("leave priorities out: the list's order is the evaluation order"),
        );
    }
    check_rules(spec, &error, errors);
    check_logging(acl, &error, errors);
    for (index, name) in spec.load_balancers.iter().flatten().enumerate() {
        if !balancers.contains(name.as_str()) {
            errors.push(
                error(
                    &format!("spec.loadBalancers[{index}]"),
                    "AFU9-WAF-008",
                    format!("no LoadBalancer manifest is named `{name}`"),
                )
                .hint("the protected load balancers are named by their LoadBalancer manifests"),
            );
        }
    }
}

/// Names and priorities unique, each rule's own rules.
fn check_rules(
    spec: &WebAclSpec,
    error: &crate::validate::RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    let mut names = BTreeSet::new();
    let mut priorities = BTreeSet::new();
    for (index, rule) in spec.rules.iter().enumerate() {
        let at = format!("spec.rules[{index}]");
        if !is_waf_name(&rule.name) {
            errors.push(error(
                &format!("{at}.name"),
                "AFU9-WAF-001",
                format!("`{}` is not a valid rule name", rule.name),
            ));
        }
        if !names.insert(rule.name.as_str()) {
            errors.push(error(
                &format!("{at}.name"),
                "AFU9-WAF-006",
                format!("more than one rule is named `{}`", rule.name),
            ));
        }
        if let Some(priority) = rule.priority
            && !priorities.insert(priority)
        {
            errors.push(error(
                &format!("{at}.priority"),
                "AFU9-WAF-006",
                format!("more than one rule has priority {priority}"),
            ));
        }
        check_rule(rule, &at, error, errors);
    }
}

/// Metrics and logging: Security Hub WAF.12 and WAF.11, and the log group's prefix.
fn check_logging(
    acl: &Resource<WebAclSpec>,
    error: &crate::validate::RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    let spec = &acl.spec;
    if !spec.metrics() {
        errors.push(
            error(
                "spec.metrics",
                NO_METRICS,
                "rules without CloudWatch metrics go unwatched; Security Hub WAF.12".to_owned(),
            )
            .warning(),
        );
    }
    match &spec.logging {
        None => errors.push(
            error(
                "spec.logging",
                NO_LOGGING,
                "the web ACL's requests are not logged; Security Hub WAF.11".to_owned(),
            )
            .hint(format!("`logging: {{logGroup: {LOG_PREFIX}…}}`"))
            .warning(),
        ),
        Some(logging) if !logging.log_group_name().starts_with(LOG_PREFIX) => errors.push(
            error(
                "spec.logging.logGroup",
                "AFU9-WAF-004",
                format!(
                    "WAF only logs to a log group whose name starts with `{LOG_PREFIX}`, not `{}`",
                    logging.log_group_name()
                ),
            )
            .hint(format!("name the log group `{LOG_PREFIX}{}`", acl.name())),
        ),
        Some(_) => {}
    }
}

fn check_rule(
    rule: &WafRule,
    at: &str,
    error: &crate::validate::RuleError<'_>,
    errors: &mut Vec<ManifestError>,
) {
    match (&rule.rate_limit, &rule.managed_rule_group) {
        (Some(rate), None) => {
            if !(RATE_LIMIT_MIN..=RATE_LIMIT_MAX).contains(&rate.limit) {
                errors.push(error(
                    &format!("{at}.rateLimit.limit"),
                    "AFU9-WAF-003",
                    format!(
                        "AWS WAF takes a rate limit from {RATE_LIMIT_MIN} to {RATE_LIMIT_MAX} \
                         requests per 5 minutes, not {}",
                        rate.limit
                    ),
                ));
            }
            if let Some(path) = &rate.uri_starts_with
                && !path.starts_with('/')
            {
                errors.push(error(
                    &format!("{at}.rateLimit.uriStartsWith"),
                    "AFU9-WAF-011",
                    format!("a path starts with `/`, not `{path}`"),
                ));
            }
        }
        (None, Some(group)) => {
            if group.vendor() == "AWS" && !AWS_MANAGED_RULE_GROUPS.contains(&group.name.as_str()) {
                errors.push(
                    error(
                        &format!("{at}.managedRuleGroup.name"),
                        "AFU9-WAF-005",
                        format!("`{}` is not an AWS managed rule group", group.name),
                    )
                    .hint("the names AWS publishes are listed in spec/src/kinds/web_acl/managed_groups.rs"),
                );
            }
            let mut seen = BTreeSet::new();
            for (index, over) in group.rule_overrides.iter().enumerate() {
                if !seen.insert(over.name.as_str()) {
                    errors.push(error(
                        &format!("{at}.managedRuleGroup.ruleOverrides[{index}].name"),
                        "AFU9-WAF-006",
                        format!("rule `{}` is overridden twice", over.name),
                    ));
                }
            }
        }
        _ => errors.push(error(
            at,
            "AFU9-WAF-007",
            "a rule is exactly one of `rateLimit` or `managedRuleGroup`".to_owned(),
        )),
    }
}
