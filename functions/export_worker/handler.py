"""The export queue's worker: builds exports, runs restore steps and the steps of scheduled
Harvest backups (shared/logic/export_builds.py, restores.py, harvest_backups.py)."""
from shared.logic import export_builds, harvest_backups, restores  # noqa: F401 - register the export queue's steps
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("exports")
