"""/api/v1/webhooks: subscriptions, their secrets, a test ping and the delivery log
(shared/logic/webhooks.py). Deliveries themselves come from the dispatcher and worker."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.webhooks import (
    DeliveryList,
    DeliveryOut,
    DeliveryQueued,
    EventList,
    EventOut,
    WebhookCreate,
    WebhookEnvelope,
    WebhookList,
    WebhookOut,
    WebhookPatch,
    WebhookReplace,
    WebhookSaved,
    WebhookWithSecret,
)
from shared.logic import webhooks

api = ApiFunction("webhooks")


def _json(status: int, body) -> Response:
    return Response(status_code=status, content_type="application/json", body=body)


@api.route
def list_webhook_events() -> EventList:
    """Every event a webhook can subscribe to, with what it means."""
    return EventList(events=[EventOut(event=e, description=d) for e, d in webhooks.event_catalogue().items()])


@api.route
def list_webhooks() -> WebhookList:
    """Your webhooks (an admin sees everyone's)."""
    return WebhookList(webhooks=[WebhookOut.of(w) for w in webhooks.list_webhooks(api.principal())])


@api.route
def create_webhook(webhook: WebhookCreate) -> Response[WebhookWithSecret]:
    """The answer holds the signing secret, shown only this once. An admin's webhook receives events on
    everyone's data; a user's, only on data that user may see."""
    created, secret = webhooks.create_webhook(api.principal(), webhook.values())
    return _json(201, WebhookWithSecret(message="Webhook created successfully", webhook=WebhookOut.of(created),
                                        secret=secret))


@api.route
def get_webhook(webhook_id: int) -> WebhookEnvelope:
    return WebhookEnvelope(webhook=WebhookOut.of(webhooks.get_webhook(api.principal(), webhook_id)))


@api.route
def update_webhook(webhook_id: int, webhook: WebhookReplace) -> WebhookSaved:
    updated = webhooks.update_webhook(api.principal(), webhook_id, webhook.values())
    return WebhookSaved(message="Webhook updated successfully", webhook=WebhookOut.of(updated))


@api.route
def patch_webhook(webhook_id: int, webhook: WebhookPatch) -> WebhookSaved:
    updated = webhooks.update_webhook(api.principal(), webhook_id, webhook.changes())
    return WebhookSaved(message="Webhook updated successfully", webhook=WebhookOut.of(updated))


@api.route
def delete_webhook(webhook_id: int) -> Response[None]:
    webhooks.delete_webhook(api.principal(), webhook_id)
    return _json(204, None)


@api.route
def rotate_webhook_secret(webhook_id: int) -> WebhookWithSecret:
    """A new secret, shown only now; the old one keeps signing beside it for 24 hours."""
    rotated, secret = webhooks.rotate_secret(api.principal(), webhook_id)
    return WebhookWithSecret(message="Secret rotated: the previous one stays valid for 24 hours",
                             webhook=WebhookOut.of(rotated), secret=secret)


@api.route
def test_webhook(webhook_id: int) -> Response[DeliveryQueued]:
    """Queue a `ping`; its attempt shows in the delivery log within seconds."""
    delivery_id = webhooks.send_test(api.principal(), webhook_id)
    return _json(202, DeliveryQueued(message="Test delivery queued", delivery_id=delivery_id, attempt=1))


@api.route
def list_webhook_deliveries(
    webhook_id: int,
    status: Annotated[str | None, Query(max_length=20, description="delivered | retrying | failed")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=100, pattern=r"^evt_\w+#\d+$")] = None,
) -> DeliveryList:
    """Every attempt, newest first."""
    attempts, next_cursor = webhooks.list_deliveries(api.principal(), webhook_id, status=status, limit=limit,
                                                     cursor=cursor)
    return DeliveryList(deliveries=[DeliveryOut.of(a) for a in attempts], next_cursor=next_cursor)


@api.route
def retry_webhook_delivery(webhook_id: int, delivery_id: str) -> Response[DeliveryQueued]:
    """Queue the delivery once more (its next attempt, the same event id)."""
    last = webhooks.retry_delivery(api.principal(), webhook_id, delivery_id)
    return _json(202, DeliveryQueued(message="Delivery queued again", delivery_id=last.delivery_id,
                                     attempt=last.attempt + 1))


lambda_handler = api.lambda_handler
