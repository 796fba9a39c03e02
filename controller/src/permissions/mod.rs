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
}

impl Access {
    fn label(self) -> &'static str {
        match self {
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Listen => "Listen",
            Self::Export => "Export",
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

#[cfg(test)]
mod tests;
