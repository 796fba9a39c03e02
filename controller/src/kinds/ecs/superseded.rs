//! Superseded revisions (`spec.supersededRevisions`): the ACTIVE revisions older than the latest
//! are judged against the family's contract; those that break it (privileged, root, a
//! writable root filesystem, no log configuration) are deregistered, the newest compliant
//! ones are kept for rollback, older compliant ones deregistered, and a revision a service or
//! a running task uses is kept whatever it is. When the plan registers a new revision, the
//! latest becomes superseded in the same apply: it is judged too, and the services the plan
//! rolls off it no longer count as its users.
//!
//! Reads (`read`): one `ListTaskDefinitions` per family and one `DescribeTaskDefinition` per
//! superseded revision; who uses what (`ListClusters`, `ListServices`, `DescribeServices`,
//! `ListTasks`, `DescribeTasks`) only when some revision could be deregistered.

mod read;

use std::collections::{BTreeMap, BTreeSet};

use afu9_spec::Resource;
use afu9_spec::ecs::{EcsTaskDefinitionSpec, is_root_user};
use serde_json::json;

use super::apply::EcsOp;
use super::revision_ref::runs_revision;
use super::{ContainerObserved, TaskDefinitionObserved};
use crate::plan::{Change, Delta};

pub(super) use read::read;

/// The superseded revisions of a family, when its manifest manages them.
#[derive(Debug, Clone, Default)]
pub struct SupersededObserved {
    /// The ACTIVE revisions older than the latest, newest first.
    pub revisions: Vec<OldRevision>,
    /// Who runs which revision of the family (revision number → users), when it was read:
    /// `None` when no revision could be deregistered, so nobody was asked.
    pub users: Option<BTreeMap<i32, Vec<User>>>,
}

/// One superseded ACTIVE revision.
#[derive(Debug, Clone)]
pub struct OldRevision {
    /// The revision number.
    pub revision: i32,
    /// Its containers, as the contract reads them.
    pub containers: Vec<ContainerObserved>,
}

/// What runs a revision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum User {
    /// A service (its current task definition or one of its deployments').
    Service {
        /// Cluster name.
        cluster: String,
        /// Service name.
        service: String,
    },
    /// A task not yet stopped.
    Task {
        /// Cluster name.
        cluster: String,
        /// The task's id.
        task: String,
    },
}

impl std::fmt::Display for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Service { cluster, service } => write!(f, "service {cluster}/{service}"),
            Self::Task { cluster, task } => write!(f, "running task {cluster}/{task}"),
        }
    }
}

/// How `containers` break `spec`'s contract, in the contract's words (`web: privileged`);
/// empty when they do not. The four checks of the hardening contract that make a revision
/// unsafe to run: privileged mode, the root user, a writable root filesystem (each when the
/// contract asks otherwise), and no log configuration (always, as for the latest revision).
pub fn breaches(spec: &EcsTaskDefinitionSpec, containers: &[ContainerObserved]) -> Vec<String> {
    let mut found = Vec::new();
    for container in containers {
        let contract = spec.contract_for(&container.name);
        let name = &container.name;
        if contract.privileged == Some(false) && container.privileged {
            found.push(format!("{name}: privileged"));
        }
        if contract.user.is_some() && container.user.as_deref().is_none_or(is_root_user) {
            found.push(format!("{name}: runs as root"));
        }
        if contract.readonly_root_filesystem == Some(true) && !container.readonly_root_filesystem {
            found.push(format!("{name}: writable root filesystem"));
        }
        if !container.has_log_configuration {
            found.push(format!("{name}: no log configuration"));
        }
    }
    found
}

/// One revision to decide on: its number and how it breaks the contract.
struct Judged {
    revision: i32,
    breaches: Vec<String>,
}

/// Deregistrations and the note saying which revisions are kept and why. `registers`: the
/// plan registers a new revision, so the latest is superseded in this apply.
pub(super) fn plan(
    want: &Resource<EcsTaskDefinitionSpec>,
    have: &TaskDefinitionObserved,
    registers: bool,
    delta: &mut Delta,
) {
    let (Some(policy), Some(observed)) = (want.spec.superseded_revisions, &have.superseded) else {
        return;
    };
    let rolled = rolled_services(want, have, registers);
    let mut judged = Vec::new();
    if registers {
        judged.push(Judged {
            revision: have.revision,
            breaches: breaches(&want.spec, &have.containers),
        });
    }
    judged.extend(observed.revisions.iter().map(|old| Judged {
        revision: old.revision,
        breaches: breaches(&want.spec, &old.containers),
    }));
    let family = want.name();
    let mut kept_for_rollback = Vec::new();
    let mut kept_in_use = Vec::new();
    for revision in judged {
        let compliant = revision.breaches.is_empty();
        if compliant && kept_for_rollback.len() < policy.keep_compliant as usize {
            kept_for_rollback.push(revision.revision);
            continue;
        }
        let Some(users) = &observed.users else {
            // Only a compliant revision pushed past the kept number by this plan's own
            // registration: who runs it is read on the next pass.
            kept_in_use.push(format!(
                "{} (users read on the next pass)",
                revision.revision
            ));
            continue;
        };
        let users: BTreeSet<&User> = users
            .get(&revision.revision)
            .into_iter()
            .flatten()
            .filter(|user| !rolled.contains(*user))
            .collect();
        if !users.is_empty() {
            let who: Vec<String> = users.iter().map(ToString::to_string).collect();
            kept_in_use.push(format!("{} ({})", revision.revision, who.join(", ")));
            continue;
        }
        let why = if compliant {
            format!(
                "compliant, older than the {} kept for rollback",
                policy.keep_compliant
            )
        } else {
            revision.breaches.join(", ")
        };
        delta.change(Change::new(
            format!("spec.supersededRevisions[{family}:{}]", revision.revision),
            Some(json!({"status": "ACTIVE", "why": why})),
            Some("INACTIVE".into()),
        ));
        delta.op(EcsOp::DeregisterTaskDefinition {
            task_definition: format!("{family}:{}", revision.revision),
        });
    }
    delta.note = kept_note(&kept_for_rollback, &kept_in_use);
}

/// The listed services this plan points at another revision: after the apply they no longer
/// run the one they run now.
fn rolled_services(
    want: &Resource<EcsTaskDefinitionSpec>,
    have: &TaskDefinitionObserved,
    registers: bool,
) -> BTreeSet<User> {
    have.services
        .iter()
        .filter(|s| {
            s.task_definition.as_deref().is_some_and(|running| {
                registers || !runs_revision(running, want.name(), have.revision)
            })
        })
        .map(|s| User::Service {
            cluster: s.cluster.clone(),
            service: s.service.clone(),
        })
        .collect()
}

fn kept_note(for_rollback: &[i32], in_use: &[String]) -> Option<String> {
    let list = |numbers: &[i32]| {
        numbers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !for_rollback.is_empty() {
        parts.push(format!(
            "superseded revisions kept for rollback (compliant): {}",
            list(for_rollback)
        ));
    }
    if !in_use.is_empty() {
        parts.push(format!("kept because in use: {}", in_use.join("; ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests;
