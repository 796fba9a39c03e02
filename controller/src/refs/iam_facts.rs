//! The least-privilege facts both IAM kinds read off the policy documents in force: no full
//! administrator access (IAM.1) and no wildcard action of a service (IAM.21), found with the
//! same checks the manifests' guardrails make, on what IAM holds.

use afu9_spec::iam::guardrails::{Breach, FULL_ADMIN, SERVICE_WILDCARD, check_permissions};
use serde_json::Value;

use crate::plan::Fact;

/// AWS's managed policy that grants everything.
const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// IAM.1 and IAM.21 over `documents` (a label, such as the inline policy's name, and the
/// document) and the managed policies `attached`, on `field`.
pub fn least_privilege<'a>(
    field: &str,
    documents: impl IntoIterator<Item = (String, &'a Value)>,
    attached: impl IntoIterator<Item = &'a str>,
) -> Vec<Fact> {
    let mut breaches: Vec<(String, Breach)> = documents
        .into_iter()
        .flat_map(|(label, document)| {
            check_permissions(document)
                .into_iter()
                .map(move |breach| (label.clone(), breach))
        })
        .collect();
    breaches.extend(
        attached
            .into_iter()
            .filter(|arn| *arn == ADMINISTRATOR_ACCESS)
            .map(|arn| {
                let breach = Breach {
                    rule: FULL_ADMIN,
                    detail: format!("attaches {arn}"),
                };
                ("managedPolicies".to_owned(), breach)
            }),
    );
    vec![
        judged(
            "IAM.1",
            field,
            &breaches,
            FULL_ADMIN,
            "full administrator access",
        ),
        judged(
            "IAM.21",
            field,
            &breaches,
            SERVICE_WILDCARD,
            "every action of a service",
        ),
    ]
}

fn judged(
    control: &'static str,
    field: &str,
    breaches: &[(String, Breach)],
    rule: &str,
    what: &str,
) -> Fact {
    let found: Vec<String> = breaches
        .iter()
        .filter(|(_, b)| b.rule == rule)
        .map(|(label, b)| format!("{label} {}", b.detail).trim().to_owned())
        .collect();
    let live = Value::Array(found.iter().cloned().map(Value::String).collect());
    if found.is_empty() {
        Fact::holds(
            control,
            field,
            Some(live),
            format!("the policies in force allow no {what}"),
        )
    } else {
        Fact::fails(
            control,
            field,
            Some(live),
            format!("the policies in force allow {what}: {}", found.join("; ")),
        )
    }
}
