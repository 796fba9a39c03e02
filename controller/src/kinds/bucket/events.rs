//! The S3 calls that change a bucket's settings (object reads and writes change none).

use super::Buckets;
use crate::engine::Evented;
use crate::events::{CloudTrailEvent, EventKey, Events};

impl Evented for Buckets {
    const EVENTS: Events = EVENTS;
}

/// Buckets' write events.
const EVENTS: Events = Events {
    source: "aws.s3",
    names: &[
        "CreateBucket",
        "DeleteBucket",
        "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock",
        "PutBucketEncryption",
        "DeleteBucketEncryption",
        "PutBucketVersioning",
        "PutBucketOwnershipControls",
        "DeleteBucketOwnershipControls",
        "PutBucketLogging",
        "PutBucketLifecycle",
        "DeleteBucketLifecycle",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketTagging",
        "DeleteBucketTagging",
    ],
    keys,
};

fn keys(event: &CloudTrailEvent) -> Vec<EventKey> {
    event
        .request(&["bucketName"])
        .map(|name| EventKey::Name(name.to_owned()))
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn buckets_are_found_by_name() {
        let event = CloudTrailEvent {
            source: "aws.s3".to_owned(),
            name: "PutBucketPolicy".to_owned(),
            time: None,
            detail: json!({"requestParameters": {"bucketName": "afu9-audit-logs", "policy": ""}}),
        };
        assert_eq!(keys(&event), [EventKey::Name("afu9-audit-logs".to_owned())]);
    }
}
