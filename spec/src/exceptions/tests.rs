//! The Posture's exceptions as the loader judges them: field errors located at the
//! exception, expiry and match warnings, and guardrail errors accepted until the exception
//! expires.

use std::path::Path;

use super::{
    ACCEPTABLE_RULES, BAD_EXPIRY, DEPRECATED, Date, EXPIRED, EXPIRING, NO_OWNER, UNMATCHED,
};
use crate::load::load_str_as_of;
use crate::{DesiredState, ManifestError, ManifestErrors};

const OPEN_GROUP: &str = "apiVersion: posture.afu9.io/v1alpha1
kind: SecurityGroup
metadata: {name: web, labels: {tier: edge}}
spec:
  vpc: {id: vpc-1}
  description: web
  ingress: [{protocol: tcp, ports: 8443, from: {cidr: 0.0.0.0/0}}]
";

fn posture(exceptions: &str) -> String {
    format!(
        "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: p}}\nspec:\n  exceptions:\n{exceptions}---\n{OPEN_GROUP}"
    )
}

const ACCEPT_8443: &str = "  - rule: AFU9-SG-012
    resources: [{kind: SecurityGroup, name: web}]
    reason: the partner callback listens on 8443
    owner: platform-team
    ticket: SEC-142
    expires: 2027-03-31
";

fn day(text: &str) -> Date {
    Date::parse(text).expect("date")
}

fn load(text: &str, today: &str) -> Result<DesiredState, ManifestErrors> {
    load_str_as_of(Path::new("p.yaml"), text, day(today))
}

fn rules(found: &[ManifestError]) -> Vec<&'static str> {
    found.iter().map(|e| e.rule).collect()
}

#[test]
fn a_guardrail_exception_accepts_the_error_until_it_expires() {
    let text = posture(ACCEPT_8443);
    let state = load(&text, "2027-01-01").expect("accepted while in force");
    assert_eq!(state.accepted.len(), 1);
    let accepted = &state.accepted[0];
    assert_eq!(
        (
            accepted.finding.rule,
            accepted.kind.as_str(),
            accepted.name.as_str()
        ),
        ("AFU9-SG-012", "SecurityGroup", "web")
    );
    assert_eq!(accepted.exception.owner, "platform-team");
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);

    let expiring = load(&text, "2027-03-20").expect("still in force");
    assert_eq!(rules(&expiring.warnings), [EXPIRING]);
    assert!(expiring.warnings[0].message.contains("11 days left"));
    assert_eq!(expiring.warnings[0].location.line, 6);
    load(&text, "2027-03-31").expect("in force on its last day");

    let expired = load(&text, "2027-04-01").expect_err("fails as without the exception");
    let found: Vec<&ManifestError> = expired.0.iter().filter(|e| !e.warning).collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, "AFU9-SG-012");
    assert!(
        found[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("expired on 2027-03-31") && h.contains("SEC-142")),
        "{:?}",
        found[0].hint
    );
    assert!(rules(&expired.0).contains(&EXPIRED));
}

#[test]
fn a_selector_covers_by_labels_and_kind() {
    let by_label = ACCEPT_8443.replace(
        "resources: [{kind: SecurityGroup, name: web}]",
        "selector: {kind: SecurityGroup, matchLabels: {tier: edge}}",
    );
    let state = load(&posture(&by_label), "2027-01-01").expect("accepted");
    assert_eq!(state.accepted.len(), 1);
    let other_label = by_label.replace("tier: edge", "tier: db");
    let refused = load(&posture(&other_label), "2027-01-01").expect_err("not covered");
    assert!(rules(&refused.0).contains(&"AFU9-SG-012"));
    assert!(rules(&refused.0).contains(&UNMATCHED));
}

#[test]
fn an_exception_without_expiry_is_refused_at_its_line_and_field() {
    let text = posture(&ACCEPT_8443.replace("    expires: 2027-03-31\n", ""));
    let errors = load(&text, "2027-01-01").expect_err("refused").0;
    let bad: Vec<&ManifestError> = errors.iter().filter(|e| e.rule == BAD_EXPIRY).collect();
    assert_eq!(bad.len(), 1, "{errors:?}");
    assert_eq!(bad[0].field, "spec.exceptions[0].expires");
    assert_eq!(bad[0].location.file, Path::new("p.yaml"));
    assert_eq!(bad[0].location.line, 6);
    assert!(!bad[0].warning);
    assert!(
        rules(&errors).contains(&"AFU9-SG-012"),
        "an invalid exception accepts nothing"
    );
}

#[test]
fn a_malformed_date_and_missing_owner_are_named() {
    let text = posture(
        &ACCEPT_8443
            .replace("2027-03-31", "31.03.2027")
            .replace("    owner: platform-team\n", ""),
    );
    let errors = load(&text, "2027-01-01").expect_err("refused").0;
    let fields: Vec<(&str, &str)> = errors
        .iter()
        .filter(|e| e.rule.starts_with("AFU9-EXC-"))
        .map(|e| (e.rule, e.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            (NO_OWNER, "spec.exceptions[0].owner"),
            (BAD_EXPIRY, "spec.exceptions[0].expires")
        ]
    );
}

#[test]
fn ssh_from_anywhere_cannot_be_accepted_and_one_subject_is_required() {
    let ssh = ACCEPT_8443.replace("AFU9-SG-012", "AFU9-SG-010");
    let errors = load(&posture(&ssh), "2027-01-01").expect_err("refused").0;
    assert!(errors.iter().any(|e| e.field == "spec.exceptions[0].rule"));
    let two = ACCEPT_8443.replace(
        "  - rule: AFU9-SG-012\n",
        "  - rule: AFU9-SG-012\n    item: 9\n",
    );
    let errors = load(&posture(&two), "2027-01-01").expect_err("refused").0;
    assert!(errors.iter().any(|e| e.field == "spec.exceptions[0]"));
    assert!(!ACCEPTABLE_RULES.contains(&"AFU9-SG-010"));
    for rule in [
        crate::cloudtrail::SINGLE_REGION,
        crate::cloudtrail::NO_READ_EVENTS,
        crate::sns_topic::NOT_ENCRYPTED,
        crate::iam::guardrails::FULL_ADMIN,
        crate::iam::guardrails::TRUST_OTHER_ACCOUNT,
    ] {
        assert!(ACCEPTABLE_RULES.contains(&rule), "{rule}");
    }
}

#[test]
fn an_exception_matching_no_resource_warns() {
    let control = "  - control: SecretsManager.1
    resources: [{kind: Secret, name: afu9/none}]
    reason: r
    owner: o
    ticket: T-1
    expires: 2027-03-31
";
    let text = format!(
        "{}  - rule: AFU9-SG-012\n    resources: [{{kind: SecurityGroup, name: web}}]\n    reason: r\n    owner: o\n    ticket: T-2\n    expires: 2027-03-31\n",
        posture(control).split("---").next().unwrap_or_default()
    ) + "---\n"
        + &OPEN_GROUP.replace("ports: 8443", "ports: 443");
    let state = load(&text, "2027-01-01").expect("valid");
    assert_eq!(rules(&state.warnings), [UNMATCHED, UNMATCHED]);
    assert!(state.warnings[0].message.contains("matches no resource"));
    assert!(state.warnings[1].message.contains("accepts nothing"));
}

#[test]
fn a_manifests_own_guardrail_exception_still_applies_with_a_deprecation_warning() {
    let own = OPEN_GROUP.replace(
        "  ingress:",
        "  guardrailExceptions: [{rule: AFU9-SG-012, reason: partner callback}]\n  ingress:",
    );
    let state = load(&own, "2027-01-01").expect("still excepted");
    assert_eq!(rules(&state.warnings), [DEPRECATED]);
    assert_eq!(state.warnings[0].field, "spec.guardrailExceptions");
    assert!(
        state.warnings[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("rule: AFU9-SG-012"))
    );
}
