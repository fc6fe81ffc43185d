"""API schemas for webhooks. The signing secret appears only in the answers that make one
(create, rotate-secret)."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.api.schemas.common import Name, Request, Text
from shared.domain import Webhook, WebhookAttempt

URL = Field(description="https only; every address the host resolves to must be public (checked at every "
                        "delivery too)", max_length=2048)
EVENTS = Field(description="Event names from GET /api/v1/webhooks/events, or [\"*\"] for all", max_length=50)


class WebhookCreate(Request):
    name: Name
    url: str = URL
    events: list[str] = EVENTS
    description: Text | None = None
    is_active: bool = True


class WebhookReplace(WebhookCreate):
    """PUT: the whole webhook."""


class WebhookPatch(Request):
    name: Name | None = None
    url: str | None = Field(None, description="https only; every address must be public", max_length=2048)
    events: list[str] | None = Field(None, max_length=50)
    description: Text | None = None
    is_active: bool | None = Field(None, description="true re-enables a disabled webhook (and clears why)")


class WebhookOut(BaseModel):
    id: int
    user_id: int
    name: str
    url: str
    events: list[str]
    description: str | None
    is_active: bool
    disabled_reason: str | None = Field(description="Why deliveries stopped (410 Gone, or failing for 3 days)")
    failing_since: datetime | None
    last_delivery_at: datetime | None
    last_success_at: datetime | None
    secret_rotated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, webhook: Webhook) -> "WebhookOut":
        return cls.model_validate({**webhook.__dict__, "events": list(webhook.events)})


class WebhookEnvelope(BaseModel):
    webhook: WebhookOut


class WebhookSaved(WebhookEnvelope):
    message: str


class WebhookWithSecret(WebhookSaved):
    secret: str = Field(description="whsec_...: shown only now. Verify the webhook-signature header with it")


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class EventOut(BaseModel):
    event: str
    description: str


class EventList(BaseModel):
    events: list[EventOut]


class DeliveryOut(BaseModel):
    delivery_id: str
    event_id: str = Field(description="The webhook-id header: the same on every attempt")
    event: str
    attempt: int
    status: str = Field(description="delivered | retrying (another attempt follows at next_retry_at) | failed")
    response_code: int | None
    response_body: str | None = Field(description="The first 1 KB of the answer")
    error: str | None
    duration_ms: int
    next_retry_at: datetime | None
    attempted_at: datetime

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> "DeliveryOut":
        return cls.model_validate(attempt.__dict__)


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for older attempts; null at the end")


class DeliveryQueued(BaseModel):
    message: str
    delivery_id: str
    attempt: int | None = None
