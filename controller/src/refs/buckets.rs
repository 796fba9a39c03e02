//! References to `Bucket` manifests, and what the manifests that write to a bucket need of
//! its policy: a trail, a load balancer's access logs and another bucket's server access logs
//! deliver to a bucket, so they wait for its manifest, and the bucket's policy carries the
//! statements their delivery needs, generated from those manifests, never copied by hand.

use std::sync::Arc;

use afu9_spec::DesiredState;
use afu9_spec::ManifestKind;
use afu9_spec::bucket::BucketSpec;
use serde_json::{Value, json};

use crate::aws::{Aws, AwsError};
use crate::plan::Dependency;

/// Whether a `Bucket` manifest names the bucket `name` (it is then created when missing).
pub fn is_managed(state: &DesiredState, name: &str) -> bool {
    state.buckets.iter().any(|b| b.name() == name)
}

/// The `Bucket` manifest of the bucket `name`, as a dependency: a trail, a load balancer or
/// a bucket logging to it writes there once the bucket exists with its policy.
pub fn bucket_dependency(state: &DesiredState, name: &str) -> Option<Dependency> {
    is_managed(state, name).then(|| Dependency::done(BucketSpec::KIND, name))
}

/// Where `bucket` sends its server access logs, (target bucket, prefix), or `None` when
/// logging is off: one `GetBucketLogging` a pass, shared by the bucket's own observation and
/// the trail's that delivers to it (CloudTrail.7).
///
/// # Errors
/// The failed call, for the caller to judge (a trail may deliver to a bucket S3 will not
/// describe to this account).
pub async fn access_logging(
    aws: &Aws,
    bucket: &str,
) -> Result<Arc<Option<(String, String)>>, AwsError> {
    aws.listing(format!("S3.GetBucketLogging {bucket}"), || async {
        let output = aws
            .s3()
            .get_bucket_logging()
            .bucket(bucket)
            .send()
            .await
            .map_err(|err| {
                AwsError::from_sdk(format!("observe bucket {bucket}"), "GetBucketLogging", &err)
            })?;
        Ok(output
            .logging_enabled
            .map(|l| (l.target_bucket, l.target_prefix)))
    })
    .await
}

/// Where the statements are for: the partition, account and region they name.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: &'a str,
    /// The account the bucket and its writers belong to.
    pub account: &'a str,
    /// The region of the trails.
    pub region: &'a str,
}

/// The bucket's ARN.
pub fn bucket_arn(partition: &str, bucket: &str) -> String {
    format!("arn:{partition}:s3:::{bucket}")
}

/// The statement every bucket policy holds: requests without TLS are denied (S3.5). Its
/// principal is written `{"AWS": "*"}`, which IAM reads as `"*"` (every principal): the
/// emulator's check of a logging target's policy fails on a string principal
/// (docs/emulator-quirks.md).
pub fn deny_insecure_transport(partition: &str, bucket: &str) -> Value {
    let arn = bucket_arn(partition, bucket);
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [arn, format!("{arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    })
}

/// The statements the services delivering to `bucket` need, from the manifests that name
/// it, in manifest order: CloudTrail's (`GetBucketAcl` and `PutObject`, bound to the trail by
/// `aws:SourceArn` and to the account), Elastic Load Balancing's log delivery (its account or
/// its service principal, by region), and S3 server
/// access logging's (bound to the source bucket).
pub fn delivery_statements(state: &DesiredState, bucket: &str, scope: Scope<'_>) -> Vec<Value> {
    let Scope {
        partition,
        account,
        region,
    } = scope;
    let arn = bucket_arn(partition, bucket);
    let under = |prefix: &str| {
        if prefix.is_empty() {
            format!("{arn}/AWSLogs/{account}/*")
        } else {
            format!("{arn}/{prefix}/AWSLogs/{account}/*")
        }
    };
    let mut statements = Vec::new();
    for trail in state
        .cloud_trails
        .iter()
        .filter(|t| t.spec.s3_bucket == bucket)
    {
        let trail_arn = format!(
            "arn:{partition}:cloudtrail:{region}:{account}:trail/{}",
            trail.name()
        );
        let condition = json!({"aws:SourceArn": trail_arn, "aws:SourceAccount": account});
        statements.push(json!({
            "Sid": format!("CloudTrailAclCheck-{}", trail.name()),
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": condition},
        }));
        let mut write = condition;
        write["s3:x-amz-acl"] = "bucket-owner-full-control".into();
        statements.push(json!({
            "Sid": format!("CloudTrailWrite-{}", trail.name()),
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": under(trail.spec.s3_key_prefix.as_deref().unwrap_or_default()),
            "Condition": {"StringEquals": write},
        }));
    }
    for balancer in &state.load_balancers {
        let Some(logs) = balancer
            .spec
            .access_logs
            .as_ref()
            .filter(|l| l.bucket == bucket)
        else {
            continue;
        };
        statements.push(json!({
            "Sid": format!("ElbLogDelivery-{}", balancer.name()),
            "Effect": "Allow",
            "Principal": elb_log_delivery(partition, region),
            "Action": "s3:PutObject",
            "Resource": under(&logs.prefix),
        }));
    }
    for source in &state.buckets {
        let Some(logging) = source
            .spec
            .access_logging
            .as_ref()
            .filter(|l| l.bucket == bucket)
        else {
            continue;
        };
        // A plain string principal, action and resource: the emulator looks for exactly
        // these forms before it accepts the source bucket's logging (docs/emulator-quirks.md).
        statements.push(json!({
            "Sid": format!("S3ServerAccessLogs-{}", source.name()),
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": format!("{arn}/{}*", logging.prefix),
            "Condition": {
                "ArnLike": {"aws:SourceArn": bucket_arn(partition, source.name())},
                "StringEquals": {"aws:SourceAccount": account},
            },
        }));
    }
    statements
}

/// Elastic Load Balancing's own account in each region opened before August 2022, which
/// writes the access logs there (AWS's "Enable access logs for your Application Load
/// Balancer": these regions do not accept the log-delivery service principal).
const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];

/// Who delivers a load balancer's access logs in `region`: Elastic Load Balancing's account
/// there (regions opened before August 2022), or the log-delivery service principal (every
/// region opened since, and any region this table does not know).
pub fn elb_log_delivery(partition: &str, region: &str) -> Value {
    match ELB_ACCOUNTS.iter().find(|(name, _)| *name == region) {
        Some((_, account)) => json!({"AWS": format!("arn:{partition}:iam::{account}:root")}),
        None => json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const STATE: &str = "apiVersion: posture.afu9.io/v1alpha1\nkind: CloudTrail\nmetadata: {name: trail}\nspec:\n  s3Bucket: audit\n  multiRegion: true\n  logFileValidation: true\n  kmsKey: alias/k\n  cloudWatchLogs: {logGroup: /g, role: r}\n  guardrailExceptions: []\n---\napiVersion: posture.afu9.io/v1alpha1\nkind: LoadBalancer\nmetadata: {name: alb}\nspec: {accessLogs: {bucket: alb-logs, prefix: p}}\n";

    #[test]
    fn writers_get_their_statements_and_only_theirs() {
        let state = afu9_spec::load::load_str(Path::new("t.yaml"), STATE).expect("valid");
        let scope = Scope {
            partition: "aws",
            account: "123456789012",
            region: "eu-central-1",
        };
        let audit = delivery_statements(&state, "audit", scope);
        assert_eq!(audit.len(), 2);
        assert_eq!(
            audit[1]["Condition"]["StringEquals"]["aws:SourceArn"],
            "arn:aws:cloudtrail:eu-central-1:123456789012:trail/trail"
        );
        assert_eq!(
            audit[1]["Resource"],
            "arn:aws:s3:::audit/AWSLogs/123456789012/*"
        );
        let alb = delivery_statements(&state, "alb-logs", scope);
        assert_eq!(alb.len(), 1);
        assert_eq!(
            alb[0]["Resource"],
            "arn:aws:s3:::alb-logs/p/AWSLogs/123456789012/*"
        );
        assert_eq!(
            alb[0]["Principal"],
            json!({"AWS": "arn:aws:iam::054676820928:root"}),
            "Frankfurt predates August 2022: ELB's account delivers there"
        );
        let newer = Scope {
            region: "ap-southeast-5",
            ..scope
        };
        assert_eq!(
            delivery_statements(&state, "alb-logs", newer)[0]["Principal"],
            json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"})
        );
        assert!(delivery_statements(&state, "other", scope).is_empty());
    }
}
