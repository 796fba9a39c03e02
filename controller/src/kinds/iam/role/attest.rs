//! What a live role proves: that no AWS service may assume it for another account's request
//! (`AFU9.IAM.1`, cross-service confused deputy): each service principal that sends
//! `aws:SourceAccount` is trusted only under a source condition. Security Hub has no control for
//! it; the guide's least privilege includes it. Read off the live trust policy, whatever the
//! manifest says.

use afu9_spec::Resource;
use afu9_spec::iam::IamRoleSpec;
use afu9_spec::iam::confused_deputy::unconditioned_services;
use serde_json::Value;

use super::{IamRoleObserved, IamRoles};
use crate::engine::Attests;
use crate::plan::Fact;

/// Every service the role trusts is bound to the account by `aws:SourceAccount` or
/// `aws:SourceArn`.
pub const TRUST_CONDITIONS: &str = "AFU9.IAM.1";

impl Attests for IamRoles {
    fn facts(_want: &Resource<IamRoleSpec>, have: &IamRoleObserved) -> Vec<Fact> {
        let bare: Vec<Value> = unconditioned_services(&have.trust_policy)
            .into_iter()
            .map(|(statement, service)| Value::String(format!("{statement}: {service}")))
            .collect();
        let holds = bare.is_empty();
        vec![Fact::judged(
            TRUST_CONDITIONS,
            "trustPolicy",
            Some(Value::Array(bare)),
            holds,
            (
                "no AWS service may assume it without aws:SourceAccount or aws:SourceArn",
                "an AWS service may assume it without aws:SourceAccount or aws:SourceArn \
                 (cross-service confused deputy): the live value lists the statements",
            ),
        )]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;
    use afu9_spec::tags::Tags;
    use serde_json::json;

    use super::*;

    /// A manifest whose trust policy carries the condition: the fact must follow the live one.
    const ROLE: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: IamRole
metadata: {name: afu9-task}
spec:
  trustPolicy:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Principal: {Service: ecs-tasks.amazonaws.com}
        Action: sts:AssumeRole
        Condition: {StringEquals: {"aws:SourceAccount": "123456789012"}}
"#;

    fn live(trust_policy: Value) -> IamRoleObserved {
        IamRoleObserved {
            path: "/".to_owned(),
            description: None,
            max_session_duration: 3600,
            trust_policy,
            permissions_boundary: None,
            inline_policies: BTreeMap::new(),
            managed_policies: BTreeSet::new(),
            tags: Tags::default(),
            observed_at: 0,
        }
    }

    #[test]
    fn a_live_service_trust_without_a_source_condition_fails_whatever_the_manifest_says() {
        let state = load_str(Path::new("iam.yaml"), ROLE).expect("valid manifest");
        let want = &IamRoleSpec::resources(&state)[0];
        let bare = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
        let facts = IamRoles::facts(want, &live(bare));
        assert_eq!(facts.len(), 1);
        assert_eq!(
            (facts[0].control, facts[0].field.as_str(), facts[0].holds),
            (TRUST_CONDITIONS, "trustPolicy", false)
        );
        assert_eq!(
            facts[0].live,
            Some(json!(["Statement[0]: ecs-tasks.amazonaws.com"]))
        );
        assert!(IamRoles::facts(want, &live(want.spec.trust_document()))[0].holds);
    }
}
