//! KMS key references compared by what they name, not how they are written.

/// A key reference reduced to `key/<id>` or `alias/<name>`: ARNs lose their prefix, a bare
/// key id gains `key/`. Two references with the same canonical form name the same key; an
/// alias and a key ARN can only be compared by resolving the alias (KMS `DescribeKey`).
pub fn canonical_kms_key(key: &str) -> String {
    let resource = if key.starts_with("arn:") {
        key.splitn(6, ':').nth(5).unwrap_or(key)
    } else {
        key
    };
    if resource.starts_with("alias/") || resource.starts_with("key/") {
        resource.to_owned()
    } else {
        format!("key/{resource}")
    }
}

/// Whether a key reference is an alias (`alias/x` or an alias ARN).
pub fn is_alias(key: &str) -> bool {
    canonical_kms_key(key).starts_with("alias/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_key_compare_equal() {
        let arn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd";
        assert_eq!(canonical_kms_key(arn), canonical_kms_key("1234abcd"));
        assert_eq!(
            canonical_kms_key("arn:aws:kms:eu-central-1:123456789012:alias/afu9"),
            canonical_kms_key("alias/afu9")
        );
        assert_ne!(canonical_kms_key("alias/afu9"), canonical_kms_key(arn));
        assert!(is_alias("alias/aws/sns") && !is_alias(arn));
    }
}
