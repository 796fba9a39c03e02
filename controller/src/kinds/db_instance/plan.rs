//! The pure part of the `DbInstance` kind: what differs, what one `ModifyDBInstance` fixes,
//! what the parameter group needs, and what is blocked (encryption, a subnet group, public
//! subnets, a security group that does not exist yet).

use std::collections::BTreeMap;

use afu9_spec::db_instance::{DbInstanceSpec, ParameterGroupSpec};
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};
use serde_json::Value;

use super::apply::{DbChanges, RdsOp};
use super::{DbInstanceObserved, GroupParameters};
use crate::diff::compare_field;
use crate::plan::{Change, Delta};
use crate::refs::groups::GroupId;

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<DbInstanceSpec>,
    have: Option<&DbInstanceObserved>,
) -> Delta {
    let Some(have) = have else {
        return Delta::unavailable(format!(
            "database {} does not exist; the application's stack creates it (afu9-posture \
             adopts databases, it never creates one)",
            want.name()
        ));
    };
    let spec = &want.spec;
    let mut delta = Delta::exists();
    if !matches!(have.status.as_str(), "available" | "backing-up" | "") {
        // RDS refuses most modifications until the database is available again (and a
        // modification just sent reads back as the old value until it is applied).
        return Delta::unavailable(format!(
            "database {} is {}; its settings are compared once it is available",
            want.name(),
            have.status
        ));
    }
    if have.engine != spec.engine.as_str() {
        return Delta::unavailable(format!(
            "database {} runs {}, not {} as its manifest says",
            want.name(),
            have.engine,
            spec.engine.as_str()
        ));
    }
    if spec.storage_encrypted == Some(true) && !have.storage_encrypted {
        delta.change(Change::new(
            "spec.storageEncrypted",
            Some(false.into()),
            Some(true.into()),
        ));
        delta.block(
            "storage encryption cannot be turned on for an existing database (it takes a \
             snapshot, an encrypted copy and a restore to a new instance, which is the \
             application stack's migration; afu9-posture never recreates a database)",
        );
    }
    let mut fix = DbChanges::default();
    let changes = &mut delta.changes;
    if compare_field(
        changes,
        "spec.publiclyAccessible",
        spec.publicly_accessible,
        have.publicly_accessible,
    ) {
        fix.publicly_accessible = spec.publicly_accessible;
    }
    if compare_field(
        changes,
        "spec.deletionProtection",
        spec.deletion_protection,
        have.deletion_protection,
    ) {
        fix.deletion_protection = spec.deletion_protection;
    }
    if compare_field(
        changes,
        "spec.autoMinorVersionUpgrade",
        spec.auto_minor_version_upgrade,
        have.auto_minor_version_upgrade,
    ) {
        fix.auto_minor_version_upgrade = spec.auto_minor_version_upgrade;
    }
    backup_retention(spec, have, &mut delta, &mut fix);
    security_groups(spec, have, &mut delta, &mut fix);
    subnets(spec, have, &mut delta);
    if let Some(group) = &spec.parameter_group {
        parameter_group(state, want, group, have, &mut delta, &mut fix);
    }
    if !fix.is_empty() {
        delta.op(RdsOp::ModifyDbInstance {
            id: want.name().to_owned(),
            changes: fix,
        });
    }
    delta
}

/// Retention changes between 0 and not 0 wait for the maintenance window (they cause an
/// outage); a pending value that is the wanted one is not planned again.
fn backup_retention(
    spec: &DbInstanceSpec,
    have: &DbInstanceObserved,
    delta: &mut Delta,
    fix: &mut DbChanges,
) {
    let Some(days) = spec.backup_retention_days else {
        return;
    };
    if have.pending_backup_retention_days == Some(days) {
        add_note(
            delta,
            format!("backup retention {days} days is pending until the maintenance window"),
        );
    } else if compare_field(
        &mut delta.changes,
        "spec.backupRetentionDays",
        Some(days),
        have.backup_retention_days,
    ) {
        fix.backup_retention_days = Some(days);
    }
}

fn security_groups(
    spec: &DbInstanceSpec,
    have: &DbInstanceObserved,
    delta: &mut Delta,
    fix: &mut DbChanges,
) {
    let Some(names) = &spec.security_groups else {
        return;
    };
    let Some(vpc) = &have.vpc else {
        delta.block(
            "the database is in no VPC (no subnet group), so it cannot take VPC security groups",
        );
        return;
    };
    let mut wanted: Vec<GroupId> = names
        .iter()
        .map(|name| match have.group_ids.get(name) {
            Some(id) => GroupId::Known(id.clone()),
            None => GroupId::Created {
                name: name.clone(),
                vpc: vpc.clone(),
            },
        })
        .collect();
    wanted.sort_by_key(GroupId::shown);
    wanted.dedup();
    let known: Option<Vec<String>> = wanted
        .iter()
        .map(|g| match g {
            GroupId::Known(id) => Some(id.clone()),
            GroupId::Created { .. } => None,
        })
        .collect();
    if known.as_ref() == Some(&have.security_group_ids) {
        return;
    }
    delta.change(Change::new(
        "spec.securityGroups",
        Some(group_names(&have.security_group_ids, &have.group_ids)),
        Some(names.iter().map(|n| Value::from(n.as_str())).collect()),
    ));
    fix.security_group_ids = Some(wanted);
}

/// Live group ids shown by manifest name where they are managed groups.
fn group_names(ids: &[String], names: &BTreeMap<String, String>) -> Value {
    ids.iter()
        .map(|id| {
            names.iter().find(|(_, gid)| *gid == id).map_or_else(
                || Value::from(id.as_str()),
                |(name, _)| Value::from(name.as_str()),
            )
        })
        .collect()
}

fn subnets(spec: &DbInstanceSpec, have: &DbInstanceObserved, delta: &mut Delta) {
    let Some(group) = &spec.subnet_group else {
        return;
    };
    if have.subnet_group.as_deref() != Some(group) {
        delta.change(Change::new(
            "spec.subnetGroup",
            have.subnet_group.as_deref().map(Value::from),
            Some(group.as_str().into()),
        ));
        delta.block(format!(
            "the database is in subnet group {}, not {group}; moving a database between \
             subnet groups is a migration, not a setting",
            have.subnet_group.as_deref().unwrap_or("(none)")
        ));
        return;
    }
    for route in &have.public_subnets {
        delta.block(format!(
            "subnet group {group}: {route}; make the subnet private"
        ));
    }
}

fn parameter_group(
    state: &DesiredState,
    want: &Resource<DbInstanceSpec>,
    group: &ParameterGroupSpec,
    have: &DbInstanceObserved,
    delta: &mut Delta,
    fix: &mut DbChanges,
) {
    let (parameter, on) = want.spec.engine.tls_parameter();
    let path = format!("spec.parameterGroup.parameters.{parameter}");
    let live = match &have.parameter_group {
        None => {
            delta.change(Change::new(
                "spec.parameterGroup.name",
                None,
                Some(group.name.as_str().into()),
            ));
            delta.op(RdsOp::CreateParameterGroup {
                name: group.name.clone(),
                family: group.family.clone(),
                description: format!("TLS for {} (afu9-posture)", want.name()),
                tags: state.desired_tags(&Tags::new()),
            });
            GroupParameters {
                tls_value: None,
                apply_type: None,
            }
        }
        Some(live) => live.clone(),
    };
    if group.require_tls && !live.tls_value.as_deref().is_some_and(|v| tls_on(v, on)) {
        delta.change(Change::new(
            path,
            live.tls_value.as_deref().map(Value::from),
            Some(on.into()),
        ));
        if live.tls_value.is_none() && have.parameter_group.is_some() {
            add_note(
                delta,
                format!(
                    "{parameter} is not set in {}: the engine's default applies, which AWS \
                     makes 1 from PostgreSQL 15 and 0 before (MySQL: OFF); afu9-posture sets it \
                     explicitly rather than rely on a version's default",
                    group.name
                ),
            );
        }
        delta.op(RdsOp::SetParameter {
            group: group.name.clone(),
            name: parameter.to_owned(),
            value: on.to_owned(),
            pending_reboot: live.apply_type.as_deref() == Some("static"),
        });
    }
    match have
        .parameter_groups
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&group.name))
    {
        None => {
            delta.change(Change::new(
                "spec.parameterGroup.attached",
                Some(
                    have.parameter_groups
                        .iter()
                        .map(|(name, _)| Value::from(name.as_str()))
                        .collect(),
                ),
                Some(Value::from(vec![group.name.as_str()])),
            ));
            fix.parameter_group = Some(group.name.clone());
            add_note(
                delta,
                format!(
                    "the database takes parameter group {} at its next reboot; afu9-posture \
                     does not reboot databases",
                    group.name
                ),
            );
        }
        Some((_, status)) if status == "pending-reboot" => add_note(
            delta,
            format!(
                "parameter group {} waits for a reboot to take effect (pending-reboot); \
                 afu9-posture does not reboot databases",
                group.name
            ),
        ),
        Some(_) => {}
    }
}

/// Adds `text` to the delta's note (several facts may need saying).
fn add_note(delta: &mut Delta, text: String) {
    delta.note = Some(match delta.note.take() {
        Some(note) => format!("{note}; {text}"),
        None => text,
    });
}

/// Whether the live value turns TLS on (`1` or `ON`, in any case).
pub(super) fn tls_on(value: &str, on: &str) -> bool {
    value.eq_ignore_ascii_case(on)
        || (on == "ON" && value == "1")
        || (on == "1" && value.eq_ignore_ascii_case("on"))
}

#[cfg(test)]
mod tests;
