//! What a live database proves: it is not publicly accessible (RDS.2), it takes minor
//! version upgrades (RDS.13), and its attached parameter group makes the server refuse
//! connections without TLS (`AFU9.RDS.1`: Security Hub has no control for it), read off the
//! instance and its group whatever the manifest asks.

use afu9_spec::Resource;
use afu9_spec::db_instance::{DbEngine, DbInstanceSpec};
use serde_json::{Value, json};

use super::{DbInstanceObserved, DbInstances};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for DbInstances {
    fn facts(want: &Resource<DbInstanceSpec>, have: &DbInstanceObserved) -> Vec<Fact> {
        vec![
            Fact::judged(
                "RDS.2",
                "publiclyAccessible",
                Some(Value::Bool(have.publicly_accessible)),
                !have.publicly_accessible,
                (
                    "the database is not publicly accessible",
                    "the database is publicly accessible",
                ),
            ),
            Fact::judged(
                "RDS.13",
                "autoMinorVersionUpgrade",
                Some(Value::Bool(have.auto_minor_version_upgrade)),
                have.auto_minor_version_upgrade,
                (
                    "minor engine upgrades are applied automatically",
                    "minor engine upgrades are not applied automatically",
                ),
            ),
            tls(want, have),
        ]
    }
}

/// The TLS parameter of the group the manifest names, judged only if that group is the one
/// attached: the kind reads no other group's parameters.
fn tls(want: &Resource<DbInstanceSpec>, have: &DbInstanceObserved) -> Fact {
    let engine = match have.engine.as_str() {
        "mysql" => DbEngine::Mysql,
        _ => DbEngine::Postgres,
    };
    let (parameter, on) = engine.tls_parameter();
    let field = format!("parameterGroup.{parameter}");
    let attached: Vec<&str> = have
        .parameter_groups
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    let read = want
        .spec
        .parameter_group
        .as_ref()
        .filter(|group| attached.contains(&group.name.as_str()))
        .zip(have.parameter_group.as_ref());
    let Some((group, parameters)) = read else {
        return Fact::fails(
            "AFU9.RDS.1",
            field,
            Some(json!({"attached": attached})),
            format!(
                "{parameter} of the attached group {} was not read: attach a group that sets it",
                attached.join(", ")
            ),
        );
    };
    let value = parameters.tls_value.as_deref();
    Fact::judged(
        "AFU9.RDS.1",
        field,
        Some(json!({"group": group.name, "value": value})),
        value == Some(on),
        (
            &format!(
                "{} sets {parameter} = {on}: connections without TLS are refused",
                group.name
            ),
            &format!(
                "{} does not set {parameter} = {on}: connections without TLS are accepted",
                group.name
            ),
        ),
    )
}
