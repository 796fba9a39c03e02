//! Accepted risks as code: the Posture's `exceptions`, each naming what it accepts (a
//! guardrail rule, a checklist item or a Security Hub control), on which resources, why, who
//! owns it, its ticket, and the day it expires.
//!
//! A guardrail exception is judged while loading (the guardrail's error becomes an
//! [`Accepted`] finding until it expires); checklist and control exceptions are judged by the
//! report, on the day it is made. [`Date`] is the clock: every judgement takes one, so tests
//! and `--as-of` can move it.

mod check;
mod date;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use check::{ACCEPTABLE_RULES, judge, locate};
pub use date::Date;

use crate::error::{ManifestError, SourceLocation};

/// How many days before it expires an exception warns.
pub const WARN_DAYS: i64 = 14;

/// Rule id: an exception's `expires` is missing or not a `YYYY-MM-DD` date.
pub const BAD_EXPIRY: &str = "AFU9-EXC-001";
/// Rule id: an exception names not exactly one of `rule`, `item`, `control`, or a wrong one.
pub const BAD_SUBJECT: &str = "AFU9-EXC-002";
/// Rule id: an exception has no reason, owner or ticket.
pub const NO_OWNER: &str = "AFU9-EXC-003";
/// Rule id: an exception names no resource (neither `resources` nor a `selector`).
pub const NO_RESOURCES: &str = "AFU9-EXC-004";
/// Rule id (warning): an exception expires within [`WARN_DAYS`] days.
pub const EXPIRING: &str = "AFU9-EXC-010";
/// Rule id (warning): an exception matches nothing.
pub const UNMATCHED: &str = "AFU9-EXC-011";
/// Rule id (warning): an exception has expired; what it accepted fails again.
pub const EXPIRED: &str = "AFU9-EXC-012";
/// Rule id (warning): a manifest's own `guardrailExceptions` (no owner, no expiry).
pub const DEPRECATED: &str = "AFU9-EXC-020";

/// One accepted risk. Exactly one of `rule`, `item` and `control` says what it accepts;
/// `resources` and `selector` say where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Exception {
    /// A guardrail rule id (`AFU9-SG-012`): the manifests it covers validate although they
    /// break it. Only the guardrails a manifest could except are accepted (not SSH or RDP
    /// open to the world).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A checklist item of the security guide (1-15): its failing evidence on the resources
    /// covered is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 15))]
    pub item: Option<u8>,
    /// A Security Hub control (`SecretsManager.1`): the failing evidence of that control on
    /// the resources covered is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// The resources covered, by kind and name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceRef>,
    /// Or every resource whose kind and labels match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<Selector>,
    /// Why the risk is accepted.
    #[serde(default)]
    #[schemars(required)]
    pub reason: String,
    /// Who answers for it (a person or team, shown in every finding it accepts).
    #[serde(default)]
    #[schemars(required)]
    pub owner: String,
    /// The ticket that tracks it (`SEC-142`, a URL).
    #[serde(default)]
    #[schemars(required)]
    pub ticket: String,
    /// The last day it is in force (`YYYY-MM-DD`, UTC); from the next day what it accepted
    /// fails again. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub expires: Option<String>,
    /// Where it was written (filled by the loader).
    #[serde(skip)]
    #[schemars(skip)]
    pub source: Option<SourceLocation>,
}

/// A resource by kind and manifest name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceRef {
    /// The manifest kind (`Secret`).
    pub kind: String,
    /// The manifest name (`afu9/github`).
    pub name: String,
}

/// Resources by labels, optionally of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    /// Only resources of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Labels (`metadata.labels`) a resource must all carry, with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
}

/// Where an exception stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// In force, more than [`WARN_DAYS`] days left.
    InForce,
    /// In force, expiring in this many days (0: its last day).
    Expiring(i64),
    /// Expired on the day after `expires`.
    Expired,
    /// Its `expires` is not a date (a validation error): never in force.
    Invalid,
}

impl Standing {
    /// Whether it accepts what it names.
    pub fn in_force(self) -> bool {
        matches!(self, Self::InForce | Self::Expiring(_))
    }
}

impl Exception {
    /// Its expiry, when it is a date.
    pub fn expiry(&self) -> Option<Date> {
        self.expires.as_deref().and_then(Date::parse)
    }

    /// Where it stands on `today`.
    pub fn standing(&self, today: Date) -> Standing {
        match self.expiry() {
            None => Standing::Invalid,
            Some(last) => match today.days_until(last) {
                left if left < 0 => Standing::Expired,
                left if left <= WARN_DAYS => Standing::Expiring(left),
                _ => Standing::InForce,
            },
        }
    }

    /// Whether it covers the resource `name` of `kind` with `labels`.
    pub fn covers(&self, kind: &str, name: &str, labels: &BTreeMap<String, String>) -> bool {
        self.resources
            .iter()
            .any(|r| r.kind == kind && r.name == name)
            || self.selector.as_ref().is_some_and(|s| {
                (s.kind.is_some() || !s.match_labels.is_empty())
                    && s.kind.as_deref().is_none_or(|k| k == kind)
                    && s.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            })
    }

    /// What it accepts, in words (`guardrail AFU9-SG-012`, `checklist item 11`, `Security
    /// Hub control SecretsManager.1`).
    pub fn subject(&self) -> String {
        match (&self.rule, self.item, &self.control) {
            (Some(rule), ..) => format!("guardrail {rule}"),
            (_, Some(item), _) => format!("checklist item {item}"),
            (.., Some(control)) => format!("Security Hub control {control}"),
            _ => "nothing".to_owned(),
        }
    }

    /// The note every finding it accepts carries: owner, ticket, expiry and reason.
    pub fn note(&self) -> String {
        format!(
            "accepted risk: owner {}, ticket {}, expires {}: {}",
            self.owner,
            self.ticket,
            self.expires.as_deref().unwrap_or("(none)"),
            self.reason
        )
    }

    /// Where it was written, else `fallback`.
    pub fn location(&self, fallback: &SourceLocation) -> SourceLocation {
        self.source.clone().unwrap_or_else(|| fallback.clone())
    }
}

/// A guardrail finding an exception in force accepts: the finding as validation made it,
/// the resource it is about, and the exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The guardrail's finding (its rule, file, line and field).
    pub finding: ManifestError,
    /// The resource's kind.
    pub kind: String,
    /// The resource's manifest name.
    pub name: String,
    /// The exception that accepts it.
    pub exception: Exception,
}

#[cfg(test)]
mod tests;
