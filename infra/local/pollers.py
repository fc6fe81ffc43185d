"""The local stand-in for Lambda's SQS event source mappings (moto cannot run
Lambdas without Docker): long-poll a queue, hand batches to the worker in the SQS
event shape, delete what succeeded, leave the reported failures to be redelivered
(and, past maxReceiveCount, moved to the DLQ by the queue's redrive policy)."""
from __future__ import annotations

import hashlib
import threading
from typing import Callable

REDELIVERY_DELAY_SECONDS = 2  # Lambda waits out the visibility timeout; locally we retry sooner


def sqs_event(messages: list[dict], queue_arn: str, region: str) -> dict:
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": {
            k: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"),
                "stringListValues": [], "binaryListValues": [], "dataType": v["DataType"]}
            for k, v in (m.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    } for m in messages]}


def announcing_dead_letters(invoke: Callable[[dict], dict | None], queue: str, settler: str, log):
    """``invoke``, first printing one line per message that reached ``queue``'s dead-letter
    queue, naming its job: locally, the console is the operator's alarm."""
    from shared.jobs.messages import describe

    def announce(event: dict):
        for record in event["Records"]:
            log(f"dead letter on the {queue} queue: {describe(record['body'])}; {settler} settles it")
        return invoke(event)

    return announce


class QueuePoller(threading.Thread):
    def __init__(self, sqs, queue_url: str, invoke: Callable[[dict], dict | None], batch_size: int = 10,
                 region: str = "us-east-1", log=print):
        super().__init__(daemon=True, name=f"poller:{queue_url.rsplit('/', 1)[-1]}")
        self.sqs = sqs
        self.queue_url = queue_url
        self.invoke = invoke
        self.batch_size = batch_size
        self.region = region
        self.log = log
        self.stopped = threading.Event()
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
        self.queue_arn = attributes["QueueArn"]

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # keep polling, as the managed mapping would
                self.log(f"{self.name}: {exc!r}")
                self.stopped.wait(1)

    def poll_once(self, wait_seconds: int = 1) -> int:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=min(self.batch_size, 10), WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"], MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        try:
            result = self.invoke(sqs_event(messages, self.queue_arn, self.region)) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception as exc:  # the whole batch failed: every message comes back
            self.log(f"{self.name}: batch failed: {exc!r}")
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        for m in messages:
            if m["MessageId"] in failed:
                self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"],
                                                   VisibilityTimeout=REDELIVERY_DELAY_SECONDS)
        return len(messages)
