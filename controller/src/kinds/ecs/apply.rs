//! ECS write calls: register the hardened revision, roll services to it, deregister superseded
//! revisions.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    ContainerDefinition, LogConfiguration, LogDriver, NetworkMode, Tag, TaskDefinition,
};

use super::{ContainerFixes, RevisionFixes};
use crate::aws::{Aws, AwsError};
use crate::aws::{OpOutcome, WriteCall};
use crate::plan::{OpFuture, Operation};

/// A revision as ECS described it, kept whole so that the next revision carries over every
/// field the contract does not model. Opaque to the plan; its `Debug` shows no container
/// definitions (they may hold plain secrets).
#[derive(Clone)]
pub struct Revision {
    inner: Arc<(TaskDefinition, Vec<Tag>)>,
}

impl Revision {
    pub(super) fn new(definition: TaskDefinition, tags: Vec<Tag>) -> Self {
        Self {
            inner: Arc::new((definition, tags)),
        }
    }

    pub(super) fn definition(&self) -> &TaskDefinition {
        &self.inner.0
    }
}

impl fmt::Debug for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let definition = self.definition();
        write!(
            f,
            "Revision({}:{})",
            definition.family.as_deref().unwrap_or("?"),
            definition.revision
        )
    }
}

/// Where the ARN of a revision registered earlier in the same apply is passed on.
pub type Registered = Arc<OnceLock<String>>;

/// One ECS call with its arguments fixed at plan time.
#[derive(Debug, Clone, strum::IntoStaticStr)]
pub enum EcsOp {
    /// Register the next revision: `base` with `fixes` applied.
    RegisterTaskDefinition {
        /// The family.
        family: String,
        /// The latest ACTIVE revision.
        base: Revision,
        /// What changes.
        fixes: RevisionFixes,
        /// Receives the new revision's ARN.
        registered: Registered,
    },
    /// Point a service at a revision.
    UpdateService {
        /// Cluster name.
        cluster: String,
        /// Service name.
        service: String,
        /// The revision to run, when known at plan time.
        task_definition: String,
        /// The revision registered earlier in this apply, which wins when set.
        registered: Option<Registered>,
    },
    /// Deregister a superseded revision (it becomes INACTIVE: no new task or service can use
    /// it; what already runs it keeps running).
    DeregisterTaskDefinition {
        /// `family:revision`.
        task_definition: String,
    },
}

impl WriteCall for EcsOp {
    fn call(&self) -> &'static str {
        self.into()
    }

    fn subject(&self) -> String {
        match self {
            Self::RegisterTaskDefinition { family, .. } => {
                format!("register ecs task definition {family}")
            }
            Self::UpdateService {
                cluster, service, ..
            } => format!("update ecs service {cluster}/{service}"),
            Self::DeregisterTaskDefinition { task_definition } => {
                format!("deregister ecs task definition {task_definition}")
            }
        }
    }
}

impl Operation for EcsOp {
    fn execute<'a>(&'a self, aws: &'a Aws) -> OpFuture<'a> {
        Box::pin(self.run(aws.ecs()))
    }
}

impl EcsOp {
    async fn run(&self, client: &Client) -> Result<OpOutcome, AwsError> {
        match self {
            Self::RegisterTaskDefinition {
                family,
                base,
                fixes,
                registered,
            } => {
                let next = hardened(base.definition(), fixes);
                let output = client
                    .register_task_definition()
                    .family(family)
                    .set_task_role_arn(next.task_role_arn)
                    .set_execution_role_arn(next.execution_role_arn)
                    .set_network_mode(next.network_mode)
                    .set_container_definitions(next.container_definitions)
                    .set_volumes(next.volumes)
                    .set_placement_constraints(next.placement_constraints)
                    .set_requires_compatibilities(next.requires_compatibilities)
                    .set_cpu(next.cpu)
                    .set_memory(next.memory)
                    .set_tags(Some(base.inner.1.clone()).filter(|t| !t.is_empty()))
                    .set_pid_mode(next.pid_mode)
                    .set_ipc_mode(next.ipc_mode)
                    .set_proxy_configuration(next.proxy_configuration)
                    .set_ephemeral_storage(next.ephemeral_storage)
                    .set_runtime_platform(next.runtime_platform)
                    .set_enable_fault_injection(next.enable_fault_injection)
                    .send()
                    .await
                    .map_err(|err| self.error(&err))?;
                if let Some(arn) = output.task_definition.and_then(|t| t.task_definition_arn) {
                    let _ = registered.set(arn);
                }
                Ok(OpOutcome::Done)
            }
            Self::UpdateService {
                cluster,
                service,
                task_definition,
                registered,
            } => {
                let revision = registered
                    .as_ref()
                    .and_then(|r| r.get())
                    .unwrap_or(task_definition);
                self.done(
                    client
                        .update_service()
                        .cluster(cluster)
                        .service(service)
                        .task_definition(revision)
                        .send()
                        .await,
                )
            }
            Self::DeregisterTaskDefinition { task_definition } => self.done(
                client
                    .deregister_task_definition()
                    .task_definition(task_definition)
                    .send()
                    .await,
            ),
        }
    }
}

/// The next revision: `base` with only `fixes` changed.
pub(super) fn hardened(base: &TaskDefinition, fixes: &RevisionFixes) -> TaskDefinition {
    let mut next = base.clone();
    if let Some(arn) = &fixes.task_role_arn {
        next.task_role_arn = Some(arn.clone());
    }
    if let Some(arn) = &fixes.execution_role_arn {
        next.execution_role_arn = Some(arn.clone());
    }
    if let Some(mode) = &fixes.network_mode {
        next.network_mode = Some(NetworkMode::from(mode.as_str()));
    }
    if fixes.clear_pid_mode {
        next.pid_mode = None;
    }
    if let Some(containers) = next.container_definitions.as_mut() {
        for container in containers {
            if let Some(fix) = container
                .name
                .as_ref()
                .and_then(|name| fixes.containers.get(name))
            {
                harden_container(container, fix);
            }
        }
    }
    next
}

fn harden_container(container: &mut ContainerDefinition, fix: &ContainerFixes) {
    if let Some(user) = &fix.user {
        container.user = Some(user.clone());
    }
    if let Some(readonly) = fix.readonly_root_filesystem {
        container.readonly_root_filesystem = Some(readonly);
    }
    if let Some(privileged) = fix.privileged {
        container.privileged = Some(privileged);
    }
    if let Some(cpu) = fix.cpu {
        container.cpu = cpu;
    }
    if let Some(memory) = fix.memory {
        container.memory = Some(memory);
    }
    if let Some(log) = &fix.log {
        container.log_configuration = LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", &log.group)
            .options("awslogs-region", &log.region)
            .options("awslogs-stream-prefix", &log.stream_prefix)
            .build()
            .ok();
    }
}
