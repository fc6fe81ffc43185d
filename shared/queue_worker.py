"""A Lambda handler for an SQS event source: Powertools' batch processor runs one
function per message body (JSON) and reports each failed message, so only those come back."""
import json
from typing import Callable

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.observability import logger


def sqs_worker(handle_message: Callable[[dict], None]):
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> None:
        handle_message(json.loads(record.body))

    @logger.inject_lambda_context
    def lambda_handler(event, context):
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    return lambda_handler
