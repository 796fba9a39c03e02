//! Judges the checklist against a desired state and the plan of the account.

use afu9_spec::{DesiredState, ManifestError};
use serde_json::Value;

use super::items::{CHECKLIST, Expect, Item, Requirement, Scope};
use super::{Evidence, Finding, ItemReport, Report, Status};
use crate::plan::{Action, Change, Plan, ResourcePlan};
use crate::render::inline;

/// The checklist for `state` (its manifests and validation warnings) and `plan`, the plan of
/// the account for that state. Pure: reads nothing else.
pub fn evaluate(state: &DesiredState, plan: &Plan) -> Report {
    Report {
        items: CHECKLIST
            .iter()
            .map(|item| judge(item, state, plan))
            .collect(),
        partial: plan.partial.clone(),
        exceptions: Vec::new(),
    }
}

fn judge(item: &Item, state: &DesiredState, plan: &Plan) -> ItemReport {
    let (status, evidence) = match &item.scope {
        Scope::Outside => (Status::Outside, Vec::new()),
        Scope::Checked {
            fields,
            requires,
            guardrails,
            attested_by,
        } => {
            let mut evidence = Vec::new();
            let attested = !attested_by.is_empty();
            for (kind, patterns) in *fields {
                for resource in plan.resources.iter().filter(|r| r.kind == *kind) {
                    let judge = if attested {
                        Judge::Facts
                    } else {
                        Judge::Manifest(state, requires)
                    };
                    observed(resource, patterns, judge, &mut evidence);
                }
            }
            if attested {
                facts(attested_by, plan, &mut evidence);
            }
            for requirement in *requires {
                requested(requirement, state, &mut evidence);
            }
            for warning in &state.warnings {
                if guardrails.iter().any(|rule| warning.rule.starts_with(rule)) {
                    evidence.push(guardrail(warning, plan));
                }
            }
            (status_of(&evidence), evidence)
        }
    };
    ItemReport {
        number: item.number,
        title: item.title,
        status,
        controls: item.controls,
        severity: item.severity,
        evidence,
        verify: item.verify,
    }
}

fn status_of(evidence: &[Evidence]) -> Status {
    if evidence.iter().any(|e| e.finding.fails()) {
        Status::Fail
    } else if evidence.iter().any(|e| e.finding == Finding::NotObserved) {
        Status::Unknown
    } else {
        Status::Pass
    }
}

fn evidence(resource: &ResourcePlan, finding: Finding, note: String) -> Evidence {
    Evidence {
        kind: resource.kind.to_owned(),
        name: resource.name.clone(),
        field: None,
        finding,
        live: None,
        wanted: None,
        rule: None,
        note,
        accepted: None,
    }
}

/// How a resource in sync on an item's fields counts: for an item judged on live facts it
/// is no evidence (the facts are); otherwise the manifest's values, which the live ones equal.
#[derive(Clone, Copy)]
enum Judge<'a> {
    Facts,
    Manifest(&'a DesiredState, &'a [Requirement]),
}

/// The live facts of the controls `attested_by` names, as evidence; when no resource of the
/// plan has one, the item is not evidenced.
fn facts(attested_by: &[&str], plan: &Plan, out: &mut Vec<Evidence>) {
    let before = out.len();
    for resource in &plan.resources {
        for fact in &resource.facts {
            if attested_by.iter().any(|c| fact.control.starts_with(c)) {
                let finding = if fact.holds {
                    Finding::Holds
                } else {
                    Finding::Violates
                };
                out.push(Evidence {
                    field: Some(fact.field.clone()),
                    live: fact.live.clone(),
                    rule: Some(fact.control.to_owned()),
                    ..evidence(resource, finding, fact.note.clone())
                });
            }
        }
    }
    if out.len() == before {
        out.push(Evidence {
            kind: String::new(),
            name: String::new(),
            field: None,
            finding: Finding::NotEvidenced,
            live: None,
            wanted: None,
            rule: None,
            accepted: None,
            note: format!(
                "no live resource was read for {}: nothing in the account shows the item holds",
                attested_by.join(", ")
            ),
        });
    }
}

/// What the plan says about `resource` on the fields `patterns` name.
fn observed(resource: &ResourcePlan, patterns: &[&str], judge: Judge<'_>, out: &mut Vec<Evidence>) {
    match resource.action {
        Action::Error => out.push(evidence(
            resource,
            Finding::NotObserved,
            format!(
                "could not be read: {}",
                resource.reason.as_deref().unwrap_or("unknown error")
            ),
        )),
        Action::Create => out.push(evidence(
            resource,
            Finding::Missing,
            "missing: apply creates it".to_owned(),
        )),
        _ => {
            let drifted: Vec<&Change> = resource
                .changes
                .iter()
                .filter(|c| patterns.iter().any(|p| path_matches(p, &c.path)))
                .collect();
            if let (true, Judge::Manifest(state, requires)) = (drifted.is_empty(), judge) {
                in_sync(resource, patterns, state, requires, out);
            }
            for change in drifted {
                out.push(Evidence {
                    field: Some(change.path.clone()),
                    live: change.before.clone(),
                    wanted: change.after.clone(),
                    ..evidence(resource, Finding::Drifted, drift_note(resource))
                });
            }
        }
    }
}

fn drift_note(resource: &ResourcePlan) -> String {
    match (resource.action, resource.reason.as_deref()) {
        (Action::Blocked, Some(reason)) => format!("drifted; blocked: {reason}"),
        _ if resource.ops.is_empty() => "drifted; not changed by apply (observe only)".to_owned(),
        _ => "drifted: apply changes it".to_owned(),
    }
}

/// Evidence for a resource in sync on the item's fields: the manifest's values of the fields
/// the item requires, which the live values equal.
fn in_sync(
    resource: &ResourcePlan,
    patterns: &[&str],
    state: &DesiredState,
    requires: &[Requirement],
    out: &mut Vec<Evidence>,
) {
    let spec = state
        .specs_json(resource.kind)
        .into_iter()
        .find(|(name, _)| *name == resource.name)
        .map(|(_, spec)| spec);
    let fields: Vec<(&str, Value)> = requires
        .iter()
        .filter(|r| r.kind == resource.kind)
        .filter_map(|r| Some((r.path?, spec.as_ref()?)))
        .filter_map(|(path, spec)| {
            let values = select(spec, path);
            match values.as_slice() {
                [] => None,
                [one] => Some((path, (*one).clone())),
                many => Some((
                    path,
                    Value::Array(many.iter().map(|v| (*v).clone()).collect()),
                )),
            }
        })
        .collect();
    if fields.is_empty() {
        out.push(evidence(
            resource,
            Finding::InSync,
            format!(
                "in sync on {}: live equals the manifest",
                patterns.join(", ")
            ),
        ));
    }
    for (path, value) in fields {
        out.push(Evidence {
            field: Some(format!("spec.{path}")),
            live: Some(value.clone()),
            wanted: Some(value),
            ..evidence(
                resource,
                Finding::InSync,
                "in sync: the live value equals the manifest's".to_owned(),
            )
        });
    }
}

/// Whether the desired state asks for what `requirement` says; evidence only when not.
fn requested(requirement: &Requirement, state: &DesiredState, out: &mut Vec<Evidence>) {
    let kind = requirement.kind;
    let specs = state.specs_json(kind);
    let missing = |name: &str, note: String| Evidence {
        kind: kind.to_owned(),
        name: name.to_owned(),
        field: requirement.path.map(|p| format!("spec.{p}")),
        finding: Finding::NotRequested,
        live: None,
        wanted: wanted(requirement.expect),
        rule: None,
        note,
        accepted: None,
    };
    if specs.is_empty() {
        out.push(missing("", format!("the desired state declares no {kind}")));
        return;
    }
    let Some(path) = requirement.path else {
        return;
    };
    match requirement.expect {
        Expect::Declared => {}
        Expect::Some(expected) => {
            let expected = json(expected);
            for (name, spec) in &specs {
                if !select(spec, path).contains(&&expected) {
                    out.push(missing(
                        name,
                        format!("the manifest sets no {path} to {expected}"),
                    ));
                }
            }
        }
        Expect::Every(expected) => {
            let expected = json(expected);
            for (name, spec) in &specs {
                let values = select(spec, path);
                if values.is_empty() || values.iter().any(|v| **v != expected) {
                    let found = values.first().map(|v| (*v).clone());
                    out.push(Evidence {
                        live: None,
                        ..missing(
                            name,
                            format!(
                                "the manifest sets {path} to {}, not {expected}",
                                inline(found.as_ref())
                            ),
                        )
                    });
                }
            }
        }
        Expect::Present => {
            for (name, spec) in &specs {
                if select(spec, path).is_empty() {
                    out.push(missing(name, format!("the manifest does not set {path}")));
                }
            }
        }
    }
}

fn wanted(expect: Expect) -> Option<Value> {
    match expect {
        Expect::Every(value) | Expect::Some(value) => Some(json(value)),
        Expect::Present | Expect::Declared => None,
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// A guardrail warning as evidence, named after the resource whose manifest holds it: the last
/// resource of the plan declared in the same file at or before the warning's line.
fn guardrail(warning: &ManifestError, plan: &Plan) -> Evidence {
    let at = &warning.location;
    let owner = plan
        .resources
        .iter()
        .filter(|r| r.source.file == at.file && r.source.line <= at.line)
        .max_by_key(|r| r.source.line);
    Evidence {
        kind: owner.map_or("Manifest", |r| r.kind).to_owned(),
        name: owner.map_or_else(|| at.to_string(), |r| r.name.clone()),
        field: (!warning.field.is_empty()).then(|| warning.field.clone()),
        finding: Finding::Guardrail,
        live: None,
        wanted: None,
        rule: Some(warning.rule.to_owned()),
        note: format!("{} ({at})", warning.message),
        accepted: None,
    }
}

/// Whether a change's `path` lies under `pattern`: segment by segment, `*` matching any one
/// segment and a segment matching itself with an index (`listeners` matches `listeners[80]`).
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut segments = path.split('.');
    pattern.split('.').all(|want| {
        segments.next().is_some_and(|have| {
            want == "*"
                || have == want
                || have
                    .strip_prefix(want)
                    .is_some_and(|rest| rest.starts_with('['))
        })
    })
}

/// The values at `path` in a spec (`*` stands for every value of an object or array), nulls
/// left out.
fn select<'a>(spec: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut values = vec![spec];
    for segment in path.split('.') {
        values = values
            .into_iter()
            .flat_map(|value| -> Vec<&Value> {
                match (segment, value) {
                    ("*", Value::Object(map)) => map.values().collect(),
                    ("*", Value::Array(items)) => items.iter().collect(),
                    (key, Value::Object(map)) => map.get(key).into_iter().collect(),
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    values.retain(|v| !v.is_null());
    values
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{path_matches, select};

    #[test]
    fn patterns_match_segments_wildcards_and_indexes() {
        assert!(path_matches(
            "spec.listeners",
            "spec.listeners[443].sslPolicy"
        ));
        assert!(path_matches(
            "spec.services.*.assignPublicIp",
            "spec.services.web.assignPublicIp"
        ));
        assert!(path_matches("spec", "spec.multiRegion"));
        assert!(!path_matches("spec.scanOnPush", "spec.scanOnPushX"));
        assert!(!path_matches(
            "spec.services.*.subnets",
            "spec.services.web.securityGroups"
        ));
        assert!(!path_matches("spec.kmsKey.x", "spec.kmsKey"));
    }

    #[test]
    fn select_reads_through_wildcards_and_drops_nulls() {
        let spec = json!({"services": {"a": {"ip": "DISABLED"}, "b": {"ip": null}}, "x": [1, 2]});
        assert_eq!(select(&spec, "services.*.ip"), [&json!("DISABLED")]);
        assert_eq!(select(&spec, "x.*"), [&json!(1), &json!(2)]);
        assert!(select(&spec, "missing").is_empty());
    }
}
