//! `IamRole`: a role owned whole — trust policy, inline policies, attached managed
//! policies, description, session length, permissions boundary, tags; and the revocation of
//! its older sessions during an incident (`revoke.rs`).

mod apply;
mod attest;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod prune;
mod revoke;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use afu9_spec::iam::{IamPolicySpec, IamRoleSpec};
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, ManifestKind, Resource};
use serde_json::Value;

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::RoleOp;
pub use observe::ReadStrategy;

/// The IAM role kind, with the read strategy it uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct IamRoles {
    /// How roles are read; `Auto` picks by the number of managed roles.
    pub strategy: ReadStrategy,
    /// The time observations are stamped with (whether revoked sessions have expired is
    /// measured against it); `None` for the system clock.
    pub now: Option<SystemTime>,
}

/// A role as it is in IAM, in the manifest's vocabulary (documents decoded, not canonical).
#[derive(Debug, Clone, PartialEq)]
pub struct IamRoleObserved {
    /// The role's path.
    pub path: String,
    /// The description; `None` when empty.
    pub description: Option<String>,
    /// Maximum session duration in seconds.
    pub max_session_duration: i32,
    /// The trust policy, decoded.
    pub trust_policy: Value,
    /// The permissions boundary's ARN.
    pub permissions_boundary: Option<String>,
    /// Inline policies, name → decoded document.
    pub inline_policies: BTreeMap<String, Value>,
    /// Attached managed policy ARNs.
    pub managed_policies: BTreeSet<String>,
    /// All tags.
    pub tags: Tags,
    /// When this observation was made, in seconds since the Unix epoch.
    pub observed_at: i64,
}

impl ManagedKind for IamRoles {
    type Spec = IamRoleSpec;
    type Observed = IamRoleObserved;
    const SERVICE: &'static str = "IAM";
    const GLOBAL: bool = true;
    const NOUN: &'static str = "role";
    /// IAM's write rate is low (one global control plane per account): 4 in flight for all
    /// of IAM (the least of its kinds' bounds is the service's).
    const WRITE_LIMIT: usize = 4;

    /// Only references to `IamPolicy` manifests by name need the account to become ARNs.
    fn needs_identity(state: &DesiredState) -> bool {
        state.iam_roles.iter().any(|role| {
            let spec = &role.spec;
            spec.managed_policies
                .iter()
                .chain(&spec.permissions_boundary)
                .any(|r| !r.starts_with("arn:"))
        })
    }

    /// The `IamPolicy` manifests it attaches or takes as its permissions boundary, each with
    /// its document in place before it is attached.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        want.spec
            .managed_policies
            .iter()
            .chain(&want.spec.permissions_boundary)
            .filter(|reference| state.iam_policies.iter().any(|p| p.name() == *reference))
            .map(|name| Dependency::done(IamPolicySpec::KIND, name.as_str()))
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
        let now = self.now.unwrap_or_else(SystemTime::now);
        let observed_at = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        observe::observe(aws, want, self.strategy, observed_at)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx, want, have)
    }
}

impl Tagged for IamRoles {
    /// Role tag calls name the role.
    fn live_tags<'a>(name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: name,
        })
    }

    fn tag(role: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(RoleOp::TagRole { role, tags })
    }

    fn untag(role: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(RoleOp::UntagRole { role, keys })
    }
}
