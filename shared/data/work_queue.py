"""Messages to the work queues (SQS), each to its own message type's queue, in batches of
at most 10 messages and 1 MiB."""
from __future__ import annotations

from functools import lru_cache
from itertools import groupby
from typing import Iterable

from shared.jobs.messages import Message
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


MAX_DELAY_SECONDS = 900  # SQS's longest delay; longer waits are chained by the step itself


def send(messages: Iterable[Message], delay: int = 0) -> None:
    """Each message to its type's queue (there is no default queue), in order within a queue;
    ``delay`` seconds (at most 15 minutes) before a worker sees them."""
    delay = max(0, min(int(delay), MAX_DELAY_SECONDS))
    messages = sorted(messages, key=lambda m: m.QUEUE)  # stable: a queue's messages keep their order
    for queue, same in groupby(messages, key=lambda m: m.QUEUE):
        url = get_settings().queue_url(queue)
        for batch in _batches([m.encode() for m in same]):
            result = _sqs().send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": body, "DelaySeconds": delay} for i, body in enumerate(batch)])
            if result.get("Failed"):
                raise RuntimeError(f"SQS refused {len(result['Failed'])} messages: {result['Failed'][0]}")
