"""The export queue's dead-letter queue: fails what the worker gave up on, keeping its
last error, so no export or restore stays 'processing'."""
from shared.logic import export_builds, harvest_backups, restores  # noqa: F401 - register its settlers
from shared.queue_worker import sqs_worker

lambda_handler = sqs_worker("exports", dead_letters=True)
