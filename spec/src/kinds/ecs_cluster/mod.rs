//! `EcsCluster`: Container Insights on a cluster and the network placement of the services
//! the posture names in it.
//!
//! The application's stack creates the cluster and its services; afu9-posture adopts them and
//! owns only these settings. One resource per cluster, not per service: Container Insights is
//! a cluster setting, and a cluster's services are read in one `DescribeServices`. Fields
//! left out are unmanaged.

mod validate;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tags::Tags;

/// One cluster (`metadata.name` is the cluster name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EcsClusterSpec {
    /// Container Insights (Security Hub ECS.12: not `disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_insights: Option<ContainerInsights>,
    /// The services whose placement is managed, by service name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, ServicePlacement>,
    /// Tags of the cluster.
    #[serde(default)]
    pub tags: Tags,
}

/// Container Insights settings ECS accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContainerInsights {
    /// Metrics per cluster and service.
    Enabled,
    /// Metrics per task and container as well.
    Enhanced,
    /// No metrics.
    Disabled,
}

impl ContainerInsights {
    /// The value ECS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Enhanced => "enhanced",
            Self::Disabled => "disabled",
        }
    }
}

/// Where a service's tasks run: always `awsvpc`, in private subnets, behind named groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServicePlacement {
    /// Whether tasks get a public IP (Security Hub ECS.2: must be `DISABLED`).
    pub assign_public_ip: AssignPublicIp,
    /// The subnets, exactly: subnet ids (`subnet-…`) or their `Name` tags. Each must be
    /// private (no route to an internet gateway).
    pub subnets: Vec<String>,
    /// The security groups, exactly: names of `SecurityGroup` manifests.
    pub security_groups: Vec<String>,
}

/// ECS's `assignPublicIp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum AssignPublicIp {
    /// No public IP.
    Disabled,
    /// A public IP per task.
    Enabled,
}

impl AssignPublicIp {
    /// The value ECS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disabled => "DISABLED",
            Self::Enabled => "ENABLED",
        }
    }
}
