//! `EcsTaskDefinition`: a hardening contract for a task-definition family.
//!
//! The latest ACTIVE revision is observed (one `DescribeTaskDefinition` per family, tags
//! included, and one `DescribeServices` per cluster with listed services). Drift is fixed by
//! registering a new revision that is the latest one with only the drifted fields changed —
//! everything the contract does not model is carried over as ECS returned it — and by
//! pointing the listed services at it.

mod apply;
mod attest;
mod container;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod revision_ref;
mod superseded;

use std::collections::BTreeMap;
use std::fmt;

use afu9_spec::ecs::EcsTaskDefinitionSpec;
use afu9_spec::iam::IamRoleSpec;
use afu9_spec::{DesiredState, ManifestKind, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{ManagedKind, PlanContext};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency};

pub use apply::{EcsOp, Revision};
pub use superseded::{OldRevision, SupersededObserved, User, breaches};

/// The ECS task-definition kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct EcsTaskDefinitions;

/// The latest ACTIVE revision of a family, in the contract's vocabulary, with what ECS adds
/// on read normalised away (absent flags are `false`, `cpu: 0` is no limit, containers and
/// variables in name order).
#[derive(Debug, Clone)]
pub struct TaskDefinitionObserved {
    /// The revision's ARN (its partition, region and account build role ARNs).
    pub arn: String,
    /// The revision number.
    pub revision: i32,
    /// The task role's ARN.
    pub task_role_arn: Option<String>,
    /// The execution role's ARN.
    pub execution_role_arn: Option<String>,
    /// `awsvpc`, `bridge`, `host`, `none`; `None` when ECS reports none.
    pub network_mode: Option<String>,
    /// `host` or `task`, if set.
    pub pid_mode: Option<String>,
    /// Task-level CPU units, which bound every container.
    pub task_cpu: Option<String>,
    /// Task-level memory, which bounds every container.
    pub task_memory: Option<String>,
    /// The containers, in name order.
    pub containers: Vec<ContainerObserved>,
    /// The listed services, in manifest order.
    pub services: Vec<ServiceObserved>,
    /// The revision as ECS described it, to register the next one from.
    pub base: Revision,
    /// The superseded revisions, when the manifest manages them (`spec.supersededRevisions`).
    pub superseded: Option<SupersededObserved>,
}

/// One container of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerObserved {
    /// The container name.
    pub name: String,
    /// The user it runs as; `None` when unset (root).
    pub user: Option<String>,
    /// Whether the root filesystem is read-only.
    pub readonly_root_filesystem: bool,
    /// Whether it runs privileged.
    pub privileged: bool,
    /// CPU units; 0 when unset.
    pub cpu: i32,
    /// Hard memory limit in MiB.
    pub memory: Option<i32>,
    /// Plain environment variables, in name order.
    pub environment: Vec<EnvVar>,
    /// Whether it has a log configuration.
    pub has_log_configuration: bool,
}

/// A plain environment variable. Its value may be a secret: it is never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// The value, used only for comparison.
    pub value: String,
}

impl fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvVar")
            .field("name", &self.name)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// A listed service as ECS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceObserved {
    /// The cluster name.
    pub cluster: String,
    /// The service name.
    pub service: String,
    /// The task definition it runs, as ECS stored it (ARN, `family:revision` or `family`);
    /// `None` when the service does not exist.
    pub task_definition: Option<String>,
}

/// The fields of a revision that the next one changes; everything else is carried over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionFixes {
    /// A new task role ARN.
    pub task_role_arn: Option<String>,
    /// A new execution role ARN.
    pub execution_role_arn: Option<String>,
    /// A new network mode (from `host`).
    pub network_mode: Option<String>,
    /// Drop `pidMode: host`.
    pub clear_pid_mode: bool,
    /// Per container, by name.
    pub containers: BTreeMap<String, ContainerFixes>,
}

impl RevisionFixes {
    /// Whether nothing is to be changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The fields of one container that the next revision changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerFixes {
    /// A new user.
    pub user: Option<String>,
    /// A new read-only root filesystem flag.
    pub readonly_root_filesystem: Option<bool>,
    /// A new privileged flag.
    pub privileged: Option<bool>,
    /// CPU units for a container without a CPU limit.
    pub cpu: Option<i32>,
    /// Memory in MiB for a container without a hard memory limit.
    pub memory: Option<i32>,
    /// An `awslogs` configuration for a container without one.
    pub log: Option<LogFix>,
}

/// An `awslogs` log configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFix {
    /// The log group.
    pub group: String,
    /// The log group's region.
    pub region: String,
    /// The stream prefix (the family).
    pub stream_prefix: String,
}

impl ManagedKind for EcsTaskDefinitions {
    type Spec = EcsTaskDefinitionSpec;
    type Observed = TaskDefinitionObserved;
    const SERVICE: &'static str = "ECS";
    const NOUN: &'static str = "task-definition family";
    /// A posture has a few families: 4 registrations or service updates in flight.
    const WRITE_LIMIT: usize = 4;

    /// The `IamRole` manifests it names as task and execution role: a revision is registered
    /// once they exist with their policies.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        [&want.spec.task_role, &want.spec.execution_role]
            .into_iter()
            .flatten()
            .filter(|name| state.iam_roles.iter().any(|r| r.name() == name.as_str()))
            .map(|name| Dependency::done(IamRoleSpec::KIND, name.as_str()))
            .collect()
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
        observe::observe(aws.ecs(), want)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx.state, want, have)
    }
}
