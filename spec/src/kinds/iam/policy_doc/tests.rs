//! Tests of the parent module.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn assert_equivalent(a: &Value, b: &Value) {
    assert!(
        equivalent(a, b),
        "expected equivalent:\n{a}\n{b}\ncanonical:\n{}\n{}",
        canonical(a),
        canonical(b)
    );
}

fn assert_different(a: &Value, b: &Value) {
    assert!(
        !equivalent(a, b),
        "expected different:\n{a}\n{b}\ncanonical: {}",
        canonical(a)
    );
}

fn statement(body: &Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [body]})
}

// --- decode_document ---

#[test]
fn decodes_url_encoded_documents() {
    let text = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
    let doc = decode_document(text).unwrap();
    assert_eq!(doc["Statement"][0]["Action"], "sts:AssumeRole");
    assert_eq!(
        doc["Statement"][0]["Principal"]["Service"],
        "ecs-tasks.amazonaws.com"
    );
}

#[test]
fn decodes_plain_documents_without_percent_decoding() {
    let doc = decode_document("  \n {\"Resource\": \"arn:aws:s3:::a%20b\"}").unwrap();
    assert_eq!(doc["Resource"], "arn:aws:s3:::a%20b");
}

#[test]
fn plus_is_not_a_space_when_decoding() {
    let doc = decode_document("%7B%22a%22%3A%22x+y%20z%22%7D").unwrap();
    assert_eq!(doc["a"], "x+y z");
}

#[test]
fn decode_errors_give_position_not_document() {
    let secret = "arn:aws:iam::123456789012:role/very-secret-name";
    let text = format!("{{\"Resource\": \"{secret}\",, }}");
    let error = decode_document(&text).unwrap_err();
    assert!(matches!(
        error,
        PolicyDocError::NotJson {
            problem: "syntax error",
            line: 1,
            ..
        }
    ));
    let message = error.to_string();
    assert!(message.starts_with("policy document is not valid json"));
    assert!(!message.contains("secret"), "{message}");
    assert_eq!(message, message.to_lowercase());

    let encoded = decode_document("%7B%22a%22%3A").unwrap_err();
    assert!(matches!(
        encoded,
        PolicyDocError::NotJson {
            problem: "unexpected end",
            ..
        }
    ));
    assert_eq!(decode_document("   ").unwrap_err(), PolicyDocError::Empty);
    assert_eq!(decode_document("%20").unwrap_err(), PolicyDocError::Empty);
    assert_eq!(
        decode_document("%7B%FF").unwrap_err(),
        PolicyDocError::NotUtf8 { position: 1 }
    );
}

// --- rule 1: key order ---

#[test]
fn key_order_is_irrelevant() {
    let a: Value = serde_json::from_str(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    )
    .unwrap();
    let b: Value = serde_json::from_str(
        r#"{"Statement":[{"Resource":"*","Action":"s3:GetObject","Effect":"Allow"}],"Version":"2012-10-17"}"#,
    )
    .unwrap();
    assert_equivalent(&a, &b);
    let canonical_b = canonical(&b);
    let keys: Vec<&String> = canonical_b["Statement"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["Action", "Effect", "Resource"]);
}

#[test]
fn key_order_near_miss_different_action() {
    let a = statement(&json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}));
    let b = statement(&json!({"Resource": "*", "Action": "s3:PutObject", "Effect": "Allow"}));
    assert_different(&a, &b);
}

// --- rule 2: Statement shape and order ---

#[test]
fn single_statement_equals_one_element_array_and_order_is_free() {
    let s1 = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"});
    let s2 = json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"});
    assert_equivalent(
        &json!({"Version": "2012-10-17", "Statement": s1}),
        &json!({"Version": "2012-10-17", "Statement": [s1]}),
    );
    assert_equivalent(
        &json!({"Version": "2012-10-17", "Statement": [s1, s2]}),
        &json!({"Version": "2012-10-17", "Statement": [s2, s1]}),
    );
}

#[test]
fn statement_near_misses_effect_and_multiset() {
    let allow = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"});
    let deny = json!({"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"});
    assert_different(
        &json!({"Statement": allow.clone()}),
        &json!({"Statement": [deny]}),
    );
    // Statements are a multiset: a repeated statement is not dropped.
    assert_different(
        &json!({"Statement": [allow.clone()]}),
        &json!({"Statement": [allow.clone(), allow]}),
    );
}

// --- rule 3: Action / Resource ---

#[test]
fn actions_and_resources_are_sets_and_action_case_is_free() {
    let a = statement(&json!({
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "NotResource": "arn:aws:s3:::bucket/*",
    }));
    let b = statement(&json!({
        "Effect": "Allow",
        "Action": ["S3:getobject", "s3:GetObject"],
        "NotResource": ["arn:aws:s3:::bucket/*"],
    }));
    assert_equivalent(&a, &b);
    let c = statement(&json!({
        "Effect": "Allow",
        "NotAction": ["iam:*", "s3:GetObject"],
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::a"],
    }));
    let d = statement(&json!({
        "Effect": "Allow",
        "NotAction": ["s3:getObject", "IAM:*"],
        "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b", "arn:aws:s3:::a"],
    }));
    assert_equivalent(&c, &d);
}

#[test]
fn action_resource_near_misses() {
    let base = statement(
        &json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}),
    );
    let extra_resource = statement(&json!({
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::bucket/*", "arn:aws:s3:::other/*"],
    }));
    let resource_case = statement(
        &json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::Bucket/*"}),
    );
    let not_action = statement(
        &json!({"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}),
    );
    assert_different(&base, &extra_resource);
    assert_different(&base, &resource_case);
    assert_different(&base, &not_action);
}

// --- rule 4: Principal ---

#[test]
fn principals_compare_by_meaning() {
    let star = statement(&json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}));
    let aws_star = statement(
        &json!({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "sts:AssumeRole"}),
    );
    assert_equivalent(&star, &aws_star);

    let bare = statement(&json!({
        "Effect": "Allow",
        "Principal": {"AWS": "123456789012", "Service": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"]},
        "Action": "sts:AssumeRole",
    }));
    let arn = statement(&json!({
        "Effect": "Allow",
        "Principal": {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"], "AWS": ["arn:aws:iam::123456789012:root"]},
        "Action": "sts:AssumeRole",
    }));
    assert_equivalent(&bare, &arn);
    // An existing ARN in another partition is kept as written.
    let gov = statement(
        &json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws-us-gov:iam::123456789012:root"}, "Action": "s3:*"}),
    );
    assert_eq!(
        canonical(&gov)["Statement"][0]["NotPrincipal"]["AWS"],
        json!(["arn:aws-us-gov:iam::123456789012:root"])
    );
}

#[test]
fn principal_near_misses() {
    let account = statement(
        &json!({"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}),
    );
    let other_account = statement(
        &json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}),
    );
    let role = statement(
        &json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/x"}, "Action": "sts:AssumeRole"}),
    );
    let star = statement(&json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}));
    let service_star = statement(
        &json!({"Effect": "Allow", "Principal": {"Service": "*"}, "Action": "sts:AssumeRole"}),
    );
    let not_principal = statement(
        &json!({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}),
    );
    assert_different(&account, &other_account);
    assert_different(&account, &role);
    assert_different(&star, &service_star);
    assert_different(&account, &not_principal);
}

// --- rule 5: Condition ---

#[test]
fn conditions_compare_by_meaning() {
    let a = statement(&json!({
        "Effect": "Deny",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "Bool": {"aws:SecureTransport": false},
            "NumericLessThan": {"s3:TlsVersion": 1.2, "s3:max-keys": 5},
            "StringEquals": {"aws:SourceAccount": ["222222222222", "111111111111"]},
        },
    }));
    let b = statement(&json!({
        "Resource": ["*"],
        "Action": ["S3:*"],
        "Effect": "Deny",
        "Condition": {
            "StringEquals": {"AWS:sourceaccount": ["111111111111", "222222222222", "111111111111"]},
            "NumericLessThan": {"s3:max-keys": "5", "S3:TLSVERSION": ["1.2"]},
            "Bool": {"aws:securetransport": "false"},
        },
    }));
    assert_equivalent(&a, &b);
}

#[test]
fn condition_near_misses() {
    let equals = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "afu9"}}}),
    );
    let like = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringLike": {"aws:PrincipalTag/team": "afu9"}}}),
    );
    let operator_case = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"stringequals": {"aws:PrincipalTag/team": "afu9"}}}),
    );
    let value_case = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "AFU9"}}}),
    );
    let extra_value = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["afu9", "ops"]}}}),
    );
    assert_different(&equals, &like);
    assert_different(&equals, &operator_case);
    assert_different(&equals, &value_case);
    assert_different(&equals, &extra_value);
}

#[test]
fn condition_keys_differing_only_in_case_are_kept_apart() {
    let both = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "1", "aws:sourceaccount": "2"}}}),
    );
    let merged = statement(
        &json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:sourceaccount": ["1", "2"]}}}),
    );
    assert_different(&both, &merged);
    let once = canonical(&both);
    assert_eq!(canonical(&once), once);
}

// --- rule 6: Sid, Effect, Version ---

#[test]
fn empty_sid_equals_no_sid() {
    let a = statement(
        &json!({"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    );
    let b = statement(&json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}));
    assert_equivalent(&a, &b);
}

#[test]
fn sid_effect_version_near_misses() {
    let body = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"});
    let named = statement(
        &json!({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
    );
    let lower_effect =
        statement(&json!({"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}));
    let v2012 = json!({"Version": "2012-10-17", "Statement": [body]});
    let v2008 = json!({"Version": "2008-10-17", "Statement": [body]});
    let no_version = json!({"Statement": [body]});
    assert_different(&v2012, &named);
    assert_different(&v2012, &lower_effect);
    assert_different(&v2012, &v2008);
    assert_different(&v2012, &no_version);
    assert!(canonical(&no_version).get("Version").is_none());
}

// --- rule 7: idempotence ---

#[test]
fn canonical_is_idempotent_on_a_messy_document() {
    let doc = json!({
        "Id": {"b": 1, "a": [3, {"z": 0, "y": 1}]},
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {"AWS": ["123456789012", "*"], "Federated": "cognito-identity.amazonaws.com"},
            "Action": ["STS:AssumeRoleWithWebIdentity", "sts:TagSession"],
            "Condition": {"ForAnyValue:StringLike": {"Cognito:AMR": ["authenticated", true, 5]}},
        },
    });
    let once = canonical(&doc);
    assert_eq!(canonical(&once), once);
    assert_eq!(canonical(&once).to_string(), once.to_string());
    assert_equivalent(&doc, &once);
}

// --- deleted_principals ---

#[test]
fn finds_unique_ids_of_deleted_principals() {
    let doc = json!({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["AROA1234567890ABCDEFG", "arn:aws:iam::123456789012:role/live"]}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": "AIDAABCDEFGHIJKLMNOPQ"}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "AROA1234567890ABCDEFG"}, "Action": "sts:TagSession"},
    ]});
    assert_eq!(
        deleted_principals(&doc),
        ["AROA1234567890ABCDEFG", "AIDAABCDEFGHIJKLMNOPQ"]
    );
}

#[test]
fn ignores_values_that_are_not_unique_ids() {
    let doc = json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": [
        "AROA123",
        "aroa1234567890abcdefg",
        "AKIA1234567890ABCDEFG",
        "AROA1234567890abcdefg",
        "arn:aws:iam::123456789012:root",
        "*",
    ], "Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}});
    assert!(deleted_principals(&doc).is_empty());
    assert!(deleted_principals(&json!("AROA1234567890ABCDEFG")).is_empty());
}

// --- validate ---

#[test]
fn valid_documents_have_no_problems() {
    let doc = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}});
    assert!(validate(&doc).is_empty());
    let no_version =
        json!({"Statement": [{"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"}]});
    assert!(validate(&no_version).is_empty());
}

#[test]
fn validate_reports_structural_problems() {
    assert_eq!(
        validate(&json!(["x"])),
        ["the policy document must be a JSON object"]
    );
    assert_eq!(
        validate(&json!({"Version": "2012-10-18"})),
        [
            "Version must be 2012-10-17 or 2008-10-17",
            "Statement is missing"
        ]
    );
    assert_eq!(validate(&json!({"Statement": []})), ["Statement is empty"]);
    assert_eq!(
        validate(&json!({"Statement": "x"})),
        ["Statement must be an object or an array of objects"]
    );
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Permit", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*", "NotResource": "x",
         "Principal": "*", "NotPrincipal": {"AWS": "*"}},
        {"Resource": "*"},
        "oops",
    ]});
    assert_eq!(
        validate(&doc),
        [
            "Statement[1]: Effect must be Allow or Deny",
            "Statement[1]: must not have both Action and NotAction",
            "Statement[1]: must not have both Resource and NotResource",
            "Statement[1]: must not have both Principal and NotPrincipal",
            "Statement[2]: Effect must be Allow or Deny",
            "Statement[2]: needs Action or NotAction",
            "Statement[3]: must be an object",
        ]
    );
}

// --- property: reshaping never changes the canonical form ---

/// A tiny deterministic generator (splitmix64) that drives how a model is spelled.
struct Shaper(u64);

impl Shaper {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    #[allow(clippy::cast_possible_truncation)]
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// An object with its keys in a random order.
    fn object(&mut self, mut entries: Vec<(String, Value)>) -> Value {
        self.shuffle(&mut entries);
        Value::Object(entries.into_iter().collect())
    }

    /// A set spelled as an array in random order, maybe with a duplicate, or as a bare
    /// value when it has one element.
    fn list(&mut self, mut items: Vec<Value>) -> Value {
        if !items.is_empty() && self.below(4) == 0 {
            let extra = items[self.below(items.len())].clone();
            items.push(extra);
        }
        self.shuffle(&mut items);
        if items.len() == 1 && self.coin() {
            items.remove(0)
        } else {
            Value::Array(items)
        }
    }

    fn recase(&mut self, text: &str) -> String {
        text.chars()
            .map(|c| {
                if self.coin() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
enum AwsPrincipal {
    Account(String),
    Arn(String),
    Star,
}

#[derive(Debug, Clone)]
enum PrincipalModel {
    Star,
    Typed {
        aws: Vec<AwsPrincipal>,
        service: Vec<String>,
    },
}

#[derive(Debug, Clone)]
enum CondValue {
    Text(String),
    Flag(bool),
    Number(u32),
}

/// Operator → key → values, as a list (a `BTreeMap` made it unique when generated).
type ConditionModel = Vec<(String, ConditionBlock)>;
/// Condition key → values of one operator.
type ConditionBlock = Vec<(String, Vec<CondValue>)>;

#[derive(Debug, Clone)]
struct StatementModel {
    sid: Option<String>,
    deny: bool,
    not_action: bool,
    actions: Vec<String>,
    resources: Option<(bool, Vec<String>)>,
    principal: Option<(bool, PrincipalModel)>,
    condition: ConditionModel,
}

#[derive(Debug, Clone)]
struct DocumentModel {
    version: Option<&'static str>,
    statements: Vec<StatementModel>,
}

fn aws_principal() -> impl Strategy<Value = AwsPrincipal> {
    prop_oneof![
        prop::sample::select(vec!["123456789012", "210987654321", "000000000001"])
            .prop_map(|id| AwsPrincipal::Account(id.to_owned())),
        prop::sample::select(vec![
            "arn:aws:iam::123456789012:role/Deployer",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:sts::123456789012:assumed-role/R/s",
            "AROA1234567890ABCDEFG",
        ])
        .prop_map(|arn| AwsPrincipal::Arn(arn.to_owned())),
        Just(AwsPrincipal::Star),
    ]
}

fn principal_model() -> impl Strategy<Value = PrincipalModel> {
    let services = prop::collection::vec(
        prop::sample::select(vec![
            "ecs-tasks.amazonaws.com",
            "lambda.amazonaws.com",
            "ec2.amazonaws.com",
        ])
        .prop_map(str::to_owned),
        0..3,
    );
    prop_oneof![
        Just(PrincipalModel::Star),
        (prop::collection::vec(aws_principal(), 1..4), services)
            .prop_map(|(aws, service)| PrincipalModel::Typed { aws, service }),
    ]
}

fn cond_value() -> impl Strategy<Value = CondValue> {
    prop_oneof![
        prop::sample::select(vec!["afu9", "AFU9", "o-abc123", "true", "10.0.0.0/8"])
            .prop_map(|text| CondValue::Text(text.to_owned())),
        any::<bool>().prop_map(CondValue::Flag),
        (0u32..1000).prop_map(CondValue::Number),
    ]
}

fn condition() -> impl Strategy<Value = ConditionModel> {
    let operator = prop::sample::select(vec![
        "StringEquals",
        "StringLike",
        "Bool",
        "NumericLessThan",
        "ForAnyValue:StringEquals",
    ]);
    let key = prop::sample::select(vec![
        "aws:SourceAccount",
        "aws:PrincipalOrgID",
        "aws:SecureTransport",
        "s3:max-keys",
        "aws:PrincipalTag/team",
    ]);
    let block = prop::collection::btree_map(
        key.prop_map(str::to_owned),
        prop::collection::vec(cond_value(), 1..3),
        1..3,
    );
    prop::collection::btree_map(operator.prop_map(str::to_owned), block, 0..3).prop_map(
        |operators| {
            operators
                .into_iter()
                .map(|(operator, block)| (operator, block.into_iter().collect()))
                .collect()
        },
    )
}

fn statement_model() -> impl Strategy<Value = StatementModel> {
    let actions = prop::collection::vec(
        prop::sample::select(vec![
            "s3:GetObject",
            "s3:PutObject",
            "iam:PassRole",
            "ec2:Describe*",
            "sts:AssumeRole",
            "kms:Decrypt",
            "*",
        ])
        .prop_map(str::to_owned),
        1..4,
    );
    let resources = prop::option::of((
        any::<bool>(),
        prop::collection::vec(
            prop::sample::select(vec![
                "*",
                "arn:aws:s3:::bucket",
                "arn:aws:s3:::Bucket",
                "arn:aws:s3:::bucket/*",
                "arn:aws:kms:eu-central-1:123456789012:key/abc",
            ])
            .prop_map(str::to_owned),
            1..4,
        ),
    ));
    let sid = prop::option::of(prop::sample::select(vec!["Read", "Write", "Trust"]))
        .prop_map(|sid| sid.map(str::to_owned));
    (
        sid,
        any::<bool>(),
        any::<bool>(),
        actions,
        resources,
        prop::option::of((any::<bool>(), principal_model())),
        condition(),
    )
        .prop_map(
            |(sid, deny, not_action, actions, resources, principal, condition)| StatementModel {
                sid,
                deny,
                not_action,
                actions,
                resources,
                principal,
                condition,
            },
        )
}

fn document_model() -> impl Strategy<Value = DocumentModel> {
    (
        prop::sample::select(vec![Some("2012-10-17"), Some("2008-10-17"), None]),
        prop::collection::vec(statement_model(), 1..4),
    )
        .prop_map(|(version, statements)| DocumentModel {
            version,
            statements,
        })
}

fn render_principal(shaper: &mut Shaper, model: &PrincipalModel) -> Value {
    match model {
        PrincipalModel::Star => match shaper.below(3) {
            0 => json!("*"),
            1 => json!({"AWS": "*"}),
            _ => json!({"AWS": ["*"]}),
        },
        PrincipalModel::Typed { aws, service } => {
            let aws: Vec<Value> = aws
                .iter()
                .map(|principal| match principal {
                    AwsPrincipal::Account(id) if shaper.coin() => json!(id),
                    AwsPrincipal::Account(id) => json!(format!("arn:aws:iam::{id}:root")),
                    AwsPrincipal::Arn(arn) => json!(arn),
                    AwsPrincipal::Star => json!("*"),
                })
                .collect();
            let mut entries = vec![("AWS".to_owned(), shaper.list(aws))];
            if !service.is_empty() {
                let service = service.iter().map(|name| json!(name)).collect();
                entries.push(("Service".to_owned(), shaper.list(service)));
            }
            shaper.object(entries)
        }
    }
}

fn render_condition(shaper: &mut Shaper, operators: &ConditionModel) -> Value {
    let entries = operators
        .iter()
        .map(|(operator, block)| {
            let keys = block
                .iter()
                .map(|(key, values)| {
                    let values = values
                        .iter()
                        .map(|value| match value {
                            CondValue::Text(text) => json!(text),
                            CondValue::Flag(flag) if shaper.coin() => json!(flag),
                            CondValue::Flag(flag) => json!(flag.to_string()),
                            CondValue::Number(number) if shaper.coin() => json!(number),
                            CondValue::Number(number) => json!(number.to_string()),
                        })
                        .collect();
                    (shaper.recase(key), shaper.list(values))
                })
                .collect();
            (operator.clone(), shaper.object(keys))
        })
        .collect();
    shaper.object(entries)
}

fn render_statement(shaper: &mut Shaper, model: &StatementModel) -> Value {
    let mut entries = Vec::new();
    match &model.sid {
        Some(sid) => entries.push(("Sid".to_owned(), json!(sid))),
        None if shaper.coin() => entries.push(("Sid".to_owned(), json!(""))),
        None => {}
    }
    let effect = if model.deny { "Deny" } else { "Allow" };
    entries.push(("Effect".to_owned(), json!(effect)));
    let actions = model
        .actions
        .iter()
        .map(|action| json!(shaper.recase(action)))
        .collect();
    let action_key = if model.not_action {
        "NotAction"
    } else {
        "Action"
    };
    entries.push((action_key.to_owned(), shaper.list(actions)));
    if let Some((not, resources)) = &model.resources {
        let key = if *not { "NotResource" } else { "Resource" };
        let resources = resources.iter().map(|resource| json!(resource)).collect();
        entries.push((key.to_owned(), shaper.list(resources)));
    }
    if let Some((not, principal)) = &model.principal {
        let key = if *not { "NotPrincipal" } else { "Principal" };
        entries.push((key.to_owned(), render_principal(shaper, principal)));
    }
    if !model.condition.is_empty() {
        entries.push((
            "Condition".to_owned(),
            render_condition(shaper, &model.condition),
        ));
    }
    shaper.object(entries)
}

/// One random spelling of `model`.
fn render(model: &DocumentModel, seed: u64) -> Value {
    let mut shaper = Shaper(seed);
    let mut statements: Vec<Value> = model
        .statements
        .iter()
        .map(|statement| render_statement(&mut shaper, statement))
        .collect();
    shaper.shuffle(&mut statements);
    let statement = if statements.len() == 1 && shaper.coin() {
        statements.remove(0)
    } else {
        Value::Array(statements)
    };
    let mut entries = vec![("Statement".to_owned(), statement)];
    if let Some(version) = model.version {
        entries.push(("Version".to_owned(), json!(version)));
    }
    shaper.object(entries)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reshaped_documents_have_the_same_canonical_form(
        model in document_model(),
        seed_a in any::<u64>(),
        seed_b in any::<u64>(),
    ) {
        let a = render(&model, seed_a);
        let b = render(&model, seed_b);
        let canonical_a = canonical(&a);
        prop_assert_eq!(&canonical_a, &canonical(&b), "a = {}\nb = {}", a, b);
        prop_assert_eq!(&canonical(&canonical_a), &canonical_a);
        prop_assert_eq!(canonical(&canonical_a).to_string(), canonical_a.to_string());
        prop_assert!(validate(&a).is_empty(), "{:?}", validate(&a));

        // The URL-encoded text IAM returns decodes to the same meaning.
        let encoded = percent_encoding::utf8_percent_encode(
            &b.to_string(),
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string();
        let decoded = decode_document(&encoded).unwrap();
        prop_assert_eq!(canonical(&decoded), canonical_a);
    }
}
