//! ECS write calls of the cluster kind, one `ClusterOp` each. moto implements no
//! `UpdateClusterSettings`; `UpdateCluster` takes the same settings (on AWS too).

use afu9_spec::tags::Tags;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ClusterSetting, ClusterSettingName, NetworkConfiguration,
    Tag,
};

use crate::aws::{Aws, AwsError, ErrorClass};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};
use crate::refs::groups::{GroupId, resolve_group_ids};

/// A service's whole `awsvpc` configuration, as `UpdateService` sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// `DISABLED` or `ENABLED`.
    pub assign_public_ip: String,
    /// Subnet ids, sorted.
    pub subnets: Vec<String>,
    /// The security groups.
    pub security_groups: Vec<GroupId>,
}

/// One ECS call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum ClusterOp {
    /// Set Container Insights.
    #[strum(serialize = "UpdateCluster")]
    UpdateClusterSettings {
        /// Cluster name.
        cluster: String,
        /// `enabled` or `enhanced`.
        container_insights: String,
    },
    /// Replace a service's `awsvpc` configuration (ECS rolls its tasks).
    UpdateService {
        /// Cluster name.
        cluster: String,
        /// Service name.
        service: String,
        /// The whole configuration.
        placement: Placement,
    },
    /// Add or overwrite tags.
    TagResource {
        /// Cluster ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// Cluster ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for ClusterOp {
    fn phase(&self) -> Phase {
        Phase::Converge
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws))
    }
}

impl WriteCall for ClusterOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::UpdateClusterSettings { cluster, .. } => format!("update ecs cluster {cluster}"),
            Self::UpdateService {
                cluster, service, ..
            } => format!("place ecs service {cluster}/{service}"),
            Self::TagResource { arn, .. } | Self::UntagResource { arn, .. } => {
                format!("tag ecs cluster {arn}")
            }
        }
    }
}

impl ClusterOp {
    async fn run(&self, aws: &Aws) -> Result<OpOutcome, AwsError> {
        let ecs = aws.ecs();
        match self {
            Self::UpdateClusterSettings {
                cluster,
                container_insights,
            } => self.done(
                ecs.update_cluster()
                    .cluster(cluster)
                    .settings(
                        ClusterSetting::builder()
                            .name(ClusterSettingName::ContainerInsights)
                            .value(container_insights)
                            .build(),
                    )
                    .send()
                    .await,
            ),
            Self::UpdateService {
                cluster,
                service,
                placement,
            } => {
                let groups = resolve_group_ids(
                    aws.ec2(),
                    &self.subject(),
                    self.call(),
                    &placement.security_groups,
                )
                .await?;
                let awsvpc = AwsVpcConfiguration::builder()
                    .set_subnets(Some(placement.subnets.clone()))
                    .set_security_groups(Some(groups))
                    .assign_public_ip(AssignPublicIp::from(placement.assign_public_ip.as_str()))
                    .build()
                    .map_err(|err| self.failure(ErrorClass::Terminal, err.to_string()))?;
                self.done(
                    ecs.update_service()
                        .cluster(cluster)
                        .service(service)
                        .network_configuration(
                            NetworkConfiguration::builder()
                                .awsvpc_configuration(awsvpc)
                                .build(),
                        )
                        .send()
                        .await,
                )
            }
            Self::TagResource { arn, tags } => self.done(
                ecs.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(
                        tags.iter()
                            .map(|(k, v)| Tag::builder().key(k).value(v).build())
                            .collect(),
                    ))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                ecs.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
        }
    }
}
