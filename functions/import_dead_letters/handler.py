"""The import queue's dead-letter queue: settles what the workers gave up on
(shared/logic/imports.py settle_dead_letter), so no import stays 'processing'."""
import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.logic import imports
from shared.observability import logger

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    imports.settle_dead_letter(json.loads(record.body))


@logger.inject_lambda_context
def lambda_handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
