"""Which webhook events a change to stored data makes, and who may receive them.

Pure logic: the dispatcher (functions/webhook_dispatcher) reads DynamoDB Streams, turns
each record's images into domain objects (shared/data/stream_images.py) and asks
``events_of`` what happened; ``payloads`` shapes them with the API's own representation.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from shared.clock import iso_z
from shared.jobs.status import ExportStatus, ImportStatus

EVENTS: dict[str, str] = {
    "time_entry.created": "A time entry was created (by the API, the timer or an import)",
    "time_entry.updated": "A time entry changed; `previous` holds the fields as they were",
    "time_entry.deleted": "A time entry was deleted; `data` is the entry as it was",
    "time_entry.started": "A timer started (a running entry was created)",
    "time_entry.stopped": "A running timer was stopped (also sent as time_entry.updated)",
    "project.created": "A project was created",
    "project.updated": "A project changed; `previous` holds the fields as they were",
    "project.archived": "A project was archived (also sent as project.updated)",
    "project.unarchived": "An archived project became active or on hold again (also sent as project.updated)",
    "task.created": "A task was created",
    "task.updated": "A task changed; `previous` holds the fields as they were",
    "task.status_changed": "A task's status changed (also sent as task.updated)",
    "task.completed": "A task's status became done (also sent as task.status_changed)",
    "client.created": "A client was created",
    "client.updated": "A client changed; `previous` holds the fields as they were",
    "client.deleted": "A client was deleted; `data` is the client as it was",
    "import.completed": "An import finished: `data` holds its counts",
    "import.failed": "An import failed: `data` holds its error",
    "export.completed": "An export is ready to download (through `download_url` with a token)",
    "export.failed": "An export failed: `data` holds its error",
    "webhook.disabled": "One of your webhooks was disabled after failing (`data.disabled_reason` says why)",
    "inventory.movement.created": "Stock moved (a receipt, issue, adjustment, return, waste, or one side of a "
                                  "transfer): `data` is the movement",
    "inventory.low_stock": "A warehouse's stock of an item fell below the item's reorder point: `data` has the "
                           "quantity on hand, the reorder point and the shortfall",
    "ping": "Sent by POST /api/v1/webhooks/{id}/test; no subscription needed",
}
SUBSCRIBABLE = tuple(e for e in EVENTS if e != "ping")
# The kind of thing an event is about is its name without the last part, but for these.
_KIND_OF_EVENT = {"inventory.low_stock": "inventory.level"}
OWNED = {"time_entry", "import", "export", "webhook"}  # the rest (the catalogue) is the organisation's
# Fields that change on every write and say nothing by themselves.
_NOT_CHANGES = {"updated_at", "version"}


@dataclass(frozen=True)
class Change:
    """One stream record: a kind of thing ("time_entry", ...) before and after."""

    kind: str
    record_id: str  # the stream record's eventID: the same on every redelivery
    at: datetime
    old: object | None
    new: object | None


@dataclass(frozen=True)
class Event:
    id: str
    event: str
    created_at: datetime
    owner_id: int | None  # None: anyone may see it
    data: dict
    previous: dict | None

    def payload(self) -> dict:
        body = {"id": self.id, "event": self.event, "created_at": iso_z(self.created_at), "data": self.data}
        if self.previous is not None:
            body["previous"] = self.previous
        return body


def event_id(record_id: str, name: str, at: datetime) -> str:
    """Stable across redeliveries of the same record, ordered by time: evt_<epoch s><16 hex>."""
    digest = hashlib.sha256(f"{record_id}:{name}".encode()).hexdigest()[:16]
    return f"evt_{int(at.timestamp()):010d}{digest}"


def _names(change: Change) -> list[str]:
    kind, old, new = change.kind, change.old, change.new
    if kind.startswith("inventory."):
        return _inventory_names(change)
    if old is None:
        names = [f"{kind}.created"]
        if kind == "time_entry" and new.end_time is None:
            names.append("time_entry.started")
        return names if kind in ("time_entry", "project", "task", "client") else []
    if new is None:
        return [f"{kind}.deleted"] if kind in ("time_entry", "client") else []
    if kind == "time_entry":
        return ["time_entry.updated"] + (["time_entry.stopped"] if old.end_time is None and new.end_time else [])
    if kind == "project":
        was, now = old.status == "archived", new.status == "archived"
        return ["project.updated"] + (["project.archived"] if now and not was else
                                      ["project.unarchived"] if was and not now else [])
    if kind == "task":
        names = ["task.updated"]
        if old.status != new.status:
            names.append("task.status_changed")
            if new.status == "done":
                names.append("task.completed")
        return names
    if kind == "client":
        return ["client.updated"]
    if kind in ("import", "export") and old.status != new.status:
        # An import with some rows refused (partial) completed too: its data says what was refused.
        done = (ImportStatus.COMPLETED, ImportStatus.PARTIAL) if kind == "import" else (ExportStatus.COMPLETED,)
        failed = ImportStatus.FAILED if kind == "import" else ExportStatus.FAILED
        return [f"{kind}.completed"] if new.status in done else [f"{kind}.failed"] if new.status == failed else []
    if kind == "webhook" and old.is_active and not new.is_active and new.disabled_reason:
        return ["webhook.disabled"]
    return []


def _inventory_names(change: Change) -> list[str]:
    if change.kind == "inventory.movement":
        return ["inventory.movement.created"] if change.old is None and change.new is not None else []
    # a level: low once it crosses below its reorder point (not again while it stays low)
    if change.new is not None and change.new.is_low and (change.old is None or not change.old.is_low):
        return ["inventory.low_stock"]
    return []


def events_of(change: Change, present: Callable[[str, object], dict]) -> list[Event]:
    """The events one change makes; ``present(kind, obj)`` is the API's representation."""
    names = _names(change)
    if not names:
        return []
    subject = change.new if change.new is not None else change.old
    data = present(change.kind, subject)
    previous = None
    if change.old is not None and change.new is not None and not change.kind.startswith("inventory."):
        before = present(change.kind, change.old)
        previous = {k: v for k, v in before.items() if k not in _NOT_CHANGES and data.get(k) != v}
        if not previous:  # nothing anyone can see changed (a counter, a version)
            names = [n for n in names if not n.endswith(".updated")]
    owner = getattr(subject, "user_id", None) if change.kind in OWNED else None
    return [Event(event_id(change.record_id, name, change.at), name, change.at, owner, data, previous)
            for name in names]


def event_kind(name: str) -> str:
    """time_entry.created -> time_entry; inventory.movement.created -> inventory.movement."""
    return _KIND_OF_EVENT.get(name) or name.rsplit(".", 1)[0]


def wanted_kinds(webhooks) -> set[str] | None:
    """The kinds of things ("time_entry", ...) some webhook has an event of; None: every kind.
    A batch's records of other kinds are not even read."""
    kinds: set[str] = set()
    for webhook in webhooks:
        if "*" in webhook.events:
            return None
        kinds.update(event_kind(e) for e in webhook.events)
    return kinds


def receives(webhook, event: Event) -> bool:
    """Whether a webhook gets an event: subscribed, active, made before the event, and allowed
    to see its subject."""
    if not webhook.is_active or not webhook.wants(event.event):
        return False
    if event.created_at < webhook.created_at.replace(microsecond=0):  # (streams time records to the second)
        return False  # it happened before the webhook existed
    return event.owner_id is None or webhook.sees_all or webhook.user_id == event.owner_id
