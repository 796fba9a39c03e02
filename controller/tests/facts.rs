//! The checklist judged on the account's facts, end to end: drift made out of band in the
//! converged AFU-9 account (a trail stopped, SSH opened, rotation cancelled, the database
//! made public, the topic's key removed, a service given public IPs) fails the item it
//! belongs to on the live value, naming the resource, the control and the field, while the
//! manifests are unchanged; one `apply` fixes it and the items pass again.

use std::process::{Command, Output};

use afu9_e2e::{Emulator, repo_root};
use aws_sdk_ec2::types::{IpPermission, IpRange};
use aws_sdk_ecs::types::{AssignPublicIp, AwsVpcConfiguration, NetworkConfiguration};
use serde_json::Value;

/// The day the Posture's exceptions are judged on (the hand-rotated tokens' is in force).
const AS_OF: &str = "2027-06-01";

fn afu9ctl(emulator: &Emulator, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_afu9ctl"))
        .current_dir(repo_root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(emulator.env())
        .args(args)
        .output()
        .expect("cannot run afu9ctl")
}

fn apply(emulator: &Emulator) {
    let output = afu9ctl(emulator, &["apply"]);
    assert!(
        output.status.success(),
        "apply failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn report(emulator: &Emulator) -> Value {
    let output = afu9ctl(emulator, &["report", "-o", "json", "--as-of", AS_OF]);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "report -o json is JSON ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn item(report: &Value, number: u64) -> &Value {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["number"] == number)
        .expect("the item")
}

/// The live facts of `control` in item `number` that no exception accepts: (resource name,
/// field, live value, finding).
fn facts(report: &Value, number: u64, control: &str) -> Vec<(String, String, Value, String)> {
    item(report, number)["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter(|e| e["rule"] == control && e["accepted"].is_null())
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["live"].clone(),
                e["finding"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The items the injected drift belongs to, and what each must be after the drift.
const DRIFTED_ITEMS: [u64; 5] = [5, 6, 8, 9, 11];

async fn inject_drift(emulator: &Emulator) {
    let config = emulator.sdk_config();
    aws_sdk_cloudtrail::Client::new(&config)
        .stop_logging()
        .name("afu9-audit-trail")
        .send()
        .await
        .expect("stop the trail");
    let ec2 = emulator.ec2();
    let groups = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values("afu9-ecs")
                .build(),
        )
        .send()
        .await
        .expect("find the group");
    let group = groups.security_groups()[0]
        .group_id()
        .expect("an id")
        .to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(&group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("open SSH");
    emulator
        .secretsmanager()
        .cancel_rotate_secret()
        .secret_id("afu9/database")
        .send()
        .await
        .expect("cancel rotation");
    emulator
        .rds()
        .modify_db_instance()
        .db_instance_identifier("afu9-database")
        .publicly_accessible(true)
        .apply_immediately(true)
        .send()
        .await
        .expect("make the database public");
    remove_topic_key(emulator).await;
    give_public_ips(emulator).await;
}

async fn remove_topic_key(emulator: &Emulator) {
    let sns = aws_sdk_sns::Client::new(&emulator.sdk_config());
    let topic = sns
        .list_topics()
        .send()
        .await
        .expect("list topics")
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn())
        .find(|arn| arn.ends_with(":afu9-security-alerts"))
        .expect("the alerts topic")
        .to_owned();
    sns.set_topic_attributes()
        .topic_arn(topic)
        .attribute_name("KmsMasterKeyId")
        .attribute_value("")
        .send()
        .await
        .expect("remove the topic's key");
}

async fn give_public_ips(emulator: &Emulator) {
    let service = emulator
        .ecs()
        .describe_services()
        .cluster("afu9")
        .services("afu9-control-center")
        .send()
        .await
        .expect("describe the service");
    let awsvpc = service.services()[0]
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .expect("an awsvpc service")
        .clone();
    emulator
        .ecs()
        .update_service()
        .cluster("afu9")
        .service("afu9-control-center")
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .set_subnets(Some(awsvpc.subnets().to_vec()))
                        .set_security_groups(Some(awsvpc.security_groups().to_vec()))
                        .assign_public_ip(AssignPublicIp::Enabled)
                        .build()
                        .expect("an awsvpc configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("give the service public IPs");
}

#[tokio::test]
async fn out_of_band_drift_fails_its_item_on_live_facts_and_apply_restores_them() {
    let emulator = Emulator::start();
    emulator.seed_afu9_demo();
    apply(&emulator);
    let converged = report(&emulator);
    for number in DRIFTED_ITEMS {
        let status = item(&converged, number)["status"]
            .as_str()
            .unwrap_or_default();
        assert!(
            ["pass", "accepted"].contains(&status),
            "item {number} after apply: {}",
            item(&converged, number)
        );
    }
    assert_eq!(
        facts(&converged, 5, "CloudTrail.1"),
        [(
            "afu9-audit-trail".to_owned(),
            "logging".to_owned(),
            serde_json::json!({"logging": true, "multiRegion": true, "managementEvents": {"read": true, "write": true}}),
            "holds".to_owned()
        )]
    );

    inject_drift(&emulator).await;
    let drifted = report(&emulator);
    for number in DRIFTED_ITEMS {
        assert_eq!(
            item(&drifted, number)["status"],
            "fail",
            "item {number}: {}",
            item(&drifted, number)
        );
    }
    let failing = |number: u64, control: &str| -> Vec<(String, String, Value)> {
        facts(&drifted, number, control)
            .into_iter()
            .filter(|(.., finding)| finding == "violates")
            .map(|(name, field, live, _)| (name, field, live))
            .collect()
    };
    assert_eq!(
        failing(5, "CloudTrail.1")[0].2["logging"],
        false,
        "the stopped trail"
    );
    assert_eq!(
        failing(9, "EC2.13"),
        [(
            "afu9-ecs".to_owned(),
            "ingress".to_owned(),
            serde_json::json!(["tcp 22 from 0.0.0.0/0"])
        )]
    );
    assert_eq!(
        failing(9, "RDS.2"),
        [(
            "afu9-database".to_owned(),
            "publiclyAccessible".to_owned(),
            Value::Bool(true)
        )]
    );
    assert_eq!(
        failing(11, "SecretsManager.1")
            .iter()
            .map(|(name, ..)| name.as_str())
            .collect::<Vec<_>>(),
        ["afu9/database"],
        "the hand-rotated tokens' failures are accepted; the database's is not"
    );
    assert_eq!(
        failing(6, "SNS.1"),
        [(
            "afu9-security-alerts".to_owned(),
            "kmsKey".to_owned(),
            Value::Null
        )]
    );
    assert_eq!(
        failing(8, "ECS.2"),
        [(
            "afu9".to_owned(),
            "services.afu9-control-center.assignPublicIp".to_owned(),
            Value::String("ENABLED".to_owned())
        )]
    );

    apply(&emulator);
    let restored = report(&emulator);
    for number in DRIFTED_ITEMS {
        let status = item(&restored, number)["status"]
            .as_str()
            .unwrap_or_default();
        assert!(
            ["pass", "accepted"].contains(&status),
            "item {number} after the second apply: {}",
            item(&restored, number)
        );
    }
}
