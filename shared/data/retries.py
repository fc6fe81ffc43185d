"""Retrying AWS calls that were throttled or briefly failed: one notion of a transient error, and
backoff with full jitter. Light on purpose (no PynamoDB): S3-only code imports it too."""
from __future__ import annotations

PATIENCE_SECONDS = 60  # then the error goes up: a worker's message returns to its queue
# What AWS answers when it throttles or is briefly unavailable (DynamoDB, S3, SQS, KMS).
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "Throttling", "RequestLimitExceeded",
             "SlowDown", "ServiceUnavailable", "InternalServerError", "RequestThrottled", "TooManyRequestsException"}


def is_transient(exc: BaseException | None) -> bool:
    """Throttling, a 5xx or a connection failure of an AWS call, however wrapped (PynamoDB
    wraps botocore's errors in its own, with the original as the cause)."""
    from botocore.exceptions import BotoCoreError, ClientError

    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return error.get("Code") in THROTTLED or status >= 500
        if isinstance(exc, (BotoCoreError, ConnectionError, TimeoutError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def pause(attempt: int) -> None:
    """Exponential backoff with full jitter (AWS's advice: retries of many workers spread out)."""
    import random
    import time

    time.sleep(random.uniform(0, min(0.05 * 2 ** attempt, 2.0)))  # noqa: S311 - jitter


def patiently(call, patience: float = PATIENCE_SECONDS):
    """``call()``, again after a pause while AWS throttles or is briefly unavailable, for up to
    ``patience`` seconds (then its error goes up). For workers only: a request answers 503 at once."""
    import time

    deadline, attempt = time.monotonic() + patience, 0
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() > deadline:
                raise
        attempt += 1
        pause(attempt)
