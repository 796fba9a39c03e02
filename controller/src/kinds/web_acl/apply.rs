//! WAF write calls, one `WebAclOp` each. None deletes a web ACL.

use afu9_spec::tags::Tags;
use aws_sdk_wafv2::types::{LoggingConfiguration, Scope, Tag};

use super::rules::AclBody;
use super::{observe, sdk, update};
use crate::aws::{Aws, AwsError, ErrorClass, OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};

/// A web ACL named by a manifest: its ARN when it existed at plan time, else looked up by
/// name when the call runs (it is created earlier in the same apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclRef {
    /// The ACL's name.
    pub name: String,
    /// Its ARN, if known.
    pub arn: Option<String>,
}

/// One WAF call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum WebAclOp {
    /// Create the ACL with its rules and tags.
    #[strum(serialize = "CreateWebACL")]
    CreateWebAcl {
        /// Its name.
        name: String,
        /// Default action, metrics and rules.
        body: AclBody,
        /// Its tags.
        tags: Tags,
    },
    /// Replace the default action, metrics and rules, under the lock token of the read the
    /// plan was made from; a conflict is re-read and re-planned (`update.rs`).
    #[strum(serialize = "UpdateWebACL")]
    UpdateWebAcl {
        /// Its name.
        name: String,
        /// Its id.
        id: String,
        /// The lock token the plan read.
        lock_token: String,
        /// What the manifest asks for.
        body: AclBody,
    },
    /// Log the ACL's requests to a log group.
    PutLoggingConfiguration {
        /// The ACL.
        acl: AclRef,
        /// The log group's name or ARN.
        log_group: String,
    },
    /// Protect a load balancer with the ACL (moving it from another ACL if it had one).
    #[strum(serialize = "AssociateWebACL")]
    AssociateWebAcl {
        /// The ACL.
        acl: AclRef,
        /// The `LoadBalancer` manifest's name.
        load_balancer: String,
        /// The ALB's ARN, if known at plan time.
        alb_arn: Option<String>,
    },
    /// Add or overwrite tags.
    TagResource {
        /// The ACL's ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagResource {
        /// The ACL's ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for WebAclOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateWebAcl { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws))
    }
}

impl WriteCall for WebAclOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateWebAcl { name, .. } => format!("create web ACL {name}"),
            Self::UpdateWebAcl { name, .. } => format!("update web ACL {name}"),
            Self::PutLoggingConfiguration { acl, .. } => format!("log web ACL {}", acl.name),
            Self::AssociateWebAcl {
                acl, load_balancer, ..
            } => format!(
                "protect load balancer {load_balancer} with web ACL {}",
                acl.name
            ),
            Self::TagResource { arn, .. } | Self::UntagResource { arn, .. } => {
                format!("tag web ACL {arn}")
            }
        }
    }
}

fn tag_list(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
        .collect()
}

impl WebAclOp {
    async fn run(&self, aws: &Aws) -> Result<OpOutcome, AwsError> {
        let waf = aws.wafv2();
        match self {
            Self::CreateWebAcl { name, body, tags } => {
                let result = waf
                    .create_web_acl()
                    .name(name)
                    .scope(Scope::Regional)
                    .default_action(sdk::default_action(body))
                    .visibility_config(sdk::visibility(name, body.metrics))
                    .set_rules(Some(sdk::rules(body)))
                    .set_tags((!tags.is_empty()).then(|| tag_list(tags)))
                    .send()
                    .await;
                // AWS says `WAFDuplicateItemException`, the emulator `WafV2DuplicateItem`.
                let outcome = self.done_unless(
                    result,
                    "WAFDuplicateItemException",
                    "a web ACL of that name exists; the next pass reconciles it",
                );
                crate::aws::write::already_done(
                    outcome,
                    "WafV2DuplicateItem",
                    "a web ACL of that name exists; the next pass reconciles it",
                )
            }
            Self::UpdateWebAcl {
                name,
                id,
                lock_token,
                body,
            } => update::update(self, aws, name, id, lock_token, body).await,
            Self::PutLoggingConfiguration { acl, log_group } => {
                let arn = self.resolve(aws, acl).await?;
                let config = LoggingConfiguration::builder()
                    .resource_arn(&arn)
                    .log_destination_configs(destination(&arn, log_group))
                    .build()
                    .map_err(|err| self.failure(ErrorClass::Terminal, err.to_string()))?;
                self.done(
                    waf.put_logging_configuration()
                        .logging_configuration(config)
                        .send()
                        .await,
                )
            }
            Self::AssociateWebAcl {
                acl,
                load_balancer,
                alb_arn,
            } => {
                let arn = self.resolve(aws, acl).await?;
                let alb = match alb_arn {
                    Some(alb) => alb.clone(),
                    None => crate::refs::edge::load_balancer_arns(aws, &[load_balancer])
                        .await?
                        .remove(load_balancer)
                        .ok_or_else(|| {
                            self.failure(
                                ErrorClass::Terminal,
                                format!("no load balancer named {load_balancer}"),
                            )
                        })?,
                };
                self.done(
                    waf.associate_web_acl()
                        .web_acl_arn(arn)
                        .resource_arn(alb)
                        .send()
                        .await,
                )
            }
            Self::TagResource { arn, tags } => self.done(
                waf.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tag_list(tags)))
                    .send()
                    .await,
            ),
            Self::UntagResource { arn, keys } => self.done(
                waf.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
        }
    }

    /// The ACL's ARN: the plan's, else found by name (created earlier in this apply).
    async fn resolve(&self, aws: &Aws, acl: &AclRef) -> Result<String, AwsError> {
        if let Some(arn) = &acl.arn {
            return Ok(arn.clone());
        }
        observe::list(aws.wafv2())
            .await?
            .remove(&acl.name)
            .map(|summary| summary.arn)
            .ok_or_else(|| {
                self.failure(
                    ErrorClass::Transient,
                    format!("no web ACL named {} (yet)", acl.name),
                )
            })
    }
}

/// The log destination: the ARN given, or the log group's ARN in the ACL's region and
/// account (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`).
fn destination(acl_arn: &str, log_group: &str) -> String {
    if log_group.starts_with("arn:") {
        return log_group.to_owned();
    }
    let parts: Vec<&str> = acl_arn.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, partition, _, region, account, _] => {
            format!("arn:{partition}:logs:{region}:{account}:log-group:{log_group}")
        }
        _ => log_group.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_log_group_name_becomes_an_arn_in_the_acls_region_and_account() {
        let acl = "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/afu9/abc";
        assert_eq!(
            super::destination(acl, "aws-waf-logs-afu9"),
            "arn:aws:logs:eu-central-1:123456789012:log-group:aws-waf-logs-afu9"
        );
        let given = "arn:aws:logs:us-east-1:1:log-group:aws-waf-logs-x";
        assert_eq!(super::destination(acl, given), given);
    }
}
