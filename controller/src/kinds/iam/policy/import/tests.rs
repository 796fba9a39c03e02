use std::collections::BTreeMap;

use afu9_spec::tags::{MANAGED_BY_KEY, MANAGED_BY_VALUE};
use serde_json::json;

use super::*;
use crate::aws::Identity;
use crate::kinds::round_trip::round_trip;
use crate::plan::Action;

#[test]
fn a_policy_on_a_path_imports_in_sync() {
    let have = IamPolicyObserved {
        arn: "arn:aws:iam::123456789012:policy/afu9/afu9-read".to_owned(),
        description: Some("read the buckets".to_owned()),
        document: json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::afu9-artifacts/*"}]}),
        versions: Vec::new(),
        tags: [(MANAGED_BY_KEY.to_owned(), MANAGED_BY_VALUE.to_owned())]
            .into_iter()
            .collect(),
    };
    let identity = Identity {
        account: "123456789012".to_owned(),
        partition: "aws".to_owned(),
        arn: "arn:aws:iam::123456789012:user/test".to_owned(),
    };
    let plan = round_trip::<IamPolicies>("afu9-read", &have, &BTreeMap::new(), Some(&identity));
    assert_eq!(plan.action, Action::Noop, "{:?}", plan.changes);
    let spec = import(
        ImportContext {
            names: &BTreeMap::new(),
        },
        "afu9-read",
        &have,
    );
    assert_eq!(spec.path.as_deref(), Some("/afu9/"));
}
