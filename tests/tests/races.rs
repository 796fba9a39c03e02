//! Two controllers on the same state: what one revokes between the other's plan and apply is
//! "already done" for the other, never a failed call (a failed pass, a resource in backoff).

use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::kinds::registered;
use afu9_controller::kinds::security_group::SecurityGroups;
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ec2::types::{Filter, IpPermission, IpRange, Tag};

fn network() -> DesiredState {
    let text = std::fs::read_to_string(afu9_e2e::repo_root().join("desired-state/network.yaml"))
        .expect("read");
    load_str(Path::new("desired-state/network.yaml"), &text).expect("valid")
}

fn ssh(port: i32) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build()
}

#[tokio::test]
async fn a_rule_another_controller_revoked_between_plan_and_apply_is_already_done() {
    let emulator = Emulator::start();
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("id");
    ec2.create_tags()
        .resources(&vpc)
        .tags(Tag::builder().key("Name").value("afu9-vpc").build())
        .send()
        .await
        .expect("tag");
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(vec![registered::<SecurityGroups>().into()]);
    let state = network();
    let created = engine.apply(&aws, &engine.plan(&aws, &state).await).await;
    assert_eq!(created.failed(), 0, "{created:?}");
    let group = ec2
        .describe_security_groups()
        .filters(
            Filter::builder()
                .name("group-name")
                .values("afu9-ecs")
                .build(),
        )
        .send()
        .await
        .expect("group")
        .security_groups
        .unwrap_or_default()
        .remove(0)
        .group_id
        .expect("id");

    for (case, ports) in [("one rule", vec![22]), ("one of two rules", vec![22, 2222])] {
        for port in &ports {
            ec2.authorize_security_group_ingress()
                .group_id(&group)
                .ip_permissions(ssh(*port))
                .send()
                .await
                .expect("drift");
        }
        let plan = engine.plan(&aws, &state).await;
        assert!(
            plan.resources
                .iter()
                .any(|r| r.name == "afu9-ecs" && !r.ops.is_empty()),
            "{case}: the plan revokes the drift"
        );
        // The other controller revokes the first rule meanwhile.
        ec2.revoke_security_group_ingress()
            .group_id(&group)
            .ip_permissions(ssh(ports[0]))
            .send()
            .await
            .expect("the other controller's revoke");
        let report = engine.apply(&aws, &plan).await;
        assert_eq!(
            report.failed(),
            0,
            "{case}: a raced revoke failed the pass: {report:?}"
        );
        let again = engine.plan(&aws, &state).await;
        let drift: Vec<_> = again.resources.iter().filter(|r| r.is_drift()).collect();
        assert!(
            drift.is_empty(),
            "{case}: the rest is revoked too: {drift:?}"
        );
    }
}
