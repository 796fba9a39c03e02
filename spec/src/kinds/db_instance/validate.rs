//! Rules for `DbInstance` manifests: guardrails (Security Hub RDS.2, RDS.3), TLS, backups,
//! references to security groups, and parameter groups AWS lets be modified.

use super::{DbInstanceSpec, ParameterGroupSpec};
use crate::error::ManifestError;
use crate::kinds::Validate;
use crate::state::{DesiredState, Resource};
use crate::validate::{check_tags, rule_error};

/// Guardrail: a database with a public address (RDS.2).
pub const PUBLIC: &str = "AFU9-RDS-001";
/// Guardrail: a database whose storage is not encrypted (RDS.3).
pub const UNENCRYPTED: &str = "AFU9-RDS-002";
/// A security group that no `SecurityGroup` manifest names.
pub const DANGLING_GROUP: &str = "AFU9-RDS-003";
/// A `default.` parameter group, which AWS does not let be modified.
pub const DEFAULT_GROUP: &str = "AFU9-RDS-004";
/// TLS not required ("RDS connections use TLS").
pub const NO_TLS: &str = "AFU9-RDS-005";
/// Backup retention outside 1-35 days.
pub const RETENTION: &str = "AFU9-RDS-006";
/// A parameter group family of another engine.
pub const FAMILY: &str = "AFU9-RDS-007";
/// An identifier or group name RDS would not keep as written.
pub const NAME: &str = "AFU9-RDS-008";

/// RDS identifiers and parameter group names: 1-63 lowercase letters, digits and hyphens,
/// starting with a letter, without two hyphens in a row or a hyphen at the end (RDS stores
/// them lowercased, so a capital would never match what it reports).
fn is_rds_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-')
        && !name.contains("--")
}

impl Validate for DbInstanceSpec {
    fn validate(state: &DesiredState, errors: &mut Vec<ManifestError>) {
        for db in &state.db_instances {
            check(state, db, errors);
            check_tags(&db.source, &db.spec.tags, errors);
        }
    }
}

fn check(state: &DesiredState, db: &Resource<DbInstanceSpec>, errors: &mut Vec<ManifestError>) {
    let error = rule_error(db);
    let spec = &db.spec;
    if !is_rds_name(db.name()) {
        errors.push(
            error(
                "metadata.name",
                NAME,
                format!("`{}` is not an RDS DB instance identifier", db.name()),
            )
            .hint("1-63 lowercase letters, digits and single hyphens, starting with a letter"),
        );
    }
    if spec.publicly_accessible == Some(true) {
        errors.push(
            error(
                "spec.publiclyAccessible",
                PUBLIC,
                "the database would have a public address; Security Hub RDS.2".to_owned(),
            )
            .hint("set publiclyAccessible: false; reach it from the ECS tasks' security group"),
        );
    }
    if spec.storage_encrypted == Some(false) {
        errors.push(
            error(
                "spec.storageEncrypted",
                UNENCRYPTED,
                "the database's storage would not be encrypted at rest; Security Hub RDS.3"
                    .to_owned(),
            )
            .hint("set storageEncrypted: true"),
        );
    }
    for (index, group) in spec.security_groups.iter().flatten().enumerate() {
        if !state.security_groups.iter().any(|sg| sg.name() == group) {
            errors.push(
                error(
                    &format!("spec.securityGroups[{index}]"),
                    DANGLING_GROUP,
                    format!("no SecurityGroup manifest is named `{group}`"),
                )
                .hint("name a SecurityGroup manifest of this desired state"),
            );
        }
    }
    if let Some(days) = spec.backup_retention_days
        && !(1..=35).contains(&days)
    {
        errors.push(
            error(
                "spec.backupRetentionDays",
                RETENTION,
                format!("{days} is not 1-35 days (0 turns automated backups off)"),
            )
            .hint("7 is a common choice"),
        );
    }
    if let Some(group) = &spec.parameter_group {
        check_parameter_group(db, group, errors);
    }
}

fn check_parameter_group(
    db: &Resource<DbInstanceSpec>,
    group: &ParameterGroupSpec,
    errors: &mut Vec<ManifestError>,
) {
    let error = rule_error(db);
    let spec = &db.spec;
    if !group.name.starts_with("default.") && !is_rds_name(&group.name) {
        errors.push(
            error(
                "spec.parameterGroup.name",
                NAME,
                format!("`{}` is not an RDS parameter group name", group.name),
            )
            .hint("1-63 lowercase letters, digits and single hyphens, starting with a letter"),
        );
    }
    if group.name.starts_with("default.") {
        errors.push(
            error(
                "spec.parameterGroup.name",
                DEFAULT_GROUP,
                format!(
                    "`{}` is a default parameter group, which AWS does not let be modified",
                    group.name
                ),
            )
            .hint("name a custom group (afu9-posture creates it and attaches it)"),
        );
    }
    if !group.require_tls {
        errors.push(
            error(
                "spec.parameterGroup.requireTls",
                NO_TLS,
                "connections to the database would not be required to use TLS".to_owned(),
            )
            .hint("set requireTls: true"),
        );
    }
    if !group.family.starts_with(spec.engine.as_str()) {
        errors.push(
            error(
                "spec.parameterGroup.family",
                FAMILY,
                format!(
                    "`{}` is not a {} parameter group family",
                    group.family,
                    spec.engine.as_str()
                ),
            )
            .hint("postgres16, mysql8.0, ..."),
        );
    }
}
