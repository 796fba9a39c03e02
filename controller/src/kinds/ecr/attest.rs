//! What a live repository proves: scan on push (ECR.1) and immutable tags (ECR.2), read
//! off the repository whatever its manifest asks.

use afu9_spec::Resource;
use afu9_spec::ecr::EcrRepositorySpec;
use serde_json::Value;

use super::{EcrRepositories, EcrRepositoryObserved};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for EcrRepositories {
    fn facts(_want: &Resource<EcrRepositorySpec>, have: &EcrRepositoryObserved) -> Vec<Fact> {
        vec![
            Fact::judged(
                "ECR.1",
                "scanOnPush",
                Some(Value::Bool(have.scan_on_push)),
                have.scan_on_push,
                (
                    "images are scanned when pushed",
                    "images are not scanned when pushed",
                ),
            ),
            Fact::judged(
                "ECR.2",
                "tagMutability",
                Some(Value::String(have.tag_mutability.clone())),
                have.tag_mutability == "IMMUTABLE",
                (
                    "tags are immutable",
                    "tags are mutable: a pushed tag can be overwritten",
                ),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;
    use afu9_spec::tags::Tags;

    use super::*;

    /// A manifest that asks for both controls: the facts must still follow the live values.
    const REPO: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: EcrRepository
metadata: {name: app}
spec: {scanOnPush: true, tagMutability: IMMUTABLE}
";

    fn live(scan_on_push: bool, tag_mutability: &str) -> EcrRepositoryObserved {
        EcrRepositoryObserved {
            arn: "arn:aws:ecr:eu-central-1:123456789012:repository/app".to_owned(),
            scan_on_push,
            tag_mutability: tag_mutability.to_owned(),
            encryption_type: "AES256".to_owned(),
            kms_key: None,
            lifecycle_policy: None,
            tags: Tags::default(),
        }
    }

    #[test]
    fn facts_read_the_live_repository_not_the_manifest() {
        let state = load_str(Path::new("ecr.yaml"), REPO).expect("valid manifest");
        let want = &EcrRepositorySpec::resources(&state)[0];
        let facts = EcrRepositories::facts(want, &live(false, "MUTABLE"));
        let judged: Vec<_> = facts.iter().map(|f| (f.control, f.holds)).collect();
        assert_eq!(judged, [("ECR.1", false), ("ECR.2", false)]);
        let facts = EcrRepositories::facts(want, &live(true, "IMMUTABLE"));
        assert!(facts.iter().all(|f| f.holds), "{facts:?}");
    }
}
