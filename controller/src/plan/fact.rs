//! Facts: controls judged on live state.
//!
//! A kind that is evidence for a control reads it off what it observed and says whether the
//! live value satisfies the control, whatever its manifest asks. The checklist report judges
//! its items on these, so "the resource equals its manifest" is never evidence on its own.

use serde::Serialize;
use serde_json::Value;

/// One control judged on a live resource: what was read, and whether it satisfies the control.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fact {
    /// The control: a Security Hub (Foundational Security Best Practices) id such as
    /// `S3.5`, or `AFU9.<Area>.<n>` for a guide check Security Hub has no control for.
    pub control: &'static str,
    /// The live field it was read from, in the manifest's vocabulary (`scanOnPush`).
    pub field: String,
    /// The live value, never a secret value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Value>,
    /// Whether the live value satisfies the control.
    pub holds: bool,
    /// One sentence for a reviewer.
    pub note: String,
}

impl Fact {
    /// A control the live value satisfies.
    pub fn holds(
        control: &'static str,
        field: impl Into<String>,
        live: Option<Value>,
        note: impl Into<String>,
    ) -> Self {
        Self {
            control,
            field: field.into(),
            live,
            holds: true,
            note: note.into(),
        }
    }

    /// A control the live value fails.
    pub fn fails(
        control: &'static str,
        field: impl Into<String>,
        live: Option<Value>,
        note: impl Into<String>,
    ) -> Self {
        Self {
            holds: false,
            ..Self::holds(control, field, live, note)
        }
    }

    /// `holds` or `fails` by `ok`, with the note that fits.
    pub fn judged(
        control: &'static str,
        field: impl Into<String>,
        live: Option<Value>,
        ok: bool,
        (pass, fail): (&str, &str),
    ) -> Self {
        if ok {
            Self::holds(control, field, live, pass)
        } else {
            Self::fails(control, field, live, fail)
        }
    }
}
