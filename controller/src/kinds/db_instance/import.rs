//! Importing databases: every PostgreSQL and MySQL database of the region (the engines whose
//! TLS parameter the kind knows) with every setting the kind manages: its flags, backup
//! retention (the pending value when one waits for the maintenance window), its subnet group,
//! its attached parameter group with whether that group turns TLS on, and its security groups
//! by the names of the imported `SecurityGroup` manifests. When one of its groups is not an
//! imported manifest's, the groups are left out (unmanaged): the manifest names groups only by
//! `SecurityGroup` manifest.

use afu9_spec::db_instance::{DbEngine, DbInstanceSpec, ParameterGroupSpec};
use afu9_spec::tags::Tags;

use super::observe::{self, Listed};
use super::{DbInstanceObserved, DbInstances};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports};

impl Imports for DbInstances {
    const FILE: &'static str = "data.yaml";

    fn discover(aws: &Aws) -> Discovery<'_, DbInstanceSpec> {
        Box::pin(async move {
            Ok(observe::list_databases(aws)
                .await?
                .into_iter()
                .filter_map(|listed| {
                    let spec = probe(&listed)?;
                    Some((listed.id, spec))
                })
                .collect())
        })
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &DbInstanceObserved) -> DbInstanceSpec {
        import(cx, name, have)
    }
}

/// The manifest's name of an RDS engine.
fn engine(name: &str) -> Option<DbEngine> {
    [DbEngine::Postgres, DbEngine::Mysql]
        .into_iter()
        .find(|engine| engine.as_str() == name)
}

/// A manifest naming the database's own parameter group, so that `observe` reads that group's
/// TLS parameter; `None` for an engine the kind does not know.
fn probe(listed: &Listed) -> Option<DbInstanceSpec> {
    Some(DbInstanceSpec {
        engine: engine(&listed.engine)?,
        storage_encrypted: None,
        publicly_accessible: None,
        deletion_protection: None,
        auto_minor_version_upgrade: None,
        backup_retention_days: None,
        security_groups: None,
        subnet_group: None,
        parameter_group: listed
            .parameter_group
            .as_ref()
            .map(|name| ParameterGroupSpec {
                name: name.clone(),
                family: String::new(),
                require_tls: false,
            }),
        tags: Tags::new(),
    })
}

fn import(cx: ImportContext<'_>, _name: &str, have: &DbInstanceObserved) -> DbInstanceSpec {
    // Discovery lists only the engines the kind knows.
    let engine = engine(&have.engine).unwrap_or(DbEngine::Postgres);
    DbInstanceSpec {
        engine,
        storage_encrypted: Some(have.storage_encrypted),
        publicly_accessible: Some(have.publicly_accessible),
        deletion_protection: Some(have.deletion_protection),
        auto_minor_version_upgrade: Some(have.auto_minor_version_upgrade),
        backup_retention_days: Some(
            have.pending_backup_retention_days
                .unwrap_or(have.backup_retention_days),
        ),
        security_groups: have.vpc.as_ref().and_then(|_| {
            have.security_group_ids
                .iter()
                .map(|id| cx.name_of(id).map(str::to_owned))
                .collect()
        }),
        subnet_group: have.subnet_group.clone(),
        parameter_group: have
            .parameter_groups
            .first()
            .zip(have.parameter_group.as_ref())
            .map(|((name, _), live)| {
                let (_, on) = engine.tls_parameter();
                ParameterGroupSpec {
                    name: name.clone(),
                    family: family(engine, &have.engine_version),
                    require_tls: live
                        .tls_value
                        .as_deref()
                        .is_some_and(|value| super::plan::tls_on(value, on)),
                }
            }),
        tags: manifest_tags(&have.tags),
    }
}

/// The parameter group family of an engine version, as RDS names them: `postgres` and the
/// major version from 10 on (`postgres16`), major and minor before (`postgres9.6`); `mysql`
/// and major and minor (`mysql8.0`). RDS attaches only groups of the database's family.
fn family(engine: DbEngine, version: &str) -> String {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next();
    let modern_postgres = major.parse::<u32>().is_ok_and(|major| major >= 10);
    match (engine, minor) {
        (DbEngine::Postgres, _) if modern_postgres => format!("postgres{major}"),
        (_, Some(minor)) => format!("{}{major}.{minor}", engine.as_str()),
        (_, None) => format!("{}{major}", engine.as_str()),
    }
}

#[cfg(test)]
mod tests;
