//! The pure part of the web ACL kind: the body (default action, metrics, rules compared by
//! meaning), logging and the load balancers it protects.

use afu9_spec::web_acl::{WebAclSpec, log_group_name};
use afu9_spec::{DesiredState, Resource};
use serde_json::{Value, json};

use super::WebAclObserved;
use super::apply::{AclRef, WebAclOp};
use super::rules::{AclBody, rule_value};
use crate::plan::{Change, Delta};

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<WebAclSpec>,
    have: Option<&WebAclObserved>,
) -> Delta {
    let wanted = AclBody::wanted(&want.spec);
    let name = want.name().to_owned();
    let Some(have) = have else {
        let mut delta = Delta::missing();
        delta.change(Change::new("spec.rules", None, Some(wanted.rules_value())));
        delta.op(WebAclOp::CreateWebAcl {
            name: name.clone(),
            body: wanted,
            tags: state.desired_tags(&want.spec.tags),
        });
        let acl = AclRef { name, arn: None };
        if let Some(logging) = &want.spec.logging {
            delta.change(Change::new(
                "spec.logging.logGroup",
                None,
                Some(logging.log_group_name().into()),
            ));
            delta.op(WebAclOp::PutLoggingConfiguration {
                acl: acl.clone(),
                log_group: logging.log_group.clone(),
            });
        }
        for alb in want.spec.load_balancers.iter().flatten() {
            delta.change(Change::new(
                format!("spec.loadBalancers[{alb}]"),
                None,
                Some(json!(want.name())),
            ));
            delta.op(WebAclOp::AssociateWebAcl {
                acl: acl.clone(),
                load_balancer: alb.clone(),
                alb_arn: None,
            });
        }
        return delta;
    };
    let mut delta = Delta::exists();
    plan_body(&name, &wanted, have, &mut delta);
    let acl = AclRef {
        name: name.clone(),
        arn: Some(have.arn.clone()),
    };
    if let Some(logging) = &want.spec.logging {
        let wanted_group = logging.log_group_name();
        let live: Vec<&str> = have
            .logging
            .iter()
            .flatten()
            .map(|arn| log_group_name(arn))
            .collect();
        if live != [wanted_group] {
            delta.change(Change::new(
                "spec.logging.logGroup",
                have.logging.as_ref().map(|_| json!(live)),
                Some(wanted_group.into()),
            ));
            delta.op(WebAclOp::PutLoggingConfiguration {
                acl: acl.clone(),
                log_group: logging.log_group.clone(),
            });
        }
    }
    for alb in want.spec.load_balancers.iter().flatten() {
        let Some(protection) = have.protects.get(alb) else {
            continue;
        };
        let Some(alb_arn) = &protection.alb else {
            delta.block(format!(
                "no load balancer named {alb}: the application's stack creates it"
            ));
            continue;
        };
        if protection.acl.as_deref() == Some(have.arn.as_str()) {
            continue;
        }
        delta.change(Change::new(
            format!("spec.loadBalancers[{alb}]"),
            Some(protection.acl.as_deref().map_or(Value::Null, acl_name)),
            Some(json!(want.name())),
        ));
        delta.op(WebAclOp::AssociateWebAcl {
            acl: acl.clone(),
            load_balancer: alb.clone(),
            alb_arn: Some(alb_arn.clone()),
        });
    }
    delta
}

/// A web ACL's name from its ARN (`…:regional/webacl/NAME/ID`).
fn acl_name(arn: &str) -> Value {
    arn.rsplit('/').nth(1).unwrap_or(arn).into()
}

fn plan_body(name: &str, wanted: &AclBody, have: &WebAclObserved, delta: &mut Delta) {
    let live = &have.body;
    let mut differs = false;
    if live.default_action != wanted.default_action {
        delta.change(Change::new(
            "spec.defaultAction",
            Some(live.default_action.clone().into()),
            Some(wanted.default_action.clone().into()),
        ));
        differs = true;
    }
    if live.metrics != wanted.metrics {
        delta.change(Change::new(
            "spec.metrics",
            Some(live.metrics.into()),
            Some(wanted.metrics.into()),
        ));
        differs = true;
    }
    if !live.same_rules(wanted) {
        differs = true;
        let mut named = false;
        for rule in wanted.ordered() {
            let found = live.rules.iter().find(|r| r.name == rule.name);
            let (old, new) = (found.map(rule_value), rule_value(rule));
            if old.as_ref() != Some(&new) {
                delta.change(Change::new(
                    format!("spec.rules[{}]", rule.name),
                    old,
                    Some(new),
                ));
                named = true;
            }
        }
        for rule in live.ordered() {
            if !wanted.rules.iter().any(|r| r.name == rule.name) {
                delta.change(Change::new(
                    format!("spec.rules[{}]", rule.name),
                    Some(rule_value(rule)),
                    None,
                ));
                named = true;
            }
        }
        if !named {
            let order =
                |body: &AclBody| json!(body.ordered().iter().map(|r| &r.name).collect::<Vec<_>>());
            delta.change(Change::new(
                "spec.rules",
                Some(order(live)),
                Some(order(wanted)),
            ));
        }
    }
    if differs {
        delta.op(WebAclOp::UpdateWebAcl {
            name: name.to_owned(),
            id: have.id.clone(),
            lock_token: have.lock_token.clone(),
            body: wanted.clone(),
        });
    }
}

#[cfg(test)]
mod tests;
