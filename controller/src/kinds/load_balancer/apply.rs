//! ELB write calls, one `LoadBalancerOp` each, all idempotent. None creates or deletes a
//! load balancer.

use afu9_spec::load_balancer::ListenerProtocol;
use afu9_spec::tags::Tags;
use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, ListenerAttribute, LoadBalancerAttribute, ProtocolEnum,
    RedirectActionConfig, RedirectActionStatusCodeEnum, Tag,
};

use crate::aws::{Aws, AwsError, ErrorClass};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation};

/// A security group to attach: its manifest name, and its id when it existed at plan time
/// (else it is looked up in the VPC when the call runs: it is created earlier in the apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The group's name.
    pub name: String,
    /// Its id, if known.
    pub id: Option<String>,
}

/// One ELB call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum LoadBalancerOp {
    /// Replace the attached security groups.
    SetSecurityGroups {
        /// Load balancer ARN.
        arn: String,
        /// Exactly the groups wanted.
        groups: Vec<GroupRef>,
        /// The load balancer's VPC (where unknown ids are looked up).
        vpc: String,
    },
    /// Set attributes (only the keys that differ).
    #[strum(serialize = "ModifyLoadBalancerAttributes")]
    ModifyAttributes {
        /// Load balancer ARN.
        arn: String,
        /// Key → value, as ELB names them.
        attributes: Vec<(String, String)>,
    },
    /// Change a listener's protocol, policy, certificate or (HTTP) its redirect.
    ModifyListener {
        /// Listener ARN.
        arn: String,
        /// Its port (for messages).
        port: u16,
        /// A new protocol, if it changes.
        protocol: Option<ListenerProtocol>,
        /// A new security policy, if it changes.
        ssl_policy: Option<String>,
        /// A new default certificate, if it changes.
        certificate: Option<String>,
        /// The HTTPS port of the one default action, a 301 redirect, if it changes.
        redirect_to: Option<u16>,
    },
    /// Set a listener's response-header attributes (only the keys that differ).
    ModifyListenerAttributes {
        /// Listener ARN.
        arn: String,
        /// Its port (for messages).
        port: u16,
        /// Key → value, as ELB names them.
        attributes: Vec<(String, String)>,
    },
    /// Create an HTTP listener whose one action is a 301 to HTTPS.
    #[strum(serialize = "CreateListener")]
    CreateRedirectListener {
        /// Load balancer ARN.
        arn: String,
        /// The HTTP port.
        port: u16,
        /// The HTTPS port it redirects to.
        to_port: u16,
    },
    /// Delete a listener the manifest does not name.
    DeleteListener {
        /// Listener ARN.
        arn: String,
        /// Its port (for messages).
        port: u16,
    },
    /// Add or overwrite tags.
    AddTags {
        /// Load balancer ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    RemoveTags {
        /// Load balancer ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for LoadBalancerOp {
    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws))
    }
}

impl WriteCall for LoadBalancerOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::SetSecurityGroups { arn, .. } | Self::ModifyAttributes { arn, .. } => {
                format!("update load balancer {arn}")
            }
            Self::ModifyListener { arn, port, .. }
            | Self::ModifyListenerAttributes { arn, port, .. }
            | Self::DeleteListener { arn, port } => {
                format!("update listener on port {port} ({arn})")
            }
            Self::CreateRedirectListener { arn, port, .. } => {
                format!("create listener on port {port} of {arn}")
            }
            Self::AddTags { arn, .. } | Self::RemoveTags { arn, .. } => {
                format!("tag load balancer {arn}")
            }
        }
    }
}

fn redirect(to_port: u16) -> Action {
    Action::builder()
        .r#type(ActionTypeEnum::Redirect)
        .redirect_config(
            RedirectActionConfig::builder()
                .protocol("HTTPS")
                .port(to_port.to_string())
                .host("#{host}")
                .path("/#{path}")
                .query("#{query}")
                .status_code(RedirectActionStatusCodeEnum::Http301)
                .build(),
        )
        .build()
}

fn listener_attributes(attributes: &[(String, String)]) -> Vec<ListenerAttribute> {
    attributes
        .iter()
        .map(|(key, value)| ListenerAttribute::builder().key(key).value(value).build())
        .collect()
}

fn protocol(protocol: ListenerProtocol) -> ProtocolEnum {
    ProtocolEnum::from(protocol.as_str())
}

impl LoadBalancerOp {
    async fn run(&self, aws: &Aws) -> Result<OpOutcome, AwsError> {
        let elb: &Client = aws.elbv2();
        match self {
            Self::SetSecurityGroups { arn, groups, vpc } => {
                let ids = self.group_ids(aws, groups, vpc).await?;
                self.done(
                    elb.set_security_groups()
                        .load_balancer_arn(arn)
                        .set_security_groups(Some(ids))
                        .send()
                        .await,
                )
            }
            Self::ModifyAttributes { arn, attributes } => self.done(
                elb.modify_load_balancer_attributes()
                    .load_balancer_arn(arn)
                    .set_attributes(Some(
                        attributes
                            .iter()
                            .map(|(key, value)| {
                                LoadBalancerAttribute::builder()
                                    .key(key)
                                    .value(value)
                                    .build()
                            })
                            .collect(),
                    ))
                    .send()
                    .await,
            ),
            Self::ModifyListener {
                arn,
                protocol: new_protocol,
                ssl_policy,
                certificate,
                redirect_to,
                ..
            } => self.done(
                elb.modify_listener()
                    .listener_arn(arn)
                    .set_protocol(new_protocol.map(protocol))
                    .set_ssl_policy(ssl_policy.clone())
                    .set_certificates(
                        certificate
                            .as_ref()
                            .map(|arn| vec![Certificate::builder().certificate_arn(arn).build()]),
                    )
                    .set_default_actions(redirect_to.map(|port| vec![redirect(port)]))
                    .send()
                    .await,
            ),
            Self::ModifyListenerAttributes {
                arn, attributes, ..
            } => self.done(
                elb.modify_listener_attributes()
                    .listener_arn(arn)
                    .set_attributes(Some(listener_attributes(attributes)))
                    .send()
                    .await,
            ),
            Self::CreateRedirectListener { arn, port, to_port } => self.done_unless(
                elb.create_listener()
                    .load_balancer_arn(arn)
                    .protocol(ProtocolEnum::Http)
                    .port(i32::from(*port))
                    .default_actions(redirect(*to_port))
                    .send()
                    .await,
                "DuplicateListener",
                "a listener on the port already exists; the next pass reconciles it",
            ),
            Self::DeleteListener { arn, .. } => self.done_unless(
                elb.delete_listener().listener_arn(arn).send().await,
                "ListenerNotFound",
                "the listener is already gone",
            ),
            Self::AddTags { arn, tags } => self.done(
                elb.add_tags()
                    .resource_arns(arn)
                    .set_tags(Some(
                        tags.iter()
                            .map(|(k, v)| Tag::builder().key(k).value(v).build())
                            .collect(),
                    ))
                    .send()
                    .await,
            ),
            Self::RemoveTags { arn, keys } => self.done(
                elb.remove_tags()
                    .resource_arns(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
        }
    }

    /// The groups' ids: those known at plan time, the others looked up in the VPC (groups
    /// this apply created, which EC2 may list a moment late).
    async fn group_ids(
        &self,
        aws: &Aws,
        groups: &[GroupRef],
        vpc: &str,
    ) -> Result<Vec<String>, AwsError> {
        let unknown: Vec<(String, String)> = groups
            .iter()
            .filter(|g| g.id.is_none())
            .map(|g| (g.name.clone(), vpc.to_owned()))
            .collect();
        let found = crate::refs::groups::resolve_names(aws.ec2(), &unknown).await?;
        groups
            .iter()
            .map(|g| {
                g.id.clone()
                    .or_else(|| found.get(&g.name).cloned())
                    .ok_or_else(|| {
                        self.failure(
                            ErrorClass::Terminal,
                            format!("no security group {} in {vpc}", g.name),
                        )
                    })
            })
            .collect()
    }
}
