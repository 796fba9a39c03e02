//! The pure part of the ECS kind: check the latest revision against the contract, decide the
//! fixes and the services to roll.
//!
//! Fixed automatically: roles, user, read-only root filesystem, privileged mode, missing
//! limits (with values in the contract), host PID mode, host network mode (with `networkMode`),
//! missing log configuration (with `logGroup`). Reported as `blocked`, because only the
//! application can fix them: plain environment variables that look like secrets or hold a
//! managed secret's name (moving a value into Secrets Manager means reading it), and the
//! cases above without the values the fix needs.

use std::collections::BTreeSet;
use std::sync::Arc;

use afu9_spec::ecs::{ALL_CONTAINERS, ContainerContract, EcsTaskDefinitionSpec};
use afu9_spec::{DesiredState, Resource};
use serde_json::{Value, json};

use super::apply::EcsOp;
use super::revision_ref::runs_revision;
use super::{ContainerFixes, ContainerObserved, LogFix, RevisionFixes, TaskDefinitionObserved};
use crate::plan::{Change, Delta};
use crate::refs::iam::{role_arn, role_name};

/// Words in a variable name that make it look like a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "TOKENS",
    "CREDENTIAL",
    "CREDENTIALS",
    "KEY",
    "APIKEY",
    "PRIVATE",
];

/// What a plan collects while checking one revision.
#[derive(Default)]
struct Findings {
    changes: Vec<Change>,
    fixes: RevisionFixes,
    blocked: Vec<String>,
}

impl Findings {
    fn change(&mut self, path: String, before: Option<Value>, after: Option<Value>) {
        self.changes.push(Change::new(path, before, after));
    }

    fn container(&mut self, name: &str) -> &mut ContainerFixes {
        self.fixes.containers.entry(name.to_owned()).or_default()
    }
}

pub(super) fn plan(
    state: &DesiredState,
    want: &Resource<EcsTaskDefinitionSpec>,
    have: Option<&TaskDefinitionObserved>,
) -> Delta {
    let Some(have) = have else {
        let mut delta = Delta::missing();
        delta.block("the family has no ACTIVE revision: the application's deployment registers it");
        return delta;
    };
    let findings = find(state, want, have);
    let registers = !findings.fixes.is_empty();
    let mut delta = decide(want, have, findings);
    super::superseded::plan(want, have, registers, &mut delta);
    delta
}

/// Every check of the contract against the revision: changes, fixes, and what blocks.
fn find(
    state: &DesiredState,
    want: &Resource<EcsTaskDefinitionSpec>,
    have: &TaskDefinitionObserved,
) -> Findings {
    let mut findings = Findings::default();
    check_roles(state, &want.spec, have, &mut findings);
    check_modes(&want.spec, have, &mut findings);
    let secret_names = managed_secret_names(state, &want.spec);
    for container in &have.containers {
        let contract = want.spec.contract_for(&container.name);
        check_container(&contract, container, have, &mut findings);
        check_environment(&want.spec, container, &secret_names, &mut findings);
        check_logging(want, container, have, &mut findings);
    }
    check_contract_names(&want.spec, have, &mut findings);
    findings
        .fixes
        .containers
        .retain(|_, fix| *fix != ContainerFixes::default());
    findings
}

fn decide(
    want: &Resource<EcsTaskDefinitionSpec>,
    have: &TaskDefinitionObserved,
    mut findings: Findings,
) -> Delta {
    findings
        .fixes
        .containers
        .retain(|_, fix| *fix != ContainerFixes::default());
    let registers = !findings.fixes.is_empty();
    let registered = Arc::default();
    let mut delta = Delta::exists();
    if registers {
        delta.op(EcsOp::RegisterTaskDefinition {
            family: want.name().to_owned(),
            base: have.base.clone(),
            fixes: findings.fixes.clone(),
            registered: Arc::clone(&registered),
        });
    }
    for service in &have.services {
        let path = format!("spec.services.{}/{}", service.cluster, service.service);
        let Some(running) = &service.task_definition else {
            findings.blocked.push(format!(
                "service {} does not exist in cluster {}",
                service.service, service.cluster
            ));
            continue;
        };
        let current = runs_revision(running, want.name(), have.revision);
        if registers || !current {
            let target = if registers {
                format!("{}:{}", want.name(), "<next revision>")
            } else {
                format!("{}:{}", want.name(), have.revision)
            };
            findings.change(path, Some(running.as_str().into()), Some(target.into()));
            delta.op(EcsOp::UpdateService {
                cluster: service.cluster.clone(),
                service: service.service.clone(),
                task_definition: have.arn.clone(),
                registered: registers.then(|| Arc::clone(&registered)),
            });
        }
    }
    delta.changes = findings.changes;
    delta.blocked = findings.blocked;
    if registers {
        delta.replace = Some(format!(
            "task definitions are immutable: registers the next revision of {} (from revision \
             {}) with only the drifted fields changed",
            want.name(),
            have.revision
        ));
    }
    delta
}

fn check_roles(
    state: &DesiredState,
    spec: &EcsTaskDefinitionSpec,
    have: &TaskDefinitionObserved,
    findings: &mut Findings,
) {
    let roles = [
        ("spec.taskRole", &spec.task_role, &have.task_role_arn),
        (
            "spec.executionRole",
            &spec.execution_role,
            &have.execution_role_arn,
        ),
    ];
    for (path, want, live) in roles {
        let Some(name) = want else { continue };
        if live.as_deref().map(role_name) == Some(name.as_str()) {
            continue;
        }
        let (partition, _, account) = arn_scope(&have.arn);
        let arn = role_arn(state, partition, account, name);
        findings.change(
            path.to_owned(),
            live.as_deref().map(Value::from),
            Some(name.as_str().into()),
        );
        if path == "spec.taskRole" {
            findings.fixes.task_role_arn = Some(arn);
        } else {
            findings.fixes.execution_role_arn = Some(arn);
        }
    }
}

/// (partition, region, account) of an ARN.
fn arn_scope(arn: &str) -> (&str, &str, &str) {
    let mut parts = arn.split(':').skip(1);
    let partition = parts.next().unwrap_or("aws");
    let region = parts.nth(1).unwrap_or_default();
    let account = parts.next().unwrap_or_default();
    (partition, region, account)
}

fn check_modes(
    spec: &EcsTaskDefinitionSpec,
    have: &TaskDefinitionObserved,
    findings: &mut Findings,
) {
    if have.network_mode.as_deref() == Some("host") {
        let target = spec.network_mode.map(afu9_spec::ecs::NetworkMode::as_str);
        findings.change(
            "spec.networkMode".to_owned(),
            Some("host".into()),
            target.map(Value::from),
        );
        match target {
            Some(mode) => findings.fixes.network_mode = Some(mode.to_owned()),
            None => findings.blocked.push(
                "host network mode (ECS.17): set spec.networkMode (awsvpc or bridge) to have it \
                 changed"
                    .to_owned(),
            ),
        }
    }
    if have.pid_mode.as_deref() == Some("host") {
        findings.change("spec.pidMode".to_owned(), Some("host".into()), None);
        findings.fixes.clear_pid_mode = true;
    }
}

fn check_container(
    contract: &ContainerContract,
    container: &ContainerObserved,
    have: &TaskDefinitionObserved,
    findings: &mut Findings,
) {
    let name = container.name.as_str();
    let path = |leaf: &str| format!("spec.containers.{name}.{leaf}");
    if let Some(user) = &contract.user
        && container.user.as_ref() != Some(user)
    {
        findings.change(
            path("user"),
            Some(container.user.as_deref().unwrap_or("root (no user)").into()),
            Some(user.as_str().into()),
        );
        findings.container(name).user = Some(user.clone());
    }
    if let Some(readonly) = contract.readonly_root_filesystem
        && container.readonly_root_filesystem != readonly
    {
        findings.change(
            path("readonlyRootFilesystem"),
            Some(container.readonly_root_filesystem.into()),
            Some(readonly.into()),
        );
        findings.container(name).readonly_root_filesystem = Some(readonly);
    }
    if let Some(privileged) = contract.privileged
        && container.privileged != privileged
    {
        findings.change(
            path("privileged"),
            Some(container.privileged.into()),
            Some(privileged.into()),
        );
        findings.container(name).privileged = Some(privileged);
    }
    if contract.require_limits == Some(true) {
        check_limits(contract, container, have, findings);
    }
}

fn check_limits(
    contract: &ContainerContract,
    container: &ContainerObserved,
    have: &TaskDefinitionObserved,
    findings: &mut Findings,
) {
    let name = container.name.as_str();
    let cpu_limited = container.cpu > 0 || have.task_cpu.is_some();
    let memory_limited = container.memory.is_some() || have.task_memory.is_some();
    for (leaf, limited, value) in [
        ("cpu", cpu_limited, contract.cpu),
        ("memory", memory_limited, contract.memory),
    ] {
        if limited {
            continue;
        }
        let wanted = value.and_then(|v| i32::try_from(v).ok());
        findings.change(
            format!("spec.containers.{name}.{leaf}"),
            None,
            Some(wanted.map_or_else(|| Value::from("a limit"), Value::from)),
        );
        match wanted {
            Some(v) if leaf == "cpu" => findings.container(name).cpu = Some(v),
            Some(v) => findings.container(name).memory = Some(v),
            None => findings.blocked.push(format!(
                "container {name} has no {leaf} limit and neither has the task: set \
                 spec.containers.{name}.{leaf} (or \"*\") to have one set"
            )),
        }
    }
}

fn managed_secret_names<'a>(
    state: &'a DesiredState,
    spec: &'a EcsTaskDefinitionSpec,
) -> BTreeSet<&'a str> {
    state
        .secrets
        .iter()
        .map(Resource::name)
        .chain(spec.secrets_from.iter().map(String::as_str))
        .collect()
}

fn check_environment(
    spec: &EcsTaskDefinitionSpec,
    container: &ContainerObserved,
    secret_names: &BTreeSet<&str>,
    findings: &mut Findings,
) {
    for variable in &container.environment {
        if spec.allow_plain_env.contains(&variable.name) {
            continue;
        }
        let holds = secret_names.iter().find(|secret| {
            variable.value == **secret || variable.value.contains(&format!(":secret:{secret}"))
        });
        let why = match holds {
            Some(secret) => format!("holds the name of secret {secret}"),
            None if looks_secret(&variable.name) => "looks like a secret".to_owned(),
            None => continue,
        };
        // The variable must leave the plain environment: there before, gone after.
        findings.changes.push(Change::sensitive(
            format!(
                "spec.containers.{}.environment.{}",
                container.name, variable.name
            ),
            true,
            false,
        ));
        findings.blocked.push(format!(
            "container {} has plain environment variable {} that {why} (ECS.8): the \
             application must pass it as a secret (valueFrom Secrets Manager); afu9-posture \
             never moves values",
            container.name, variable.name
        ));
    }
}

/// Whether a variable name looks like it holds a secret: one of its words (split at `_`,
/// `-` and `.`) is a secret word, or it ends in `KEY` or `TOKEN` (`APIKEY`, `GHTOKEN`).
pub(super) fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper
        .split(['_', '-', '.'])
        .any(|word| SECRET_WORDS.contains(&word))
        || upper.ends_with("KEY")
        || upper.ends_with("TOKEN")
}

fn check_logging(
    want: &Resource<EcsTaskDefinitionSpec>,
    container: &ContainerObserved,
    have: &TaskDefinitionObserved,
    findings: &mut Findings,
) {
    if container.has_log_configuration {
        return;
    }
    let name = container.name.as_str();
    let group = want.spec.log_group.as_deref();
    findings.change(
        format!("spec.containers.{name}.logConfiguration"),
        None,
        Some(group.map_or_else(
            || Value::from("a log configuration"),
            |g| json!({"logDriver": "awslogs", "awslogs-group": g}),
        )),
    );
    match group {
        Some(group) => {
            let (_, region, _) = arn_scope(&have.arn);
            findings.container(name).log = Some(LogFix {
                group: group.to_owned(),
                region: region.to_owned(),
                stream_prefix: want.name().to_owned(),
            });
        }
        None => findings.blocked.push(format!(
            "container {name} has no log configuration (ECS.9): set spec.logGroup to have \
             awslogs configured"
        )),
    }
}

fn check_contract_names(
    spec: &EcsTaskDefinitionSpec,
    have: &TaskDefinitionObserved,
    findings: &mut Findings,
) {
    for name in spec.containers.keys() {
        if name != ALL_CONTAINERS && !have.containers.iter().any(|c| &c.name == name) {
            findings.blocked.push(format!(
                "the contract names container {name}, which revision {} does not have",
                have.revision
            ));
        }
    }
}

#[cfg(test)]
mod tests;
