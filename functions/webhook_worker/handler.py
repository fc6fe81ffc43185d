"""The webhook queue's worker: a batch of deliveries at a time, their POSTs side by side
(shared/logic/webhook_delivery.py). A batch that fails comes back whole: its recorded
attempts are not made again."""
from shared.jobs.messages import DeliverWebhook, UnknownMessage, decode
from shared.logic import webhook_delivery
from shared.observability import logger


@logger.inject_lambda_context
def lambda_handler(event, context):
    records, messages = event.get("Records", []), []
    for record in records:
        try:
            message = decode(record["body"])
        except UnknownMessage as exc:  # no retry can help: drop it, loudly
            logger.error("unknown message dropped", extra={"queue": "webhooks", "reason": str(exc)})
            continue
        if isinstance(message, DeliverWebhook):
            messages.append(message)
        else:
            logger.error("message on the wrong queue dropped", extra={"queue": "webhooks", "job": message.job})
    try:
        webhook_delivery.deliver_batch(messages)
    except Exception:
        logger.exception("webhook batch failed; it comes back", extra={"messages": len(messages)})
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]}
    return {"batchItemFailures": []}
