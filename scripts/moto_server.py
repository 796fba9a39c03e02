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
    Only the event-storm benchmark asks for it, with `fast_sqs` (`AFU9_MOTO_FAST_SQS=1`, or
    `AFU9_MOTO_FAST_SQS_CLOCK=1`, the older name)."""
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


def s3control_account_actions() -> None:
    """moto authorizes S3 Control's account Block Public Access calls under the operations'
    names (`s3:GetPublicAccessBlock`, `s3:PutPublicAccessBlock`), which IAM gives to the
    bucket-level calls; IAM authorizes the account-level ones as
    `s3:GetAccountPublicAccessBlock` and `s3:PutAccountPublicAccessBlock`. With IAM
    enforcement on, a policy written for AWS was denied. The check now asks for IAM's names;
    which operation runs is unchanged."""
    from moto.s3control.responses import S3ControlResponse

    iam_names = {
        "GetPublicAccessBlock": "GetAccountPublicAccessBlock",
        "PutPublicAccessBlock": "PutAccountPublicAccessBlock",
        "DeletePublicAccessBlock": "DeleteAccountPublicAccessBlock",
    }
    authorize = S3ControlResponse._authenticate_and_authorize_normal_action

    def authorize_as_iam(self, resource: str = "*") -> None:  # type: ignore[no-untyped-def]
        renamed = iam_names.get(self._get_action())
        if renamed is None:
            return authorize(self, resource)
        self._get_action = lambda: renamed
        try:
            return authorize(self, resource)
        finally:
            del self._get_action

    S3ControlResponse._authenticate_and_authorize_normal_action = authorize_as_iam  # type: ignore[method-assign]


def receives_are_atomic() -> None:
    """moto's `SQSBackend.receive_message` walks a copy of the queue's visible messages and,
    for each, checks `Message.visible`, deep-copies it, reads the queue's attributes and only
    then marks it received (`mark_received` moves `visible_at`), all without a lock. The
    server runs each request in its own thread and Python switches threads every 5 ms, so
    two `ReceiveMessage` calls served at once both see a message visible before either
    marks it, and both return it (two receipt handles, each accepted by `DeleteMessage`);
    a receive that walks the queue's in-flight set (`pending_message_groups`) while another
    adds to it fails (`RuntimeError: Set changed size during iteration`, an HTTP 500).
    SQS hides a received message from every other receive: each receive holds the lock the
    queue's sends and (here) deletes take while it selects and marks its messages. Waiting
    for messages (`WaitTimeSeconds`) releases it (`Condition.wait`), so a long poll does not
    hold up sends. Nothing else changes."""
    from moto.sqs.models import SQSBackend

    unlocked = SQSBackend.receive_message

    def receive_message(self, queue_name, *args, **kwargs):  # type: ignore[no-untyped-def]
        queue = self.get_queue(queue_name)
        with queue._messages_lock:
            return unlocked(self, queue_name, *args, **kwargs)

    SQSBackend.receive_message = receive_message  # type: ignore[method-assign]


class _SqsIndex:
    """The messages of one standard queue, indexed for `fast_sqs`: every message (`all`, in
    arrival order), those visible now (`ready`, in the order they became visible), those
    delayed or in flight in a heap by the time they become visible, and every receipt handle
    a message was given. Only used under the queue's `_messages_lock`."""

    READY, IN_FLIGHT, DELAYED = "ready", "in flight", "delayed"

    def __init__(self, queue, messages) -> None:  # type: ignore[no-untyped-def]
        self.queue = queue
        self.reset(messages)

    def reset(self, messages) -> None:  # type: ignore[no-untyped-def]
        import collections
        import itertools

        self.all: dict = {}
        self.ready: collections.OrderedDict = collections.OrderedDict()
        self.state: dict = {}
        self.waiting: list = []
        self.token: dict = {}
        self.tokens = itertools.count()
        self.handles: dict = {}
        self.in_flight = 0
        self.delayed = 0
        for message in messages:
            self.insert(message)

    @staticmethod
    def now() -> float:
        import moto.sqs.models as sqs

        return sqs.unix_time_millis()

    def insert(self, message) -> None:  # type: ignore[no-untyped-def]
        self.all[message] = message
        for handle in message.all_receipt_handles:
            if handle:
                self.handles[handle] = message
        self.place(message, self.now())

    def place(self, message, now: float) -> None:  # type: ignore[no-untyped-def]
        """Files a message by what `Message.delayed` and `Message.visible` say at `now`."""
        import heapq

        self.unplace(message)
        if now < message.delayed_until:
            self.state[message], due = self.DELAYED, message.delayed_until
            self.delayed += 1
        elif now <= message.visible_at:
            self.state[message], due = self.IN_FLIGHT, message.visible_at
            self.in_flight += 1
        else:
            self.state[message] = self.READY
            self.ready[message] = message
            return
        token = next(self.tokens)
        self.token[message] = token
        heapq.heappush(self.waiting, (due, token, message))

    def unplace(self, message) -> None:  # type: ignore[no-untyped-def]
        state = self.state.pop(message, None)
        if state == self.READY:
            del self.ready[message]
        elif state is not None:
            del self.token[message]
            if state == self.IN_FLIGHT:
                self.in_flight -= 1
            else:
                self.delayed -= 1

    def discard(self, message) -> bool:  # type: ignore[no-untyped-def]
        if message not in self.all:
            return False
        self.unplace(message)
        del self.all[message]
        for handle in message.all_receipt_handles:
            if handle and self.handles.get(handle) is message:
                del self.handles[handle]
        return True

    def promote(self, now: float) -> None:
        """Moves the messages whose delay or visibility timeout has passed to `ready`."""
        import heapq

        waiting = self.waiting
        while waiting and waiting[0][0] < now:
            _, token, message = heapq.heappop(waiting)
            if self.token.get(message) == token:
                self.place(message, now)
                self.queue.pending_messages.discard(message)

    def next_due(self) -> float | None:
        return self.waiting[0][0] if self.waiting else None


class _SqsMessagesView:
    """What a fast queue's `_messages` reads as, for the moto code `fast_sqs` leaves alone:
    `append` and `remove` go to the index, iterating lists the messages in arrival order."""

    def __init__(self, index: _SqsIndex) -> None:
        self.index = index

    def append(self, message) -> None:  # type: ignore[no-untyped-def]
        self.index.insert(message)

    def remove(self, message) -> None:  # type: ignore[no-untyped-def]
        if not self.index.discard(message):
            raise ValueError("message not in queue")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self.index.all))

    def __len__(self) -> int:
        return len(self.index.all)

    def __getitem__(self, item):  # type: ignore[no-untyped-def]
        return list(self.index.all)[item]


def fast_sqs() -> None:
    """moto keeps a queue's messages in one list and walks it on every call: `Queue.messages`
    asks each message `visible` and `delayed` (two reads of the clock); every send reads
    `Queue.attributes`, whose three `ApproximateNumberOfMessages*` counts walk the list
    again; a receive walks it, walks the queue's in-flight set (`pending_message_groups`),
    and reads the attributes again for each message it returns (the retention check); a
    delete scans every message's receipt handles and rebuilds the list. Each call therefore
    costs the queue's length: at 10,000 messages sending them took about 5 minutes and a
    receive of 10 about a second, which is moto's rate, not the controller's.

    For a standard queue (FIFO queues keep moto's code), the messages are indexed instead
    (`_SqsIndex`): the ones visible now in the order they became visible, the delayed and
    in-flight ones in a heap by the time they become visible (moved back when it passes),
    every receipt handle to its message, counts of in-flight and delayed messages. The
    queue's `_messages` reads as a view of the index, so moto's own `add_message` (sends,
    EventBridge and SNS deliveries, its Lambda event-source code), `purge_queue` and the
    dead-letter move work unchanged, on moto's `Message` objects (bodies, attributes, MD5s
    as moto makes them). What changes:

    - `ReceiveMessage` takes the first visible messages under the queue's lock for the whole
      selection (atomic, as `receives_are_atomic` makes moto's), marks them received with
      moto's `Message.mark_received` and returns copies whose attributes are filtered as
      moto does (a shallow copy instead of a deep one: the filter replaces the dict). Long
      polling waits on the queue's condition until a send or the next end of a delay or
      visibility timeout, no longer than `WaitTimeSeconds`. A message past its retention
      period is dropped (AWS deletes it; moto marked it received and returned nothing); one
      received `maxReceiveCount` times goes to the dead-letter queue, as moto does.
    - `DeleteMessage(Batch)` finds the message by any receipt handle it was given (moto
      accepts old ones too); a deleted handle deletes again quietly, as moto's does.
    - `ChangeMessageVisibility` finds the message the same way, with moto's 12-hour check.
    - `ApproximateNumberOfMessages`, `...NotVisible` and `...Delayed` are the index's
      counts, exact at the time of the call.

    A message that becomes visible again goes behind the visible ones (moto: its place in
    the list); a standard queue promises no order. A send and a delete take constant time,
    a receive of N messages N times log(messages in flight). Only the event-storm benchmark
    asks for it (`AFU9_MOTO_FAST_SQS=1`)."""
    import copy
    import time as clock

    import moto.sqs.models as sqs
    from moto.sqs.exceptions import InvalidParameterValue, ReceiptHandleIsInvalid

    Queue, SQSBackend = sqs.Queue, sqs.SQSBackend
    key = "_afu9_index"

    def index_of(queue) -> _SqsIndex | None:  # type: ignore[no-untyped-def]
        return queue.__dict__.get(key)

    moto_init = Queue.__init__

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        moto_init(self, *args, **kwargs)
        if not self.fifo_queue:
            self.__dict__[key] = _SqsIndex(self, self.__dict__.pop("_afu9_messages"))

    def get_messages(self):  # type: ignore[no-untyped-def]
        index = index_of(self)
        return self.__dict__["_afu9_messages"] if index is None else _SqsMessagesView(index)

    def set_messages(self, messages) -> None:  # type: ignore[no-untyped-def]
        if index_of(self) is None:
            self.__dict__["_afu9_messages"] = messages
        else:
            with self._messages_lock:
                index_of(self).reset(list(messages))

    Queue.__init__ = __init__  # type: ignore[method-assign]
    Queue._messages = property(get_messages, set_messages)  # type: ignore[assignment]

    def counted(moto_property, count):  # type: ignore[no-untyped-def]
        def read(self):  # type: ignore[no-untyped-def]
            index = index_of(self)
            if index is None:
                return moto_property.fget(self)
            with self._messages_lock:
                index.promote(index.now())
                return count(index)

        return property(read)

    Queue.messages = counted(  # type: ignore[assignment]
        Queue.messages, lambda index: list(index.ready)
    )
    Queue.approximate_number_of_messages = counted(  # type: ignore[assignment]
        Queue.approximate_number_of_messages, lambda index: len(index.ready)
    )
    Queue.approximate_number_of_messages_not_visible = counted(  # type: ignore[assignment]
        Queue.approximate_number_of_messages_not_visible, lambda index: index.in_flight
    )
    Queue.approximate_number_of_messages_delayed = counted(  # type: ignore[assignment]
        Queue.approximate_number_of_messages_delayed, lambda index: index.delayed
    )

    moto_delete = Queue.delete_message

    def delete_message(self, receipt_handle: str) -> None:  # type: ignore[no-untyped-def]
        index = index_of(self)
        if index is None:
            return moto_delete(self, receipt_handle)
        with self._messages_lock:
            if receipt_handle in self.deleted_messages:
                return None
            message = index.handles.get(receipt_handle)
            if message is None:
                raise ReceiptHandleIsInvalid()
            index.discard(message)
            self.pending_messages.discard(message)
            self.deleted_messages.update(message.all_receipt_handles)
        return None

    Queue.delete_message = delete_message  # type: ignore[method-assign]

    moto_receive = SQSBackend.receive_message

    def receive_message(  # type: ignore[no-untyped-def]
        self, queue_name, count, wait_seconds_timeout, visibility_timeout,
        message_attribute_names=None,
    ):
        queue = self.get_queue(queue_name)
        index = index_of(queue)
        if index is None:
            return moto_receive(
                self, queue_name, count, wait_seconds_timeout, visibility_timeout,
                message_attribute_names,
            )
        names = message_attribute_names or []
        retention = int(queue.message_retention_period) * 1000
        redrive = queue.redrive_policy if queue.dead_letter_queue is not None else None
        deadline = clock.monotonic() + int(wait_seconds_timeout or 0)
        result = []
        with queue._messages_lock:
            while True:
                now = index.now()
                index.promote(now)
                still_visible = []
                while index.ready and len(result) < count:
                    message, _ = index.ready.popitem(last=False)
                    del index.state[message]
                    if message.sent_timestamp + retention <= now:
                        index.discard(message)
                        queue.pending_messages.discard(message)
                        continue
                    if redrive and message.approximate_receive_count >= redrive["maxReceiveCount"]:
                        index.discard(message)
                        queue.pending_messages.discard(message)
                        queue.dead_letter_queue.add_message(message)
                        continue
                    queue.pending_messages.add(message)
                    message.mark_received(visibility_timeout=visibility_timeout)
                    index.handles[message.receipt_handle] = message
                    index.place(message, now)
                    if index.state[message] == index.READY:  # VisibilityTimeout 0
                        still_visible.append(message)
                    received = copy.copy(message)
                    sqs._filter_message_attributes(received, names)
                    result.append(received)
                for message in reversed(still_visible):
                    index.ready.move_to_end(message, last=False)
                remaining = deadline - clock.monotonic()
                if result or remaining <= 0:
                    break
                due = index.next_due()
                if due is not None:
                    remaining = min(remaining, max(due - now, 0) / 1000 + 0.002)
                queue._messages_lock.wait(remaining)
        return result

    SQSBackend.receive_message = receive_message  # type: ignore[method-assign]

    moto_change_visibility = SQSBackend.change_message_visibility

    def change_message_visibility(  # type: ignore[no-untyped-def]
        self, queue_name, receipt_handle, visibility_timeout
    ):
        queue = self.get_queue(queue_name)
        index = index_of(queue)
        if index is None:
            return moto_change_visibility(self, queue_name, receipt_handle, visibility_timeout)
        with queue._messages_lock:
            message = index.handles.get(receipt_handle)
            if message is None:
                raise ReceiptHandleIsInvalid
            now = index.now()
            if now + int(visibility_timeout) * 1000 - message.sent_timestamp > 43200 * 1000:
                raise InvalidParameterValue(
                    f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. "
                    "Reason: Total VisibilityTimeout for the message is beyond the limit "
                    "[43200 seconds]"
                )
            message.change_visibility(visibility_timeout)
            index.place(message, now)
            if index.state[message] == index.READY:
                queue.pending_messages.discard(message)
        return None

    SQSBackend.change_message_visibility = change_message_visibility  # type: ignore[method-assign]


def requests_cost_only_their_work() -> None:
    """moto's server, as it comes, spends most of a request outside moto (profiled with
    py-spy while `afu9ctl plan` ran: 26 % logging, 8 % routing, 11 % moto's own dispatch):
    werkzeug writes a line per request to stderr under a lock every request thread contends
    for, moto lists its own package's directories on disk to route each request, and it
    lists a response class's methods (`inspect.getmembers`) to find each request's action.
    None of it changes what a request does or answers: request lines are not logged (errors
    still are), the list of moto's services is read once, and a class's methods once (the
    patches here are made before the first request)."""
    import functools
    import logging

    import moto.backends
    import moto.core.responses

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    services = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = functools.cache(lambda: services)  # type: ignore[assignment]
    methods = functools.cache(moto.core.responses.method_names_from_class)
    moto.core.responses.method_names_from_class = methods  # type: ignore[assignment]


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
    requests_cost_only_their_work()
    versions_keep_their_dates()
    versioning_reads_as_aws()
    log_group_keys_associate()
    bucket_tags_on_create()
    deletes_are_atomic()
    s3control_account_actions()
    receives_are_atomic()
    if "1" in (os.environ.get("AFU9_MOTO_FAST_SQS"), os.environ.get("AFU9_MOTO_FAST_SQS_CLOCK")):
        fast_sqs_clock()
        fast_sqs()

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
