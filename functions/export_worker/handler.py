"""The export queue's worker: builds exports and runs restore steps
(shared/logic/export_builds.py, restores.py)."""
from shared.logic import export_builds, restores  # noqa: F401 - register the export queue's steps
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("exports")
