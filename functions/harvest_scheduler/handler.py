"""Runs on a timer (routes.SCHEDULES: an EventBridge rule; the local stack's scheduler
thread): starts the Harvest backups whose schedule is due."""
from shared.logic import harvest_backups
from shared.observability import logger


@logger.inject_lambda_context
def lambda_handler(event, context):
    started = harvest_backups.start_due_runs()
    if started:
        logger.info("Harvest backups started", extra={"runs": [r.id for r in started]})
    return {"started": [r.id for r in started]}
