"""SQS for asynchronous work: the import queue and its dead-letter queue."""
from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cloud.nag import acknowledge

MAX_RECEIVES = 3  # a poison chunk lands in the DLQ after three failed attempts
WORKER_TIMEOUT = Duration.minutes(5)


class QueuesConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.import_dlq = sqs.Queue(
            self, "ImportDLQ", retention_period=Duration.days(14), enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
        )
        acknowledge(self.import_dlq, {
            "AwsSolutions-SQS3": "This queue is the dead-letter queue; a DLQ of a DLQ only moves the problem.",
        })
        self.imports = sqs.Queue(
            self, "Imports",
            # Six times the worker timeout, as AWS recommends for Lambda event sources.
            visibility_timeout=Duration.seconds(WORKER_TIMEOUT.to_seconds() * 6),
            retention_period=Duration.days(4), enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.import_dlq, max_receive_count=MAX_RECEIVES),
        )
        self.by_name = {"imports": self.imports, "imports_dlq": self.import_dlq}
