use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::*;
use crate::plan::WriteCall;

/// 2026-12-06T09:00:00Z.
const T: i64 = 1_796_547_600;
const HOUR: i64 = 3600;

fn role(inline: &[(&str, Value)], now: i64) -> IamRoleObserved {
    IamRoleObserved {
        path: "/".to_owned(),
        description: None,
        max_session_duration: 3600,
        trust_policy: json!({}),
        permissions_boundary: None,
        inline_policies: inline
            .iter()
            .map(|(name, doc)| ((*name).to_owned(), doc.clone()))
            .collect::<BTreeMap<_, _>>(),
        managed_policies: BTreeSet::new(),
        tags: afu9_spec::tags::Tags::new(),
        observed_at: now,
    }
}

fn revoke(wanted: Option<&str>, have: &IamRoleObserved) -> (Revocation, Vec<Change>) {
    let mut changes = Vec::new();
    let revocation = plan("afu9-task-role", wanted, 3600, have, &mut changes);
    (revocation, changes)
}

#[test]
fn the_document_is_the_one_iam_writes() {
    assert_eq!(
        document(T),
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*",
            "Resource": "*", "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-12-06T09:00:00Z"}}}})
    );
    // The console's newer form: a list of one statement, milliseconds.
    let console = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["*"],
        "Resource": ["*"], "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2026-12-06T09:00:00.123Z"}}}]});
    assert_eq!(issued_before(&console), Some(T));
}

#[test]
fn a_revocation_is_put_first_then_quiet_then_removed_once_sessions_expired() {
    let wanted = Some("2026-12-06T09:00:00Z");
    let (put, changes) = revoke(wanted, &role(&[], T + 60));
    let put = put.put.expect("the deny is put");
    assert_eq!(put.call(), "PutRolePolicy");
    assert_eq!(changes[0].path, "spec.revokeSessionsIssuedBefore");
    assert_eq!(changes[0].after, Some("2026-12-06T09:00:00Z".into()));

    let live = [(REVOKE_POLICY, document(T))];
    let (quiet, changes) = revoke(wanted, &role(&live, T + HOUR - 1));
    assert!(quiet.put.is_none() && quiet.remove.is_none() && changes.is_empty());

    let (expired, changes) = revoke(wanted, &role(&live, T + HOUR));
    assert_eq!(expired.remove.expect("removed").call(), "DeleteRolePolicy");
    assert_eq!(changes[0].after, None);
    assert!(
        expired
            .note
            .is_some_and(|n| n.contains("revoked sessions have all expired"))
    );
}

#[test]
fn a_revocation_in_force_is_never_narrowed_nor_removed_early() {
    let later = [(REVOKE_POLICY, document(T + 600))];
    // The manifest names an earlier time than the console's revocation: kept as it is.
    let (kept, changes) = revoke(Some("2026-12-06T09:00:00Z"), &role(&later, T + 700));
    assert!(kept.put.is_none() && kept.remove.is_none() && changes.is_empty());
    assert!(kept.note.is_some_and(|n| n.contains("never narrowed")));
    // No manifest asks for it: kept until its sessions have expired, then removed.
    let (kept, _) = revoke(None, &role(&later, T + 700));
    assert!(kept.remove.is_none());
    let (gone, _) = revoke(None, &role(&later, T + 600 + HOUR));
    assert!(gone.remove.is_some());
}
