use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE, Tags};

use super::*;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

fn live(tags: &[(&str, &str)], lifecycle: Option<&str>) -> EcrRepositoryObserved {
    EcrRepositoryObserved {
        arn: "arn:aws:ecr:eu-central-1:123456789012:repository/afu9/x".to_owned(),
        scan_on_push: false,
        tag_mutability: "MUTABLE".to_owned(),
        encryption_type: "KMS".to_owned(),
        kms_key: Some("arn:aws:kms:eu-central-1:123456789012:key/k".to_owned()),
        lifecycle_policy: lifecycle.map(str::to_owned),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Tags>(),
    }
}

const RULES: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},{"rulePriority":2,"description":"keep 30","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":30},"action":{"type":"expire"}}]}"#;

#[test]
fn an_owned_repository_with_every_field_imports_in_sync() {
    let have = live(
        &[(MANAGED_BY_KEY, MANAGED_BY_VALUE), ("team", "afu9")],
        Some(RULES),
    );
    let plan = round_trip::<EcrRepositories>("afu9/x", &have, &BTreeMap::new(), None);
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9/x",
        &have,
    );
    assert_eq!(spec.scan_on_push, Some(false));
    assert_eq!(spec.tag_mutability, Some(TagMutability::Mutable));
    assert_eq!(
        spec.lifecycle_policy.and_then(|p| p.rules).map(|r| r.len()),
        Some(2)
    );
    assert_eq!(spec.tags.len(), 1, "the ownership tag is the engine's");
}

#[test]
fn an_unowned_repository_without_a_lifecycle_policy_is_adopted_and_changes_only_its_owner_tag() {
    let have = live(&[("team", "afu9")], None);
    let plan = round_trip::<EcrRepositories>("afu9/x", &have, &BTreeMap::new(), None);
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.tags.managed-by"], "{:?}", plan.reason);
    assert_eq!(plan.action, Action::Update);
}
