"""The import queue's dead-letter queue: settles what the workers gave up on
(shared/logic/imports.py settle_dead_letter), so no import stays 'processing'."""
from shared.logic import imports
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker(imports.settle_dead_letter)
