use super::*;
use crate::daemon::shared::LastPass;
use crate::daemon::status::Tally;
use crate::daemon::status::{StatusBoard, Verdict};
use crate::plan::Action;

fn board() -> Vec<ResourceStatus> {
    let mut board = StatusBoard::default();
    let in_sync = Verdict::from_pass(Action::Noop, None, None, None);
    let failed = Verdict::from_pass(Action::Error, Some("connection refused"), None, None);
    let blocked = Verdict::from_pass(Action::Blocked, Some("needs replacement"), None, None);
    board.record("EcrRepository", "a-in-sync", "r1", &in_sync);
    board.record("EcrRepository", "z-failed", "r1", &failed);
    board.record("IamRole", "<script>alert(1)</script>", "r1", &blocked);
    board.all().cloned().collect()
}

fn health() -> Health {
    Health {
        revision: Some("git:abc123".to_owned()),
        passes: 3,
        invalid: None,
        last_pass: Some(LastPass {
            finished_at: "2026-12-01T21:00:00Z".to_owned(),
            seconds: 1.25,
            calls: 17,
            tally: Tally {
                resources: 3,
                drifted: 1,
                changed: 0,
                blocked: 1,
                errors: 1,
            },
        }),
        ..Health::default()
    }
}

fn page(filter: &Filter, changes: &[ChangeEntry]) -> String {
    render(&View {
        health: &health(),
        resources: &board(),
        changes,
        filter,
    })
}

#[test]
fn errors_come_first_then_blocked_then_in_sync() {
    let html = page(&Filter::default(), &[]);
    let failed = html.find("z-failed").expect("failed row");
    let blocked = html.find("&lt;script&gt;").expect("blocked row");
    let in_sync = html.find("a-in-sync").expect("in-sync row");
    assert!(failed < blocked && blocked < in_sync, "{html}");
    assert!(html.contains("3 of 3 resources"));
    assert!(html.contains("3 in total: 1 errors, 1 blocked, 1 drifted, 0 changed"));
    assert!(html.contains("<dd id=\"pass-calls\">17</dd>"));
    assert!(html.contains("<dd id=\"pass-duration\">1.2 s</dd>"));
    assert_eq!(duration(0.046), "46 ms");
    assert!(html.contains("git:abc123"));
}

#[test]
fn names_and_values_are_escaped_and_there_is_no_inline_script_or_style() {
    let change = ChangeEntry {
        time: "t".to_owned(),
        revision: "r".to_owned(),
        kind: "IamRole".to_owned(),
        name: "x".to_owned(),
        field: "spec.description".to_owned(),
        before: Some("\"><img src=x onerror=alert(1)>".to_owned()),
        after: None,
        sensitive: false,
        outcome: "applied",
    };
    let html = page(&Filter::default(), &[change]);
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("(absent)"));
    assert!(!html.contains("style=") && !html.contains("<style"));
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the same-origin script"
    );
    assert!(html.contains("<script src=\"/page.js\" defer></script>"));
}

#[test]
fn sensitive_changes_show_no_value() {
    let change = ChangeEntry {
        time: "t".to_owned(),
        revision: "r".to_owned(),
        kind: "SecretsManagerSecret".to_owned(),
        name: "afu9/github".to_owned(),
        field: "spec.value".to_owned(),
        before: None,
        after: None,
        sensitive: true,
        outcome: "applied",
    };
    let html = page(&Filter::default(), &[change]);
    assert_eq!(html.matches("(sensitive, not shown)").count(), 2);
}

#[test]
fn the_filter_from_the_query_string_selects_rows_and_options() {
    let filter = Filter::parse(Some("kind=EcrRepository&condition=error&x=1"));
    assert_eq!(filter.kind.as_deref(), Some("EcrRepository"));
    assert_eq!(filter.condition, Some(ConditionFilter::Error));
    let html = page(&filter, &[]);
    assert!(html.contains("z-failed"));
    assert!(!html.contains("a-in-sync") && !html.contains("&lt;script&gt;"));
    assert!(html.contains("1 of 3 resources"));
    assert!(html.contains("<option value=\"EcrRepository\" selected>"));
    assert!(html.contains("<option value=\"error\" selected>"));
}

#[test]
fn unknown_or_malformed_filters_are_ignored() {
    assert_eq!(Filter::parse(None), Filter::default());
    assert_eq!(
        Filter::parse(Some("kind=%3Cscript%3E&condition=bogus")),
        Filter::default()
    );
}

#[test]
fn accepted_risks_are_listed_with_owner_ticket_and_expiry() {
    let line = "Security Hub control SecretsManager.1 on Secret/afu9/github: accepted until 2027-12-31 (owner afu9-platform, ticket AFU9-SEC-11)";
    let health = Health {
        accepted_risks: vec![line.to_owned()],
        ..health()
    };
    let html = render(&View {
        health: &health,
        resources: &board(),
        changes: &[],
        filter: &Filter::default(),
    });
    assert!(html.contains("<dt>Accepted risks</dt>"), "{html}");
    assert!(html.contains(line), "{html}");
    assert!(page(&Filter::default(), &[]).contains("<dd id=\"pass-accepted\">none</dd>"));
}
