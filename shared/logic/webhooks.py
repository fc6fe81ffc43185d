"""Webhook subscriptions (the API side): who may see and change them, their URLs checked
against SSRF, their signing secrets (shown once; sealed with KMS; the previous one honoured
for a day after a rotation), a test ping, and the delivery log."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache

from shared.clock import iso_z, utcnow
from shared.data import secrets, work_queue
from shared.data import webhooks as webhooks_data
from shared.domain import Principal, Webhook, WebhookAttempt
from shared.errors import InvalidState, NotFound, ValidationFailed
from shared.jobs.messages import DeliverWebhook
from shared.logic.webhook_events import EVENTS, SUBSCRIBABLE, event_id
from shared.settings import get_settings
from shared.webhooks import addresses, signing

MAX_WEBHOOKS_PER_USER = 25
ROTATION_OVERLAP = timedelta(hours=24)
DELIVERY_STATUSES = ("delivered", "retrying", "failed")
_FIELDS = ("name", "url", "events", "description", "is_active")


def _context(webhook_id: int) -> dict[str, str]:
    return {"webhook": str(webhook_id)}


def _mine(principal: Principal, webhook: Webhook | None) -> Webhook:
    if webhook is None or not (principal.is_admin or webhook.user_id == principal.user_id):
        raise NotFound("Webhook not found")
    return webhook


def _visible(principal: Principal, webhook_id: int) -> Webhook:
    return _mine(principal, webhooks_data.get_webhook(webhook_id))


def _checked(values: dict) -> dict:
    """The fields given, checked; the URL must be reachable and public right now."""
    problems: dict[str, list[str]] = {k: ["Cannot be null"] for k, v in values.items()
                                      if v is None and k != "description"}
    values = {k: v for k, v in values.items() if k not in problems}
    if "name" in values and not (isinstance(values["name"], str) and 0 < len(values["name"].strip()) <= 200):
        problems["name"] = ["Required: 1 to 200 characters"]
    if "url" in values:
        try:
            addresses.resolve(values["url"], allow_loopback=get_settings().webhooks_allow_loopback)
        except addresses.AddressRefused as exc:
            problems["url"] = [str(exc)]
    if "events" in values:
        events = values["events"]
        unknown = [e for e in events if e != "*" and e not in SUBSCRIBABLE]
        if not events:
            problems["events"] = ["Name at least one event, or \"*\" for all (GET /api/v1/webhooks/events)"]
        elif unknown:
            problems["events"] = [f"Unknown events: {', '.join(unknown[:10])} (GET /api/v1/webhooks/events lists "
                                  "them)"]
        values = {**values, "events": list(dict.fromkeys(events))}
    if problems:
        raise ValidationFailed(problems)
    if "name" in values:
        values["name"] = values["name"].strip()
    if "url" in values:
        values["url"] = values["url"].strip()
    return values


def _seal(webhook_id: int, current: str, previous: str | None = None, until: datetime | None = None) -> bytes:
    return secrets.seal({"current": current, "previous": previous, "previous_until": iso_z(until) if until else None},
                        _context(webhook_id))


# -- subscriptions ---------------------------------------------------------------------------
def create_webhook(principal: Principal, body: dict) -> tuple[Webhook, str]:
    """The new webhook and its secret (shown this once)."""
    values = _checked({k: v for k, v in body.items() if k in _FIELDS and v is not None})  # (defaults filled)
    if len(webhooks_data.list_webhooks(principal.user_id)) >= MAX_WEBHOOKS_PER_USER:
        raise InvalidState(f"A user may have at most {MAX_WEBHOOKS_PER_USER} webhooks; delete one first",
                           "too_many_webhooks")
    secret = signing.new_secret()
    webhook = webhooks_data.put_webhook(principal.user_id, principal.is_admin, values,
                                        lambda webhook_id: _seal(webhook_id, secret))
    return webhook, secret


def list_webhooks(principal: Principal) -> list[Webhook]:
    """A user's own webhooks; an admin sees everyone's."""
    return webhooks_data.list_webhooks(None if principal.is_admin else principal.user_id)


def get_webhook(principal: Principal, webhook_id: int) -> Webhook:
    return _visible(principal, webhook_id)


def update_webhook(principal: Principal, webhook_id: int, changes: dict) -> Webhook:
    """Re-enabling (``is_active: true``) clears why it was disabled and its failing streak."""
    _visible(principal, webhook_id)
    changes = _checked({k: v for k, v in changes.items() if k in _FIELDS})
    updated = webhooks_data.update_webhook(webhook_id, changes) if changes else _visible(principal, webhook_id)
    if updated is None:
        raise NotFound("Webhook not found")
    return updated


def delete_webhook(principal: Principal, webhook_id: int) -> None:
    _visible(principal, webhook_id)
    if not webhooks_data.delete_webhook(webhook_id):
        raise NotFound("Webhook not found")


def rotate_secret(principal: Principal, webhook_id: int) -> tuple[Webhook, str]:
    """A new secret (shown this once); the old one keeps signing beside it for 24 hours."""
    webhook, sealed = webhooks_data.get_webhook_and_secret(webhook_id)
    _mine(principal, webhook)
    old = secrets.open_sealed(sealed, _context(webhook_id))["current"]
    secret, now = signing.new_secret(), utcnow()
    rotated = webhooks_data.set_secret(webhook_id, _seal(webhook_id, secret, old, now + ROTATION_OVERLAP), now)
    if rotated is None:
        raise NotFound("Webhook not found")
    return rotated, secret


@lru_cache(maxsize=256)
def _opened(webhook_id: int, sealed: bytes) -> dict:
    return secrets.open_sealed(sealed, _context(webhook_id))


def signing_secrets(webhook_id: int, sealed: bytes, now: datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with: the current one, then the previous one while
    its 24 hours last. KMS is asked once per sealed value and container."""
    opened = _opened(webhook_id, sealed)
    live = [opened["current"]]
    until = opened.get("previous_until")
    if opened.get("previous") and until and datetime.fromisoformat(until.replace("Z", "+00:00")) > (now or utcnow()):
        live.append(opened["previous"])
    return live


# -- test, log, retry --------------------------------------------------------------------------
def send_test(principal: Principal, webhook_id: int) -> str:
    """Queue a ``ping`` to the webhook (active or not); returns its delivery id."""
    webhook = _visible(principal, webhook_id)
    now = utcnow()
    ping_id = event_id(f"ping:{webhook_id}:{now.timestamp()}", "ping", now)
    payload = {"id": ping_id, "event": "ping", "created_at": iso_z(now),
               "data": {"webhook_id": webhook.id, "name": webhook.name, "url": webhook.url,
                        "message": "This is a test delivery from TimeTracker"}}
    work_queue.send([DeliverWebhook(webhook.id, ping_id, "ping", json.dumps(payload, separators=(",", ":")))])
    return ping_id


def list_deliveries(principal: Principal, webhook_id: int, *, status: str | None, limit: int,
                    cursor: str | None) -> tuple[list[WebhookAttempt], str | None]:
    _visible(principal, webhook_id)
    if status is not None and status not in DELIVERY_STATUSES:
        raise ValidationFailed.field("status", f"One of: {', '.join(DELIVERY_STATUSES)}")
    return webhooks_data.list_attempts(webhook_id, status=status, limit=limit, before=cursor)


def retry_delivery(principal: Principal, webhook_id: int, delivery_id: str) -> WebhookAttempt:
    """Queue the delivery once more, as its next attempt; returns the last attempt so far."""
    webhook = _visible(principal, webhook_id)
    known = delivery_id.startswith("evt_") and len(delivery_id) <= 40 and delivery_id[4:].isalnum()
    attempts = webhooks_data.attempts_of(webhook_id, delivery_id) if known else []
    if not attempts:
        raise NotFound("Delivery not found")
    last = attempts[-1]
    if not webhook.is_active and last.event != "ping":
        raise InvalidState("The webhook is disabled; enable it (is_active: true) first", "webhook_disabled")
    work_queue.send([DeliverWebhook(webhook_id, last.event_id, last.event, last.payload, attempt=last.attempt + 1)])
    return last


def event_catalogue() -> dict[str, str]:
    return dict(EVENTS)
