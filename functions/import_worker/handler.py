"""The import queue's worker: split, chunk and undo messages (shared/logic/import_steps.py)."""
from shared.logic import import_steps
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker(import_steps.handle_message)
