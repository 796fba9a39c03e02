//! RDS write calls, one `RdsOp` each. `ModifyDBInstance` is sent without `ApplyImmediately`:
//! the fields it carries (public access, deletion protection, security groups, minor
//! upgrades) take effect at once anyway; a backup-retention change to or from 0 and a new
//! parameter group wait for the maintenance window or a reboot, which afu9-posture never
//! forces, and other modifications someone queued are not pulled forward.

use afu9_spec::tags::Tags;
use aws_sdk_rds::types::{ApplyMethod, Parameter, Tag};

use crate::aws::{Aws, AwsError, ErrorClass};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation, Phase};
use crate::refs::groups::{GroupId, resolve_group_ids};

/// The fields one `ModifyDBInstance` changes; `None` is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbChanges {
    /// Public address.
    pub publicly_accessible: Option<bool>,
    /// Deletion protection.
    pub deletion_protection: Option<bool>,
    /// Automatic minor upgrades.
    pub auto_minor_version_upgrade: Option<bool>,
    /// Backup retention in days.
    pub backup_retention_days: Option<i32>,
    /// The VPC security groups, exactly.
    pub security_group_ids: Option<Vec<GroupId>>,
    /// The parameter group to attach.
    pub parameter_group: Option<String>,
}

impl DbChanges {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One RDS call with its arguments fixed at plan time.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum RdsOp {
    /// Create the custom parameter group (empty: the engine's defaults).
    #[strum(serialize = "CreateDBParameterGroup")]
    CreateParameterGroup {
        /// Group name.
        name: String,
        /// Parameter group family.
        family: String,
        /// Description (required by RDS).
        description: String,
        /// Tags, the ownership tag included.
        tags: Tags,
    },
    /// Set one parameter of a custom group.
    #[strum(serialize = "ModifyDBParameterGroup")]
    SetParameter {
        /// Group name.
        group: String,
        /// Parameter name.
        name: String,
        /// Value.
        value: String,
        /// `pending-reboot` rather than `immediate` (a static parameter).
        pending_reboot: bool,
    },
    /// Change the database's settings in one call.
    #[strum(serialize = "ModifyDBInstance")]
    ModifyDbInstance {
        /// Instance identifier.
        id: String,
        /// The fields to change.
        changes: DbChanges,
    },
    /// Add or overwrite tags.
    #[strum(serialize = "AddTagsToResource")]
    AddTags {
        /// Instance ARN.
        arn: String,
        /// Tags to set.
        tags: Tags,
    },
    /// Remove tags.
    #[strum(serialize = "RemoveTagsFromResource")]
    RemoveTags {
        /// Instance ARN.
        arn: String,
        /// Keys to remove.
        keys: Vec<String>,
    },
}

impl Operation for RdsOp {
    fn phase(&self) -> Phase {
        match self {
            Self::CreateParameterGroup { .. } => Phase::Create,
            _ => Phase::Converge,
        }
    }

    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws))
    }
}

impl WriteCall for RdsOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::CreateParameterGroup { name, .. } | Self::SetParameter { group: name, .. } => {
                format!("update db parameter group {name}")
            }
            Self::ModifyDbInstance { id, .. } => format!("update database {id}"),
            Self::AddTags { arn, .. } | Self::RemoveTags { arn, .. } => {
                format!("tag database {arn}")
            }
        }
    }
}

impl RdsOp {
    async fn run(&self, aws: &Aws) -> Result<OpOutcome, AwsError> {
        let rds = aws.rds();
        match self {
            Self::CreateParameterGroup {
                name,
                family,
                description,
                tags,
            } => self.done_unless(
                rds.create_db_parameter_group()
                    .db_parameter_group_name(name)
                    .db_parameter_group_family(family)
                    .description(description)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
                "DBParameterGroupAlreadyExists",
                "the parameter group already exists; its parameter is set next",
            ),
            Self::SetParameter {
                group,
                name,
                value,
                pending_reboot,
            } => {
                let method = if *pending_reboot {
                    ApplyMethod::PendingReboot
                } else {
                    ApplyMethod::Immediate
                };
                let parameter = Parameter::builder()
                    .parameter_name(name)
                    .parameter_value(value)
                    .apply_method(method)
                    .build();
                self.done(
                    rds.modify_db_parameter_group()
                        .db_parameter_group_name(group)
                        .parameters(parameter)
                        .send()
                        .await,
                )
            }
            Self::ModifyDbInstance { id, changes } => {
                if changes.is_empty() {
                    return Err(self.failure(ErrorClass::Terminal, "nothing to change"));
                }
                let groups = match &changes.security_group_ids {
                    Some(groups) => Some(
                        resolve_group_ids(aws.ec2(), &self.subject(), self.call(), groups).await?,
                    ),
                    None => None,
                };
                self.done(
                    rds.modify_db_instance()
                        .db_instance_identifier(id)
                        .set_publicly_accessible(changes.publicly_accessible)
                        .set_deletion_protection(changes.deletion_protection)
                        .set_auto_minor_version_upgrade(changes.auto_minor_version_upgrade)
                        .set_backup_retention_period(changes.backup_retention_days)
                        .set_vpc_security_group_ids(groups)
                        .set_db_parameter_group_name(changes.parameter_group.clone())
                        .apply_immediately(false)
                        .send()
                        .await,
                )
            }
            Self::AddTags { arn, tags } => self.done(
                rds.add_tags_to_resource()
                    .resource_name(arn)
                    .set_tags(Some(sdk_tags(tags)))
                    .send()
                    .await,
            ),
            Self::RemoveTags { arn, keys } => self.done(
                rds.remove_tags_from_resource()
                    .resource_name(arn)
                    .set_tag_keys(Some(keys.clone()))
                    .send()
                    .await,
            ),
        }
    }
}

fn sdk_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect()
}
