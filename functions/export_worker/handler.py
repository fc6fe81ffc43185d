"""The export queue's worker: builds exports and runs restore steps (shared/logic/export_builds.py)."""
from shared.logic import export_builds
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker(export_builds.handle_message)
