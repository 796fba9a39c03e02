//! `KmsKey`: a customer-managed key by alias: rotation, description, key policy, tags;
//! created when missing, never deleted.

mod apply;
mod events;
mod import;
mod observe;
mod permissions;
mod plan;

use std::sync::{Arc, OnceLock};

use afu9_spec::kms_key::KmsKeySpec;
use afu9_spec::tags::Tags;
use afu9_spec::{DesiredState, Resource};

use crate::aws::{Aws, AwsError};
use crate::engine::{LiveTags, ManagedKind, PlanContext, Tagged};
use crate::permissions::{ArnScope, Grant};
use crate::plan::{Delta, Operation};

pub use apply::KeyOp;

/// The KMS key kind.
#[derive(Debug, Clone, Copy, Default)]
pub struct KmsKeys;

/// A key as KMS reports it, in the manifest's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKeyObserved {
    /// The key id the alias points to (tag and key calls take it).
    pub key_id: String,
    /// `CUSTOMER` or `AWS`.
    pub manager: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, …
    pub state: String,
    /// The description.
    pub description: String,
    /// Automatic rotation; `None` when the key is not enabled (not read).
    pub rotation: Option<bool>,
    /// The key policy text as KMS returned it; `None` when the manifest does not manage it.
    pub policy: Option<String>,
    /// All tags.
    pub tags: Tags,
    /// Whether the manifest's alias points to it; `false` for a key found by its manifest
    /// tag alone (created, then left without its alias).
    pub aliased: bool,
}

/// The id of the key a later call of the same apply acts on: known, or filled in by the
/// `CreateKey` of this apply.
#[derive(Debug, Clone)]
pub enum KeyRef {
    /// An existing key's id.
    Known(String),
    /// The key `CreateKey` makes; its id is known once that call is done.
    Created(Arc<OnceLock<String>>),
}

impl KeyRef {
    /// The key id, if known by now.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Known(id) => Some(id),
            Self::Created(slot) => slot.get().map(String::as_str),
        }
    }
}

impl std::fmt::Display for KeyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.id() {
            Some(id) => f.write_str(id),
            None => f.write_str("(key id known after apply)"),
        }
    }
}

impl ManagedKind for KmsKeys {
    type Spec = KmsKeySpec;
    type Observed = KmsKeyObserved;
    const SERVICE: &'static str = "KMS";
    const NOUN: &'static str = "key";
    /// KMS control-plane writes share a per-account rate (a few per second for
    /// `CreateKey`); a posture names a handful of keys.
    const WRITE_LIMIT: usize = 4;
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

impl Tagged for KmsKeys {
    /// Tag calls name the key by the id its alias points to.
    fn live_tags<'a>(_name: &'a str, have: &'a Self::Observed) -> Option<LiveTags<'a>> {
        Some(LiveTags {
            tags: &have.tags,
            target: &have.key_id,
        })
    }

    fn tag(key_id: String, tags: Tags) -> Box<dyn Operation> {
        Box::new(KeyOp::TagResource { key_id, tags })
    }

    fn untag(key_id: String, keys: Vec<String>) -> Box<dyn Operation> {
        Box::new(KeyOp::UntagResource { key_id, keys })
    }
}
