"""The webhook queue's worker: one POST per message (shared/logic/webhook_delivery.py)."""
from shared.logic import webhook_delivery  # noqa: F401 - register the webhook queue's step
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("webhooks")
