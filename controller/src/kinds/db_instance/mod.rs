//! `DbInstance`: an RDS database's security settings, adopted (the application's stack owns
//! its existence), and the custom parameter group that enforces TLS.
//!
//! One `DescribeDBInstances` for every managed database (filtered by identifier, tags in the
//! answer), one `DescribeDBParameters` per named parameter group (user-set values only), and
//! from EC2 the named security groups' ids and the subnet group's route tables. Writes: one
//! `ModifyDBInstance` with every fixable field (never `ApplyImmediately`, never a reboot), the
//! group's create and its TLS parameter.

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use afu9_spec::db_instance::DbInstanceSpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};
use crate::refs::groups::created_groups;

pub use apply::RdsOp;

use crate::refs::network::PublicRoute;

/// The RDS DB instance kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct DbInstances;

/// A database as RDS reports it, in the manifest's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each is an independent RDS flag, as DescribeDBInstances reports it"
)]
pub struct DbInstanceObserved {
    /// The instance ARN (tagging needs it).
    pub arn: String,
    /// `postgres`, `mysql`, …
    pub engine: String,
    /// `16.3`, `8.0.35`: it decides the family of the parameter groups the database takes.
    pub engine_version: String,
    /// `available`, `modifying`, …
    pub status: String,
    /// Whether storage is encrypted.
    pub storage_encrypted: bool,
    /// Whether it has a public address.
    pub publicly_accessible: bool,
    /// Whether it refuses deletion.
    pub deletion_protection: bool,
    /// Whether minor upgrades are automatic.
    pub auto_minor_version_upgrade: bool,
    /// Days backups are kept.
    pub backup_retention_days: i32,
    /// A backup retention waiting for the maintenance window (`PendingModifiedValues`).
    pub pending_backup_retention_days: Option<i32>,
    /// The VPC security group ids, sorted.
    pub security_group_ids: Vec<String>,
    /// The named `SecurityGroup` manifests' ids in the database's VPC (name → id).
    pub group_ids: std::collections::BTreeMap<String, String>,
    /// The DB subnet group's name.
    pub subnet_group: Option<String>,
    /// The subnet group's VPC.
    pub vpc: Option<String>,
    /// The subnet group's subnets that route to an internet gateway.
    pub public_subnets: Vec<PublicRoute>,
    /// The attached parameter groups and their apply status (`in-sync`, `pending-reboot`).
    pub parameter_groups: Vec<(String, String)>,
    /// The manifest's parameter group: `None` when it does not exist.
    pub parameter_group: Option<GroupParameters>,
    /// All tags.
    pub tags: Tags,
}

/// What the named parameter group says about TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupParameters {
    /// The TLS parameter's value when the group sets it; `None` when it is not set.
    pub tls_value: Option<String>,
    /// `static` when the parameter only takes effect after a reboot (AWS reports it).
    pub apply_type: Option<String>,
}

impl ManagedKind for DbInstances {
    type Spec = DbInstanceSpec;
    type Observed = DbInstanceObserved;
    const SERVICE: &'static str = "RDS";
    const NOUN: &'static str = "database";
    /// A posture has a few databases, each one `ModifyDBInstance` and at most three group
    /// calls; RDS's control plane is throttled per account.
    const WRITE_LIMIT: usize = 4;

    /// The `SecurityGroup` manifests it names, created (their ids go into
    /// `ModifyDBInstance`; one created by the same apply is looked up by name when it runs).
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        created_groups(state, want.spec.security_groups.iter().flatten())
    }

    fn permissions(
        state: &DesiredState,
        scope: &ArnScope,
        want: &[Resource<Self::Spec>],
    ) -> Vec<Grant> {
        permissions::permissions(state, scope, want)
    }

    fn observe<'a>(
        &'a self,
        aws: &'a Aws,
        want: &'a [Resource<Self::Spec>],
    ) -> impl Future<Output = Result<Vec<Option<Self::Observed>>, AwsError>> + Send + 'a {
        observe::observe(aws, want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx.state, want, have)
    }
}

impl Tagged for DbInstances {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(RdsOp::AddTags { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(RdsOp::RemoveTags { arn, keys })
    }
}
