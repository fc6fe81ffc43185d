"""DynamoDB Streams -> webhook events -> one delivery message per (event, webhook).

Fed by the streams of the tables events come from (routes.STREAM_SOURCES): in batches of
up to 100 records, so a bulk import makes events in batches, not one invocation per row.
Event ids derive from the stream records, so a retried batch makes the same events, and
the delivery log turns a repeated delivery into a no-op (shared/logic/webhook_delivery.py).
Payloads carry the resource exactly as the API returns it. The batch's first read is who is
subscribed (one Query): records of kinds no active webhook wants are not read at all, so an
import into an account without webhooks costs the dispatcher next to nothing."""
from shared.api.export_answers import export_out
from shared.api.schemas.clients import ClientOut
from shared.api.schemas.imports import ImportOut
from shared.api.schemas.inventory import LowStockEvent, MovementOut
from shared.api.schemas.projects import ProjectOut
from shared.api.schemas.tasks import TaskOut
from shared.api.schemas.time_entries import TimeEntryOut
from shared.api.schemas.webhooks import WebhookOut
from shared.data import stream_images
from shared.logic.webhook_delivery import active_webhooks, fan_out
from shared.logic.webhook_events import Change, events_of, wanted_kinds
from shared.observability import logger

_SHAPES = {
    "time_entry": TimeEntryOut.of,
    "project": ProjectOut.model_validate,
    "task": TaskOut.model_validate,
    "client": ClientOut.model_validate,
    "import": ImportOut.of,
    "export": export_out,
    "webhook": WebhookOut.of,
    "inventory.movement": MovementOut.of,
    "inventory.level": LowStockEvent.of,
}


def present(kind: str, subject) -> dict:
    return _SHAPES[kind](subject).model_dump(mode="json")


@logger.inject_lambda_context
def lambda_handler(event, context):
    records = event.get("Records", [])
    active = active_webhooks()
    kinds = wanted_kinds(active)  # with no webhook (or none for a kind), its records are not even read
    events = []
    for record in records:
        if active and (kinds is None or stream_images.kind_of(record) in kinds):
            read = stream_images.read(record)
            if read is not None:
                events += events_of(Change(*read), present)
    queued = fan_out(events, active) if events else 0
    logger.debug("stream batch", extra={"records": len(records), "events": len(events), "deliveries": queued})
    return {"events": len(events), "deliveries": queued}
