"""The webhook queue's dead-letter queue: a delivery the worker itself failed three times is
logged as failed (its owner sees it and can retry it)."""
from shared.logic import webhook_delivery  # noqa: F401 - register the webhook queue's settler
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("webhooks", dead_letters=True)
