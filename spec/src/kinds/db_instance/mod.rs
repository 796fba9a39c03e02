//! `DbInstance`: the security settings of an RDS database the application's stack created.
//!
//! The database is adopted, never created or deleted: its existence, size and engine belong to
//! the stack. Fields left out are unmanaged. The parameter group that enforces TLS is part of
//! this kind, not a kind of its own: in this posture a custom group exists to carry one
//! database's TLS setting, and its writes must be ordered with the database's (create the
//! group, set the parameter, attach it), which one resource's ops are.

mod validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

/// The wanted security settings of one DB instance (`metadata.name` is its identifier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DbInstanceSpec {
    /// The engine the database runs; it decides which parameter enforces TLS.
    pub engine: DbEngine,
    /// Whether storage is encrypted at rest (Security Hub RDS.3). Immutable in AWS: a
    /// database that differs is reported as blocked, never recreated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_encrypted: Option<bool>,
    /// Whether the database has a public address (Security Hub RDS.2: must be `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publicly_accessible: Option<bool>,
    /// Whether the database refuses to be deleted (Security Hub RDS.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Whether minor engine upgrades are applied automatically (Security Hub RDS.13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_minor_version_upgrade: Option<bool>,
    /// Days automated backups are kept (1-35; 0 would turn backups off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_retention_days: Option<i32>,
    /// The VPC security groups, exactly: names of `SecurityGroup` manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Vec<String>>,
    /// The DB subnet group the database must be in; its subnets must be private (no route
    /// to an internet gateway). Moving a database between subnet groups is a migration, so a
    /// different group is reported as blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_group: Option<String>,
    /// The custom parameter group that enforces TLS, created if missing and attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_group: Option<ParameterGroupSpec>,
    /// Tags of the database.
    #[serde(default)]
    pub tags: Tags,
}

/// A custom DB parameter group and the TLS setting it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParameterGroupSpec {
    /// The group's name (not a `default.` group: AWS does not let those be modified).
    pub name: String,
    /// The parameter group family (`postgres16`, `mysql8.0`), used when the group is created.
    pub family: String,
    /// Whether the engine's TLS parameter is on (`rds.force_ssl = 1` for PostgreSQL,
    /// `require_secure_transport = ON` for MySQL). Must be `true`.
    pub require_tls: bool,
}

/// The engines whose TLS parameter the kind knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DbEngine {
    /// PostgreSQL (`postgres`).
    Postgres,
    /// MySQL (`mysql`).
    Mysql,
}

impl DbEngine {
    /// The engine name RDS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
        }
    }

    /// The parameter that makes the server refuse connections without TLS, and its "on"
    /// value as RDS writes it.
    pub fn tls_parameter(self) -> (&'static str, &'static str) {
        match self {
            Self::Postgres => ("rds.force_ssl", "1"),
            Self::Mysql => ("require_secure_transport", "ON"),
        }
    }
}
