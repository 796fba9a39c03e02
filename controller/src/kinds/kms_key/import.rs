//! Importing keys: every alias of the account but AWS's own (`alias/aws/…`), as the key it
//! points to: description, rotation and key policy.

use afu9_spec::kms_key::KmsKeySpec;
use serde_json::{Value, json};

use super::{KmsKeyObserved, KmsKeys, observe};
use crate::aws::Aws;
use crate::engine::import::{Discovery, ImportContext, ImportOps, manifest_tags};

pub(super) fn ops() -> ImportOps<KmsKeys> {
    ImportOps {
        file: "keys.yaml",
        discover,
        live_id: |have| Some(have.key_id.clone()),
        import,
    }
}

fn discover(aws: &Aws) -> Discovery<'_, KmsKeySpec> {
    Box::pin(async move {
        Ok(observe::list_aliases(&aws.kms)
            .await?
            .into_keys()
            .filter_map(|alias| {
                let name = alias.strip_prefix("alias/")?;
                (!name.starts_with("aws/")).then(|| (name.to_owned(), probe()))
            })
            .collect())
    })
}

/// A manifest that makes `observe` read the key policy too.
fn probe() -> KmsKeySpec {
    KmsKeySpec {
        policy: Some(json!({})),
        ..KmsKeySpec::default()
    }
}

pub(super) fn import(_cx: ImportContext<'_>, _name: &str, have: &KmsKeyObserved) -> KmsKeySpec {
    KmsKeySpec {
        description: Some(have.description.clone()),
        rotation: have.rotation,
        policy: have
            .policy
            .as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok()),
        tags: manifest_tags(&have.tags),
    }
}

#[cfg(test)]
mod tests;
