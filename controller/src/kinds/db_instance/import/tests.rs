use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::kinds::db_instance::GroupParameters;
use crate::kinds::round_trip::{round_trip, round_trip_alongside};
use crate::plan::Action;

/// The `SecurityGroup` manifest the imported database names.
const GROUP: &str = r"apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-rds}
spec: {vpc: {id: vpc-1}, description: AFU-9 RDS database}
";

/// The AFU-9 database after apply, as observe reads it for a manifest naming its group and
/// its parameter group.
fn afu9_database() -> DbInstanceObserved {
    DbInstanceObserved {
        arn: "arn:aws:rds:eu-central-1:123456789012:db:afu9-database".to_owned(),
        engine: "postgres".to_owned(),
        engine_version: "16.3".to_owned(),
        status: "available".to_owned(),
        storage_encrypted: true,
        publicly_accessible: false,
        deletion_protection: true,
        auto_minor_version_upgrade: true,
        backup_retention_days: 7,
        pending_backup_retention_days: None,
        security_group_ids: vec!["sg-rds".to_owned()],
        group_ids: BTreeMap::from([("afu9-rds".to_owned(), "sg-rds".to_owned())]),
        subnet_group: Some("afu9-private".to_owned()),
        vpc: Some("vpc-1".to_owned()),
        public_subnets: Vec::new(),
        parameter_groups: vec![("afu9-postgres16".to_owned(), "in-sync".to_owned())],
        parameter_group: Some(GroupParameters {
            tls_value: Some("1".to_owned()),
            apply_type: Some("dynamic".to_owned()),
        }),
        tags: [
            (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
            ("team".to_owned(), "data".to_owned()),
        ]
        .into_iter()
        .collect(),
    }
}

#[test]
fn a_database_behind_an_imported_group_imports_in_sync_naming_the_group() {
    let have = afu9_database();
    let names = BTreeMap::from([("sg-rds".to_owned(), "afu9-rds".to_owned())]);
    let spec = import(ImportContext { names: &names }, "afu9-database", &have);
    assert_eq!(spec.security_groups, Some(vec!["afu9-rds".to_owned()]));
    assert_eq!(
        spec.parameter_group,
        Some(ParameterGroupSpec {
            name: "afu9-postgres16".to_owned(),
            family: "postgres16".to_owned(),
            require_tls: true,
        })
    );
    let plan =
        round_trip_alongside::<DbInstances>(GROUP, &[("afu9-database", &have)], &names, None)
            .pop()
            .expect("one plan");
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_database_behind_a_group_not_imported_leaves_its_groups_out_and_imports_in_sync() {
    let have = afu9_database();
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9-database", &have);
    assert_eq!(spec.security_groups, None);
    let plan = round_trip::<DbInstances>("afu9-database", &have, &names, None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

/// The seeded database: public, unprotected, TLS off in its group. Imported as it is (its
/// guardrails then refuse the manifest).
#[test]
fn an_insecure_database_is_imported_as_it_is() {
    let mut have = afu9_database();
    have.publicly_accessible = true;
    have.deletion_protection = false;
    have.auto_minor_version_upgrade = false;
    have.backup_retention_days = 1;
    have.parameter_group = Some(GroupParameters {
        tls_value: Some("0".to_owned()),
        apply_type: Some("dynamic".to_owned()),
    });
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-database",
        &have,
    );
    assert_eq!(spec.publicly_accessible, Some(true));
    assert_eq!(spec.deletion_protection, Some(false));
    assert_eq!(spec.auto_minor_version_upgrade, Some(false));
    assert_eq!(spec.backup_retention_days, Some(1));
    assert_eq!(spec.parameter_group.map(|g| g.require_tls), Some(false));
}

#[test]
fn a_retention_waiting_for_the_maintenance_window_imports_as_the_pending_value_in_sync() {
    let mut have = afu9_database();
    have.backup_retention_days = 1;
    have.pending_backup_retention_days = Some(7);
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9-database", &have);
    assert_eq!(spec.backup_retention_days, Some(7));
    let plan = round_trip::<DbInstances>("afu9-database", &have, &names, None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_mysql_database_with_tls_on_imports_in_sync() {
    let mut have = afu9_database();
    have.engine = "mysql".to_owned();
    have.engine_version = "8.0.35".to_owned();
    have.parameter_groups = vec![("afu9-mysql80".to_owned(), "in-sync".to_owned())];
    have.parameter_group = Some(GroupParameters {
        tls_value: Some("ON".to_owned()),
        apply_type: Some("dynamic".to_owned()),
    });
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9-database", &have);
    assert_eq!(spec.engine, DbEngine::Mysql);
    let group = spec.parameter_group.expect("a parameter group");
    assert_eq!(
        (group.family.as_str(), group.require_tls),
        ("mysql8.0", true)
    );
    let plan = round_trip::<DbInstances>("afu9-database", &have, &names, None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn families_follow_rds_naming() {
    assert_eq!(family(DbEngine::Postgres, "16.3"), "postgres16");
    assert_eq!(family(DbEngine::Postgres, "9.6.22"), "postgres9.6");
    assert_eq!(family(DbEngine::Mysql, "8.0.35"), "mysql8.0");
}

#[test]
fn only_the_engines_the_kind_knows_are_listed() {
    let listed = |engine: &str| Listed {
        id: "db".to_owned(),
        engine: engine.to_owned(),
        parameter_group: Some("group".to_owned()),
    };
    assert!(probe(&listed("postgres")).is_some());
    assert!(probe(&listed("aurora-postgresql")).is_none());
}
