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

/// The key ARNs of the aliases among `keys` (each alias once; an alias with no key is left
/// out), one KMS `DescribeKey` each: what a wanted alias is compared with when the service
/// reports the key by its ARN.
///
/// # Errors
/// A failed `DescribeKey` other than not found.
pub async fn resolve_aliases(
    aws: &crate::aws::Aws,
    keys: &[&str],
) -> Result<std::collections::BTreeMap<String, String>, crate::aws::AwsError> {
    let mut resolved = std::collections::BTreeMap::new();
    for key in keys {
        if !crate::diff::kms::is_alias(key) || resolved.contains_key(*key) {
            continue;
        }
        match aws.kms().describe_key().key_id(*key).send().await {
            Ok(output) => {
                if let Some(arn) = output.key_metadata.and_then(|meta| meta.arn) {
                    resolved.insert((*key).to_owned(), arn);
                }
            }
            Err(err) => {
                let err = crate::aws::AwsError::from_sdk(
                    format!("resolve kms key {key}"),
                    "DescribeKey",
                    &err,
                );
                if !err.is_code("NotFoundException") {
                    return Err(err);
                }
            }
        }
    }
    Ok(resolved)
}

/// Whether two key references name the same key: the same canonical form, or the same key
/// once the aliases in `resolved` stand for their key ARNs.
pub fn same_key(a: &str, b: &str, resolved: &std::collections::BTreeMap<String, String>) -> bool {
    let key = |k: &str| canonical_kms_key(resolved.get(k).map_or(k, String::as_str));
    canonical_kms_key(a) == canonical_kms_key(b) || key(a) == key(b)
}
