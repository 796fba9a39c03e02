//! AWS's published ELB security policies for HTTPS listeners and the oldest TLS version
//! each accepts (Elastic Load Balancing user guide, "Security policies for your Application
//! Load Balancer").
//!
//! A table rather than `DescribeSSLPolicies` at plan time: `validate` must refuse a policy
//! that allows TLS 1.0/1.1 (ELB.17) before any AWS call and without credentials (CI runs it
//! offline), and AWS never changes a published policy's protocols — it publishes new names.
//! A policy missing from the table is refused as unknown (a typo, or a newer policy to add
//! here); the end-to-end tests compare the table with the emulator's `DescribeSSLPolicies`.

/// The policy an HTTPS listener gets when its manifest names none: TLS 1.2 and 1.3.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Every published policy with the oldest TLS version it accepts (`"1.0"` … `"1.3"`).
pub const SSL_POLICIES: &[(&str, &str)] = &[
    ("ELBSecurityPolicy-TLS13-1-3-2021-06", "1.3"),
    ("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", "1.3"),
    ("ELBSecurityPolicy-TLS13-1-2-2021-06", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-1-2021-06", "1.1"),
    ("ELBSecurityPolicy-TLS13-1-0-2021-06", "1.0"),
    ("ELBSecurityPolicy-TLS13-1-0-PQ-2025-09", "1.0"),
    ("ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", "1.3"),
    ("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04", "1.2"),
    ("ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04", "1.1"),
    ("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04", "1.0"),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", "1.2"),
    ("ELBSecurityPolicy-FS-1-2-Res-2019-08", "1.2"),
    ("ELBSecurityPolicy-FS-1-2-2019-08", "1.2"),
    ("ELBSecurityPolicy-FS-1-1-2019-08", "1.1"),
    ("ELBSecurityPolicy-FS-2018-06", "1.0"),
    ("ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "1.2"),
    ("ELBSecurityPolicy-TLS-1-2-2017-01", "1.2"),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", "1.1"),
    ("ELBSecurityPolicy-2016-08", "1.0"),
    ("ELBSecurityPolicy-2015-05", "1.0"),
];

/// The oldest TLS version `policy` accepts, or `None` for a policy not in the table.
pub fn min_tls(policy: &str) -> Option<&'static str> {
    SSL_POLICIES
        .iter()
        .find(|(name, _)| *name == policy)
        .map(|(_, version)| *version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_allows_tls_1_2_and_newer_only() {
        assert_eq!(min_tls(DEFAULT_SSL_POLICY), Some("1.2"));
    }

    #[test]
    fn old_policies_allow_old_tls_and_unknown_ones_are_unknown() {
        assert_eq!(min_tls("ELBSecurityPolicy-2016-08"), Some("1.0"));
        assert_eq!(min_tls("ELBSecurityPolicy-TLS-1-1-2017-01"), Some("1.1"));
        assert_eq!(min_tls("ELBSecurityPolicy-TLS13-1-3-2021-06"), Some("1.3"));
        assert_eq!(min_tls("ELBSecurityPolicy-TLS13-1-2-2021-6"), None);
    }

    #[test]
    fn names_are_unique_and_versions_are_known() {
        let mut names: Vec<&str> = SSL_POLICIES.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SSL_POLICIES.len());
        assert!(
            SSL_POLICIES
                .iter()
                .all(|(_, v)| ["1.0", "1.1", "1.2", "1.3"].contains(v))
        );
    }
}
