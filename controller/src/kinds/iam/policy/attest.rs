//! What a live customer managed policy proves: its default version grants no full
//! administrator access (IAM.1) and no wildcard action of a service (IAM.21).

use afu9_spec::Resource;
use afu9_spec::iam::IamPolicySpec;

use super::{IamPolicies, IamPolicyObserved};
use crate::engine::Attests;
use crate::plan::Fact;
use crate::refs::iam_facts::least_privilege;

impl Attests for IamPolicies {
    fn facts(_want: &Resource<IamPolicySpec>, have: &IamPolicyObserved) -> Vec<Fact> {
        least_privilege("document", [(String::new(), &have.document)], [])
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;
    use serde_json::{Value, json};

    use super::*;

    const POLICY: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: IamPolicy
metadata: {name: afu9-deploy}
spec:
  document:
    Version: '2012-10-17'
    Statement: [{Effect: Allow, Action: 'ecr:DescribeRepositories', Resource: '*'}]
";

    fn judged(document: Value) -> Vec<(&'static str, bool)> {
        let state = load_str(Path::new("policy.yaml"), POLICY).expect("valid manifest");
        let want = &IamPolicySpec::resources(&state)[0];
        let have = IamPolicyObserved {
            arn: "arn:aws:iam::123456789012:policy/afu9-deploy".to_owned(),
            description: None,
            document,
            versions: Vec::new(),
            tags: afu9_spec::tags::Tags::default(),
        };
        IamPolicies::facts(want, &have)
            .iter()
            .map(|f| (f.control, f.holds))
            .collect()
    }

    #[test]
    fn facts_read_the_policy_in_force_not_the_manifest() {
        let scoped = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:DescribeRepositories", "Resource": "*"}]});
        assert_eq!(judged(scoped), [("IAM.1", true), ("IAM.21", true)]);
        let admin = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b/*"}]});
        assert_eq!(judged(admin), [("IAM.1", false), ("IAM.21", false)]);
    }
}
