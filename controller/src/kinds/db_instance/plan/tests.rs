use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};

use super::*;
use crate::engine::PlanContext;
use crate::kinds::db_instance::DbInstances;
use crate::plan::{Action, ResourcePlan};
use crate::refs::network::PublicRoute;

const DB: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-rds}
spec: {vpc: {id: vpc-1}, description: rds}
---
apiVersion: posture.afu9.io/v1alpha1
kind: DbInstance
metadata: {name: afu9-db}
spec:
  engine: postgres
  storageEncrypted: true
  publiclyAccessible: false
  deletionProtection: true
  autoMinorVersionUpgrade: true
  backupRetentionDays: 7
  securityGroups: [afu9-rds]
  subnetGroup: afu9-db
  parameterGroup: {name: afu9-postgres16, family: postgres16, requireTls: true}
";

/// The live database exactly as `DB` wants it.
fn in_sync() -> DbInstanceObserved {
    DbInstanceObserved {
        arn: "arn:aws:rds:eu-central-1:123456789012:db:afu9-db".to_owned(),
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
        subnet_group: Some("afu9-db".to_owned()),
        vpc: Some("vpc-1".to_owned()),
        public_subnets: Vec::new(),
        parameter_groups: vec![("afu9-postgres16".to_owned(), "in-sync".to_owned())],
        parameter_group: Some(GroupParameters {
            tls_value: Some("1".to_owned()),
            apply_type: Some("dynamic".to_owned()),
        }),
        tags: Tags::from([(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]),
    }
}

fn plan_for(yaml: &str, have: Option<&DbInstanceObserved>) -> ResourcePlan {
    let state = load_str(Path::new("test.yaml"), yaml).expect("valid manifests");
    let cx = PlanContext {
        state: &state,
        identity: None,
        events: &[],
    };
    crate::kinds::registered::<DbInstances>().plan_one(&cx, &state.db_instances[0], have)
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

#[test]
fn in_sync_is_noop() {
    let plan = plan_for(DB, Some(&in_sync()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    assert!(plan.ops.is_empty());
}

#[test]
fn each_fixable_field_is_one_modify_call() {
    let mut have = in_sync();
    have.publicly_accessible = true;
    have.deletion_protection = false;
    have.auto_minor_version_upgrade = false;
    have.backup_retention_days = 1;
    have.security_group_ids = vec!["sg-other".to_owned()];
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        [
            "spec.publiclyAccessible",
            "spec.deletionProtection",
            "spec.autoMinorVersionUpgrade",
            "spec.backupRetentionDays",
            "spec.securityGroups",
        ]
    );
    assert_eq!(calls(&plan), ["ModifyDBInstance"]);
}

#[test]
fn a_pending_backup_retention_is_not_planned_again() {
    let mut have = in_sync();
    have.backup_retention_days = 0;
    have.pending_backup_retention_days = Some(7);
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Noop);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("pending"))
    );
}

#[test]
fn an_unencrypted_database_is_blocked_and_its_other_fields_still_converge() {
    let mut have = in_sync();
    have.storage_encrypted = false;
    have.publicly_accessible = true;
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("storage encryption cannot be turned on"))
    );
    assert_eq!(calls(&plan), ["ModifyDBInstance"]);
}

#[test]
fn an_unset_tls_parameter_is_set_explicitly_and_the_default_is_explained() {
    let mut have = in_sync();
    have.parameter_group = Some(GroupParameters {
        tls_value: None,
        apply_type: None,
    });
    let plan = plan_for(DB, Some(&have));
    assert_eq!(
        paths(&plan),
        ["spec.parameterGroup.parameters.rds.force_ssl"]
    );
    assert_eq!(calls(&plan), ["ModifyDBParameterGroup"]);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("1 from PostgreSQL 15 and 0 before")),
        "{:?}",
        plan.reason
    );
}

#[test]
fn a_database_on_a_default_group_gets_the_custom_group_created_set_and_attached() {
    let mut have = in_sync();
    have.parameter_group = None;
    have.parameter_groups = vec![("default.postgres16".to_owned(), "in-sync".to_owned())];
    let plan = plan_for(DB, Some(&have));
    assert_eq!(
        calls(&plan),
        [
            "CreateDBParameterGroup",
            "ModifyDBParameterGroup",
            "ModifyDBInstance"
        ]
    );
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("next reboot"))
    );
}

#[test]
fn a_group_waiting_for_a_reboot_is_pending_not_drift() {
    let mut have = in_sync();
    have.parameter_groups = vec![("afu9-postgres16".to_owned(), "pending-reboot".to_owned())];
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Noop);
    assert!(plan.ops.is_empty());
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("pending-reboot"))
    );
}

#[test]
fn a_static_parameter_is_set_for_the_next_reboot() {
    let mut have = in_sync();
    have.parameter_group = Some(GroupParameters {
        tls_value: Some("0".to_owned()),
        apply_type: Some("static".to_owned()),
    });
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.ops.len(), 1);
    assert!(format!("{:?}", plan.ops[0]).contains("pending_reboot: true"));
}

#[test]
fn a_public_subnet_or_another_subnet_group_blocks_with_the_route() {
    let mut have = in_sync();
    have.public_subnets = vec![PublicRoute {
        subnet: "subnet-pub".to_owned(),
        route_table: "rtb-main".to_owned(),
        main: true,
        destination: "0.0.0.0/0".to_owned(),
        gateway: "igw-1".to_owned(),
    }];
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    let reason = plan.reason.unwrap_or_default();
    assert!(
        reason.contains(
            "subnet subnet-pub is public: its route table rtb-main (the VPC's main table) \
             routes 0.0.0.0/0 to the internet gateway igw-1"
        ),
        "{reason}"
    );
    let mut have = in_sync();
    have.subnet_group = Some("default".to_owned());
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert_eq!(paths(&plan), ["spec.subnetGroup"]);
}

#[test]
fn a_security_group_created_by_the_same_apply_is_named_and_looked_up_when_the_op_runs() {
    let mut have = in_sync();
    have.group_ids.clear();
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(paths(&plan), ["spec.securityGroups"]);
    assert_eq!(calls(&plan), ["ModifyDBInstance"]);
    let op = format!("{:?}", plan.ops[0]);
    assert!(
        op.contains(r#"Created { name: "afu9-rds", vpc: "vpc-1" }"#),
        "{op}"
    );
    assert_eq!(plan.depends_on.len(), 1);
}

#[test]
fn a_missing_database_is_never_created() {
    let plan = plan_for(DB, None);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}

#[test]
fn unowned_is_blocked_without_calls() {
    let mut have = in_sync();
    have.tags.clear();
    have.publicly_accessible = true;
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}

#[test]
fn mysql_uses_require_secure_transport_and_on_is_on_in_any_case() {
    let yaml = DB
        .replace("engine: postgres", "engine: mysql")
        .replace("family: postgres16", "family: mysql8.0");
    let mut have = in_sync();
    have.engine = "mysql".to_owned();
    have.parameter_group = Some(GroupParameters {
        tls_value: Some("on".to_owned()),
        apply_type: None,
    });
    assert_eq!(plan_for(&yaml, Some(&have)).action, Action::Noop);
    have.parameter_group = Some(GroupParameters {
        tls_value: Some("OFF".to_owned()),
        apply_type: None,
    });
    let plan = plan_for(&yaml, Some(&have));
    assert_eq!(
        paths(&plan),
        ["spec.parameterGroup.parameters.require_secure_transport"]
    );
}

#[test]
fn a_database_that_is_being_modified_is_left_until_it_is_available() {
    let mut have = in_sync();
    have.status = "modifying".to_owned();
    have.publicly_accessible = true;
    let plan = plan_for(DB, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("is modifying"))
    );
}

#[test]
fn facts_read_the_live_database_not_the_manifest() {
    use crate::engine::Attests as _;
    let state = load_str(Path::new("test.yaml"), DB).expect("valid manifests");
    let judged = |have: &DbInstanceObserved| -> Vec<(&str, bool)> {
        DbInstances::facts(&state.db_instances[0], have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect()
    };
    assert_eq!(
        judged(&in_sync()),
        [("RDS.2", true), ("RDS.13", true), ("AFU9.RDS.1", true)]
    );
    let mut drifted = in_sync();
    drifted.publicly_accessible = true;
    drifted.auto_minor_version_upgrade = false;
    drifted.parameter_groups = vec![("default.postgres16".to_owned(), "in-sync".to_owned())];
    assert_eq!(
        judged(&drifted),
        [("RDS.2", false), ("RDS.13", false), ("AFU9.RDS.1", false)]
    );
    let mut off = in_sync();
    off.parameter_group = Some(GroupParameters {
        tls_value: Some("0".to_owned()),
        apply_type: Some("dynamic".to_owned()),
    });
    assert_eq!(judged(&off)[2], ("AFU9.RDS.1", false));
}
