//! The edge (`LoadBalancer` with its listeners and ACM certificate), `KmsKey` and the
//! Posture's EBS encryption by default, end to end against the emulator: insecure state
//! seeded through the SDK as the application's stack would leave it, drift injected out of
//! band, a plan that names it, an apply that fixes it, a next plan that is empty; equivalent
//! rewrites quiet, unowned resources untouched, and the calls of a steady-state pass.

use std::collections::BTreeMap;
use std::path::Path;

use afu9_controller::aws::Aws;
use afu9_controller::engine::Engine;
use afu9_controller::plan::{Action, Plan, ResourcePlan};
use afu9_e2e::Emulator;
use afu9_spec::DesiredState;
use afu9_spec::load::load_str;
use afu9_spec::load_balancer::min_tls;
use aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute;

const EDGE: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: afu9-alb}
spec:
  vpc: {tags: {Name: edge-vpc}}
  description: AFU-9 application load balancer
  ingress:
    - {protocol: tcp, ports: 443, from: {cidr: 0.0.0.0/0}, description: HTTPS}
---
apiVersion: posture.afu9.io/v1alpha1
kind: LoadBalancer
metadata: {name: afu9-alb, adopt: true}
spec:
  securityGroups: [afu9-alb]
  deletionProtection: true
  dropInvalidHeaderFields: true
  desyncMitigation: defensive
  accessLogs: {bucket: edge-logs, prefix: alb}
  listeners:
    - {port: 443, protocol: HTTPS, certificate: {domain: afu9.example.com}}
    - {port: 80, protocol: HTTP, redirect: {port: 443}}
";

const KEYS: &str = r#"
apiVersion: posture.afu9.io/v1alpha1
kind: KmsKey
metadata: {name: afu9-audit, adopt: true}
spec:
  description: AFU-9 audit trail
  rotation: true
  policy:
    Version: "2012-10-17"
    Statement:
      - Sid: Root
        Effect: Allow
        Principal: {AWS: "arn:aws:iam::123456789012:root"}
        Action: "kms:*"
        Resource: "*"
      - Sid: CloudTrail
        Effect: Allow
        Principal: {Service: cloudtrail.amazonaws.com}
        Action: [kms:GenerateDataKey*, kms:DescribeKey]
        Resource: "*"
---
apiVersion: posture.afu9.io/v1alpha1
kind: KmsKey
metadata: {name: afu9-secrets}
spec:
  description: AFU-9 secrets
  rotation: true
"#;

const POSTURE: &str = r"
apiVersion: posture.afu9.io/v1alpha1
kind: Posture
metadata: {name: edge}
spec: {ebsEncryptionByDefault: true}
";

fn desired(yaml: &str) -> DesiredState {
    load_str(Path::new("edge.yaml"), yaml).expect("valid test manifests")
}

fn engine() -> Engine {
    Engine::new(afu9_controller::kinds::standard())
}

fn resource<'a>(plan: &'a Plan, kind: &str, name: &str) -> &'a ResourcePlan {
    plan.resources
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("{kind} {name} is not in the plan"))
}

fn paths(resource: &ResourcePlan) -> Vec<&str> {
    resource.changes.iter().map(|c| c.path.as_str()).collect()
}

fn drifted(plan: &Plan) -> Vec<String> {
    plan.resources
        .iter()
        .filter(|r| r.is_drift() || r.action == Action::Error)
        .map(|r| {
            format!(
                "{} {}: {:?} {:?} {:?}",
                r.kind,
                r.name,
                r.action,
                r.reason,
                paths(r)
            )
        })
        .collect()
}

/// A VPC tagged `Name=edge-vpc` with the insecure ALB the application's stack leaves
/// (`afu9_e2e::edge::seed_insecure_alb`). Returns the ALB's ARN.
async fn seed_insecure_alb(emulator: &Emulator) -> String {
    let ec2 = emulator.ec2();
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.8.0.0/16")
        .send()
        .await
        .expect("vpc")
        .vpc
        .and_then(|v| v.vpc_id)
        .expect("vpc id");
    ec2.create_tags()
        .resources(&vpc)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("Name")
                .value("edge-vpc")
                .build(),
        )
        .send()
        .await
        .expect("tag vpc");
    afu9_e2e::edge::seed_insecure_alb(emulator, &vpc).await
}

async fn listeners(
    emulator: &Emulator,
    alb: &str,
) -> BTreeMap<i32, aws_sdk_elasticloadbalancingv2::types::Listener> {
    emulator
        .elbv2()
        .describe_listeners()
        .load_balancer_arn(alb)
        .send()
        .await
        .expect("describe listeners")
        .listeners
        .unwrap_or_default()
        .into_iter()
        .map(|l| (l.port.unwrap_or_default(), l))
        .collect()
}

async fn attributes(emulator: &Emulator, alb: &str) -> BTreeMap<String, String> {
    emulator
        .elbv2()
        .describe_load_balancer_attributes()
        .load_balancer_arn(alb)
        .send()
        .await
        .expect("describe attributes")
        .attributes
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| Some((a.key?, a.value?)))
        .collect()
}

/// The account, read independently of the controller, is as the manifest says.
async fn assert_secured(emulator: &Emulator, alb: &str) {
    let live = listeners(emulator, alb).await;
    assert_eq!(live.keys().copied().collect::<Vec<_>>(), [80, 443]);
    assert_eq!(
        live[&443].ssl_policy.as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    let redirect = live[&80].default_actions()[0]
        .redirect_config
        .clone()
        .expect("a redirect");
    assert_eq!(
        (redirect.protocol.as_deref(), redirect.port.as_deref()),
        (Some("HTTPS"), Some("443"))
    );
    let attrs = attributes(emulator, alb).await;
    assert_eq!(attrs["deletion_protection.enabled"], "true");
    assert_eq!(
        attrs["routing.http.drop_invalid_header_fields.enabled"],
        "true"
    );
    assert_eq!(attrs["access_logs.s3.bucket"], "edge-logs");
    let group = emulator
        .ec2()
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values("afu9-alb")
                .build(),
        )
        .send()
        .await
        .expect("groups")
        .security_groups
        .unwrap_or_default()
        .remove(0)
        .group_id
        .expect("id");
    let balancer = emulator
        .elbv2()
        .describe_load_balancers()
        .names("afu9-alb")
        .send()
        .await
        .expect("describe")
        .load_balancers
        .unwrap_or_default()
        .remove(0);
    assert_eq!(balancer.security_groups.unwrap_or_default(), [group]);
}

/// Out of band: the policy downgraded, HTTP forwarding again, deletion protection off.
async fn inject_drift(emulator: &Emulator, alb: &str) {
    let live = listeners(emulator, alb).await;
    let elb = emulator.elbv2();
    elb.modify_listener()
        .listener_arn(live[&443].listener_arn.clone().expect("arn"))
        .ssl_policy("ELBSecurityPolicy-2016-08")
        .send()
        .await
        .expect("downgrade");
    let forward = live[&443].default_actions()[0].clone();
    elb.modify_listener()
        .listener_arn(live[&80].listener_arn.clone().expect("arn"))
        .default_actions(forward)
        .send()
        .await
        .expect("forward");
    elb.modify_load_balancer_attributes()
        .load_balancer_arn(alb)
        .attributes(
            LoadBalancerAttribute::builder()
                .key("deletion_protection.enabled")
                .value("false")
                .build(),
        )
        .send()
        .await
        .expect("protection off");
}

#[tokio::test]
async fn the_insecure_alb_is_secured_and_out_of_band_drift_is_fixed_again() {
    let emulator = Emulator::start();
    let alb = seed_insecure_alb(&emulator).await;
    let state = desired(EDGE);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();

    let plan = engine.plan(&aws, &state).await;
    let planned = resource(&plan, "LoadBalancer", "afu9-alb");
    assert_eq!(planned.action, Action::Update, "{:?}", planned.reason);
    assert_eq!(
        paths(planned),
        [
            "spec.securityGroups",
            "spec.deletionProtection",
            "spec.dropInvalidHeaderFields",
            "spec.accessLogs",
            "spec.listeners[443].sslPolicy",
            "spec.listeners[80].redirect",
            "spec.listeners[8080]",
            "spec.tags.managed-by",
        ]
    );
    assert_eq!(
        resource(&plan, "SecurityGroup", "afu9-alb").action,
        Action::Create
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    assert_secured(&emulator, &alb).await;
    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));

    inject_drift(&emulator, &alb).await;
    let plan = engine.plan(&aws, &state).await;
    let planned = resource(&plan, "LoadBalancer", "afu9-alb");
    assert_eq!(
        paths(planned),
        [
            "spec.deletionProtection",
            "spec.listeners[443].sslPolicy",
            "spec.listeners[80].redirect",
        ]
    );
    // The live policy is evidence against ELB.17, whatever the manifest asks.
    assert_eq!(
        tls_fact(planned),
        Some((false, "ELBSecurityPolicy-2016-08".to_owned()))
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    let again = engine.plan(&aws, &state).await;
    assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
    let fixed = tls_fact(resource(&again, "LoadBalancer", "afu9-alb"));
    assert!(fixed.as_ref().is_some_and(|(holds, _)| *holds), "{fixed:?}");
}

/// Whether the HTTPS listener's live policy satisfies ELB.17, and the policy read.
fn tls_fact(resource: &ResourcePlan) -> Option<(bool, String)> {
    resource
        .facts
        .iter()
        .find(|f| f.control == "ELB.17" && f.field == "listeners[443].sslPolicy")
        .map(|f| {
            let live = f.live.as_ref().and_then(|v| v.as_str()).unwrap_or_default();
            (f.holds, live.to_owned())
        })
}

#[tokio::test]
async fn an_unowned_alb_is_left_alone_and_a_missing_one_is_reported() {
    let emulator = Emulator::start();
    let alb = seed_insecure_alb(&emulator).await;
    let state = desired(&EDGE.replace("{name: afu9-alb, adopt: true}", "{name: afu9-alb}"));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    let plan = engine.plan(&aws, &state).await;
    let planned = resource(&plan, "LoadBalancer", "afu9-alb");
    assert_eq!(planned.action, Action::Blocked);
    assert!(planned.ops.is_empty());
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert_eq!(listeners(&emulator, &alb).await.len(), 3);
    assert_eq!(
        attributes(&emulator, &alb).await["deletion_protection.enabled"],
        "false"
    );

    let state = desired(&EDGE.replace("afu9-alb, adopt", "afu9-other, adopt"));
    let plan = engine.plan(&aws, &state).await;
    let planned = resource(&plan, "LoadBalancer", "afu9-other");
    assert_eq!(planned.action, Action::Blocked);
    assert!(
        planned
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("no load balancer named afu9-other"),
        "{:?}",
        planned.reason
    );
    assert!(planned.ops.is_empty());
}

#[tokio::test]
async fn the_ssl_policy_table_agrees_with_describe_ssl_policies() {
    let emulator = Emulator::start();
    let policies = emulator
        .elbv2()
        .describe_ssl_policies()
        .send()
        .await
        .expect("describe ssl policies")
        .ssl_policies
        .unwrap_or_default();
    assert!(!policies.is_empty());
    for policy in policies {
        let name = policy.name.clone().unwrap_or_default();
        let oldest = policy
            .ssl_protocols
            .unwrap_or_default()
            .iter()
            // AWS names TLS 1.0 `TLSv1`.
            .filter_map(|p| match p.strip_prefix("TLSv")? {
                "1" => Some("1.0".to_owned()),
                version => Some(version.to_owned()),
            })
            .min()
            .unwrap_or_default();
        assert_eq!(min_tls(&name), Some(oldest.as_str()), "{name}");
    }
}

async fn rotation(emulator: &Emulator, alias: &str) -> bool {
    emulator
        .kms()
        .get_key_rotation_status()
        .key_id(key_id(emulator, alias).await)
        .send()
        .await
        .expect("rotation status")
        .key_rotation_enabled
}

async fn key_id(emulator: &Emulator, alias: &str) -> String {
    emulator
        .kms()
        .describe_key()
        .key_id(alias)
        .send()
        .await
        .expect("describe key")
        .key_metadata
        .expect("metadata")
        .key_id
}

async fn seed_key(emulator: &Emulator, alias: &str) -> String {
    let kms = emulator.kms();
    let key = kms
        .create_key()
        .description("created by the bootstrap")
        .send()
        .await
        .expect("create key")
        .key_metadata
        .expect("metadata")
        .key_id;
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(&key)
        .send()
        .await
        .expect("alias");
    key
}

#[tokio::test]
async fn keys_are_adopted_or_created_with_rotation_and_their_policy_compares_by_meaning() {
    let emulator = Emulator::start();
    let audit = seed_key(&emulator, "alias/afu9-audit").await;
    let foreign = seed_key(&emulator, "alias/afu9-foreign").await;
    let state = desired(&format!(
        "{KEYS}---\napiVersion: posture.afu9.io/v1alpha1\nkind: KmsKey\nmetadata: {{name: afu9-foreign}}\nspec: {{rotation: true}}\n"
    ));
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();

    let plan = engine.plan(&aws, &state).await;
    let planned = resource(&plan, "KmsKey", "afu9-audit");
    assert_eq!(planned.action, Action::Update);
    assert_eq!(
        paths(planned),
        [
            "spec.description",
            "spec.rotation",
            "spec.policy",
            "spec.tags.managed-by"
        ]
    );
    assert_eq!(
        resource(&plan, "KmsKey", "afu9-secrets").action,
        Action::Create
    );
    let unowned = resource(&plan, "KmsKey", "afu9-foreign");
    assert_eq!(unowned.action, Action::Blocked);
    assert!(unowned.ops.is_empty());
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    assert!(rotation(&emulator, "alias/afu9-audit").await);
    assert!(rotation(&emulator, "alias/afu9-secrets").await);
    assert!(!rotation(&emulator, "alias/afu9-foreign").await);
    assert_eq!(key_id(&emulator, "alias/afu9-audit").await, audit);
    assert_eq!(key_id(&emulator, "alias/afu9-foreign").await, foreign);
    let again = engine.plan(&aws, &state).await;
    let drift: Vec<String> = drifted(&again)
        .into_iter()
        .filter(|d| !d.contains("afu9-foreign"))
        .collect();
    assert!(drift.is_empty(), "{drift:?}");

    // The same policy written another way (statements swapped, one-element lists, keys in
    // another order) stays quiet.
    let reordered = r#"{"Statement":[{"Resource":"*","Action":["kms:DescribeKey","kms:GenerateDataKey*"],"Principal":{"Service":["cloudtrail.amazonaws.com"]},"Effect":"Allow","Sid":"CloudTrail"},{"Sid":"Root","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root"]},"Action":["kms:*"],"Resource":["*"]}],"Version":"2012-10-17"}"#;
    let kms = emulator.kms();
    kms.put_key_policy()
        .key_id(&audit)
        .policy_name("default")
        .policy(reordered)
        .send()
        .await
        .expect("put policy");
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(resource(&plan, "KmsKey", "afu9-audit").action, Action::Noop);

    // Rotation turned off out of band is turned on again.
    kms.disable_key_rotation()
        .key_id(&audit)
        .send()
        .await
        .expect("rotation off");
    let plan = engine.plan(&aws, &state).await;
    assert_eq!(
        paths(resource(&plan, "KmsKey", "afu9-audit")),
        ["spec.rotation"]
    );
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");
    assert!(rotation(&emulator, "alias/afu9-audit").await);
    let again = engine.plan(&aws, &state).await;
    assert_eq!(
        resource(&again, "KmsKey", "afu9-audit").action,
        Action::Noop
    );
}

async fn ebs_default(emulator: &Emulator) -> bool {
    emulator
        .ec2()
        .get_ebs_encryption_by_default()
        .send()
        .await
        .expect("ebs default")
        .ebs_encryption_by_default
        .unwrap_or_default()
}

#[tokio::test]
async fn ebs_encryption_by_default_is_turned_on_and_kept_on() {
    let emulator = Emulator::start();
    let state = desired(POSTURE);
    let aws = Aws::from_config(&emulator.sdk_config());
    let engine = engine();
    assert!(!ebs_default(&emulator).await);
    for _ in 0..2 {
        let plan = engine.plan(&aws, &state).await;
        let planned = resource(&plan, "Posture", "edge");
        assert_eq!(planned.action, Action::Update);
        assert_eq!(paths(planned), ["spec.ebsEncryptionByDefault"]);
        let report = engine.apply(&aws, &plan).await;
        assert_eq!(report.failed(), 0, "{report:?}");
        assert!(ebs_default(&emulator).await);
        let again = engine.plan(&aws, &state).await;
        assert!(drifted(&again).is_empty(), "{:?}", drifted(&again));
        // Out of band, turned off again: the next round must notice.
        emulator
            .ec2()
            .disable_ebs_encryption_by_default()
            .send()
            .await
            .expect("disable");
    }
    // A Posture document that manages no account setting is not a resource at all.
    let plan = engine
        .plan(
            &aws,
            &desired(&POSTURE.replace("ebsEncryptionByDefault: true", "region: eu-central-1")),
        )
        .await;
    assert!(plan.resources.is_empty());
}

#[tokio::test]
async fn a_steady_state_pass_makes_few_calls() {
    let emulator = Emulator::start();
    seed_insecure_alb(&emulator).await;
    seed_key(&emulator, "alias/afu9-audit").await;
    let state = desired(&format!("{EDGE}---{KEYS}---{POSTURE}"));
    let engine = engine();
    let aws = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan(&aws, &state).await;
    let report = engine.apply(&aws, &plan).await;
    assert_eq!(report.failed(), 0, "{report:?}");

    let counting = Aws::from_config(&emulator.sdk_config());
    let plan = engine.plan(&counting, &state).await;
    assert!(drifted(&plan).is_empty(), "{:?}", drifted(&plan));
    let calls = counting.calls.by_operation();
    let expected: BTreeMap<String, u64> = [
        // The load balancer: listed, tags for up to 20, then its attributes and listeners.
        ("Elastic Load Balancing v2.DescribeLoadBalancers", 1),
        ("Elastic Load Balancing v2.DescribeTags", 1),
        (
            "Elastic Load Balancing v2.DescribeLoadBalancerAttributes",
            1,
        ),
        ("Elastic Load Balancing v2.DescribeListeners", 1),
        // Its VPC's groups (name → id); the SecurityGroup kind's own three reads.
        ("EC2.DescribeSecurityGroups", 2),
        ("EC2.DescribeVpcs", 1),
        ("EC2.DescribeSecurityGroupRules", 1),
        // The certificate by domain.
        ("ACM.ListCertificates", 1),
        // The account-wide setting.
        ("EC2.GetEbsEncryptionByDefault", 1),
        // Keys: the aliases once, then per key (2) its metadata, rotation and tags, and the
        // policy of the one that manages it.
        ("KMS.ListAliases", 1),
        ("KMS.DescribeKey", 2),
        ("KMS.GetKeyRotationStatus", 2),
        ("KMS.ListResourceTags", 2),
        ("KMS.GetKeyPolicy", 1),
    ]
    .into_iter()
    .map(|(operation, count)| (operation.to_owned(), count))
    .collect();
    assert_eq!(calls, expected);
}
