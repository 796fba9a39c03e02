//! References to `KmsKey` manifests: a secret, trail or topic encrypted with a managed key
//! waits for that key.

use afu9_spec::kms_key::KmsKeySpec;
use afu9_spec::{DesiredState, ManifestKind};

use crate::diff::kms::canonical_kms_key;
use crate::plan::Dependency;

/// The `KmsKey` manifest a key reference of another kind names (`alias/afu9-secrets` or its
/// ARN), as a dependency: a secret, trail or topic is encrypted with the key once its key
/// exists with its alias and rotation.
pub fn key_dependency(state: &DesiredState, key: Option<&str>) -> Option<Dependency> {
    let canonical = canonical_kms_key(key?);
    let name = canonical.strip_prefix("alias/")?;
    state
        .kms_keys
        .iter()
        .any(|k| k.name() == name)
        .then(|| Dependency::done(KmsKeySpec::KIND, name))
}
