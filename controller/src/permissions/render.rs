//! The policy as IAM reads it (`-o json`) and as people read it (`-o text`).

use std::fmt::Write as _;

use serde_json::{Value, json as value};

use super::Policy;

/// Exactly an IAM policy document (`Version`, `Statement`), pretty-printed, with a newline.
pub fn json(policy: &Policy) -> String {
    let statements: Vec<Value> = policy
        .statements
        .iter()
        .map(|statement| {
            value!({
                "Sid": statement.sid,
                "Effect": "Allow",
                "Action": statement.actions,
                "Resource": statement.resources,
            })
        })
        .collect();
    let document = value!({ "Version": "2012-10-17", "Statement": statements });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

/// One block per statement: its Sid, its resources, its actions.
pub fn text(policy: &Policy) -> String {
    let mut out = String::new();
    for statement in &policy.statements {
        let _ = writeln!(out, "{}", statement.sid);
        for resource in &statement.resources {
            let _ = writeln!(out, "  on {resource}");
        }
        for action in &statement.actions {
            let _ = writeln!(out, "    {action}");
        }
    }
    let scoped = policy
        .statements
        .iter()
        .filter(|statement| statement.resources.iter().all(|r| r != super::ANY))
        .count();
    let _ = writeln!(
        out,
        "{} statements: {scoped} scoped to ARNs, {} on *.",
        policy.statements.len(),
        policy.statements.len() - scoped
    );
    out
}
