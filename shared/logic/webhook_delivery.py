"""Webhook deliveries: the fan-out of events to the webhooks that receive them, and the
delivery step the webhook queue's worker runs.

Each (event, webhook) is one DeliverWebhook message. The step checks the URL again (the
address it connects to is the one it checked), POSTs once, records the attempt, and on a
failure queues the next attempt after Standard Webhooks' backoff (delays past SQS's
15 minutes are chained through ``not_before``). 2xx delivers; 410 disables the webhook;
an endpoint that failed every delivery for WEBHOOK_DISABLE_AFTER_SECONDS is disabled.
The attempt is recorded before the next one is queued, and a redelivered message whose
attempt is recorded only re-queues what should follow it, so nothing is lost or doubled
in the log; a crash between the POST and the record POSTs again (at least once: receivers
deduplicate on ``webhook-id``).
"""
from __future__ import annotations

import json
import time
from datetime import timedelta

from shared.clock import iso_z, utcnow
from shared.data import webhooks as webhooks_data
from shared.data import work_queue
from shared.domain import WebhookAttempt
from shared.jobs.messages import DeliverWebhook
from shared.jobs.registry import handles, settles
from shared.logic import webhooks
from shared.logic.webhook_events import Event, receives
from shared.observability import logger
from shared.settings import get_settings
from shared.webhooks import addresses, sender, signing
from shared.webhooks.sender import Outcome


def fan_out(events: list[Event]) -> int:
    """Queue one delivery per event and webhook that receives it (one Query for the webhooks);
    returns how many."""
    if not events:
        return 0
    active = [w for w in webhooks_data.list_webhooks(None) if w.is_active]
    messages = [DeliverWebhook(w.id, e.id, e.event, json.dumps(e.payload(), separators=(",", ":")))
                for e in events for w in active if receives(w, e)]
    work_queue.send(messages)
    return len(messages)


def _requeue(message: DeliverWebhook, not_before: int) -> None:
    wait = max(0, not_before - int(time.time()))
    work_queue.send([DeliverWebhook(message.webhook_id, message.event_id, message.event, message.payload,
                                    attempt=message.attempt, not_before=not_before)],
                    delay=min(wait, work_queue.MAX_DELAY_SECONDS))


def _next(message: DeliverWebhook, delay: int) -> None:
    """The next attempt, ``delay`` seconds from now (chained when longer than SQS allows)."""
    work_queue.send([DeliverWebhook(message.webhook_id, message.event_id, message.event, message.payload,
                                    attempt=message.attempt + 1, not_before=int(time.time()) + delay)],
                    delay=min(delay, work_queue.MAX_DELAY_SECONDS))


def _attempt_once(webhook, sealed: bytes, message: DeliverWebhook) -> Outcome:
    settings = get_settings()
    try:
        target = addresses.resolve(webhook.url, allow_loopback=settings.webhooks_allow_loopback)
    except addresses.AddressRefused as exc:
        return Outcome(None, "", 0, str(exc))
    body = message.payload.encode()
    headers = signing.headers(webhooks.signing_secrets(webhook.id, sealed), message.event_id, message.event,
                              int(time.time()), body)
    return sender.post(target, headers, body, settings.webhook_timeout_seconds)


@handles(DeliverWebhook)
def deliver(message: DeliverWebhook) -> None:
    webhook, sealed = webhooks_data.get_webhook_and_secret(message.webhook_id)
    if webhook is None:
        return  # deleted: nothing to deliver to
    if not webhook.is_active and message.event != "ping":
        logger.info("delivery dropped: webhook disabled", extra={"webhook_id": webhook.id, "event": message.event_id})
        return
    if message.not_before > time.time() + 1:  # a long delay, chained
        _requeue(message, message.not_before)
        return
    settings = get_settings()
    delays = settings.webhook_retry_delays
    done = webhooks_data.get_attempt(webhook.id, message.event_id, message.attempt)
    if done is not None:  # a redelivered message: only make sure what follows it is queued
        if done.status == "retrying":
            _next(message, delays[message.attempt - 1])
        return
    outcome = _attempt_once(webhook, sealed, message)
    now = utcnow()
    status, next_delay = "delivered", None
    if message.event == "ping":  # a test says how the endpoint answers; it never retries or disables
        status = "delivered" if outcome.delivered else "failed"
    elif outcome.delivered:
        webhooks_data.note_success(webhook.id, now)
    elif outcome.status_code == 410:
        status = "failed"
        webhooks_data.disable(webhook.id, f"The endpoint answered 410 Gone on {iso_z(now)}: deliveries stopped. "
                                          "Set is_active to true to resume.")
    else:
        failing_since = webhooks_data.note_failure(webhook.id, now) or now
        if (now - failing_since).total_seconds() >= settings.webhook_disable_after_seconds:
            status = "failed"
            webhooks_data.disable(webhook.id, f"Every delivery failed since {iso_z(failing_since)} (last: "
                                              f"{outcome.error}). Set is_active to true to resume.")
        elif message.attempt <= len(delays):
            status, next_delay = "retrying", delays[message.attempt - 1]
        else:
            status = "failed"  # the schedule is spent: given up
    recorded = webhooks_data.put_attempt(WebhookAttempt(
        webhook_id=webhook.id, delivery_id=message.event_id, event_id=message.event_id, event=message.event,
        attempt=message.attempt, status=status, response_code=outcome.status_code,
        response_body=outcome.response_body or None, error=outcome.error, duration_ms=outcome.duration_ms,
        next_retry_at=now + timedelta(seconds=next_delay) if next_delay is not None else None, attempted_at=now,
        payload=message.payload))
    if recorded and next_delay is not None:
        _next(message, next_delay)


@settles(DeliverWebhook)
def settle(message: DeliverWebhook) -> None:
    """The worker failed this delivery three times (not the endpoint: its answers are recorded):
    log it as failed so its owner sees it and can retry it."""
    now = utcnow()
    webhooks_data.put_attempt(WebhookAttempt(
        webhook_id=message.webhook_id, delivery_id=message.event_id, event_id=message.event_id, event=message.event,
        attempt=message.attempt, status="failed", response_code=None, response_body=None,
        error="The delivery could not be attempted (an internal error); retry it", duration_ms=0,
        next_retry_at=None, attempted_at=now, payload=message.payload))
