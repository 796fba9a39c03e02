//! Who made each drift: the run loop remembers, per resource, the last event that touched it
//! while it was drifted, and puts it on the resource's plan (and so on its audit lines, its
//! Security Hub finding and `/status`); a drift a full pass finds that no event named is
//! "found by the periodic pass; no event". A resource found in sync forgets its event.
//!
//! Only `userIdentity`, `sourceIPAddress`, `userAgent`, `eventTime` and `eventID` are read
//! from a CloudTrail record, never `requestParameters` (which may hold a secret).

use std::collections::BTreeMap;

use super::record::Scope;
use crate::events::{CloudTrailEvent, EventKey, Target, string_at};
use crate::plan::{EventOrigin, Plan, Provenance, ResourcePlan};

/// What a CloudTrail record says of who made the call and how.
pub(super) fn origin(event: &CloudTrailEvent) -> EventOrigin {
    let text = |path: &[&str]| string_at(&event.detail, path).map(str::to_owned);
    EventOrigin {
        event_name: event.name.clone(),
        principal: text(&["userIdentity", "arn"]),
        session_issuer: text(&["userIdentity", "sessionContext", "sessionIssuer", "arn"]),
        source_ip: text(&["sourceIPAddress"]),
        user_agent: text(&["userAgent"]),
        event_time: text(&["eventTime"]),
        event_id: text(&["eventID"]),
    }
}

/// The event behind each drifted resource, as far as the loop has seen.
#[derive(Debug, Default)]
pub(super) struct Provenances {
    known: BTreeMap<(&'static str, String), EventOrigin>,
}

impl Provenances {
    /// Sets the provenance of every drifted resource of `plan`: the latest of `events` (in
    /// the order received) that touched it, else the one remembered, else — on a full pass —
    /// the periodic pass. Forgets the resources found in sync.
    pub(super) fn attribute<'a>(
        &mut self,
        plan: &mut Plan,
        events: impl Iterator<Item = (&'a [Target], &'a EventOrigin)>,
        scope: Scope,
    ) {
        for (targets, origin) in events {
            for target in targets {
                for resource in plan.resources.iter().filter(|r| touched(r, target)) {
                    self.known
                        .insert((resource.kind, resource.name.clone()), origin.clone());
                }
            }
        }
        for resource in &mut plan.resources {
            let key = (resource.kind, resource.name.clone());
            if !resource.is_drift() {
                self.known.remove(&key);
                continue;
            }
            resource.provenance = match self.known.get(&key) {
                Some(origin) => Some(Provenance::Event(origin.clone())),
                None if scope == Scope::Full => Some(Provenance::PeriodicPass),
                None => None,
            };
        }
    }
}

/// Whether `target` names `resource`.
fn touched(resource: &ResourcePlan, target: &Target) -> bool {
    resource.kind == target.kind
        && match &target.key {
            EventKey::Name(name) => resource.name == *name,
            EventKey::Id(id) => resource.event_id.as_deref() == Some(id.as_str()),
        }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::Action;

    fn group(name: &str, action: Action) -> ResourcePlan {
        let mut plan = ResourcePlan::new(
            "SecurityGroup",
            name,
            &afu9_spec::SourceLocation::new("sg.yaml", 1, 1),
        );
        plan.action = action;
        plan.event_id = Some(format!("sg-{name}"));
        plan
    }

    fn event() -> CloudTrailEvent {
        CloudTrailEvent {
            source: "aws.ec2".to_owned(),
            name: "AuthorizeSecurityGroupIngress".to_owned(),
            time: None,
            detail: json!({
                "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/ops/alice",
                    "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::1:role/ops"}}},
                "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0",
                "eventTime": "2026-12-06T09:30:00Z", "eventID": "e-1",
                "requestParameters": {"groupId": "sg-web", "secret": "never read"},
            }),
        }
    }

    #[test]
    fn the_origin_is_read_from_the_identity_never_from_the_request() {
        let origin = origin(&event());
        assert_eq!(
            origin.session_issuer.as_deref(),
            Some("arn:aws:iam::1:role/ops")
        );
        assert_eq!(origin.source_ip.as_deref(), Some("203.0.113.7"));
        assert_eq!(origin.event_id.as_deref(), Some("e-1"));
        assert!(!format!("{origin:?}").contains("never read"));
    }

    #[test]
    fn a_drift_keeps_its_event_until_in_sync_and_one_without_is_the_periodic_pass() {
        let mut provenances = Provenances::default();
        let origin = origin(&event());
        let targets = [Target {
            kind: "SecurityGroup",
            key: EventKey::Id("sg-web".to_owned()),
        }];
        let mut plan = Plan {
            resources: vec![group("web", Action::Update), group("db", Action::Update)],
            partial: None,
        };
        provenances.attribute(
            &mut plan,
            std::iter::once((&targets[..], &origin)),
            Scope::Full,
        );
        assert_eq!(
            plan.resources[0].provenance,
            Some(Provenance::Event(origin.clone()))
        );
        assert_eq!(plan.resources[1].provenance, Some(Provenance::PeriodicPass));
        // Still drifted on the next full pass, no new event: the same author.
        let mut again = Plan {
            resources: vec![group("web", Action::Update)],
            partial: None,
        };
        provenances.attribute(&mut again, std::iter::empty(), Scope::Full);
        assert_eq!(
            again.resources[0].provenance,
            Some(Provenance::Event(origin))
        );
        // In sync: forgotten; a later drift with no event is the periodic pass's.
        let mut synced = Plan {
            resources: vec![group("web", Action::Noop)],
            partial: None,
        };
        provenances.attribute(&mut synced, std::iter::empty(), Scope::Full);
        assert_eq!(synced.resources[0].provenance, None);
        provenances.attribute(&mut again, std::iter::empty(), Scope::Full);
        assert_eq!(
            again.resources[0].provenance,
            Some(Provenance::PeriodicPass)
        );
    }
}
