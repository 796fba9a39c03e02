//! `Secret`: a Secrets Manager secret's configuration — rotation, KMS key, description, tags.
//!
//! The value is never read or written: this kind calls `ListSecrets`, `ListSecretVersionIds`
//! (version ids, stages and dates; no values) and configuration writes only; `rotatedAfter`
//! rotates a compromised secret at once (`contain.rs`).

mod apply;
mod attest;
mod contain;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;
mod prune;

use std::time::SystemTime;

use afu9_spec::secrets::{Schedule, SecretSpec};
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Dependency, Operation};

pub use apply::SecretOp;

/// The secret kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct Secrets {
    /// The time observations are stamped with (the age of a manually rotated value is
    /// measured against it); `None` for the system clock.
    pub now: Option<SystemTime>,
}

/// A secret as it is in Secrets Manager, in the manifest's vocabulary. Times are seconds
/// since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretObserved {
    /// The secret's ARN (its partition, region and account resolve Lambda names).
    pub arn: String,
    /// The description.
    pub description: Option<String>,
    /// The KMS key as Secrets Manager reports it; `None` for the AWS managed key.
    pub kms_key: Option<String>,
    /// Whether automatic rotation is on (missing counts as off).
    pub rotation_enabled: bool,
    /// The rotation Lambda's ARN, kept after rotation is turned off.
    pub rotation_lambda: Option<String>,
    /// The rotation schedule in canonical form.
    pub schedule: Option<Schedule>,
    /// Whether the secret has any version, i.e. a value (read from version ids, not values).
    pub has_value: bool,
    /// When the secret was created.
    pub created: Option<i64>,
    /// When rotation last ran.
    pub last_rotated: Option<i64>,
    /// When the current value (the `AWSCURRENT` version) was stored; read only for manual
    /// rotation with `maxAgeDays`.
    pub value_stored: Option<i64>,
    /// When a rotation still in progress began: the creation of an `AWSPENDING` version that
    /// is not `AWSCURRENT` (read with `value_stored`).
    pub rotation_pending: Option<i64>,
    /// When the secret will be deleted, if its deletion is scheduled.
    pub deletion_date: Option<i64>,
    /// When this observation was made.
    pub observed_at: i64,
    /// All tags.
    pub tags: Tags,
}

impl ManagedKind for Secrets {
    type Spec = SecretSpec;
    type Observed = SecretObserved;
    const SERVICE: &'static str = "Secrets Manager";
    const NOUN: &'static str = "secret";
    /// Secrets Manager throttles per account and region; 8 in flight, as for ECR.
    const WRITE_LIMIT: usize = 8;

    /// The `KmsKey` manifest its key names, if any: it is encrypted with the key once the key
    /// exists.
    fn depends_on(state: &DesiredState, want: &Resource<Self::Spec>) -> Vec<Dependency> {
        crate::refs::kms::key_dependency(state, want.spec.kms_key.as_deref())
            .into_iter()
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
        observe::observe(aws, want, now)
    }

    fn plan(
        cx: &PlanContext<'_>,
        want: &Resource<Self::Spec>,
        have: Option<&Self::Observed>,
    ) -> Delta {
        plan::plan(cx.state, want, have)
    }
}

impl Tagged for Secrets {
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.arn,
        })
    }

    fn tag(arn: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(SecretOp::TagResource { arn, tags })
    }

    fn untag(arn: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(SecretOp::UntagResource { arn, keys })
    }
}
