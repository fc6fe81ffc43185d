"""The import queue's dead-letter queue: settles what the workers gave up on (the
settlers in shared/logic/import_steps.py and source_imports.py), so no import stays 'processing'."""
from shared.logic import import_steps, source_imports  # noqa: F401 - register the import queue's settlers
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("imports", dead_letters=True)
