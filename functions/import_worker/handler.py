"""The import queue's worker: split, chunk and undo steps (shared/logic/import_steps.py) and
the fetch steps of imports from Toggl's and Harvest's APIs (shared/logic/source_imports.py)."""
from shared.logic import import_steps, source_imports  # noqa: F401 - register the import queue's steps
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("imports")
