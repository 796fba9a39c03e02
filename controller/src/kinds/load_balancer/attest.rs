//! What a live load balancer proves, read off its HTTPS listeners' response-header
//! attributes whatever its manifest asks: HSTS for at least a year (`AFU9.ELB.1`), `nosniff`
//! (`AFU9.ELB.2`), framing denied or kept to the same origin (`AFU9.ELB.3`), CORS not open to
//! any origin (`AFU9.ELB.4`), a Content-Security-Policy that does not allow every source
//! (`AFU9.ELB.5`). No Security Hub control checks response headers. A listener whose headers
//! observation did not read (its manifest states none) gives no header fact. And each HTTPS
//! listener's security policy, which must not allow TLS below 1.2 (Security Hub ELB.17).

use afu9_spec::Resource;
use afu9_spec::load_balancer::{HSTS_YEAR, LoadBalancerSpec, hsts_max_age, min_tls};
use serde_json::Value;

use super::observe::headers_read;
use super::plan::headers::{CSP, FRAME, HSTS, NOSNIFF, ORIGIN};
use super::{LiveListener, LoadBalancerObserved, LoadBalancers};
use crate::engine::Attests;
use crate::plan::Fact;

impl Attests for LoadBalancers {
    fn facts(want: &Resource<LoadBalancerSpec>, have: &LoadBalancerObserved) -> Vec<Fact> {
        let tls = have
            .listeners
            .iter()
            .filter(|live| live.protocol == "HTTPS")
            .map(tls_policy);
        have.listeners
            .iter()
            .filter(|live| headers_read(want, live))
            .flat_map(headers)
            .chain(tls)
            .collect()
    }
}

/// An HTTPS listener's security policy: TLS 1.2 or later only.
fn tls_policy(live: &LiveListener) -> Fact {
    let policy = live.ssl_policy.as_deref();
    let floor = policy.and_then(min_tls);
    Fact::judged(
        "ELB.17",
        format!("listeners[{}].sslPolicy", live.port),
        Some(policy.map_or(Value::Null, |p| Value::String(p.to_owned()))),
        matches!(floor, Some("1.2" | "1.3")),
        (
            "the listener's policy allows TLS 1.2 or later only",
            "the listener's policy allows TLS below 1.2, or is not one ELB publishes",
        ),
    )
}

/// The header facts of one HTTPS listener.
fn headers(live: &LiveListener) -> Vec<Fact> {
    let at = |field: &str| format!("listeners[{}].responseHeaders.{field}", live.port);
    let sent = |key: &str| {
        live.attributes
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let value = |v: Option<&str>| Some(v.map_or(Value::Null, |v| Value::String(v.to_owned())));
    let hsts = sent(HSTS);
    let nosniff = sent(NOSNIFF);
    let frame = sent(FRAME);
    let origin = sent(ORIGIN);
    let csp = sent(CSP);
    vec![
        Fact::judged(
            "AFU9.ELB.1",
            at("strictTransportSecurity"),
            value(hsts),
            hsts.and_then(hsts_max_age)
                .is_some_and(|age| age >= HSTS_YEAR),
            (
                "browsers are told to use HTTPS only, for at least a year",
                "no Strict-Transport-Security of at least a year is sent",
            ),
        ),
        Fact::judged(
            "AFU9.ELB.2",
            at("xContentTypeOptions"),
            value(nosniff),
            nosniff.is_some_and(|v| v.eq_ignore_ascii_case("nosniff")),
            (
                "browsers are told not to sniff content types",
                "X-Content-Type-Options: nosniff is not sent",
            ),
        ),
        Fact::judged(
            "AFU9.ELB.3",
            at("xFrameOptions"),
            value(frame),
            frame.is_some_and(|v| {
                v.eq_ignore_ascii_case("DENY") || v.eq_ignore_ascii_case("SAMEORIGIN")
            }),
            (
                "other sites cannot frame the responses",
                "X-Frame-Options DENY or SAMEORIGIN is not sent: other sites may frame the responses",
            ),
        ),
        Fact::judged(
            "AFU9.ELB.4",
            at("cors.allowOrigin"),
            value(origin),
            origin != Some("*"),
            (
                "CORS does not allow any origin",
                "CORS allows any origin (`*`)",
            ),
        ),
        Fact::judged(
            "AFU9.ELB.5",
            at("contentSecurityPolicy"),
            value(csp),
            csp.is_some_and(|v| !allows_any_source(v)),
            (
                "a Content-Security-Policy restricts where content loads from",
                "no Content-Security-Policy restricts where content loads from",
            ),
        ),
    ]
}

/// Whether a CSP's `default-src` allows any source (`*`).
fn allows_any_source(csp: &str) -> bool {
    csp.split(';').any(|directive| {
        let mut words = directive.split_whitespace();
        words
            .next()
            .is_some_and(|name| name.eq_ignore_ascii_case("default-src"))
            && words.any(|source| source == "*")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use afu9_spec::ManifestKind;
    use afu9_spec::load::load_str;
    use afu9_spec::tags::Tags;

    use super::*;

    /// A manifest that asks for every header: the facts must still follow the live ones.
    const ALB: &str = "
apiVersion: posture.afu9.io/v1alpha1
kind: LoadBalancer
metadata: {name: alb, adopt: true}
spec:
  listeners:
    - port: 443
      protocol: HTTPS
      certificate: {domain: afu9.example.com}
      responseHeaders:
        strictTransportSecurity: max-age=31536000
        contentSecurityPolicy: default-src 'self'
        xContentTypeOptions: nosniff
        xFrameOptions: DENY
        cors: {allowOrigin: https://afu9.example.com}
";

    fn live(attributes: &[(&str, &str)], policy: &str) -> LoadBalancerObserved {
        LoadBalancerObserved {
            arn: "arn:alb".to_owned(),
            kind: "application".to_owned(),
            vpc_id: "vpc-1".to_owned(),
            security_groups: Vec::new(),
            vpc_groups: BTreeMap::new(),
            attributes: BTreeMap::new(),
            listeners: vec![LiveListener {
                arn: "arn:listener".to_owned(),
                port: 443,
                protocol: "HTTPS".to_owned(),
                ssl_policy: Some(policy.to_owned()),
                certificate: None,
                actions: Vec::new(),
                attributes: attributes
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            }],
            certificates: BTreeMap::new(),
            tags: Tags::default(),
        }
    }

    fn judged(facts: &[Fact]) -> Vec<(&str, bool)> {
        facts.iter().map(|f| (f.control, f.holds)).collect()
    }

    #[test]
    fn facts_read_the_live_headers_and_policy_not_the_manifest() {
        let state = load_str(Path::new("alb.yaml"), ALB).expect("valid manifest");
        let want = &LoadBalancerSpec::resources(&state)[0];
        let weak = live(
            &[
                (HSTS, "max-age=300"),
                (FRAME, ""),
                (ORIGIN, "*"),
                (CSP, "default-src * 'unsafe-inline'"),
            ],
            "ELBSecurityPolicy-2016-08",
        );
        assert_eq!(
            judged(&LoadBalancers::facts(want, &weak)),
            [
                ("AFU9.ELB.1", false),
                ("AFU9.ELB.2", false),
                ("AFU9.ELB.3", false),
                ("AFU9.ELB.4", false),
                ("AFU9.ELB.5", false),
                ("ELB.17", false),
            ]
        );
        let strong = live(
            &[
                (HSTS, " max-age=31536000 ; includeSubDomains"),
                (NOSNIFF, "nosniff"),
                (FRAME, "deny"),
                (ORIGIN, "https://afu9.example.com"),
                (CSP, "default-src 'self'"),
            ],
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        );
        let facts = LoadBalancers::facts(want, &strong);
        assert!(facts.iter().all(|f| f.holds), "{facts:?}");
    }
}
