//! The controller's own least-privilege IAM policy for a desired state (`afu9ctl
//! permissions`): every kind declares the calls it makes (`ManagedKind::permissions`, in the
//! kind's `permissions.rs`), and [`policy`] merges them into one policy document, statements
//! grouped by kind, access and resources, with stable `Sid`s. A leaf: it names no other
//! module (`Engine::permissions` hands it the kinds' grants).

mod render;

use std::collections::BTreeMap;

use afu9_spec::DesiredState;

pub use render::{json, text};

/// What a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// The reads `plan` makes (observe).
    Read,
    /// The writes `apply` makes.
    Write,
    /// The calls `afu9ctl run` makes to listen for events (the event source's queue).
    Listen,
    /// The calls `--security-hub` makes to send findings, in `report` as in `run`.
    Export,
    /// Publishing notifications to the Posture's SNS topic (`run`, `apply --notify`).
    Notify,
    /// The calls `afu9ctl run --lease-table` makes to hold its lease.
    Lease,
}

impl Access {
    fn label(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Listen => "Listen",
            Self::Export => "Export",
            Self::Notify => "Notify",
            Self::Lease => "Lease",
        }
    }
}

/// Which policy to print: `plan` (reads only) or `apply` (reads, writes and listening).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `afu9ctl plan`: read-only.
    Plan,
    /// `afu9ctl apply` and `afu9ctl run`: plan's reads plus the writes and the event queue.
    Apply,
}

impl Mode {
    fn includes(self, access: Access) -> bool {
        self == Self::Apply || matches!(access, Access::Read | Access::Export)
    }
}

/// Some IAM actions on some resources, declared by a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Read, write or listen.
    pub access: Access,
    /// IAM action names (`ecr:DescribeRepositories`).
    pub actions: Vec<&'static str>,
    /// Resource ARNs (with `*` wildcards), or `["*"]` for actions that take no resource.
    pub resources: Vec<String>,
}

impl Grant {
    /// `actions` on `resources`.
    pub fn new(access: Access, actions: &[&'static str], resources: Vec<String>) -> Self {
        Self {
            access,
            actions: actions.to_vec(),
            resources,
        }
    }

    /// `actions`, which support no resource-level permission (lists, `Describe*` of EC2),
    /// on `*`.
    pub fn any(access: Access, actions: &[&'static str]) -> Self {
        Self::new(access, actions, vec![ANY.to_owned()])
    }
}

/// What `report --security-hub` and `run --security-hub` need: importing findings as the
/// account's own product (the product ARN the export names) and reading back the active ones
/// it sent before (the hub).
pub fn security_hub(scope: &ArnScope) -> Vec<Grant> {
    vec![
        Grant::new(
            Access::Export,
            &["securityhub:BatchImportFindings"],
            vec![scope.arn("securityhub", &format!("product/{}/default", scope.account))],
        ),
        Grant::new(
            Access::Export,
            &["securityhub:GetFindings"],
            vec![scope.arn("securityhub", "hub/default")],
        ),
    ]
}

/// What notifications need: `sns:Publish` on the Posture's topic, when it names one (webhooks
/// need no AWS permission; their URLs reach the task through its secrets).
pub fn notifications(state: &DesiredState, scope: &ArnScope) -> Vec<Grant> {
    let topic = state
        .posture
        .notifications
        .as_ref()
        .and_then(|n| n.sns_topic(state));
    topic
        .map(|topic| {
            let arn = if topic.starts_with("arn:") {
                topic.to_owned()
            } else {
                scope.arn("sns", topic)
            };
            Grant::new(Access::Notify, &["sns:Publish"], vec![arn])
        })
        .into_iter()
        .collect()
}

/// What `run --lease-table` needs: reading, writing (conditionally) and, on the way out,
/// deleting its one item of the lease table.
pub fn lease(scope: &ArnScope, table: &str) -> Vec<Grant> {
    vec![Grant::new(
        Access::Lease,
        &[
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
        ],
        vec![scope.arn("dynamodb", &format!("table/{table}"))],
    )]
}

/// The resource of an action that takes none.
pub const ANY: &str = "*";

/// The account, region and partition ARNs are built with; `*` where not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnScope {
    /// `aws`.
    pub partition: String,
    /// The region, or `*`.
    pub region: String,
    /// The account id, or `*`.
    pub account: String,
}

impl ArnScope {
    /// The scope for `state`: `account` (`--account`) or the Posture's `accountId`, and
    /// `region` or the Posture's `region`; `*` for whichever is unknown.
    pub fn new(state: &DesiredState, account: Option<&str>, region: Option<&str>) -> Self {
        let known = |given: Option<&str>, posture: &Option<String>| {
            given
                .map(str::to_owned)
                .or_else(|| posture.clone())
                .unwrap_or_else(|| ANY.to_owned())
        };
        Self {
            partition: "aws".to_owned(),
            region: known(region, &state.posture.region),
            account: known(account, &state.posture.account_id),
        }
    }

    /// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }

    /// An ARN of a global service (IAM): no region.
    pub fn global_arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}::{}:{resource}",
            self.partition, self.account
        )
    }
}

/// One statement of the generated policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `<Kind><Access>`, numbered when the kind has several statements for one access.
    pub sid: String,
    /// Sorted, unique action names.
    pub actions: Vec<String>,
    /// Sorted, unique resources.
    pub resources: Vec<String>,
}

/// A policy document: `Allow` statements only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// In kind registry order, then access, then resources.
    pub statements: Vec<Statement>,
}

/// The policy for `kinds`' grants (each kind's name and grants, in registry order) in
/// `mode`: the grants of the accesses `mode` includes, grouped by resource set.
pub fn policy<'a>(kinds: impl IntoIterator<Item = (&'a str, Vec<Grant>)>, mode: Mode) -> Policy {
    let mut statements = Vec::new();
    for (kind, grants) in kinds {
        let mut grouped: BTreeMap<(Access, Vec<String>), Vec<String>> = BTreeMap::new();
        for grant in grants {
            if !mode.includes(grant.access) {
                continue;
            }
            let mut resources = grant.resources;
            resources.sort();
            resources.dedup();
            grouped
                .entry((grant.access, resources))
                .or_default()
                .extend(grant.actions.iter().map(|action| (*action).to_owned()));
        }
        drop_covered(&mut grouped);
        let mut per_access: BTreeMap<Access, usize> = BTreeMap::new();
        for (access, _) in grouped.keys() {
            *per_access.entry(*access).or_default() += 1;
        }
        let mut numbered: BTreeMap<Access, usize> = BTreeMap::new();
        for ((access, resources), mut actions) in grouped {
            actions.sort();
            actions.dedup();
            let index = numbered.entry(access).or_default();
            *index += 1;
            let sid = if per_access[&access] > 1 {
                format!("{kind}{}{index}", access.label())
            } else {
                format!("{kind}{}", access.label())
            };
            statements.push(Statement {
                sid,
                actions,
                resources,
            });
        }
    }
    Policy { statements }
}

/// Removes each action that another group of the same access also grants on resources that
/// cover all of the group's (a role's reads on `role/afu9-task` when looking for orphans reads
/// `role/*` anyway), and the groups left empty: a statement nothing could tell from the
/// policy without it.
fn drop_covered(grouped: &mut BTreeMap<(Access, Vec<String>), Vec<String>>) {
    let keys: Vec<(Access, Vec<String>)> = grouped.keys().cloned().collect();
    for key in &keys {
        let others: Vec<(Access, Vec<String>)> = keys
            .iter()
            .filter(|other| *other != key && other.0 == key.0)
            .filter(|other| {
                key.1
                    .iter()
                    .all(|resource| other.1.iter().any(|pattern| glob(pattern, resource)))
            })
            .cloned()
            .collect();
        for other in others {
            let covering = grouped[&other].clone();
            if let Some(actions) = grouped.get_mut(key) {
                actions.retain(|action| !covering.contains(action));
            }
        }
    }
    grouped.retain(|_, actions| !actions.is_empty());
}

/// Whether the IAM resource pattern `pattern` (`*` any run of characters, `?` one) matches
/// `resource` (itself a pattern: it is covered when every ARN it matches is).
fn glob(pattern: &str, resource: &str) -> bool {
    let (pattern, resource): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), resource.chars().collect());
    let mut at = vec![vec![false; resource.len() + 1]; pattern.len() + 1];
    at[0][0] = true;
    for i in 1..=pattern.len() {
        at[i][0] = at[i - 1][0] && pattern[i - 1] == '*';
        for j in 1..=resource.len() {
            at[i][j] = match pattern[i - 1] {
                '*' => at[i - 1][j] || at[i][j - 1],
                '?' => at[i - 1][j - 1] && resource[j - 1] != '*',
                c => at[i - 1][j - 1] && c == resource[j - 1],
            };
        }
    }
    at[pattern.len()][resource.len()]
}

#[cfg(test)]
mod tests;
