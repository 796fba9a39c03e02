//! Importing keys: every alias of the account but AWS's own (`alias/aws/…`), as the key it
//! points to: description, rotation and key policy; and the keys this controller created
//! whose alias never came, by the manifest name they carry (the orphan search lists them).

use afu9_spec::kms_key::KmsKeySpec;
use serde_json::{Value, json};

use super::{KmsKeyObserved, KmsKeys, observe};
use crate::aws::Aws;
use crate::engine::import::manifest_tags;
use crate::engine::{Discovery, ImportContext, Imports, TaggedType};
use crate::permissions::{ArnScope, Grant};

impl Imports for KmsKeys {
    const FILE: &'static str = "keys.yaml";
    const TAGGED: Option<TaggedType> = Some(TaggedType {
        service: "kms",
        prefix: "key/",
    });

    fn discover(aws: &Aws) -> Discovery<'_, KmsKeySpec> {
        discover(aws)
    }

    fn live_id(have: &KmsKeyObserved) -> Option<String> {
        Some(have.key_id.clone())
    }

    fn import(cx: ImportContext<'_>, name: &str, have: &KmsKeyObserved) -> KmsKeySpec {
        import(cx, name, have)
    }

    /// Orphan keys are kept, but still listed.
    fn discovery_grants(scope: &ArnScope) -> Vec<Grant> {
        super::permissions::discovery(scope)
    }
}

fn discover(aws: &Aws) -> Discovery<'_, KmsKeySpec> {
    Box::pin(async move {
        // Keys first: with none, no alias of the account names a key of its own (an alias
        // always targets a key), and the search costs its one list call.
        if observe::list_keys(aws).await?.is_empty() {
            return Ok(Vec::new());
        }
        let aliases = observe::list_aliases(aws).await?;
        let leftovers = observe::leftovers(aws, &aliases).await?;
        let mut names: Vec<String> = aliases
            .keys()
            .filter_map(|alias| {
                let name = alias.strip_prefix("alias/")?;
                (!name.starts_with("aws/")).then(|| name.to_owned())
            })
            .collect();
        let leftovers: Vec<String> = leftovers
            .into_keys()
            .filter(|name| !names.contains(name))
            .collect();
        names.extend(leftovers);
        Ok(names.into_iter().map(|name| (name, probe())).collect())
    })
}

/// A manifest that makes `observe` read the key policy too.
fn probe() -> KmsKeySpec {
    KmsKeySpec {
        policy: Some(json!({})),
        ..KmsKeySpec::default()
    }
}

fn import(_cx: ImportContext<'_>, _name: &str, have: &KmsKeyObserved) -> KmsKeySpec {
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
