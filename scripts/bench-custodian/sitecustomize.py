"""Lets Cloud Custodian's S3 Control calls reach the emulator (scripts/bench-custodian).

botocore's S3 Control endpoint rules put the account id in front of the endpoint's host name,
also in front of AWS_ENDPOINT_URL's (`http://123456789012.127.0.0.1:PORT`), which no resolver
answers (afu9ctl's S3 Control client leaves the account id out of an overridden endpoint
for the same reason: controller/src/aws/s3control.rs). Custodian's `s3-public-block` filter
reads the account's Block Public Access through S3 Control. Imported at start-up when this
directory is on PYTHONPATH (tests/src/bin/bench/custodian.rs puts it there): every botocore
session then drops that account label again before an S3 Control request is sent, and only
when the rest is AWS_ENDPOINT_URL. The account still goes in the `x-amz-account-id` header,
which is what names it. Nothing else changes.
"""

import os
import re

try:
    from botocore import handlers
except ImportError:  # not Custodian's interpreter
    handlers = None

_ACCOUNT_HOST = re.compile(r"^(https?://)\d{12}\.(.*)$")


def _without_account_host(request, **_kwargs):
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")
    match = _ACCOUNT_HOST.match(request.url)
    if not endpoint or not match:
        return
    url = match.group(1) + match.group(2)
    if url == endpoint or url.startswith(endpoint + "/"):
        request.url = url


if handlers is not None and os.environ.get("AWS_ENDPOINT_URL"):
    handlers.BUILTIN_HANDLERS.append(("before-send.s3-control", _without_account_host))
