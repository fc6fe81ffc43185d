"""A Lambda handler for an SQS event source: Powertools' batch processor decodes each
message (shared/jobs/messages.py) and runs what the registry holds for its type, the
step or, on a dead-letter queue, the settler; only the failed messages come back."""
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared.jobs import registry
from shared.jobs.messages import UnknownMessage, decode
from shared.observability import DEAD_LETTERS_SETTLED, count, logger


def _settle(message) -> None:
    logger.warning("settling a dead letter", extra={"job": message.job, "message_kind": message.KIND})
    registry.settle(message)
    count(DEAD_LETTERS_SETTLED, 1, message.KIND)  # what the dashboard shows of dead letters


def sqs_worker(queue: str, *, dead_letters: bool = False):
    """The handler of ``queue``'s worker, or (``dead_letters``) of its dead-letter queue's."""
    processor = BatchProcessor(event_type=EventType.SQS)
    run = _settle if dead_letters else registry.dispatch

    def record_handler(record: SQSRecord) -> None:
        try:
            message = decode(record.body)
        except UnknownMessage as exc:  # no retry can help: drop it, loudly
            logger.error("unknown message dropped", extra={"queue": queue, "reason": str(exc)})
            return
        if message.QUEUE != queue:
            logger.error("message on the wrong queue dropped", extra={"queue": queue, "job": message.job})
            return
        run(message)

    @logger.inject_lambda_context
    def lambda_handler(event, context):
        return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)

    return lambda_handler
