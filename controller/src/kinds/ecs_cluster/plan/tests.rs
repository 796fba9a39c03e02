use std::collections::BTreeMap;
use std::path::Path;

use afu9_spec::load::load_str;
use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use crate::engine::PlanContext;
use crate::kinds::ecs_cluster::{AwsVpcObserved, EcsClusterObserved, EcsClusters, ServiceObserved};
use crate::plan::{Action, ResourcePlan};
use crate::refs::network::{PublicRoute, Subnet};

const CLUSTER: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-ecs}
spec: {vpc: {id: vpc-1}, description: ecs}
---
apiVersion: posture.afu9.io/v1alpha1
kind: EcsCluster
metadata: {name: afu9}
spec:
  containerInsights: enabled
  services:
    web:
      assignPublicIp: DISABLED
      subnets: [afu9-private-a, subnet-b]
      securityGroups: [afu9-ecs]
";

fn subnet(id: &str, name: Option<&str>) -> Subnet {
    Subnet {
        id: id.to_owned(),
        vpc: "vpc-1".to_owned(),
        name: name.map(str::to_owned),
    }
}

/// The live cluster exactly as `CLUSTER` wants it.
fn in_sync() -> EcsClusterObserved {
    EcsClusterObserved {
        arn: "arn:aws:ecs:eu-central-1:123456789012:cluster/afu9".to_owned(),
        container_insights: Some("enabled".to_owned()),
        tags: Tags::from([(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]),
        services: BTreeMap::from([(
            "web".to_owned(),
            Some(ServiceObserved {
                awsvpc: Some(AwsVpcObserved {
                    assign_public_ip: "DISABLED".to_owned(),
                    subnets: vec!["subnet-a".to_owned(), "subnet-b".to_owned()],
                    security_groups: vec!["sg-ecs".to_owned()],
                }),
            }),
        )]),
        subnets: BTreeMap::from([
            (
                "afu9-private-a".to_owned(),
                vec![subnet("subnet-a", Some("afu9-private-a"))],
            ),
            ("subnet-b".to_owned(), vec![subnet("subnet-b", None)]),
        ]),
        public_routes: BTreeMap::new(),
        group_ids: BTreeMap::from([("afu9-ecs".to_owned(), "sg-ecs".to_owned())]),
    }
}

fn plan_for(yaml: &str, have: Option<&EcsClusterObserved>) -> ResourcePlan {
    let state = load_str(Path::new("test.yaml"), yaml).expect("valid manifests");
    let cx = PlanContext {
        state: &state,
        identity: None,
        events: &[],
    };
    crate::kinds::registered::<EcsClusters>().plan_one(&cx, &state.ecs_clusters[0], have)
}

fn paths(plan: &ResourcePlan) -> Vec<&str> {
    plan.changes.iter().map(|c| c.path.as_str()).collect()
}

fn calls(plan: &ResourcePlan) -> Vec<&str> {
    plan.ops.iter().map(|op| op.call()).collect()
}

fn live(have: &mut EcsClusterObserved) -> &mut AwsVpcObserved {
    have.services
        .get_mut("web")
        .and_then(Option::as_mut)
        .and_then(|s| s.awsvpc.as_mut())
        .expect("web is in awsvpc mode")
}

#[test]
fn in_sync_is_noop() {
    let plan = plan_for(CLUSTER, Some(&in_sync()));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
}

#[test]
fn insights_off_and_a_public_ip_are_fixed() {
    let mut have = in_sync();
    have.container_insights = None;
    live(&mut have).assign_public_ip = "ENABLED".to_owned();
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(
        paths(&plan),
        ["spec.containerInsights", "spec.services.web.assignPublicIp"]
    );
    assert_eq!(calls(&plan), ["UpdateCluster", "UpdateService"]);
}

#[test]
fn other_subnets_and_groups_are_shown_by_name_and_replaced() {
    let mut have = in_sync();
    live(&mut have).subnets = vec!["subnet-a".to_owned()];
    live(&mut have).security_groups = vec!["sg-other".to_owned()];
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(
        paths(&plan),
        [
            "spec.services.web.subnets",
            "spec.services.web.securityGroups"
        ]
    );
    assert_eq!(
        plan.changes[0].before,
        Some(serde_json::json!(["afu9-private-a"]))
    );
    assert_eq!(calls(&plan), ["UpdateService"]);
}

#[test]
fn an_equivalent_rewrite_stays_quiet() {
    let yaml = CLUSTER.replace("[afu9-private-a, subnet-b]", "[subnet-b, afu9-private-a]");
    assert_eq!(plan_for(&yaml, Some(&in_sync())).action, Action::Noop);
}

#[test]
fn a_public_or_unknown_subnet_blocks_the_placement() {
    let mut have = in_sync();
    live(&mut have).assign_public_ip = "ENABLED".to_owned();
    have.public_routes.insert(
        "subnet-b".to_owned(),
        PublicRoute {
            subnet: "subnet-b".to_owned(),
            route_table: "rtb-1".to_owned(),
            main: false,
            destination: "0.0.0.0/0".to_owned(),
            gateway: "igw-1".to_owned(),
        },
    );
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    assert!(
        plan.reason.as_deref().is_some_and(|r| r.contains(
            "subnet subnet-b is public: its route table rtb-1 routes 0.0.0.0/0 to the internet gateway igw-1"
        )),
        "{:?}",
        plan.reason
    );
    let mut have = in_sync();
    have.subnets.remove("afu9-private-a");
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(
        plan.reason
            .as_deref()
            .is_some_and(|r| r.contains("no subnet is afu9-private-a"))
    );
}

#[test]
fn a_missing_service_or_one_outside_awsvpc_is_blocked_while_insights_converge() {
    let mut have = in_sync();
    have.container_insights = Some("disabled".to_owned());
    have.services.insert("web".to_owned(), None);
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert_eq!(calls(&plan), ["UpdateCluster"]);
    let mut have = in_sync();
    have.services
        .insert("web".to_owned(), Some(ServiceObserved { awsvpc: None }));
    let plan = plan_for(CLUSTER, Some(&have));
    assert!(plan.reason.as_deref().is_some_and(|r| r.contains("awsvpc")));
}

#[test]
fn a_missing_cluster_is_never_created_and_unowned_is_left_alone() {
    let plan = plan_for(CLUSTER, None);
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
    let mut have = in_sync();
    have.tags.clear();
    have.container_insights = None;
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(plan.action, Action::Blocked);
    assert!(plan.ops.is_empty());
}

#[test]
fn a_group_created_by_the_same_apply_is_named_for_the_op_to_look_up() {
    let mut have = in_sync();
    have.group_ids.clear();
    let plan = plan_for(CLUSTER, Some(&have));
    assert_eq!(plan.action, Action::Update);
    assert_eq!(paths(&plan), ["spec.services.web.securityGroups"]);
    let op = format!("{:?}", plan.ops[0]);
    assert!(
        op.contains(r#"Created { name: "afu9-ecs", vpc: "vpc-1" }"#),
        "{op}"
    );
    assert_eq!(plan.depends_on.len(), 1);
}

#[test]
fn facts_read_the_live_services_not_the_manifest() {
    use crate::engine::Attests as _;
    let state = load_str(Path::new("test.yaml"), CLUSTER).expect("valid manifests");
    let judged = |have: &EcsClusterObserved| -> Vec<(String, bool)> {
        EcsClusters::facts(&state.ecs_clusters[0], have)
            .into_iter()
            .map(|f| (format!("{} {}", f.control, f.field), f.holds))
            .collect()
    };
    assert_eq!(
        judged(&in_sync()),
        [("ECS.2 services.web.assignPublicIp".to_owned(), true)]
    );
    let mut public = in_sync();
    if let Some(Some(ServiceObserved {
        awsvpc: Some(awsvpc),
    })) = public.services.get_mut("web")
    {
        awsvpc.assign_public_ip = "ENABLED".to_owned();
    }
    assert_eq!(
        judged(&public),
        [("ECS.2 services.web.assignPublicIp".to_owned(), false)]
    );
}
