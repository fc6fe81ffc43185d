"""Messages to the work queues (SQS: imports, exports), in batches of at most 10 messages and 1 MiB."""
from __future__ import annotations

import json
from functools import lru_cache

from shared.settings import get_settings

MAX_BATCH_MESSAGES = 10
MAX_BATCH_BYTES = 1024 * 1024 - 16 * 1024  # SQS's batch limit, less room for the request's own fields


@lru_cache(maxsize=1)
def _sqs():
    import boto3

    return boto3.client("sqs", region_name=get_settings().region)


def _batches(bodies: list[str]):
    batch, size = [], 0
    for body in bodies:
        if batch and (len(batch) == MAX_BATCH_MESSAGES or size + len(body) > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(body)
        size += len(body)
    if batch:
        yield batch


def send(messages: list[dict], queue: str = "imports") -> None:
    url = get_settings().queue_url(queue)
    for batch in _batches([json.dumps(m, separators=(",", ":")) for m in messages]):
        result = _sqs().send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)])
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} messages: {result['Failed'][0]}")
