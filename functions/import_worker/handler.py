"""The import queue's worker: split, chunk and undo steps (shared/logic/import_steps.py)."""
from shared.logic import import_steps  # noqa: F401 - registers the import queue's steps
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("imports")
