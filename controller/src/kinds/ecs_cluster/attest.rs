//! What a live cluster's services prove: their tasks get no public IP address (ECS.2), read
//! off each service's `awsvpc` configuration as ECS reports it.

use afu9_spec::Resource;
use afu9_spec::ecs_cluster::EcsClusterSpec;
use serde_json::Value;

use super::{EcsClusterObserved, EcsClusters};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for EcsClusters {
    fn facts(_want: &Resource<EcsClusterSpec>, have: &EcsClusterObserved) -> Vec<Fact> {
        have.services
            .iter()
            .filter_map(|(name, service)| Some((name, service.as_ref()?)))
            .map(|(name, service)| {
                let field = format!("services.{name}.assignPublicIp");
                match &service.awsvpc {
                    Some(awsvpc) => Fact::judged(
                        "ECS.2",
                        field,
                        Some(Value::String(awsvpc.assign_public_ip.clone())),
                        awsvpc.assign_public_ip == "DISABLED",
                        (
                            &format!("service {name}'s tasks get no public IP address"),
                            &format!("service {name}'s tasks get a public IP address"),
                        ),
                    ),
                    None => Fact::fails(
                        "ECS.2",
                        field,
                        None,
                        format!("service {name}'s tasks are not in awsvpc mode: their placement is not their own"),
                    ),
                }
            })
            .collect()
    }
}
