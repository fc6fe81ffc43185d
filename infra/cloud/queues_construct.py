"""SQS for asynchronous work: one queue per kind of job (imports, exports), each with
its dead-letter queue."""
from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cloud.nag import acknowledge
from shared.settings import QUEUE_ENV

MAX_RECEIVES = 3  # a poison message lands in the DLQ after three failed attempts
WORKER_TIMEOUT = Duration.minutes(5)


class QueuesConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.by_name: dict[str, sqs.Queue] = {}
        for logical in QUEUE_ENV:
            title = logical.title()
            # A dead-letter worker consumes it too, and Lambda refuses an event source whose queue's
            # visibility timeout is below the function's timeout (SQS's default is 30 s).
            dlq = sqs.Queue(self, f"{title}DLQ", retention_period=Duration.days(14), enforce_ssl=True,
                            visibility_timeout=Duration.seconds(WORKER_TIMEOUT.to_seconds() * 6),
                            encryption=sqs.QueueEncryption.SQS_MANAGED)
            acknowledge(dlq, {
                "AwsSolutions-SQS3": "This queue is the dead-letter queue; a DLQ of a DLQ only moves the problem.",
            })
            self.by_name[logical] = sqs.Queue(
                self, title,
                # Six times the worker timeout, as AWS recommends for Lambda event sources.
                visibility_timeout=Duration.seconds(WORKER_TIMEOUT.to_seconds() * 6),
                retention_period=Duration.days(4), enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
                dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=MAX_RECEIVES),
            )
            self.by_name[f"{logical}_dlq"] = dlq
