//! What the application's stack creates for the AFU-9 data tier and services, insecurely, as
//! `scripts/seed_demo.py` does: in the VPC tagged `Name=afu9-vpc`, an internet gateway on the
//! main route table (the public subnet `afu9-public-a` uses it), a private route table for
//! `afu9-private-a` and `-b`, the DB subnet group `afu9-private`, the custom parameter group
//! `afu9-postgres16` with `rds.force_ssl = 0`, the PostgreSQL database `afu9-database`
//! (encrypted, but public, without deletion protection or minor upgrades, one day of backups,
//! on the VPC's default group) and the cluster `afu9` without Container Insights, with the
//! service `afu9-control-center` in the public subnet with a public IP. The family
//! `afu9-control-center` must be registered first.

use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use aws_sdk_ecs::types::{AssignPublicIp, AwsVpcConfiguration, LaunchType, NetworkConfiguration};
use aws_sdk_rds::types::{ApplyMethod, Parameter};

use crate::{Emulator, REGION};

/// The database's identifier.
pub const DATABASE: &str = "afu9-database";

/// Creates the data tier and the service as the stack does (see the module).
pub async fn seed_data_tier(emulator: &Emulator) {
    let ec2 = emulator.ec2();
    let vpc = ec2
        .describe_vpcs()
        .filters(
            Filter::builder()
                .name("tag:Name")
                .values("afu9-vpc")
                .build(),
        )
        .send()
        .await
        .expect("describe vpcs")
        .vpcs
        .unwrap_or_default()
        .remove(0)
        .vpc_id
        .expect("vpc id");
    let private_table = routes(&ec2, &vpc).await;
    let mut subnets = Vec::new();
    for (cidr, name, zone) in [
        ("10.9.1.0/24", "afu9-private-a", "a"),
        ("10.9.2.0/24", "afu9-private-b", "b"),
        ("10.9.100.0/24", "afu9-public-a", "a"),
    ] {
        let id = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(cidr)
            .availability_zone(format!("{REGION}{zone}"))
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Subnet)
                    .tags(Tag::builder().key("Name").value(name).build())
                    .build(),
            )
            .send()
            .await
            .expect("subnet")
            .subnet
            .and_then(|s| s.subnet_id)
            .expect("subnet id");
        subnets.push(id);
    }
    for subnet in &subnets[..2] {
        ec2.associate_route_table()
            .route_table_id(&private_table)
            .subnet_id(subnet)
            .send()
            .await
            .expect("associate the private table");
    }
    let default_group = ec2
        .describe_security_groups()
        .filters(Filter::builder().name("vpc-id").values(&vpc).build())
        .filters(
            Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await
        .expect("default group")
        .security_groups
        .unwrap_or_default()
        .remove(0)
        .group_id
        .expect("group id");
    database(emulator, &subnets[..2], &default_group).await;
    service(emulator, &subnets[2], &default_group).await;
}

/// An internet gateway on the VPC's main table; returns a new table without one (for the
/// private subnets).
pub async fn routes(ec2: &aws_sdk_ec2::Client, vpc: &str) -> String {
    let igw = ec2
        .create_internet_gateway()
        .send()
        .await
        .expect("internet gateway")
        .internet_gateway
        .and_then(|g| g.internet_gateway_id)
        .expect("igw id");
    ec2.attach_internet_gateway()
        .internet_gateway_id(&igw)
        .vpc_id(vpc)
        .send()
        .await
        .expect("attach the gateway");
    let main = ec2
        .describe_route_tables()
        .filters(Filter::builder().name("vpc-id").values(vpc).build())
        .filters(
            Filter::builder()
                .name("association.main")
                .values("true")
                .build(),
        )
        .send()
        .await
        .expect("main table")
        .route_tables
        .unwrap_or_default()
        .remove(0)
        .route_table_id
        .expect("table id");
    ec2.create_route()
        .route_table_id(&main)
        .destination_cidr_block("0.0.0.0/0")
        .gateway_id(&igw)
        .send()
        .await
        .expect("internet route");
    ec2.create_route_table()
        .vpc_id(vpc)
        .send()
        .await
        .expect("private table")
        .route_table
        .and_then(|t| t.route_table_id)
        .expect("table id")
}

async fn database(emulator: &Emulator, subnets: &[String], group: &str) {
    let rds = emulator.rds();
    rds.create_db_subnet_group()
        .db_subnet_group_name("afu9-private")
        .db_subnet_group_description("AFU-9 private subnets")
        .set_subnet_ids(Some(subnets.to_vec()))
        .send()
        .await
        .expect("subnet group");
    rds.create_db_parameter_group()
        .db_parameter_group_name("afu9-postgres16")
        .db_parameter_group_family("postgres16")
        .description("AFU-9 PostgreSQL")
        .send()
        .await
        .expect("parameter group");
    rds.modify_db_parameter_group()
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
        .expect("force_ssl off");
    rds.create_db_instance()
        .db_instance_identifier(DATABASE)
        .db_instance_class("db.t3.micro")
        .engine("postgres")
        .engine_version("16.3")
        .allocated_storage(20)
        .master_username("afu9")
        .master_user_password("dummy-password-for-the-emulator")
        .storage_encrypted(true)
        .publicly_accessible(true)
        .deletion_protection(false)
        .auto_minor_version_upgrade(false)
        .backup_retention_period(1)
        .vpc_security_group_ids(group)
        .db_subnet_group_name("afu9-private")
        .db_parameter_group_name("afu9-postgres16")
        .send()
        .await
        .expect("database");
}

/// The cluster `afu9` and its service `afu9-control-center` running the family's revision 1,
/// in a subnet and a security group of their own in `vpc`: what the family's manifest names,
/// for a posture without the data tier (its first revision must be registered first).
pub async fn seed_control_center_service(emulator: &Emulator, vpc: &str) {
    let ec2 = emulator.ec2();
    let subnet = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block("10.9.1.0/24")
        .send()
        .await
        .expect("create a subnet")
        .subnet
        .and_then(|s| s.subnet_id)
        .expect("the subnet's id");
    let group = ec2
        .create_security_group()
        .group_name("afu9-seed-tasks")
        .description("the service's tasks, before the posture")
        .vpc_id(vpc)
        .send()
        .await
        .expect("create a group")
        .group_id
        .expect("the group's id");
    service(emulator, &subnet, &group).await;
}

async fn service(emulator: &Emulator, subnet: &str, group: &str) {
    let ecs = emulator.ecs();
    ecs.create_cluster()
        .cluster_name("afu9")
        .send()
        .await
        .expect("cluster");
    ecs.create_service()
        .cluster("afu9")
        .service_name("afu9-control-center")
        .task_definition("afu9-control-center:1")
        .desired_count(1)
        .launch_type(LaunchType::Fargate)
        .network_configuration(
            NetworkConfiguration::builder()
                .awsvpc_configuration(
                    AwsVpcConfiguration::builder()
                        .subnets(subnet)
                        .security_groups(group)
                        .assign_public_ip(AssignPublicIp::Enabled)
                        .build()
                        .expect("awsvpc configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("service");
}
