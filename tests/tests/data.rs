//! The data tier and service placement end to end against the emulator: an adopted RDS
//! database (public access, deletion protection, minor upgrades, backups, its security groups,
//! TLS through a custom parameter group) and an ECS cluster (Container Insights, a service's
//! public IP, subnets and groups), drift injected out of band, named by plan, fixed by apply,
//! the next plan empty; an unencrypted database blocked while the rest converges; a public
//! subnet reported; an equivalent rewrite quiet; unowned resources left alone.

use std::collections::BTreeMap;
use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan, ResourcePlan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ClusterSetting, ClusterSettingName, Compatibility,
    ContainerDefinition, LaunchType, NetworkConfiguration, NetworkMode,
};
use aws_sdk_rds::types::{ApplyMethod, Parameter};

const OWNED: (&str, &str) = ("managed-by", "afu9-posture");

/// What the application's stack created, with the ids the test needs.
struct Network {
    private: [String; 2],
    public: String,
    app_group: String,
}

fn name_tag(kind: ResourceType, name: &str) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .tags(Tag::builder().key("Name").value(name).build())
        .build()
}

/// A VPC with an internet gateway on its main route table, two private subnets on a table of
/// their own and a public one that uses the main table; the posture's two groups (created by
/// afu9-posture earlier, so tagged) and the stack's own group.
async fn network(emulator: &Emulator) -> Network {
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.9.0.0/16")
        .tag_specifications(name_tag(ResourceType::Vpc, "afu9-vpc"))
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("vpc id");
    let private_table = afu9_e2e::data::routes(&ec2, &vpc).await;
    let subnet = async |cidr: &str, name: &str, zone: &str| {
        ec2.create_subnet()
            .vpc_id(&vpc)
            .cidr_block(cidr)
            .availability_zone(zone)
            .tag_specifications(name_tag(ResourceType::Subnet, name))
            .send()
            .await
            .expect("subnet")
            .subnet
            .and_then(|s| s.subnet_id)
            .expect("subnet id")
    };
    let a = subnet("10.9.1.0/24", "afu9-private-a", "eu-central-1a").await;
    let b = subnet("10.9.2.0/24", "afu9-private-b", "eu-central-1b").await;
    let public = subnet("10.9.100.0/24", "afu9-public-a", "eu-central-1a").await;
    for id in [&a, &b] {
        ec2.associate_route_table()
            .route_table_id(&private_table)
            .subnet_id(id)
            .send()
            .await
            .expect("associate");
    }
    let app_group = groups(&ec2, &vpc).await;
    Network {
        private: [a, b],
        public,
        app_group,
    }
}

/// The posture's two groups (created by afu9-posture earlier, so tagged) and the stack's own,
/// whose id is returned.
async fn groups(ec2: &aws_sdk_ec2::Client, vpc: &str) -> String {
    for name in ["afu9-rds", "afu9-ecs"] {
        ec2.create_security_group()
            .group_name(name)
            .description(name)
            .vpc_id(vpc)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::SecurityGroup)
                    .tags(Tag::builder().key(OWNED.0).value(OWNED.1).build())
                    .build(),
            )
            .send()
            .await
            .expect("group");
    }
    ec2.create_security_group()
        .group_name("app-default")
        .description("the stack's group")
        .vpc_id(vpc)
        .send()
        .await
        .expect("app group")
        .group_id
        .expect("group id")
}

/// The database as the stack created it: encrypted or not, public, unprotected, on the
/// default parameter group and the stack's own group.
async fn database(emulator: &Emulator, net: &Network, subnets: &[&String], encrypted: bool) {
    let rds = emulator.rds();
    rds.create_db_subnet_group()
        .db_subnet_group_name("afu9-db")
        .db_subnet_group_description("AFU-9 database")
        .set_subnet_ids(Some(subnets.iter().map(|s| (*s).clone()).collect()))
        .send()
        .await
        .expect("subnet group");
    rds.create_db_instance()
        .db_instance_identifier("afu9-db")
        .db_instance_class("db.t3.micro")
        .engine("postgres")
        .engine_version("16.3")
        .allocated_storage(20)
        .master_username("afu9")
        .master_user_password("not-a-real-password")
        .storage_encrypted(encrypted)
        .publicly_accessible(true)
        .deletion_protection(false)
        .auto_minor_version_upgrade(false)
        .backup_retention_period(1)
        .vpc_security_group_ids(&net.app_group)
        .db_subnet_group_name("afu9-db")
        .send()
        .await
        .expect("db instance");
}

/// The cluster without Container Insights and a service with a public IP in the public
/// subnet behind the stack's group.
async fn cluster(emulator: &Emulator, net: &Network) {
    let ecs = emulator.ecs();
    ecs.create_cluster()
        .cluster_name("afu9")
        .send()
        .await
        .expect("cluster");
    ecs.register_task_definition()
        .family("afu9-control-center")
        .network_mode(NetworkMode::Awsvpc)
        .requires_compatibilities(Compatibility::Fargate)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image("registry.example/afu9/control-center:1")
                .build(),
        )
        .send()
        .await
        .expect("task definition");
    ecs.create_service()
        .cluster("afu9")
        .service_name("afu9-control-center")
        .task_definition("afu9-control-center:1")
        .desired_count(1)
        .launch_type(LaunchType::Fargate)
        .network_configuration(placement(&[&net.public], &net.app_group, true))
        .send()
        .await
        .expect("service");
}

fn placement(subnets: &[&String], group: &str, public: bool) -> NetworkConfiguration {
    NetworkConfiguration::builder()
        .awsvpc_configuration(
            AwsVpcConfiguration::builder()
                .set_subnets(Some(subnets.iter().map(|s| (*s).clone()).collect()))
                .security_groups(group)
                .assign_public_ip(if public {
                    AssignPublicIp::Enabled
                } else {
                    AssignPublicIp::Disabled
                })
                .build()
                .expect("awsvpc configuration"),
        )
        .build()
}

const GROUPS: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-rds}
spec: {vpc: {tags: {Name: afu9-vpc}}, description: afu9-rds}
---
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-ecs}
spec: {vpc: {tags: {Name: afu9-vpc}}, description: afu9-ecs}
";

fn db_manifest(adopt: bool, subnet_group: &str) -> String {
    format!(
        r"
---
apiVersion: posture.afu9.io/v1alpha1
kind: DbInstance
metadata: {{name: afu9-db, adopt: {adopt}}}
spec:
  engine: postgres
  storageEncrypted: true
  publiclyAccessible: false
  deletionProtection: true
  autoMinorVersionUpgrade: true
  backupRetentionDays: 7
  securityGroups: [afu9-rds]
  subnetGroup: {subnet_group}
  parameterGroup: {{name: afu9-postgres16, family: postgres16, requireTls: true}}
"
    )
}

fn cluster_manifest(adopt: bool, subnets: &str, groups: &str) -> String {
    format!(
        r"
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcsCluster
metadata: {{name: afu9, adopt: {adopt}}}
spec:
  containerInsights: enabled
  services:
    afu9-control-center:
      assignPublicIp: DISABLED
      subnets: {subnets}
      securityGroups: {groups}
"
    )
}

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("test.yaml"), yaml).expect("valid test manifests")
}

fn resource<'a>(plan: &'a Plan, kind: &str) -> &'a ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or_else(|| panic!("{kind} is in the plan"))
}

fn paths(resource: &ResourcePlan) -> Vec<&str> {
    resource.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(resource: &ResourcePlan) -> Vec<&str> {
    resource.ops.iter().map(|op| op.call()).collect()
}

/// The calls one steady-state plan makes, by `Service.Operation`, STS left out.
async fn steady_state_calls(
    emulator: &Emulator,
    engine: &Engine,
    state: &DesiredState,
) -> BTreeMap<String, u64> {
    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan(&counting, state).await;
    assert!(!plan.has_drift(), "the plan still has drift: {plan:#?}");
    counting
        .calls
        .by_operation()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("STS."))
        .collect()
}

async fn live_db(emulator: &Emulator) -> aws_sdk_rds::types::DbInstance {
    emulator
        .rds()
        .describe_db_instances()
        .db_instance_identifier("afu9-db")
        .send()
        .await
        .expect("describe db")
        .db_instances
        .unwrap_or_default()
        .remove(0)
}

async fn force_ssl(emulator: &Emulator) -> Option<String> {
    emulator
        .rds()
        .describe_db_parameters()
        .db_parameter_group_name("afu9-postgres16")
        .send()
        .await
        .expect("describe parameters")
        .parameters
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.parameter_name() == Some("rds.force_ssl"))
        .and_then(|p| p.parameter_value)
}

async fn live_service(emulator: &Emulator) -> AwsVpcConfiguration {
    emulator
        .ecs()
        .describe_services()
        .cluster("afu9")
        .services("afu9-control-center")
        .send()
        .await
        .expect("describe services")
        .services
        .unwrap_or_default()
        .remove(0)
        .network_configuration
        .and_then(|n| n.awsvpc_configuration)
        .expect("awsvpc configuration")
}

async fn insights(emulator: &Emulator) -> Option<String> {
    emulator
        .ecs()
        .describe_clusters()
        .clusters("afu9")
        .include(aws_sdk_ecs::types::ClusterField::Settings)
        .send()
        .await
        .expect("describe clusters")
        .clusters
        .unwrap_or_default()
        .remove(0)
        .settings
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.name == Some(ClusterSettingName::ContainerInsights))
        .and_then(|s| s.value)
}

/// The first plan and apply from what the stack created; returns the ECS group's id.
async fn first_pass(
    emulator: &Emulator,
    net: &Network,
    engine: &Engine,
    aws: &Aws,
    state: &DesiredState,
) -> String {
    let plan = engine.plan(aws, state).await;
    let db = resource(&plan, "DbInstance");
    assert_eq!(db.action, Action::Update, "{:?}", db.reason);
    assert_eq!(
        paths(db),
        [
            "spec.publiclyAccessible",
            "spec.deletionProtection",
            "spec.autoMinorVersionUpgrade",
            "spec.backupRetentionDays",
            "spec.securityGroups",
            "spec.parameterGroup.name",
            "spec.parameterGroup.parameters.rds.force_ssl",
            "spec.parameterGroup.attached",
            "spec.tags.managed-by",
        ]
    );
    assert_eq!(
        calls(db),
        [
            "CreateDBParameterGroup",
            "ModifyDBParameterGroup",
            "ModifyDBInstance",
            "AddTagsToResource"
        ]
    );
    assert!(
        db.reason
            .as_deref()
            .is_some_and(|r| r.contains("next reboot")),
        "the new group's reboot is said: {:?}",
        db.reason
    );
    let ecs = resource(&plan, "EcsCluster");
    assert_eq!(ecs.action, Action::Update, "{:?}", ecs.reason);
    assert_eq!(
        paths(ecs),
        [
            "spec.containerInsights",
            "spec.services.afu9-control-center.assignPublicIp",
            "spec.services.afu9-control-center.subnets",
            "spec.services.afu9-control-center.securityGroups",
            "spec.tags.managed-by",
        ]
    );
    assert_eq!(
        calls(ecs),
        ["UpdateCluster", "UpdateService", "TagResource"]
    );

    let report = engine.apply(aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    // The account, read independently.
    let live = live_db(emulator).await;
    assert_eq!(live.publicly_accessible, Some(false));
    assert_eq!(live.deletion_protection, Some(true));
    assert_eq!(live.auto_minor_version_upgrade, Some(true));
    assert_eq!(live.backup_retention_period, Some(7));
    assert_eq!(
        live.db_parameter_groups()[0].db_parameter_group_name(),
        Some("afu9-postgres16")
    );
    assert_ne!(
        live.vpc_security_groups()[0].vpc_security_group_id(),
        Some(net.app_group.as_str())
    );
    assert_eq!(force_ssl(emulator).await.as_deref(), Some("1"));
    let service = live_service(emulator).await;
    assert_eq!(service.assign_public_ip, Some(AssignPublicIp::Disabled));
    let mut subnets = service.subnets.clone();
    subnets.sort();
    let mut private = net.private.to_vec();
    private.sort();
    assert_eq!(subnets, private);
    assert_eq!(insights(emulator).await.as_deref(), Some("enabled"));

    service.security_groups()[0].clone()
}

/// Drift out of band: the database public and unprotected, TLS off in its group, the service
/// given a public IP, Container Insights off.
async fn inject_drift(emulator: &Emulator, net: &Network, ecs_group: &str) {
    emulator
        .rds()
        .modify_db_instance()
        .db_instance_identifier("afu9-db")
        .publicly_accessible(true)
        .deletion_protection(false)
        .send()
        .await
        .expect("drift the database");
    emulator
        .rds()
        .modify_db_parameter_group()
        .db_parameter_group_name("afu9-postgres16")
        .parameters(
            Parameter::builder()
                .parameter_name("rds.force_ssl")
                .parameter_value("0")
                .apply_method(ApplyMethod::Immediate)
                .build(),
        )
        .send()
        .await
        .expect("drift the parameter");
    emulator
        .ecs()
        .update_service()
        .cluster("afu9")
        .service("afu9-control-center")
        .network_configuration(placement(
            &[&net.private[0], &net.private[1]],
            ecs_group,
            true,
        ))
        .send()
        .await
        .expect("drift the service");
    emulator
        .ecs()
        .update_cluster()
        .cluster("afu9")
        .settings(
            ClusterSetting::builder()
                .name(ClusterSettingName::ContainerInsights)
                .value("disabled")
                .build(),
        )
        .send()
        .await
        .expect("drift the cluster");
}

#[tokio::test]
async fn the_data_tier_and_the_placement_converge_and_drift_injected_later_is_fixed() {
    let emulator = Emulator::start();
    let net = network(&emulator).await;
    database(&emulator, &net, &[&net.private[0], &net.private[1]], true).await;
    cluster(&emulator, &net).await;
    let yaml = format!(
        "{GROUPS}{}{}",
        db_manifest(true, "afu9-db"),
        cluster_manifest(true, "[afu9-private-a, afu9-private-b]", "[afu9-ecs]")
    );
    let state = desired(&yaml);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let ecs_group = first_pass(&emulator, &net, &engine, &aws, &state).await;

    let steady = steady_state_calls(&emulator, &engine, &state).await;
    // The two security groups' own reads are 3 of EC2's (DescribeVpcs, one
    // DescribeSecurityGroups, DescribeSecurityGroupRules); the database adds one
    // DescribeSecurityGroups and one DescribeRouteTables, the cluster one of each and one
    // DescribeSubnets.
    let expected: BTreeMap<String, u64> = [
        ("EC2.DescribeRouteTables", 2),
        ("EC2.DescribeSecurityGroupRules", 1),
        ("EC2.DescribeSecurityGroups", 3),
        ("EC2.DescribeSubnets", 1),
        ("EC2.DescribeVpcs", 1),
        ("ECS.DescribeClusters", 1),
        ("ECS.DescribeServices", 1),
        ("RDS.DescribeDBInstances", 1),
        ("RDS.DescribeDBParameters", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(steady, expected);

    inject_drift(&emulator, &net, &ecs_group).await;
    let plan = engine.plan(&aws, &state).await;
    let db = resource(&plan, "DbInstance");
    assert_eq!(
        paths(db),
        [
            "spec.publiclyAccessible",
            "spec.deletionProtection",
            "spec.parameterGroup.parameters.rds.force_ssl",
        ]
    );
    assert_eq!(calls(db), ["ModifyDBParameterGroup", "ModifyDBInstance"]);
    let ecs = resource(&plan, "EcsCluster");
    assert_eq!(
        paths(ecs),
        [
            "spec.containerInsights",
            "spec.services.afu9-control-center.assignPublicIp",
        ]
    );
    assert_eq!(calls(ecs), ["UpdateCluster", "UpdateService"]);
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(live_db(&emulator).await.publicly_accessible, Some(false));
    assert_eq!(force_ssl(&emulator).await.as_deref(), Some("1"));
    assert_eq!(
        live_service(&emulator).await.assign_public_ip,
        Some(AssignPublicIp::Disabled)
    );
    steady_state_calls(&emulator, &engine, &state).await;

    // The same placement written another way: subnets by id in the other order.
    let rewritten = format!(
        "{GROUPS}{}{}",
        db_manifest(true, "afu9-db"),
        cluster_manifest(
            true,
            &format!("[{}, {}]", net.private[1], net.private[0]),
            "[afu9-ecs, afu9-ecs]"
        )
    );
    let quiet = engine.plan(&aws, &desired(&rewritten)).await;
    assert!(!quiet.has_drift(), "{quiet:#?}");
}

#[tokio::test]
async fn an_unencrypted_database_is_blocked_and_the_rest_of_it_still_converges() {
    let emulator = Emulator::start();
    let net = network(&emulator).await;
    database(&emulator, &net, &[&net.private[0], &net.private[1]], false).await;
    let state = desired(&format!("{GROUPS}{}", db_manifest(true, "afu9-db")));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());

    let plan = engine.plan(&aws, &state).await;
    let db = resource(&plan, "DbInstance");
    assert_eq!(db.action, Action::Blocked);
    let reason = db.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("storage encryption cannot be turned on"),
        "{reason}"
    );
    assert_eq!(paths(db)[0], "spec.storageEncrypted");
    assert!(calls(db).contains(&"ModifyDBInstance"), "{:?}", calls(db));

    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let live = live_db(&emulator).await;
    assert_eq!(live.storage_encrypted, Some(false), "never recreated");
    assert_eq!(live.publicly_accessible, Some(false));
    assert_eq!(live.deletion_protection, Some(true));

    let again = engine.plan(&aws, &state).await;
    let db = resource(&again, "DbInstance");
    assert_eq!(db.action, Action::Blocked);
    assert_eq!(paths(db), ["spec.storageEncrypted"]);
    assert!(db.ops.is_empty());
}

#[tokio::test]
async fn a_subnet_with_an_internet_route_is_reported_and_nothing_moves_into_it() {
    let emulator = Emulator::start();
    let net = network(&emulator).await;
    database(&emulator, &net, &[&net.private[0], &net.public], true).await;
    cluster(&emulator, &net).await;
    let state = desired(&format!(
        "{GROUPS}{}{}",
        db_manifest(true, "afu9-db"),
        cluster_manifest(true, "[afu9-private-a, afu9-public-a]", "[afu9-ecs]")
    ));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, &state).await;

    for kind in ["DbInstance", "EcsCluster"] {
        let resource = resource(&plan, kind);
        assert_eq!(resource.action, Action::Blocked, "{kind}");
        let reason = resource.reason.clone().unwrap_or_default();
        assert!(
            reason.contains(&format!("subnet {} is public", net.public))
                && reason.contains(
                    "(the VPC's main table) routes 0.0.0.0/0 to the internet gateway igw-"
                ),
            "{kind}: {reason}"
        );
    }
    let ecs = resource(&plan, "EcsCluster");
    assert!(!calls(ecs).contains(&"UpdateService"), "{:?}", calls(ecs));
    engine.apply(&aws, &plan).await;
    assert_eq!(
        live_service(&emulator).await.subnets(),
        std::slice::from_ref(&net.public)
    );
}

#[tokio::test]
async fn a_database_and_a_cluster_that_are_not_ours_are_left_alone() {
    let emulator = Emulator::start();
    let net = network(&emulator).await;
    database(&emulator, &net, &[&net.private[0], &net.private[1]], true).await;
    cluster(&emulator, &net).await;
    let state = desired(&format!(
        "{GROUPS}{}{}",
        db_manifest(false, "afu9-db"),
        cluster_manifest(false, "[afu9-private-a]", "[afu9-ecs]")
    ));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = Engine::new(afu9_controller::kinds::standard());
    let plan = engine.plan(&aws, &state).await;
    for kind in ["DbInstance", "EcsCluster"] {
        let resource = resource(&plan, kind);
        assert_eq!(resource.action, Action::Blocked, "{kind}");
        assert!(resource.ops.is_empty(), "{kind}");
        assert!(
            resource
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("set metadata.adopt: true")),
            "{kind}: {:?}",
            resource.reason
        );
    }
    engine.apply(&aws, &plan).await;
    assert_eq!(live_db(&emulator).await.publicly_accessible, Some(true));
    assert_eq!(
        live_service(&emulator).await.assign_public_ip,
        Some(AssignPublicIp::Enabled)
    );
}
