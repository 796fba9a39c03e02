use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::*;
use crate::kinds::ecs_cluster::ServiceObserved;
use crate::kinds::round_trip::{round_trip, round_trip_alongside};
use crate::plan::Action;
use crate::refs::network::Subnet;

/// The `SecurityGroup` manifest the imported service names.
const GROUP: &str = r"apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-ecs}
spec: {vpc: {id: vpc-1}, description: AFU-9 ECS tasks}
";

fn subnet(id: &str, name: &str) -> (String, Vec<Subnet>) {
    (
        id.to_owned(),
        vec![Subnet {
            id: id.to_owned(),
            vpc: "vpc-1".to_owned(),
            name: Some(name.to_owned()),
        }],
    )
}

/// The AFU-9 cluster as observe reads it for a manifest naming its subnets by id and its
/// group by name: Container Insights on, the service in two private subnets.
fn afu9() -> EcsClusterObserved {
    EcsClusterObserved {
        arn: "arn:aws:ecs:eu-central-1:123456789012:cluster/afu9".to_owned(),
        container_insights: Some("enabled".to_owned()),
        tags: Tags::from([
            (MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned()),
            ("team".to_owned(), "platform".to_owned()),
        ]),
        services: BTreeMap::from([(
            "afu9-control-center".to_owned(),
            Some(ServiceObserved {
                awsvpc: Some(AwsVpcObserved {
                    assign_public_ip: "DISABLED".to_owned(),
                    subnets: vec!["subnet-a".to_owned(), "subnet-b".to_owned()],
                    security_groups: vec!["sg-ecs".to_owned()],
                }),
            }),
        )]),
        subnets: BTreeMap::from([
            subnet("subnet-a", "afu9-private-a"),
            subnet("subnet-b", "afu9-private-b"),
        ]),
        public_routes: BTreeMap::new(),
        group_ids: BTreeMap::from([("afu9-ecs".to_owned(), "sg-ecs".to_owned())]),
    }
}

#[test]
fn a_service_behind_an_imported_group_imports_in_sync_naming_the_group() {
    let have = afu9();
    let names = BTreeMap::from([("sg-ecs".to_owned(), "afu9-ecs".to_owned())]);
    let spec = import(ImportContext { names: &names }, "afu9", &have);
    let service = &spec.services["afu9-control-center"];
    assert_eq!(service.security_groups, ["afu9-ecs"]);
    assert_eq!(service.subnets, ["subnet-a", "subnet-b"]);
    assert_eq!(spec.container_insights, Some(ContainerInsights::Enabled));
    let plan = round_trip_alongside::<EcsClusters>(GROUP, &[("afu9", &have)], &names, None)
        .pop()
        .expect("one plan");
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn a_service_behind_a_group_not_imported_is_left_out_and_the_cluster_imports_in_sync() {
    let have = afu9();
    let names = BTreeMap::new();
    let spec = import(ImportContext { names: &names }, "afu9", &have);
    assert!(spec.services.is_empty(), "{:?}", spec.services);
    let plan = round_trip::<EcsClusters>("afu9", &have, &names, None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

/// An insecure cluster is imported as it is (its guardrails then refuse the manifest).
#[test]
fn a_cluster_without_insights_and_a_public_service_is_imported_as_it_is() {
    let mut have = afu9();
    have.container_insights = None;
    if let Some(Some(service)) = have.services.get_mut("afu9-control-center")
        && let Some(awsvpc) = service.awsvpc.as_mut()
    {
        awsvpc.assign_public_ip = "ENABLED".to_owned();
    }
    let names = BTreeMap::from([("sg-ecs".to_owned(), "afu9-ecs".to_owned())]);
    let spec = import(ImportContext { names: &names }, "afu9", &have);
    assert_eq!(spec.container_insights, Some(ContainerInsights::Disabled));
    assert_eq!(
        spec.services["afu9-control-center"].assign_public_ip,
        AssignPublicIp::Enabled
    );
}

#[test]
fn a_service_not_in_awsvpc_mode_or_gone_is_left_out() {
    let mut have = afu9();
    have.services
        .insert("bridge".to_owned(), Some(ServiceObserved { awsvpc: None }));
    have.services.insert("gone".to_owned(), None);
    let names = BTreeMap::from([("sg-ecs".to_owned(), "afu9-ecs".to_owned())]);
    let spec = import(ImportContext { names: &names }, "afu9", &have);
    assert_eq!(
        spec.services.keys().collect::<Vec<_>>(),
        ["afu9-control-center"]
    );
}

#[test]
fn cluster_and_service_arns_name_their_last_segment() {
    assert_eq!(
        last_segment("arn:aws:ecs:eu-central-1:123456789012:service/afu9/web"),
        "web"
    );
    assert_eq!(
        last_segment("arn:aws:ecs:eu-central-1:123456789012:cluster/afu9"),
        "afu9"
    );
}
