//! The pure part of the load balancer kind: security groups and attributes here, listeners
//! in `listeners.rs`.

pub(super) mod headers;
pub(super) mod listeners;

use std::collections::BTreeSet;

use afu9_spec::Resource;
use afu9_spec::load_balancer::{AccessLogs, LoadBalancerSpec};
use serde_json::{Value, json};

use super::LoadBalancerObserved;
use super::apply::{GroupRef, LoadBalancerOp};
use crate::plan::{Change, Delta};

/// The attribute keys, as ELB names them.
pub(super) const DELETION_PROTECTION: &str = "deletion_protection.enabled";
pub(super) const DROP_INVALID_HEADERS: &str = "routing.http.drop_invalid_header_fields.enabled";
pub(super) const DESYNC_MITIGATION: &str = "routing.http.desync_mitigation_mode";
pub(super) const ACCESS_LOGS_ENABLED: &str = "access_logs.s3.enabled";
pub(super) const ACCESS_LOGS_BUCKET: &str = "access_logs.s3.bucket";
pub(super) const ACCESS_LOGS_PREFIX: &str = "access_logs.s3.prefix";

pub(super) fn plan(
    want: &Resource<LoadBalancerSpec>,
    have: Option<&LoadBalancerObserved>,
) -> Delta {
    let Some(have) = have else {
        let mut delta = Delta::missing();
        delta.block(format!(
            "no load balancer named {}: the application's stack creates it, afu9-posture only \
             secures it",
            want.name()
        ));
        return delta;
    };
    if have.kind != "application" {
        return Delta::unavailable(format!(
            "{} is a {} load balancer; only application load balancers are managed",
            want.name(),
            have.kind
        ));
    }
    let mut delta = Delta::exists();
    plan_groups(want, have, &mut delta);
    plan_attributes(&want.spec, have, &mut delta);
    if let Some(listeners) = &want.spec.listeners {
        listeners::plan(listeners, have, &mut delta);
    }
    delta
}

fn plan_groups(want: &Resource<LoadBalancerSpec>, have: &LoadBalancerObserved, delta: &mut Delta) {
    let Some(names) = &want.spec.security_groups else {
        return;
    };
    let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let live: BTreeSet<String> = have
        .security_groups
        .iter()
        .map(|id| {
            have.vpc_groups
                .iter()
                .find(|(_, gid)| *gid == id)
                .map_or_else(|| id.clone(), |(name, _)| name.clone())
        })
        .collect();
    if live.iter().map(String::as_str).eq(wanted.iter().copied()) {
        return;
    }
    delta.change(Change::new(
        "spec.securityGroups",
        Some(json!(live)),
        Some(json!(wanted)),
    ));
    delta.op(LoadBalancerOp::SetSecurityGroups {
        arn: have.arn.clone(),
        groups: wanted
            .iter()
            .map(|name| GroupRef {
                name: (*name).to_owned(),
                id: have.vpc_groups.get(*name).cloned(),
            })
            .collect(),
        vpc: have.vpc_id.clone(),
    });
}

fn attribute<'a>(have: &'a LoadBalancerObserved, key: &str, default: &'a str) -> &'a str {
    have.attributes.get(key).map_or(default, String::as_str)
}

fn plan_attributes(spec: &LoadBalancerSpec, have: &LoadBalancerObserved, delta: &mut Delta) {
    let mut set: Vec<(String, String)> = Vec::new();
    let mut flag = |path: &str, key: &str, want: Option<bool>, changes: &mut Vec<Change>| {
        let live = attribute(have, key, "false") == "true";
        if let Some(want) = want
            && want != live
        {
            changes.push(Change::new(path, Some(live.into()), Some(want.into())));
            set.push((key.to_owned(), want.to_string()));
        }
    };
    flag(
        "spec.deletionProtection",
        DELETION_PROTECTION,
        spec.deletion_protection,
        &mut delta.changes,
    );
    flag(
        "spec.dropInvalidHeaderFields",
        DROP_INVALID_HEADERS,
        spec.drop_invalid_header_fields,
        &mut delta.changes,
    );
    if let Some(mode) = spec.desync_mitigation {
        // Absent reads as AWS's default.
        let live = attribute(have, DESYNC_MITIGATION, "defensive");
        if live != mode.as_str() {
            delta.change(Change::new(
                "spec.desyncMitigation",
                Some(live.into()),
                Some(mode.as_str().into()),
            ));
            set.push((DESYNC_MITIGATION.to_owned(), mode.as_str().to_owned()));
        }
    }
    if let Some(logs) = &spec.access_logs {
        let live = live_access_logs(have);
        let wanted = access_logs_value(logs);
        if live != wanted {
            delta.change(Change::new("spec.accessLogs", Some(live), Some(wanted)));
            set.push((ACCESS_LOGS_ENABLED.to_owned(), "true".to_owned()));
            set.push((ACCESS_LOGS_BUCKET.to_owned(), logs.bucket.clone()));
            set.push((ACCESS_LOGS_PREFIX.to_owned(), logs.prefix.clone()));
        }
    }
    if !set.is_empty() {
        delta.op(LoadBalancerOp::ModifyAttributes {
            arn: have.arn.clone(),
            attributes: set,
        });
    }
}

/// Live access logs as the manifest writes them; `null` when off.
fn live_access_logs(have: &LoadBalancerObserved) -> Value {
    if attribute(have, ACCESS_LOGS_ENABLED, "false") != "true" {
        return Value::Null;
    }
    access_logs_value(&AccessLogs {
        bucket: attribute(have, ACCESS_LOGS_BUCKET, "").to_owned(),
        prefix: attribute(have, ACCESS_LOGS_PREFIX, "").to_owned(),
    })
}

fn access_logs_value(logs: &AccessLogs) -> Value {
    serde_json::to_value(logs).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests;
