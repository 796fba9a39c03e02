"""Runs moto's AWS emulator on 127.0.0.1 until it is killed or its parent process dies.

Prints `listening on 127.0.0.1:PORT` once the server answers on /moto-api/, so that a caller
that asked for port 0 learns which free port it got without racing anyone for it.
"""

import argparse
import os
import time
import urllib.request

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402


def wait_until_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def skip_signature_checks() -> None:
    """moto checks a SigV4 signature over the body it re-encodes from the parsed form
    (`IAMRequestBase._create_aws_request`), so a Query-protocol request whose values hold a
    space (the Rust SDK writes `%20`, Python `+`) fails with AuthFailure although it was
    signed correctly. The policy check, which is what the permissions tests prove, does
    not depend on the signature: the access key alone names the user."""
    from moto.iam.access_control import IAMRequestBase

    IAMRequestBase.check_signature = lambda self: None  # type: ignore[method-assign]


def fast_sqs_clock() -> None:
    """moto's SQS asks the time of every message of the queue on each send and receive
    (`Message.visible`, `Message.delayed`), through `unix_time_millis`, which builds two
    datetimes a call: about 15 us a message, so a receive from a queue of 10,000 messages
    costs a fifth of a second of the server's one Python thread, and sending them takes tens
    of minutes. The same clock read with `time.time()` (epoch seconds, as
    `unix_time` computes them) makes the walk about ten times cheaper; nothing else changes.
    Only the event-storm benchmark asks for it (`AFU9_MOTO_FAST_SQS_CLOCK=1`)."""
    import moto.sqs.models as sqs

    slow_millis, slow_seconds = sqs.unix_time_millis, sqs.unix_time
    sqs.unix_time_millis = lambda dt=None: time.time() * 1000.0 if dt is None else slow_millis(dt)
    sqs.unix_time = lambda dt=None: time.time() if dt is None else slow_seconds(dt)


def versions_keep_their_dates() -> None:
    """moto's `ListSecretVersionIds` reports every version's `CreatedDate` as the time of the
    listing, so every value looks stored a moment ago. AWS reports when each version was
    made, which moto keeps (`createdate`) and returns from `DescribeSecret` and
    `GetSecretValue`: the listing gives that date instead. Nothing else changes."""
    import json

    from moto.secretsmanager.models import SecretsManagerBackend

    def list_secret_version_ids(self, secret_id: str) -> str:  # type: ignore[no-untyped-def]
        secret = self.secrets[secret_id]
        versions = [
            {
                "CreatedDate": version.get("createdate"),
                "VersionId": version_id,
                "VersionStages": version["version_stages"],
            }
            for version_id, version in secret.versions.items()
        ]
        return json.dumps(
            {"ARN": secret.secret_id, "Name": secret.name, "NextToken": "", "Versions": versions}
        )

    SecretsManagerBackend.list_secret_version_ids = list_secret_version_ids  # type: ignore[method-assign]


def versioning_reads_as_aws() -> None:
    """moto answers S3 `GetBucketVersioning` with the root element
    `GetBucketVersioningResponse`; AWS's (and the S3 model's) is `VersioningConfiguration`,
    the only root the Rust SDK accepts, so every read of a bucket's versioning fails there
    ("invalid XML root"). The same body under AWS's root; nothing else changes."""
    from moto.s3.responses import S3Response

    moto_versioning = S3Response.get_bucket_versioning

    def get_bucket_versioning(self):  # type: ignore[no-untyped-def]
        status, headers, body = moto_versioning(self)
        if isinstance(body, bytes):
            body = body.decode()
        body = body.replace("GetBucketVersioningResponse", "VersioningConfiguration")
        return status, headers, body

    S3Response.get_bucket_versioning = get_bucket_versioning  # type: ignore[method-assign]


def log_group_keys_associate() -> None:
    """moto's CloudWatch Logs has no `AssociateKmsKey`: a key is only set by
    `CreateLogGroup`, so a group that exists without one (or lost it) could never be
    encrypted. The action stores the key on the group as `CreateLogGroup` does (read back
    as written); nothing checks the key or its policy, as nothing does on create."""
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.responses import LogsResponse

    def associate_kms_key(self):  # type: ignore[no-untyped-def]
        name = self._get_param("logGroupName")
        if name not in self.logs_backend.groups:
            raise ResourceNotFoundException()
        self.logs_backend.groups[name].kms_key_id = self._get_param("kmsKeyId")
        return ""

    LogsResponse.associate_kms_key = associate_kms_key  # type: ignore[attr-defined]


def bucket_tags_on_create() -> None:
    """moto's `CreateBucket` ignores `CreateBucketConfiguration.Tags` (AWS sets them with the
    bucket): a bucket would exist a moment without its ownership tag, and for good if the
    next call failed. The tags are set as `PutBucketTagging` sets them, once the bucket is
    created; nothing else changes."""
    import xmltodict
    from moto.s3.responses import S3Response

    moto_put = S3Response._bucket_response_put

    def _bucket_response_put(self, request, bucket_name, querystring):  # type: ignore[no-untyped-def]
        response = moto_put(self, request, bucket_name, querystring)
        if querystring or not self.body:
            return response
        try:
            config = xmltodict.parse(self.body).get("CreateBucketConfiguration") or {}
        except Exception:  # noqa: BLE001 - not a configuration: nothing to tag
            return response
        tags = (config.get("Tags") or {}).get("Tag") or []
        if isinstance(tags, dict):
            tags = [tags]
        if tags:
            self.backend.put_bucket_tagging(
                bucket_name, {tag["Key"]: tag.get("Value") or "" for tag in tags}
            )
        return response

    S3Response._bucket_response_put = _bucket_response_put  # type: ignore[method-assign]


def deletes_are_atomic() -> None:
    """moto's `Queue.delete_message` rebuilds the queue's message list without its lock, so
    `DeleteMessageBatch` calls served at once undo each other's deletes (the last list written
    wins) and a deleted message is delivered again. SQS deletes atomically: each delete takes
    the lock the queue's sends already take. Nothing else changes."""
    from moto.sqs.models import Queue

    unlocked = Queue.delete_message

    def delete_message(self, receipt_handle: str) -> None:  # type: ignore[no-untyped-def]
        with self._messages_lock:
            unlocked(self, receipt_handle)

    Queue.delete_message = delete_message  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--iam-without-signatures",
        action="store_true",
        help="when IAM enforcement is on (POST /moto-api/reset-auth), authorize requests "
        "by their access key without checking the signature",
    )
    args = parser.parse_args()
    if args.iam_without_signatures:
        skip_signature_checks()
    versions_keep_their_dates()
    versioning_reads_as_aws()
    log_group_keys_associate()
    bucket_tags_on_create()
    deletes_are_atomic()
    if os.environ.get("AFU9_MOTO_FAST_SQS_CLOCK") == "1":
        fast_sqs_clock()

    parent = os.getppid()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    wait_until_ready(port)
    print(f"listening on 127.0.0.1:{port}", flush=True)

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


if __name__ == "__main__":
    main()
