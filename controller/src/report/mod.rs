//! The security guide's checklist as a report: each item's status, its evidence from the plan
//! (the same observation as `plan`) and the desired state, and the controls it maps to.
//!
//! [`items::CHECKLIST`] is the one table of what each item relies on; [`evaluate`] judges it
//! against a desired state and a plan; [`render`] prints it, [`ocsf`] and [`junit`] give it
//! to security tools and CI.

mod evaluate;
pub mod exceptions;
pub mod items;
pub mod junit;
pub mod ocsf;
pub mod render;
#[cfg(test)]
mod tests;

pub use evaluate::evaluate;

use serde::Serialize;
use serde_json::Value;

/// An item's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The account and the desired state meet it.
    Pass,
    /// A resource it relies on is missing or drifted, the desired state does not ask for
    /// it, or a guardrail warns.
    Fail,
    /// A resource it relies on could not be read.
    Unknown,
    /// It lives in the application's code: the account holds no evidence.
    Outside,
    /// It fails only where the Posture's exceptions accept the risk, until they expire.
    Accepted,
}

impl Status {
    /// The lowercase name every format uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Unknown => "unknown",
            Self::Outside => "outside",
            Self::Accepted => "accepted",
        }
    }
}

/// What one piece of evidence says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Finding {
    /// The live value equals the manifest's.
    InSync,
    /// The resource does not exist.
    Missing,
    /// The live value differs from the manifest's.
    Drifted,
    /// The resource could not be read.
    NotObserved,
    /// The desired state does not ask for the secure setting.
    NotRequested,
    /// A validation guardrail warns about the manifest.
    Guardrail,
    /// The live resource satisfies a control the item cites.
    Holds,
    /// The live resource fails a control the item cites.
    Violates,
    /// No live resource holds evidence for the controls the item cites.
    NotEvidenced,
}

impl Finding {
    /// Whether it fails the item.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Self::Missing
                | Self::Drifted
                | Self::NotRequested
                | Self::Guardrail
                | Self::Violates
                | Self::NotEvidenced
        )
    }
}

/// One piece of evidence: a resource, a field, the live and wanted values, what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The manifest kind.
    pub kind: String,
    /// The resource's name (for a guardrail, the resource whose manifest it is about).
    pub name: String,
    /// The field (`spec.scanOnPush`), when the evidence is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What it says.
    pub finding: Finding,
    /// The live value, when read (for a resource in sync: the manifest's, which it equals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Value>,
    /// The value the manifest wants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wanted: Option<Value>,
    /// The rule id, for a guardrail; the control id, for a live fact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// In words.
    pub note: String,
    /// The Posture's exception that covers it, when one does (expired or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<exceptions::Acceptance>,
}

impl Evidence {
    /// Whether it fails its item: a failing finding that no exception in force accepts.
    pub fn fails(&self) -> bool {
        self.finding.fails() && self.accepted.as_ref().is_none_or(|a| a.expired)
    }
}

/// One checklist item, judged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemReport {
    /// Its number in the guide.
    pub number: u8,
    /// The guide's words.
    pub title: &'static str,
    /// The outcome.
    pub status: Status,
    /// The Security Hub controls it maps to.
    pub controls: &'static [&'static str],
    /// How bad a failure is.
    pub severity: items::Severity,
    /// What was found, resource by resource.
    pub evidence: Vec<Evidence>,
    /// What would verify what the controller cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<&'static str>,
}

/// The whole checklist.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The fifteen items, in the guide's order.
    pub items: Vec<ItemReport>,
    /// The selection (`--target`, `-l`) when only some resources were observed: their
    /// items are judged on the chosen resources and on what the desired state asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
    /// The Posture's checklist and control exceptions and where each stands (filled by
    /// [`exceptions::accept`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<exceptions::ExceptionReport>,
}

impl Report {
    /// How many items have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.items.iter().filter(|i| i.status == status).count()
    }

    /// Whether any item fails.
    pub fn has_failure(&self) -> bool {
        self.count(Status::Fail) > 0
    }
}
