"""Webhook deliveries: the fan-out of events to the webhooks that receive them, and the
delivery of a batch of webhook-queue messages.

Each (event, webhook) is one DeliverWebhook message. A batch reads its webhooks and the
attempts already recorded (two BatchGetItems), checks each URL again (the connection goes
to the address it checked), POSTs side by side, records the attempts (BatchWriteItem), and
queues each failure's next attempt after Standard Webhooks' backoff (delays past SQS's
15 minutes are chained through ``not_before``). 2xx delivers; 410 disables the webhook; an
endpoint that failed every delivery for WEBHOOK_DISABLE_AFTER_SECONDS is disabled.
Attempts are recorded before the next ones are queued, and a redelivered message whose
attempt is recorded only re-queues what follows it, so nothing is lost or doubled in the
log; a crash between the POST and the record POSTs again (at least once: receivers
deduplicate on ``webhook-id``).
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import lru_cache

from shared.clock import iso_z, utcnow
from shared.data import webhooks as webhooks_data
from shared.data import work_queue
from shared.domain import WebhookAttempt
from shared.jobs.messages import DeliverWebhook
from shared.jobs.registry import handles, settles
from shared.logic import webhooks
from shared.logic.webhook_events import Event, receives
from shared.settings import get_settings
from shared.webhooks import addresses, sender, signing
from shared.webhooks.sender import Outcome

NOTE_EVERY_SECONDS = 60  # last_success_at / last_delivery_at are kept to the minute
POSTS_AT_ONCE = 10  # a batch's POSTs, side by side (the queue's batch size)


def active_webhooks() -> list:
    """Every active webhook (one Query a stream batch): who may receive this batch's events."""
    return [w for w in webhooks_data.list_webhooks(None) if w.is_active]


def fan_out(events: list[Event], active: list) -> int:
    """Queue one delivery per event and active webhook that receives it; returns how many."""
    messages = [DeliverWebhook(w.id, e.id, e.event, json.dumps(e.payload(), separators=(",", ":")))
                for e in events for w in active if receives(w, e)]
    work_queue.send(messages)
    return len(messages)


def _later(message: DeliverWebhook, attempt: int, not_before: int) -> DeliverWebhook:
    return DeliverWebhook(message.webhook_id, message.event_id, message.event, message.payload, attempt=attempt,
                          not_before=not_before)


def _send_delayed(messages: list[DeliverWebhook]) -> None:
    """Each message after its own delay (``not_before``; at most SQS's 15 minutes a hop)."""
    now = int(time.time())
    by_delay: dict[int, list[DeliverWebhook]] = {}
    for m in messages:
        by_delay.setdefault(min(max(0, m.not_before - now), work_queue.MAX_DELAY_SECONDS), []).append(m)
    for delay, same in by_delay.items():
        work_queue.send(same, delay=delay)


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


def _stale(at, now) -> bool:
    """Whether a webhook's last-delivery times are worth writing again. Written on every delivery,
    the item would take a write (and a stream record) per event: a hot key under load."""
    return at is None or (now - at).total_seconds() >= NOTE_EVERY_SECONDS


@lru_cache(maxsize=1)
def _posters() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=POSTS_AT_ONCE, thread_name_prefix="webhook-post")


class _Health:
    """What one batch learnt about one webhook, written once at the end (not once per delivery)."""

    def __init__(self, webhook):
        self.webhook = webhook
        self.succeeded = False
        self.failed_since = None  # set by the batch's first failure
        self.disabled = False

    def failure(self, now):
        """Since when the endpoint has failed every delivery."""
        hook = self.webhook
        if self.failed_since is None:
            self.failed_since = hook.failing_since
            if self.failed_since is None or _stale(hook.last_delivery_at, now):
                self.failed_since = webhooks_data.note_failure(hook.id, now) or now
        return self.failed_since

    def disable(self, reason: str) -> None:
        if not self.disabled:
            self.disabled = webhooks_data.disable(self.webhook.id, reason) or True


def deliver_batch(messages: list[DeliverWebhook]) -> None:
    """Deliver a batch of messages: their webhooks and recorded attempts in two batch reads, the
    POSTs side by side (a slow endpoint holds up no other), the attempts in one batch write, then
    the next attempts queued. Raising sends the whole batch back (attempts not yet recorded are
    POSTed again: at least once)."""
    settings = get_settings()
    delays = settings.webhook_retry_delays
    now_s = time.time()
    chained = [_later(m, m.attempt, m.not_before) for m in messages if m.not_before > now_s + 1]
    due = list({(m.webhook_id, m.event_id, m.attempt): m for m in messages if m.not_before <= now_s + 1}.values())
    hooks = webhooks_data.get_webhooks_and_secrets({m.webhook_id for m in due})
    done = webhooks_data.get_attempts([(m.webhook_id, m.event_id, m.attempt) for m in due])
    follow, todo = list(chained), []
    for m in due:
        webhook, sealed = hooks.get(m.webhook_id, (None, None))
        if webhook is None or (not webhook.is_active and m.event != "ping"):
            continue  # deleted or disabled: nothing to deliver to
        recorded = done.get((m.webhook_id, m.event_id, m.attempt))
        if recorded is not None:  # a redelivered message: only make sure what follows it is queued
            if recorded.status == "retrying":
                follow.append(_later(m, m.attempt + 1, int(recorded.next_retry_at.timestamp())))
            continue
        todo.append((m, webhook, sealed))
    outcomes = list(_posters().map(lambda job: _attempt_once(*job[1:], job[0]), todo))
    health: dict[int, _Health] = {}
    attempts = []
    for (m, webhook, _), outcome in zip(todo, outcomes, strict=True):
        now = utcnow()
        h = health.setdefault(webhook.id, _Health(webhook))
        status, next_delay = "delivered", None
        if m.event == "ping":  # a test says how the endpoint answers; it never retries or disables
            status = "delivered" if outcome.delivered else "failed"
        elif outcome.delivered:
            h.succeeded = True
        elif outcome.status_code == 410:
            status = "failed"
            h.disable(f"The endpoint answered 410 Gone on {iso_z(now)}: deliveries stopped. "
                      "Set is_active to true to resume.")
        else:
            failing_since = h.failure(now)
            if (now - failing_since).total_seconds() >= settings.webhook_disable_after_seconds:
                status = "failed"
                h.disable(f"Every delivery failed since {iso_z(failing_since)} (last: {outcome.error}). "
                          "Set is_active to true to resume.")
            elif m.attempt <= len(delays):
                status, next_delay = "retrying", delays[m.attempt - 1]
            else:
                status = "failed"  # the schedule is spent: given up
        retry_at = now + timedelta(seconds=next_delay) if next_delay is not None else None
        attempts.append(WebhookAttempt(
            webhook_id=webhook.id, delivery_id=m.event_id, event_id=m.event_id, event=m.event, attempt=m.attempt,
            status=status, response_code=outcome.status_code, response_body=outcome.response_body or None,
            error=outcome.error, duration_ms=outcome.duration_ms, next_retry_at=retry_at, attempted_at=now,
            payload=m.payload))
        if retry_at is not None:
            follow.append(_later(m, m.attempt + 1, int(retry_at.timestamp())))
    for h in health.values():
        hook, now = h.webhook, utcnow()
        if h.succeeded and not h.disabled and (hook.failing_since or _stale(hook.last_success_at, now)):
            webhooks_data.note_success(hook.id, now)
    webhooks_data.put_attempts(attempts)  # recorded before what follows them is queued
    _send_delayed(follow)


@handles(DeliverWebhook)
def deliver(message: DeliverWebhook) -> None:
    deliver_batch([message])


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
