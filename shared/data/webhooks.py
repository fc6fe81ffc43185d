"""Webhooks and their delivery attempts (keys and indexes in shared/models/webhooks.py)."""
from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from shared.clock import iso_z, utcnow
from shared.data import counters, jobs
from shared.data.common import is_conditional_failure, update_if
from shared.domain import Webhook, WebhookAttempt
from shared.models.base import ORG
from shared.models.webhooks import WebhookDeliveryModel, WebhookModel

_WEBHOOK = [f.name for f in dc_fields(Webhook)]
_ATTEMPT = [f.name for f in dc_fields(WebhookAttempt)]
KEEP_ATTEMPTS = timedelta(days=30)


def _webhook(item: WebhookModel) -> Webhook:
    values = {n: getattr(item, n) for n in _WEBHOOK}
    values["events"] = tuple(item.events or ())
    return Webhook(**values)


def _attempt(item: WebhookDeliveryModel) -> WebhookAttempt:
    return WebhookAttempt(**{n: getattr(item, n) for n in _ATTEMPT})


def from_stored(raw: dict) -> Webhook:
    """A webhook as DynamoDB stores it (a stream image; its sealed secrets left out)."""
    return _webhook(WebhookModel.from_raw_data({k: v for k, v in raw.items() if k != "secret"}))


# -- webhooks ------------------------------------------------------------------------------
def put_webhook(user_id: int, sees_all: bool, values: dict, sealed_for) -> Webhook:
    """``sealed_for(id)`` seals the secrets bound to the new webhook's id."""
    webhook_id = counters.next_id("webhook")
    now = utcnow()
    item = WebhookModel(webhook_id, org=ORG, user_id=user_id, sees_all=sees_all, created_at=now, updated_at=now,
                        created_key=f"{iso_z(now)}#{webhook_id:012d}", secret=sealed_for(webhook_id), **values)
    item.save(condition=WebhookModel.id.does_not_exist())
    return _webhook(item)


def get_webhook(webhook_id: int) -> Webhook | None:
    item = jobs.get(WebhookModel, webhook_id)
    return _webhook(item) if item else None


def get_webhook_and_secret(webhook_id: int) -> tuple[Webhook | None, bytes | None]:
    item = jobs.get(WebhookModel, webhook_id)
    return (_webhook(item), item.secret) if item else (None, None)


def get_webhooks_and_secrets(webhook_ids) -> dict[int, tuple[Webhook, bytes]]:
    """Several webhooks with their sealed secrets, in one BatchGetItem (a delivery batch's)."""
    return {item.id: (_webhook(item), item.secret) for item in WebhookModel.batch_get(sorted(webhook_ids))}


def list_webhooks(user_id: int | None) -> list[Webhook]:
    """A user's webhooks, or (None) everyone's: the dispatcher's one Query per batch."""
    index, key = jobs.history(WebhookModel, user_id)
    return [_webhook(i) for i in index.query(key)]


def update_webhook(webhook_id: int, changes: dict) -> Webhook | None:
    """Set the given fields; re-enabling clears why it was disabled and its failing streak."""
    actions = [getattr(WebhookModel, name).set(value) if value is not None else getattr(WebhookModel, name).remove()
               for name, value in changes.items()]
    if changes.get("is_active") is True:
        actions += [WebhookModel.disabled_reason.remove(), WebhookModel.failing_since.remove()]
    item = WebhookModel(webhook_id)
    if not update_if(item, [*actions, WebhookModel.updated_at.set(utcnow())], WebhookModel.id.exists()):
        return None
    return _webhook(item)  # UpdateItem answered with the whole item


def set_secret(webhook_id: int, sealed: bytes, rotated_at: datetime) -> Webhook | None:
    item = WebhookModel(webhook_id)
    if not update_if(item, [WebhookModel.secret.set(sealed), WebhookModel.secret_rotated_at.set(rotated_at),
                            WebhookModel.updated_at.set(rotated_at)], WebhookModel.id.exists()):
        return None
    return _webhook(item)


def delete_webhook(webhook_id: int) -> bool:
    try:
        WebhookModel(webhook_id).delete(condition=WebhookModel.id.exists())
    except DeleteError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def note_success(webhook_id: int, at: datetime) -> None:
    update_if(WebhookModel(webhook_id), [WebhookModel.last_delivery_at.set(at), WebhookModel.last_success_at.set(at),
                                        WebhookModel.failing_since.remove()], WebhookModel.id.exists())


def note_failure(webhook_id: int, at: datetime) -> datetime | None:
    """Record a failed attempt; returns since when the endpoint has failed every delivery."""
    item = WebhookModel(webhook_id)
    try:
        item.update(actions=[WebhookModel.last_delivery_at.set(at),
                             WebhookModel.failing_since.set(WebhookModel.failing_since | at)],
                    condition=WebhookModel.id.exists())
    except UpdateError as exc:  # a webhook deleted meanwhile has no streak
        if is_conditional_failure(exc):
            return None
        raise
    return item.failing_since


def disable(webhook_id: int, reason: str) -> bool:
    """Turn an active webhook off, saying why; False when it was off (or gone) already."""
    return update_if(WebhookModel(webhook_id), [WebhookModel.is_active.set(False),
                                               WebhookModel.disabled_reason.set(reason[:500]),
                                               WebhookModel.updated_at.set(utcnow())],
                     WebhookModel.is_active == True)  # noqa: E712 - a DynamoDB condition, not a comparison


# -- delivery attempts ---------------------------------------------------------------------
def _key(delivery_id: str, attempt: int) -> str:
    return f"{delivery_id}#{attempt:02d}"


def put_attempt(attempt: WebhookAttempt) -> bool:
    """Record an attempt once: False when it was recorded before (a redelivered message)."""
    values = {n: getattr(attempt, n) for n in _ATTEMPT if n != "webhook_id"}
    item = WebhookDeliveryModel(attempt.webhook_id, _key(attempt.delivery_id, attempt.attempt),
                                expires_at=attempt.attempted_at + KEEP_ATTEMPTS, **values)
    try:
        item.save(condition=WebhookDeliveryModel.attempt_key.does_not_exist())
    except PutError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def get_attempts(keys: list[tuple[int, str, int]]) -> dict[tuple[int, str, int], WebhookAttempt]:
    """The attempts already recorded among (webhook id, delivery id, attempt) keys, in one BatchGetItem."""
    if not keys:
        return {}
    found = WebhookDeliveryModel.batch_get(sorted({(w, _key(d, a)) for w, d, a in keys}))
    return {(a.webhook_id, a.delivery_id, a.attempt): a for a in map(_attempt, found)}


def put_attempts(attempts: list[WebhookAttempt]) -> None:
    """Record a batch's attempts in BatchWriteItems (the batch read first which were recorded)."""
    with WebhookDeliveryModel.batch_write() as batch:
        for attempt in attempts:
            values = {n: getattr(attempt, n) for n in _ATTEMPT if n != "webhook_id"}
            batch.save(WebhookDeliveryModel(attempt.webhook_id, _key(attempt.delivery_id, attempt.attempt),
                                            expires_at=attempt.attempted_at + KEEP_ATTEMPTS, **values))


def attempts_of(webhook_id: int, delivery_id: str) -> list[WebhookAttempt]:
    """One delivery's attempts, first to last."""
    return [_attempt(i) for i in WebhookDeliveryModel.query(
        webhook_id, WebhookDeliveryModel.attempt_key.startswith(f"{delivery_id}#"), consistent_read=True)]


def list_attempts(webhook_id: int, *, status: str | None, limit: int, before: str | None) -> tuple[list, str | None]:
    """A webhook's attempts, newest first, ``limit`` at most, after the cursor ``before``;
    returns (attempts, the cursor for the next page or None)."""
    condition = WebhookDeliveryModel.attempt_key < before if before else None
    query = WebhookDeliveryModel.query(webhook_id, condition, scan_index_forward=False, limit=limit,
                                       filter_condition=WebhookDeliveryModel.status == status if status else None,
                                       page_size=max(limit, 25))
    items = [_attempt(i) for i in query]
    more = len(items) == limit
    return items, (_key(items[-1].delivery_id, items[-1].attempt) if more and items else None)
