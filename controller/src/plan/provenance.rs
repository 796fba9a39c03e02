//! Who made a drift and how: the CloudTrail event that reported it (its caller, session
//! issuer, source IP, user agent, time and id — never a request parameter, which may hold a
//! secret), or the periodic pass that found it with no event.

use std::fmt::Write as _;

use serde::Serialize;

/// Where a resource's drift came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "foundBy", rename_all = "camelCase")]
pub enum Provenance {
    /// A CloudTrail event delivered through the event source named the change.
    Event(EventOrigin),
    /// The periodic pass found it, and no event had named it.
    PeriodicPass,
}

/// What a CloudTrail record says of the call that made a change (`userIdentity`,
/// `sourceIPAddress`, `userAgent`, `eventTime`, `eventID`), in CloudTrail's words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventOrigin {
    /// The API call (`AuthorizeSecurityGroupIngress`).
    pub event_name: String,
    /// `userIdentity.arn`: the user, or the assumed-role session.
    pub principal: Option<String>,
    /// `userIdentity.sessionContext.sessionIssuer.arn`: the role a session was issued by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_issuer: Option<String>,
    /// `sourceIPAddress` (an address, or the AWS service that called on someone's behalf).
    pub source_ip: Option<String>,
    /// `userAgent`.
    pub user_agent: Option<String>,
    /// `eventTime`, RFC 3339 UTC.
    pub event_time: Option<String>,
    /// `eventID`, to find the record in CloudTrail.
    pub event_id: Option<String>,
}

impl Provenance {
    /// The one line plans, findings and the status page show.
    pub fn describe(&self) -> String {
        match self {
            Self::PeriodicPass => "found by the periodic pass; no event".to_owned(),
            Self::Event(origin) => origin.describe(),
        }
    }
}

impl EventOrigin {
    /// `changed by <principal> (session of <issuer>) from <ip> with <agent> at <time>
    /// (<call>, event <id>)`, leaving out what the record did not say.
    pub fn describe(&self) -> String {
        let mut line = format!(
            "changed by {}",
            self.principal.as_deref().unwrap_or("an unknown principal")
        );
        if let Some(issuer) = &self.session_issuer {
            let _ = write!(line, " (session of {issuer})");
        }
        for (word, value) in [
            ("from", &self.source_ip),
            ("with", &self.user_agent),
            ("at", &self.event_time),
        ] {
            if let Some(value) = value {
                let _ = write!(line, " {word} {value}");
            }
        }
        let _ = write!(line, " ({}", self.event_name);
        if let Some(id) = &self.event_id {
            let _ = write!(line, ", event {id}");
        }
        line.push(')');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_reads_as_one_line_and_serializes_tagged() {
        let origin = EventOrigin {
            event_name: "AuthorizeSecurityGroupIngress".to_owned(),
            principal: Some("arn:aws:sts::1:assumed-role/ops/alice".to_owned()),
            session_issuer: Some("arn:aws:iam::1:role/ops".to_owned()),
            source_ip: Some("203.0.113.7".to_owned()),
            user_agent: Some("aws-cli/2.15.0".to_owned()),
            event_time: Some("2026-12-06T09:30:00Z".to_owned()),
            event_id: Some("e-1".to_owned()),
        };
        assert_eq!(
            Provenance::Event(origin.clone()).describe(),
            "changed by arn:aws:sts::1:assumed-role/ops/alice (session of arn:aws:iam::1:role/ops) \
             from 203.0.113.7 with aws-cli/2.15.0 at 2026-12-06T09:30:00Z \
             (AuthorizeSecurityGroupIngress, event e-1)"
        );
        let json = serde_json::to_value(Provenance::Event(origin)).expect("serializes");
        assert_eq!(json["foundBy"], "event");
        assert_eq!(json["sourceIp"], "203.0.113.7");
        assert_eq!(
            serde_json::to_value(Provenance::PeriodicPass).expect("serializes"),
            serde_json::json!({"foundBy": "periodicPass"})
        );
        assert_eq!(
            Provenance::PeriodicPass.describe(),
            "found by the periodic pass; no event"
        );
    }
}
