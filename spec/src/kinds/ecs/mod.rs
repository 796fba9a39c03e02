//! `EcsTaskDefinition`: a hardening contract for a task-definition family.
//!
//! Task definitions are immutable revisions that the application's deployment registers. The
//! manifest does not copy them; it states what every revision of the family must satisfy. The
//! controller checks the latest ACTIVE revision and, when it drifts, registers a new revision
//! that is the latest one with only the drifted fields fixed.

mod revisions;
mod validate;

pub use revisions::SupersededRevisions;
pub use validate::is_root_user;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The container key that applies to every container of the family.
pub const ALL_CONTAINERS: &str = "*";

/// The hardening contract of one family (`metadata.name` is the family).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EcsTaskDefinitionSpec {
    /// The task role: the name of an `IamRole` manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_role: Option<String>,
    /// The task execution role: the name of an `IamRole` manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_role: Option<String>,
    /// The network mode a revision in `host` mode is moved to. Host network mode is always
    /// drift; without this field it is reported as blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<NetworkMode>,
    /// The `CloudWatch` Logs group for containers without a log configuration (the `awslogs`
    /// driver, stream prefix = family). A container without logs is always drift; without
    /// this field it is reported as blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group: Option<String>,
    /// Per-container contracts: `"*"` applies to every container, a container name overrides
    /// it field by field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub containers: BTreeMap<String, ContainerContract>,
    /// The `Secret` manifests this family uses. They must reach containers as `secrets`
    /// (`valueFrom`); a plain environment variable holding one of their names is drift.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets_from: Vec<String>,
    /// Plain environment variables whose names look like secrets (`CACHE_KEY_PREFIX`) but
    /// are not: they are not reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_plain_env: Vec<String>,
    /// Services to roll to the hardened revision: each must run the family's latest ACTIVE
    /// revision.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceRef>,
    /// Retire superseded revisions: deregister those that break the contract and keep the
    /// newest compliant ones for rollback, never one a service or a running task uses. Left
    /// out: superseded revisions are not looked at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_revisions: Option<SupersededRevisions>,
}

/// What a container must look like. Fields left out are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerContract {
    /// The user the container runs as (`"1001"`, `"1001:1001"`). Not root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Whether the root filesystem is mounted read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readonly_root_filesystem: Option<bool>,
    /// Whether the container runs privileged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    /// Whether the container must have a CPU and a hard memory limit (its own, or the task's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_limits: Option<bool>,
    /// CPU units set on a container that has no CPU limit, with `requireLimits`. Left out: such
    /// a container is reported as blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<u32>,
    /// Hard memory limit in MiB set on a container that has none, with `requireLimits`. Left
    /// out: such a container is reported as blocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<u32>,
}

impl ContainerContract {
    /// This contract with every field it leaves out taken from `base`.
    #[must_use]
    pub fn over(&self, base: &Self) -> Self {
        Self {
            user: self.user.clone().or_else(|| base.user.clone()),
            readonly_root_filesystem: self
                .readonly_root_filesystem
                .or(base.readonly_root_filesystem),
            privileged: self.privileged.or(base.privileged),
            require_limits: self.require_limits.or(base.require_limits),
            cpu: self.cpu.or(base.cpu),
            memory: self.memory.or(base.memory),
        }
    }
}

impl EcsTaskDefinitionSpec {
    /// The contract for the container `name`: its own entry over the `"*"` entry.
    pub fn contract_for(&self, name: &str) -> ContainerContract {
        let all = self
            .containers
            .get(ALL_CONTAINERS)
            .cloned()
            .unwrap_or_default();
        self.containers
            .get(name)
            .map_or_else(|| all.clone(), |own| own.over(&all))
    }
}

/// Task network modes a revision may be moved to (never `host`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    /// Each task gets its own network interface (Fargate's only mode).
    Awsvpc,
    /// Docker's bridge network (the EC2 default).
    Bridge,
    /// No networking.
    None,
}

impl NetworkMode {
    /// The name ECS uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Awsvpc => "awsvpc",
            Self::Bridge => "bridge",
            Self::None => "none",
        }
    }
}

/// An ECS service that runs the family.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceRef {
    /// The cluster name.
    pub cluster: String,
    /// The service name.
    pub service: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_container_entry_overrides_the_star_entry_field_by_field() {
        let mut spec = EcsTaskDefinitionSpec::default();
        spec.containers.insert(
            ALL_CONTAINERS.to_owned(),
            ContainerContract {
                user: Some("1001".to_owned()),
                readonly_root_filesystem: Some(true),
                ..ContainerContract::default()
            },
        );
        spec.containers.insert(
            "proxy".to_owned(),
            ContainerContract {
                readonly_root_filesystem: Some(false),
                ..ContainerContract::default()
            },
        );
        let proxy = spec.contract_for("proxy");
        assert_eq!(proxy.user.as_deref(), Some("1001"));
        assert_eq!(proxy.readonly_root_filesystem, Some(false));
        assert_eq!(
            spec.contract_for("web").readonly_root_filesystem,
            Some(true)
        );
    }
}
