//! Judging the Posture's exceptions while loading: their fields (an error names the file,
//! the exception's line and the field), where they stand on the day, what they match, the
//! guardrail findings they accept, and the manifests that still except their own guardrails.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::{
    Accepted, BAD_EXPIRY, BAD_SUBJECT, DEPRECATED, Date, EXPIRED, EXPIRING, Exception, NO_OWNER,
    NO_RESOURCES, Standing, UNMATCHED,
};
use crate::error::{ManifestError, SourceLocation};
use crate::kinds::KINDS;
use crate::state::DesiredState;

/// The guardrails an exception may accept: those a manifest could except in its own
/// `guardrailExceptions` (an open port other than 80 and 443, the trail's, the unencrypted
/// topic, the IAM ones). SSH and RDP open to the world are never accepted.
pub const ACCEPTABLE_RULES: &[&str] = &[
    "AFU9-SG-012",
    "AFU9-TRAIL-001",
    "AFU9-TRAIL-002",
    "AFU9-TRAIL-003",
    "AFU9-TRAIL-004",
    "AFU9-TRAIL-005",
    "AFU9-SNS-001",
    "AFU9-IAM-020",
    "AFU9-IAM-021",
    "AFU9-IAM-022",
    "AFU9-IAM-023",
    "AFU9-IAM-024",
    "AFU9-IAM-025",
    "AFU9-IAM-026",
];

/// A declared resource, as exceptions match it.
struct Declared {
    kind: &'static str,
    name: String,
    labels: BTreeMap<String, String>,
    source: SourceLocation,
}

/// Judges the Posture's exceptions on `today`: field errors, expiry and match warnings, and
/// the guardrail errors in `errors` that an exception in force accepts, moved to
/// `state.accepted`. Also warns about each manifest's own `guardrailExceptions`.
pub fn judge(state: &mut DesiredState, today: Date, errors: &mut Vec<ManifestError>) {
    let declared: Vec<Declared> = state
        .manifests()
        .into_iter()
        .map(|(kind, metadata, source)| Declared {
            kind,
            name: metadata.name.clone(),
            labels: metadata.labels.clone(),
            source: source.clone(),
        })
        .collect();
    deprecated(state, &declared, errors);
    let Some(posture) = state.posture_document.clone() else {
        return;
    };
    let exceptions = &posture.spec.exceptions;
    for (index, exception) in exceptions.iter().enumerate() {
        let at = exception.location(&posture.source);
        let field = format!("spec.exceptions[{index}]");
        let problems = check_fields(exception, &field, &at);
        let valid = problems.is_empty();
        errors.extend(problems);
        if !valid {
            continue;
        }
        standing(exception, today, &field, &at, errors);
        if !declared
            .iter()
            .any(|d| exception.covers(d.kind, &d.name, &d.labels))
        {
            errors.push(
                ManifestError::new(
                    at,
                    format!(
                        "the exception for {} matches no resource of the desired state",
                        exception.subject()
                    ),
                )
                .field(&field)
                .rule(UNMATCHED)
                .hint("name resources by kind and manifest name, or fix the selector; remove an exception that is no longer needed")
                .warning(),
            );
        }
    }
    accept_guardrails(state, exceptions, &declared, today, errors);
}

fn check_fields(exception: &Exception, field: &str, at: &SourceLocation) -> Vec<ManifestError> {
    let error = |sub: &str, rule: &'static str, message: String| {
        ManifestError::new(at.clone(), message)
            .field(if sub.is_empty() {
                field.to_owned()
            } else {
                format!("{field}.{sub}")
            })
            .rule(rule)
    };
    let mut errors = Vec::new();
    let named = [
        exception.rule.is_some(),
        exception.item.is_some(),
        exception.control.is_some(),
    ];
    if named.iter().filter(|n| **n).count() != 1 {
        errors.push(
            error(
                "",
                BAD_SUBJECT,
                "an exception names exactly one of `rule`, `item` and `control`".to_owned(),
            )
            .hint("rule: AFU9-SG-012, item: 11, or control: SecretsManager.1"),
        );
    }
    if let Some(rule) = &exception.rule
        && !ACCEPTABLE_RULES.contains(&rule.as_str())
    {
        errors.push(
            error(
                "rule",
                BAD_SUBJECT,
                format!("`{rule}` is not a guardrail an exception can accept"),
            )
            .hint(format!(
                "the guardrails are {}",
                ACCEPTABLE_RULES.join(", ")
            )),
        );
    }
    if let Some(item) = exception.item
        && !(1..=15).contains(&item)
    {
        errors.push(error(
            "item",
            BAD_SUBJECT,
            format!("{item} is not a checklist item (1-15)"),
        ));
    }
    if let Some(control) = &exception.control
        && !is_control(control)
    {
        errors.push(
            error(
                "control",
                BAD_SUBJECT,
                format!("`{control}` is not a Security Hub control id"),
            )
            .hint("the service and a number: SecretsManager.1, EC2.18, CloudTrail.2"),
        );
    }
    for (name, value) in [
        ("reason", &exception.reason),
        ("owner", &exception.owner),
        ("ticket", &exception.ticket),
    ] {
        if value.trim().is_empty() {
            errors.push(error(
                name,
                NO_OWNER,
                format!("an exception needs `{name}`: accepted risks have a reason, an owner and a ticket"),
            ));
        }
    }
    let selects = exception
        .selector
        .as_ref()
        .is_some_and(|s| s.kind.is_some() || !s.match_labels.is_empty());
    if exception.resources.is_empty() && !selects {
        errors.push(
            error(
                "",
                NO_RESOURCES,
                "an exception names its resources: `resources` or a `selector` with a kind or labels".to_owned(),
            )
            .hint("resources: [{kind: Secret, name: afu9/github}]"),
        );
    }
    if let Some(problem) = check_expiry(exception, &error) {
        errors.push(problem);
    }
    errors
}

fn check_expiry(
    exception: &Exception,
    error: &dyn Fn(&str, &'static str, String) -> ManifestError,
) -> Option<ManifestError> {
    let hint = "expires: 2027-03-31 (YYYY-MM-DD, UTC)";
    match &exception.expires {
        None => Some(
            error(
                "expires",
                BAD_EXPIRY,
                "an exception needs `expires`: the last day it is in force".to_owned(),
            )
            .hint(hint),
        ),
        Some(text) if Date::parse(text).is_none() => {
            Some(error("expires", BAD_EXPIRY, format!("`{text}` is not a date")).hint(hint))
        }
        Some(_) => None,
    }
}

/// `Service.N`: letters and digits, a dot, a number.
fn is_control(text: &str) -> bool {
    text.split_once('.').is_some_and(|(service, number)| {
        !service.is_empty()
            && service.chars().all(|c| c.is_ascii_alphanumeric())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    })
}

fn standing(
    exception: &Exception,
    today: Date,
    field: &str,
    at: &SourceLocation,
    errors: &mut Vec<ManifestError>,
) {
    let expires = exception.expires.as_deref().unwrap_or_default();
    let (rule, message, hint) = match exception.standing(today) {
        Standing::Expiring(left) => (
            EXPIRING,
            format!(
                "the exception for {} expires on {expires} ({left} days left; owner {}, ticket {})",
                exception.subject(),
                exception.owner,
                exception.ticket
            ),
            "fix what it accepts, or renew it with a new date after review",
        ),
        Standing::Expired => (
            EXPIRED,
            format!(
                "the exception for {} expired on {expires}: what it accepted fails again (owner {}, ticket {})",
                exception.subject(),
                exception.owner,
                exception.ticket
            ),
            "fix what it accepted, or renew it with a new date after review",
        ),
        Standing::InForce | Standing::Invalid => return,
    };
    errors.push(
        ManifestError::new(at.clone(), message)
            .field(format!("{field}.expires"))
            .rule(rule)
            .hint(hint)
            .warning(),
    );
}

/// Moves each guardrail error an exception in force accepts from `errors` to
/// `state.accepted`; an error whose exception expired says so in its hint. A rule exception
/// in force that accepted nothing warns.
fn accept_guardrails(
    state: &mut DesiredState,
    exceptions: &[Exception],
    declared: &[Declared],
    today: Date,
    errors: &mut Vec<ManifestError>,
) {
    let mut used = vec![false; exceptions.len()];
    let mut kept = Vec::with_capacity(errors.len());
    for mut error in errors.drain(..) {
        let resource = declared.iter().find(|d| d.source == error.location);
        let (false, true, Some(resource)) = (
            error.warning,
            ACCEPTABLE_RULES.contains(&error.rule),
            resource,
        ) else {
            kept.push(error);
            continue;
        };
        let candidates: Vec<(usize, &Exception)> = exceptions
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.rule.as_deref() == Some(error.rule)
                    && e.covers(resource.kind, &resource.name, &resource.labels)
            })
            .collect();
        if let Some((index, exception)) = candidates
            .iter()
            .find(|(_, e)| e.standing(today).in_force())
        {
            used[*index] = true;
            state.accepted.push(Accepted {
                finding: error,
                kind: resource.kind.to_owned(),
                name: resource.name.clone(),
                exception: (*exception).clone(),
            });
            continue;
        }
        if let Some((index, exception)) = candidates.first() {
            used[*index] = true;
            error = error.hint(format!(
                "the exception accepting it expired on {} (owner {}, ticket {})",
                exception.expires.as_deref().unwrap_or_default(),
                exception.owner,
                exception.ticket
            ));
        }
        kept.push(error);
    }
    *errors = kept;
    let fallback = state
        .posture_document
        .as_ref()
        .map(|p| p.source.clone())
        .unwrap_or_default();
    for (index, exception) in exceptions.iter().enumerate() {
        let Some(rule) = &exception.rule else {
            continue;
        };
        if used[index] || !exception.standing(today).in_force() {
            continue;
        }
        errors.push(
            ManifestError::new(
                exception.location(&fallback),
                format!("the exception for guardrail {rule} accepts nothing: no manifest it covers breaks it"),
            )
            .field(format!("spec.exceptions[{index}]"))
            .rule(UNMATCHED)
            .hint("remove it")
            .warning(),
        );
    }
}

/// Warns about each manifest that still lists its own `guardrailExceptions`: read as before,
/// but without an owner, a ticket or an expiry.
fn deprecated(state: &DesiredState, declared: &[Declared], errors: &mut Vec<ManifestError>) {
    for kind in KINDS {
        for (name, spec) in state.specs_json(kind) {
            let Some(listed) = spec
                .get("guardrailExceptions")
                .and_then(|v| v.as_array())
                .filter(|l| !l.is_empty())
            else {
                continue;
            };
            let Some(resource) = declared.iter().find(|d| d.kind == *kind && d.name == name) else {
                continue;
            };
            let rules: Vec<&str> = listed
                .iter()
                .filter_map(|e| e.get("rule").and_then(|r| r.as_str()))
                .collect();
            errors.push(
                ManifestError::new(
                    resource.source.clone(),
                    format!(
                        "guardrailExceptions ({}) has no owner, ticket or expiry; it still applies, but is deprecated",
                        rules.join(", ")
                    ),
                )
                .field("spec.guardrailExceptions")
                .rule(DEPRECATED)
                .hint(format!(
                    "move it to the Posture's exceptions: {{rule: {}, resources: [{{kind: {kind}, name: {name}}}], reason: ..., owner: ..., ticket: ..., expires: YYYY-MM-DD}}",
                    rules.first().copied().unwrap_or("...")
                ))
                .warning(),
            );
        }
    }
}

/// The Posture document's `spec.exceptions` entries as the loader sees them: only where
/// each starts.
#[derive(Deserialize)]
struct Spans {
    #[serde(default)]
    spec: Option<SpecSpans>,
}

#[derive(Deserialize)]
struct SpecSpans {
    #[serde(default)]
    exceptions: Option<Vec<Spanned<IgnoredAny>>>,
}

/// Records in each of `exceptions` where it was written: `text` is the Posture document,
/// whose line N is the file's N + `line_offset`.
pub fn locate(file: &Path, text: &str, line_offset: u64, exceptions: &mut [Exception]) {
    let Ok(spans) = serde_saphyr::from_str::<Spans>(text) else {
        return;
    };
    let Some(found) = spans.spec.and_then(|s| s.exceptions) else {
        return;
    };
    for (exception, span) in exceptions.iter_mut().zip(found) {
        let at = span.referenced;
        if at.line() > 0 {
            exception.source = Some(SourceLocation::new(
                file,
                at.line() + line_offset,
                at.column(),
            ));
        }
    }
}
