use serde_json::json;

use super::*;

fn rules(breaches: &[Breach]) -> Vec<&'static str> {
    breaches.iter().map(|b| b.rule).collect()
}

fn allow(action: Value, resource: Value) -> Value {
    let mut statement = json!({"Effect": "Allow"});
    statement["Action"] = action;
    statement["Resource"] = resource;
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

#[test]
fn full_admin_fires_on_star_star_and_on_not_action_but_not_on_deny() {
    assert_eq!(
        rules(&check_permissions(&allow(json!("*"), json!("*")))),
        [FULL_ADMIN]
    );
    let not_action =
        json!({"Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}});
    assert_eq!(rules(&check_permissions(&not_action)), [FULL_ADMIN]);
    let deny = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    assert!(check_permissions(&deny).is_empty());
    let scoped = allow(json!("*"), json!("arn:aws:s3:::afu9-bucket/*"));
    assert!(check_permissions(&scoped).is_empty());
}

#[test]
fn a_service_wildcard_fires_in_any_case_and_on_any_resource() {
    let breaches = check_permissions(&allow(json!(["S3:*"]), json!("arn:aws:s3:::b")));
    assert_eq!(rules(&breaches), [SERVICE_WILDCARD]);
    assert!(breaches[0].detail.contains("`S3:*`"), "{breaches:?}");
}

#[test]
fn reading_every_secret_fires_but_the_guides_afu9_scope_passes() {
    for resource in ["*", "arn:aws:secretsmanager:*:*:secret:*"] {
        let doc = allow(json!("secretsmanager:GetSecretValue"), json!(resource));
        assert_eq!(
            rules(&check_permissions(&doc)),
            [ANY_SECRET_VALUE],
            "{resource}"
        );
    }
    let wildcard = allow(json!("secretsmanager:Get*"), json!("*"));
    assert_eq!(rules(&check_permissions(&wildcard)), [ANY_SECRET_VALUE]);
    let guide = allow(
        json!("secretsmanager:GetSecretValue"),
        json!("arn:aws:secretsmanager:*:*:secret:afu9/*"),
    );
    assert!(check_permissions(&guide).is_empty());
}

#[test]
fn writes_on_any_resource_fire_where_the_service_scopes_them() {
    let update = allow(
        json!(["ecs:DescribeServices", "ecs:UpdateService"]),
        json!("*"),
    );
    let breaches = check_permissions(&update);
    assert_eq!(rules(&breaches), [WRITE_ON_ANY_RESOURCE]);
    assert!(
        breaches[0].detail.contains("ecs:UpdateService"),
        "{breaches:?}"
    );
    assert_eq!(
        rules(&check_permissions(&allow(json!("s3:Put*"), json!("*")))),
        [WRITE_ON_ANY_RESOURCE]
    );
    for only_star in [
        "cloudwatch:PutMetricData",
        "ecs:RegisterTaskDefinition",
        "kms:CreateKey",
    ] {
        let doc = allow(json!(only_star), json!("*"));
        assert!(check_permissions(&doc).is_empty(), "{only_star}");
    }
    for read in ["s3:Get*", "ecs:ListTasks", "ecr:BatchGetImage"] {
        let doc = allow(json!(read), json!("*"));
        assert!(check_permissions(&doc).is_empty(), "{read}");
    }
    // EC2 is not in the table: most of its writes take resource ARNs, many do not.
    let unjudged = allow(json!("ec2:CreateTags"), json!("*"));
    assert!(check_permissions(&unjudged).is_empty());
    let scoped = allow(
        json!("ecs:UpdateService"),
        json!("arn:aws:ecs:*:*:service/afu9*/*"),
    );
    assert!(check_permissions(&scoped).is_empty());
}

#[test]
fn passing_every_role_fires_once_and_a_scoped_pass_role_does_not() {
    let any = allow(json!("iam:PassRole"), json!("*"));
    assert_eq!(rules(&check_permissions(&any)), [PASS_ANY_ROLE]);
    let scoped = allow(json!("iam:PassRole"), json!("arn:aws:iam::*:role/afu9-*"));
    assert!(check_permissions(&scoped).is_empty());
}

#[test]
fn each_rule_fires_once_per_statement_and_statements_are_named_by_sid() {
    let doc = json!({"Statement": [
        {"Sid": "Deploy", "Effect": "Allow", "Action": ["ecs:UpdateService", "ecs:CreateService"], "Resource": "*"},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
    ]});
    let breaches = check_permissions(&doc);
    assert_eq!(
        rules(&breaches),
        [WRITE_ON_ANY_RESOURCE, WRITE_ON_ANY_RESOURCE]
    );
    assert!(
        breaches[0].detail.starts_with("Statement[0] (Deploy): "),
        "{breaches:?}"
    );
    assert!(
        breaches[1].detail.starts_with("Statement[1]: "),
        "{breaches:?}"
    );
}

fn trust(principal: Value, condition: Option<Value>) -> Value {
    let mut statement = json!({"Effect": "Allow", "Action": "sts:AssumeRole"});
    statement["Principal"] = principal;
    if let Some(condition) = condition {
        statement["Condition"] = condition;
    }
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

#[test]
fn any_principal_fires_unless_a_condition_says_who() {
    for principal in [json!("*"), json!({"AWS": "*"}), json!({"AWS": ["*"]})] {
        let doc = trust(principal.clone(), None);
        assert_eq!(
            rules(&check_trust(&doc, None)),
            [TRUST_ANY_PRINCIPAL],
            "{principal}"
        );
    }
    let mfa_only = trust(
        json!("*"),
        Some(json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
    );
    assert_eq!(rules(&check_trust(&mfa_only, None)), [TRUST_ANY_PRINCIPAL]);
    let org = trust(
        json!("*"),
        Some(json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})),
    );
    assert!(check_trust(&org, None).is_empty());
}

#[test]
fn another_account_fires_without_a_condition_and_the_own_account_does_not() {
    let other = trust(json!({"AWS": "arn:aws:iam::999999999999:root"}), None);
    assert_eq!(
        rules(&check_trust(&other, Some("123456789012"))),
        [TRUST_OTHER_ACCOUNT]
    );
    assert_eq!(
        rules(&check_trust(
            &trust(json!({"AWS": "999999999999"}), None),
            None
        )),
        [TRUST_OTHER_ACCOUNT]
    );
    let own = trust(json!({"AWS": "arn:aws:iam::123456789012:role/ci"}), None);
    assert!(check_trust(&own, Some("123456789012")).is_empty());
    let external_id = trust(
        json!({"AWS": "arn:aws:iam::999999999999:root"}),
        Some(json!({"StringEquals": {"sts:ExternalId": "afu9"}})),
    );
    assert!(check_trust(&external_id, Some("123456789012")).is_empty());
    let service = trust(json!({"Service": "ecs-tasks.amazonaws.com"}), None);
    assert!(check_trust(&service, None).is_empty());
}

#[test]
fn action_patterns_match_like_iam() {
    assert!(matches_action("get*", "getsecretvalue"));
    assert!(matches_action("*value", "getsecretvalue"));
    assert!(matches_action("getsecretvalu?", "getsecretvalue"));
    assert!(!matches_action("put*", "getsecretvalue"));
    assert!(!matches_action("getsecret", "getsecretvalue"));
}
