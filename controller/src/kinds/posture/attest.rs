//! What the account's settings prove: that the ECR registry scans every repository
//! (`AFU9.ECR.1`, read off `GetRegistryScanningConfiguration`), and that the account blocks
//! public access to its buckets (S3.1, read off S3 Control's `GetPublicAccessBlock`). Security Hub's ECR.1 judges each
//! repository; no Security Hub control reads the registry's own rules, which decide whether a
//! repository no manifest names is scanned too.

use afu9_spec::Resource;
use afu9_spec::posture::PostureSpec;
use serde_json::json;

use super::{AccountSettings, AccountSettingsObserved};
use crate::engine::Attests;
use crate::plan::Fact;

/// Every repository of the registry is scanned (on push or continuously), those no manifest
/// names included.
pub const REGISTRY_SCANNING: &str = "AFU9.ECR.1";

impl Attests for AccountSettings {
    fn facts(_want: &Resource<PostureSpec>, have: &AccountSettingsObserved) -> Vec<Fact> {
        let public_access = have.s3_block_public_access.map(super::public_access::fact);
        let Some(scanning) = &have.registry_scanning else {
            return public_access.into_iter().collect();
        };
        let scanning = Fact::judged(
            REGISTRY_SCANNING,
            "ecrRegistryScanning",
            Some(json!({"scanType": scanning.scan_type, "rules": scanning.rules_json()})),
            scanning.scans_every_repository(),
            (
                "the registry scans every repository ('*'), those no manifest names included",
                "the registry has no scanning rule for every repository ('*'): a repository \
                 created outside the manifests pushes unscanned images",
            ),
        );
        std::iter::once(scanning).chain(public_access).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::load::load_str;
    use afu9_spec::registry_scanning::RegistryScanning;

    use super::super::{RegistryScanningObserved, ScanRule};
    use super::*;

    /// A document that asks for registry scanning: the fact must still follow the live rules.
    const POSTURE: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: Posture
metadata: {name: afu9}
spec:
  ecrRegistryScanning: {scanType: BASIC, frequency: SCAN_ON_PUSH}
";

    fn live(rules: Vec<ScanRule>) -> AccountSettingsObserved {
        AccountSettingsObserved {
            region: None,
            ebs_encryption_by_default: None,
            registry_scanning: Some(RegistryScanningObserved {
                scan_type: "BASIC".to_owned(),
                rules,
            }),
            s3_block_public_access: None,
        }
    }

    #[test]
    fn registry_scanning_is_read_off_the_live_rules_not_the_document() {
        let state = load_str(Path::new("posture.yaml"), POSTURE).expect("valid");
        let want = state.posture_document.clone().expect("a Posture document");
        let narrow = ScanRule {
            frequency: "SCAN_ON_PUSH".to_owned(),
            filters: vec![("afu9/*".to_owned(), "WILDCARD".to_owned())],
        };
        let facts = AccountSettings::facts(&want, &live(vec![narrow]));
        assert_eq!(facts.len(), 1);
        assert_eq!(
            (facts[0].control, facts[0].field.as_str(), facts[0].holds),
            (REGISTRY_SCANNING, "ecrRegistryScanning", false)
        );
        assert_eq!(
            facts[0].live.as_ref().expect("live")["rules"][0]["repositoryFilters"][0]["filter"],
            "afu9/*"
        );
        assert!(!AccountSettings::facts(&want, &live(Vec::new()))[0].holds);
        let every = ScanRule::every_repository(RegistryScanning::default());
        assert!(AccountSettings::facts(&want, &live(vec![every]))[0].holds);
        let unread = AccountSettingsObserved {
            registry_scanning: None,
            s3_block_public_access: None,
            ..live(Vec::new())
        };
        assert!(AccountSettings::facts(&want, &unread).is_empty());
    }
}
