//! IAM role write calls, one `RoleOp` each, all idempotent.

use afu9_spec::tags::Tags;

use crate::aws::{Aws, AwsError};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};
use crate::refs::iam::{GONE, call, sdk_tags};

/// One IAM role call with its arguments fixed at plan time. Documents are sent as the
/// manifest wrote them.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum RoleOp {
    /// Create the role with its trust policy, settings and tags.
    CreateRole(NewRole),
    /// Set or change the permissions boundary.
    PutRolePermissionsBoundary {
        /// Role name.
        role: String,
        /// Boundary policy ARN.
        arn: String,
    },
    /// Remove the permissions boundary.
    DeleteRolePermissionsBoundary {
        /// Role name.
        role: String,
    },
    /// Detach a managed policy.
    DetachRolePolicy {
        /// Role name.
        role: String,
        /// Policy ARN.
        arn: String,
    },
    /// Delete an inline policy.
    DeleteRolePolicy {
        /// Role name.
        role: String,
        /// Inline policy name.
        policy: String,
    },
    /// Create or replace an inline policy.
    PutRolePolicy {
        /// Role name.
        role: String,
        /// Inline policy name.
        policy: String,
        /// Policy JSON.
        document: String,
        /// Whether the role was created earlier in this apply.
        after_create: bool,
    },
    /// Replace the trust policy.
    UpdateAssumeRolePolicy {
        /// Role name.
        role: String,
        /// Trust policy JSON.
        document: String,
    },
    /// Set description and session length.
    UpdateRole {
        /// Role name.
        role: String,
        /// Description (empty clears it).
        description: String,
        /// Session length in seconds.
        max_session_duration: i32,
    },
    /// Attach a managed policy.
    AttachRolePolicy {
        /// Role name.
        role: String,
        /// Policy ARN.
        arn: String,
        /// Whether the role was created earlier in this apply.
        after_create: bool,
    },
    /// Add or overwrite tags.
    TagRole {
        /// Role name.
        role: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    UntagRole {
        /// Role name.
        role: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
    /// Take the role out of an instance profile (before pruning deletes it).
    RemoveRoleFromInstanceProfile {
        /// Role name.
        role: String,
        /// Instance profile name.
        profile: String,
    },
    /// Delete an orphan role with nothing attached any more (pruning).
    DeleteRole {
        /// Role name.
        role: String,
    },
}

/// Everything `CreateRole` sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRole {
    /// Role name.
    pub role: String,
    /// Path.
    pub path: String,
    /// Trust policy JSON.
    pub trust_policy: String,
    /// Description.
    pub description: Option<String>,
    /// Session length in seconds.
    pub max_session_duration: i32,
    /// Permissions boundary ARN.
    pub permissions_boundary: Option<String>,
    /// Every tag, the ownership tag included.
    pub tags: Tags,
}

impl Operation for RoleOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateRole(_) => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.iam()))
    }
}

impl WriteCall for RoleOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        format!("update iam role {}", self.role())
    }
}

impl RoleOp {
    fn role(&self) -> &str {
        match self {
            Self::CreateRole(NewRole { role, .. })
            | Self::PutRolePermissionsBoundary { role, .. }
            | Self::DeleteRolePermissionsBoundary { role }
            | Self::DetachRolePolicy { role, .. }
            | Self::DeleteRolePolicy { role, .. }
            | Self::PutRolePolicy { role, .. }
            | Self::UpdateAssumeRolePolicy { role, .. }
            | Self::UpdateRole { role, .. }
            | Self::AttachRolePolicy { role, .. }
            | Self::TagRole { role, .. }
            | Self::UntagRole { role, .. }
            | Self::RemoveRoleFromInstanceProfile { role, .. }
            | Self::DeleteRole { role } => role,
        }
    }

    async fn create(
        &self,
        iam: &aws_sdk_iam::Client,
        new: &NewRole,
    ) -> Result<OpOutcome, AwsError> {
        let NewRole {
            role,
            path,
            trust_policy,
            description,
            max_session_duration,
            permissions_boundary,
            tags,
        } = new;
        self.done_unless(
            iam.create_role()
                .role_name(role)
                .path(path)
                .assume_role_policy_document(trust_policy)
                .set_description(description.clone())
                .max_session_duration(*max_session_duration)
                .set_permissions_boundary(permissions_boundary.clone())
                .set_tags(Some(sdk_tags(tags)))
                .send()
                .await,
            "EntityAlreadyExists",
            "the role already exists; the next pass reconciles it",
        )
    }

    /// Deletes the role, once nothing holds it (pruning); a role already gone is done.
    async fn delete_role(
        &self,
        iam: &aws_sdk_iam::Client,
        role: &str,
    ) -> Result<OpOutcome, AwsError> {
        self.done_unless(
            iam.delete_role().role_name(role).send().await,
            "NoSuchEntity",
            "the role is already gone",
        )
    }

    async fn run(&self, iam: &aws_sdk_iam::Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::CreateRole(new) => self.create(iam, new).await,
            Self::PutRolePermissionsBoundary { role, arn } => self.done(
                iam.put_role_permissions_boundary()
                    .role_name(role)
                    .permissions_boundary(arn)
                    .send()
                    .await,
            ),
            Self::DeleteRolePermissionsBoundary { role } => {
                let request = iam.delete_role_permissions_boundary().role_name(role);
                self.done_unless(request.send().await, GONE, "already gone")
            }
            Self::DetachRolePolicy { role, arn } => {
                let request = iam.detach_role_policy().role_name(role).policy_arn(arn);
                self.done_unless(request.send().await, GONE, "already gone")
            }
            Self::DeleteRolePolicy { role, policy } => {
                let request = iam.delete_role_policy().role_name(role).policy_name(policy);
                self.done_unless(request.send().await, GONE, "already gone")
            }
            Self::PutRolePolicy {
                role,
                policy,
                document,
                after_create,
            } => {
                call(*after_create, || async {
                    self.done(
                        iam.put_role_policy()
                            .role_name(role)
                            .policy_name(policy)
                            .policy_document(document)
                            .send()
                            .await,
                    )
                })
                .await
            }
            Self::UpdateAssumeRolePolicy { role, document } => self.done(
                iam.update_assume_role_policy()
                    .role_name(role)
                    .policy_document(document)
                    .send()
                    .await,
            ),
            Self::UpdateRole {
                role,
                description,
                max_session_duration,
            } => self.done(
                iam.update_role()
                    .role_name(role)
                    .description(description)
                    .max_session_duration(*max_session_duration)
                    .send()
                    .await,
            ),
            Self::AttachRolePolicy {
                role,
                arn,
                after_create,
            } => {
                call(*after_create, || async {
                    self.done(
                        iam.attach_role_policy()
                            .role_name(role)
                            .policy_arn(arn)
                            .send()
                            .await,
                    )
                })
                .await
            }
            Self::TagRole { role, tags } => self.done(
                iam.tag_role()
                    .role_name(role)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::UntagRole { role, keys } => self.done(
                iam.untag_role()
                    .role_name(role)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
            Self::RemoveRoleFromInstanceProfile { role, profile } => self.done(
                iam.remove_role_from_instance_profile()
                    .role_name(role)
                    .instance_profile_name(profile)
                    .send()
                    .await,
            ),
            Self::DeleteRole { role } => self.delete_role(iam, role).await,
        }
    }
}
