"""The import queue's worker: split, chunk and undo messages (shared/logic/imports.py)."""
from shared.logic import imports
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker(imports.handle_message)
