//! The Posture's exceptions applied to the checklist: each failing piece of evidence that an
//! exception in force covers is accepted (an item whose every failure is accepted is
//! `accepted`); one whose exception expired fails and says so; the guardrail findings the
//! loader accepted join their items as accepted evidence; each exception's standing is listed.

use std::collections::BTreeMap;

use afu9_spec::exceptions::{Date, Exception, Standing, WARN_DAYS};
use afu9_spec::{DesiredState, Metadata};
use serde::Serialize;

use super::items::{CHECKLIST, Scope};
use super::{Evidence, Finding, ItemReport, Report, Status};

/// Which Security Hub control a piece of evidence is about, for items that map to several
/// controls: by kind and field prefix, first match. (Evidence from an item with one control
/// is about that control; evidence no line names is accepted by item number only.)
const FIELD_CONTROLS: &[(&str, &str, &str)] = &[
    ("Secret", "spec.rotation.maxAgeDays", "SecretsManager.4"),
    ("Secret", "spec.rotation", "SecretsManager.1"),
];

/// An exception as it applies to a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acceptance {
    /// What the exception accepts (`Security Hub control SecretsManager.1`).
    pub subject: String,
    /// Who answers for it.
    pub owner: String,
    /// Its ticket.
    pub ticket: String,
    /// Its last day in force.
    pub expires: String,
    /// Why.
    pub reason: String,
    /// Whether it has expired: the evidence fails again.
    pub expired: bool,
}

impl Acceptance {
    fn of(exception: &Exception, expired: bool) -> Self {
        Self {
            subject: exception.subject(),
            owner: exception.owner.clone(),
            ticket: exception.ticket.clone(),
            expires: exception.expires.clone().unwrap_or_default(),
            reason: exception.reason.clone(),
            expired,
        }
    }

    /// One line: accepted until when, by whom, under which ticket, why; or that it expired.
    pub fn line(&self) -> String {
        if self.expired {
            format!(
                "accepted risk expired on {} (owner {}, ticket {}): fails again",
                self.expires, self.owner, self.ticket
            )
        } else {
            format!(
                "accepted until {} (owner {}, ticket {}): {}",
                self.expires, self.owner, self.ticket, self.reason
            )
        }
    }
}

/// Where one exception stands in this report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionReport {
    /// What it accepts.
    pub subject: String,
    /// Who answers for it.
    pub owner: String,
    /// Its ticket.
    pub ticket: String,
    /// Its last day in force.
    pub expires: String,
    /// `in-force`, `expiring` (within 14 days), `expired` or `unmatched` (in force, but it
    /// accepted nothing in this report).
    pub standing: &'static str,
    /// How many pieces of failing evidence it accepted (or, expired, would have).
    pub matched: usize,
}

impl ExceptionReport {
    /// Whether it is a warning: expiring, expired or matching nothing.
    pub fn warns(&self) -> bool {
        self.standing != "in-force"
    }

    /// One line for a person.
    pub fn line(&self) -> String {
        let what = match self.standing {
            "expiring" => format!("expires on {} (within {WARN_DAYS} days)", self.expires),
            "expired" => format!("expired on {}: what it accepted fails again", self.expires),
            "unmatched" => "accepts nothing in this report: remove it".to_owned(),
            _ => format!("in force until {}", self.expires),
        };
        format!(
            "exception for {} (owner {}, ticket {}): {what}",
            self.subject, self.owner, self.ticket
        )
    }
}

/// Applies the Posture's exceptions of `state` to `report` on `today` (see the module).
pub fn accept(report: &mut Report, state: &DesiredState, today: Date) {
    let labels: BTreeMap<(&str, &str), &Metadata> = state
        .manifests()
        .into_iter()
        .map(|(kind, metadata, _)| ((kind, metadata.name.as_str()), metadata))
        .collect();
    let exceptions: Vec<&Exception> = state
        .posture
        .exceptions
        .iter()
        .filter(|e| e.standing(today) != Standing::Invalid)
        .collect();
    let mut matched = vec![0_usize; exceptions.len()];
    for item in &mut report.items {
        add_accepted_guardrails(item, state);
        for evidence in item.evidence.iter_mut().filter(|e| e.finding.fails()) {
            if evidence.accepted.is_some() {
                continue;
            }
            let empty = BTreeMap::new();
            let labels = labels
                .get(&(evidence.kind.as_str(), evidence.name.as_str()))
                .map_or(&empty, |m| &m.labels);
            let covering: Vec<usize> = (0..exceptions.len())
                .filter(|i| {
                    let exception = exceptions[*i];
                    exception.covers(&evidence.kind, &evidence.name, labels)
                        && accepts(exception, item.number, item.controls, evidence)
                })
                .collect();
            let in_force = covering
                .iter()
                .find(|i| exceptions[**i].standing(today).in_force());
            if let Some(&index) = in_force.or(covering.first()) {
                matched[index] += 1;
                let expired = !exceptions[index].standing(today).in_force();
                evidence.accepted = Some(Acceptance::of(exceptions[index], expired));
            }
        }
        restate(item);
    }
    for (index, exception) in exceptions.iter().enumerate() {
        if exception.rule.is_some() {
            continue;
        }
        let standing = match exception.standing(today) {
            Standing::Expired => "expired",
            _ if matched[index] == 0 => "unmatched",
            Standing::Expiring(_) => "expiring",
            _ => "in-force",
        };
        report.exceptions.push(ExceptionReport {
            subject: exception.subject(),
            owner: exception.owner.clone(),
            ticket: exception.ticket.clone(),
            expires: exception.expires.clone().unwrap_or_default(),
            standing,
            matched: matched[index],
        });
    }
}

/// Each of the Posture's exceptions and where it stands on `today`, one line each (for the
/// status page): what, on which resources, owner, ticket, until when.
pub fn standings(state: &DesiredState, today: Date) -> Vec<String> {
    state
        .posture
        .exceptions
        .iter()
        .map(|e| {
            let mut on: Vec<String> = e
                .resources
                .iter()
                .map(|r| format!("{}/{}", r.kind, r.name))
                .collect();
            if let Some(selector) = &e.selector {
                let labels: Vec<String> = selector
                    .match_labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                on.push(format!(
                    "{} labelled {}",
                    selector.kind.as_deref().unwrap_or("any kind"),
                    labels.join(",")
                ));
            }
            let expires = e.expires.as_deref().unwrap_or_default();
            let standing = match e.standing(today) {
                Standing::InForce => format!("accepted until {expires}"),
                Standing::Expiring(left) => {
                    format!("accepted until {expires} (expiring: {left} days left)")
                }
                Standing::Expired => format!("expired on {expires}: fails again"),
                Standing::Invalid => "invalid".to_owned(),
            };
            format!(
                "{} on {}: {standing} (owner {}, ticket {})",
                e.subject(),
                on.join(", "),
                e.owner,
                e.ticket
            )
        })
        .collect()
}

/// Whether `exception` accepts `evidence` of item `number` with `controls`.
fn accepts(exception: &Exception, number: u8, controls: &[&str], evidence: &Evidence) -> bool {
    if let Some(item) = exception.item {
        return item == number;
    }
    if let Some(rule) = &exception.rule {
        return evidence.rule.as_deref() == Some(rule.as_str());
    }
    let Some(control) = exception.control.as_deref() else {
        return false;
    };
    match controls {
        [only] => *only == control,
        _ => controls.contains(&control) && control_of(evidence, controls) == Some(control),
    }
}

/// The control a piece of evidence is about: a live fact names its own; a field of a
/// manifest is mapped to its control.
fn control_of<'a>(evidence: &'a Evidence, controls: &[&str]) -> Option<&'a str> {
    if let Some(rule) = evidence.rule.as_deref().filter(|r| controls.contains(r)) {
        return Some(rule);
    }
    let field = evidence.field.as_deref()?;
    FIELD_CONTROLS
        .iter()
        .find(|(kind, prefix, _)| *kind == evidence.kind && field.starts_with(prefix))
        .map(|(.., control)| *control)
}

/// The guardrail findings the loader accepted, as accepted evidence of the items whose
/// guardrails they are.
fn add_accepted_guardrails(item: &mut ItemReport, state: &DesiredState) {
    let Some(Scope::Checked { guardrails, .. }) = CHECKLIST
        .iter()
        .find(|i| i.number == item.number)
        .map(|i| &i.scope)
    else {
        return;
    };
    for accepted in &state.accepted {
        if !guardrails
            .iter()
            .any(|rule| accepted.finding.rule.starts_with(rule))
        {
            continue;
        }
        let finding = &accepted.finding;
        item.evidence.push(Evidence {
            kind: accepted.kind.clone(),
            name: accepted.name.clone(),
            field: (!finding.field.is_empty()).then(|| finding.field.clone()),
            finding: Finding::Guardrail,
            live: None,
            wanted: None,
            rule: Some(finding.rule.to_owned()),
            note: format!("{} ({})", finding.message, finding.location),
            accepted: Some(Acceptance::of(&accepted.exception, false)),
        });
    }
}

/// An item's status after acceptance: failing evidence not accepted fails it; accepted
/// failures alone make it `accepted`.
fn restate(item: &mut ItemReport) {
    if item.status == Status::Outside {
        return;
    }
    item.status = if item.evidence.iter().any(Evidence::fails) {
        Status::Fail
    } else if item
        .evidence
        .iter()
        .any(|e| e.finding == Finding::NotObserved)
    {
        Status::Unknown
    } else if item.evidence.iter().any(|e| e.finding.fails()) {
        Status::Accepted
    } else {
        Status::Pass
    };
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use afu9_spec::exceptions::Date;
    use afu9_spec::load::load_str_as_of;
    use serde_json::json;

    use super::accept;
    use crate::report::items::{CHECKLIST, Severity};
    use crate::report::{Evidence, Finding, ItemReport, Report, Status};

    fn state(subject: &str, day: &str) -> afu9_spec::DesiredState {
        let yaml = format!(
            "apiVersion: posture.afu9.io/v1alpha1\nkind: Posture\nmetadata: {{name: p}}\nspec:\n  exceptions:\n    - {subject}\n      resources: [{{kind: Secret, name: afu9/github}}]\n      reason: rotated by hand\n      owner: afu9-platform\n      ticket: AFU9-SEC-11\n      expires: 2027-12-31\n---\napiVersion: posture.afu9.io/v1alpha1\nkind: Secret\nmetadata: {{name: afu9/github}}\nspec: {{rotation: {{manual: true, maxAgeDays: 90}}}}\n"
        );
        load_str_as_of(Path::new("p.yaml"), &yaml, Date::parse(day).expect("day")).expect("valid")
    }

    fn evidence(field: &str, finding: Finding) -> Evidence {
        Evidence {
            kind: "Secret".to_owned(),
            name: "afu9/github".to_owned(),
            field: Some(field.to_owned()),
            finding,
            live: Some(json!(1)),
            wanted: None,
            rule: None,
            note: "n".to_owned(),
            accepted: None,
        }
    }

    fn report(evidence: Vec<Evidence>) -> Report {
        let item = &CHECKLIST[10];
        Report {
            items: vec![ItemReport {
                number: item.number,
                title: item.title,
                status: Status::Fail,
                controls: item.controls,
                severity: Severity::Medium,
                evidence,
                verify: None,
            }],
            partial: None,
            exceptions: Vec::new(),
        }
    }

    fn lambda_missing() -> Evidence {
        evidence("spec.rotation.lambda", Finding::NotRequested)
    }

    fn overdue() -> Evidence {
        evidence("spec.rotation.maxAgeDays", Finding::Drifted)
    }

    #[test]
    fn a_control_accepts_its_own_evidence_and_max_age_is_still_enforced() {
        let day = Date::parse("2027-06-01").expect("day");
        let accepting = state("control: SecretsManager.1", "2027-06-01");
        let mut both = report(vec![lambda_missing(), overdue()]);
        accept(&mut both, &accepting, day);
        let item = &both.items[0];
        assert!(item.evidence[0].accepted.is_some());
        assert!(
            item.evidence[1].accepted.is_none(),
            "SecretsManager.4 is not accepted"
        );
        assert_eq!(item.status, Status::Fail);

        let mut only_rotation = report(vec![lambda_missing()]);
        accept(&mut only_rotation, &accepting, day);
        assert_eq!(only_rotation.items[0].status, Status::Accepted);
        assert!(!only_rotation.has_failure());
        assert_eq!(only_rotation.exceptions[0].standing, "in-force");

        let mut by_item = report(vec![lambda_missing(), overdue()]);
        accept(&mut by_item, &state("item: 11", "2027-06-01"), day);
        assert_eq!(
            by_item.items[0].status,
            Status::Accepted,
            "an item accepts all of it"
        );
    }

    #[test]
    fn after_expiry_the_evidence_fails_and_names_the_expired_exception() {
        let day = Date::parse("2028-01-01").expect("day");
        let mut expired = report(vec![lambda_missing()]);
        accept(
            &mut expired,
            &state("control: SecretsManager.1", "2028-01-01"),
            day,
        );
        let item = &expired.items[0];
        assert_eq!(item.status, Status::Fail);
        let acceptance = item.evidence[0].accepted.as_ref().expect("named");
        assert!(acceptance.expired);
        assert!(acceptance.line().contains("expired on 2027-12-31"));
        assert_eq!(expired.exceptions[0].standing, "expired");
        assert!(expired.exceptions[0].warns());
    }

    #[test]
    fn an_exception_accepting_nothing_is_unmatched() {
        let day = Date::parse("2027-06-01").expect("day");
        let mut passing = report(vec![evidence("spec.rotation", Finding::InSync)]);
        passing.items[0].status = Status::Pass;
        accept(
            &mut passing,
            &state("control: SecretsManager.1", "2027-06-01"),
            day,
        );
        assert_eq!(passing.items[0].status, Status::Pass);
        assert_eq!(passing.exceptions[0].standing, "unmatched");
    }
}
