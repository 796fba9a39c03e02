//! What a live role proves, read off the documents IAM holds, whatever the manifest says:
//! its inline and attached managed policies grant no full administrator access (IAM.1) and no
//! wildcard action of a service (IAM.21); and no AWS service may assume it for another
//! account's request (`AFU9.IAM.1`, cross-service confused deputy): each service principal that
//! sends `aws:SourceAccount` is trusted only under a source condition. Security Hub has no
//! control for the last one; the guide's least privilege includes it.

use afu9_spec::Resource;
use afu9_spec::iam::IamRoleSpec;
use afu9_spec::iam::confused_deputy::unconditioned_services;
use serde_json::Value;

use super::{IamRoleObserved, IamRoles};
use crate::engine::Attests;
use crate::plan::Fact;
use crate::refs::iam_facts::least_privilege;

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
        let mut facts = least_privilege(
            "policies",
            have.inline_policies
                .iter()
                .map(|(name, document)| (format!("inline policy {name}:"), document)),
            have.managed_policies.iter().map(String::as_str),
        );
        facts.push(Fact::judged(
            TRUST_CONDITIONS,
            "trustPolicy",
            Some(Value::Array(bare)),
            holds,
            (
                "no AWS service may assume it without aws:SourceAccount or aws:SourceArn",
                "an AWS service may assume it without aws:SourceAccount or aws:SourceArn \
                 (cross-service confused deputy): the live value lists the statements",
            ),
        ));
        facts
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
        let trust = |live| {
            IamRoles::facts(want, &live)
                .into_iter()
                .find(|fact| fact.control == TRUST_CONDITIONS)
                .expect("the trust fact")
        };
        let fact = trust(live(bare));
        assert_eq!((fact.field.as_str(), fact.holds), ("trustPolicy", false));
        assert_eq!(
            fact.live,
            Some(json!(["Statement[0]: ecs-tasks.amazonaws.com"]))
        );
        assert!(trust(live(want.spec.trust_document())).holds);
    }
}
