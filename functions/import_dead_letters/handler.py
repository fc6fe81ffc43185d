"""The import queue's dead-letter queue: settles what the workers gave up on
(shared/logic/import_steps.py settle_dead_letter), so no import stays 'processing'."""
from shared.logic import import_steps
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker(import_steps.settle_dead_letter)
