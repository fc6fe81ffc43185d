"""Every kind of queue message, as a frozen dataclass that knows its kind and its queue.

On the wire a message is its fields plus ``"kind"`` (JSON), as the queues have always
carried them. ``decode`` refuses what no class here describes (UnknownMessage).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import ClassVar

from shared.settings import QUEUE_ENV


class UnknownMessage(ValueError):
    """A body no message class describes: no retry can help."""


_KINDS: dict[str, type[Message]] = {}


@dataclass(frozen=True)
class Message:
    KIND: ClassVar[str]
    QUEUE: ClassVar[str]  # a logical queue name (shared/settings.py QUEUE_ENV)
    JOB: ClassVar[str]  # the job it works for, for people: a template of its fields

    def __init_subclass__(cls, *, kind: str, queue: str, job: str, **kwargs):
        super().__init_subclass__(**kwargs)
        if queue not in QUEUE_ENV or kind in _KINDS:
            raise TypeError(f"{cls.__name__}: unknown queue {queue!r} or a second {kind!r}")
        cls.KIND, cls.QUEUE, cls.JOB = kind, queue, job
        _KINDS[kind] = cls

    @property
    def job(self) -> str:
        """The job it works for, for people: "import 12 (chunk 3)"."""
        return self.JOB.format(**asdict(self))

    def encode(self) -> str:
        return json.dumps({"kind": self.KIND, **asdict(self)}, separators=(",", ":"))


def decode(body: str | bytes | dict) -> Message:
    data = body if isinstance(body, dict) else json.loads(body)
    if not isinstance(data, dict) or data.get("kind") not in _KINDS:
        raise UnknownMessage(f"Not a message of this system: {str(body)[:200]}")
    cls = _KINDS[data["kind"]]
    names = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in names})
    except TypeError as exc:
        raise UnknownMessage(f"A {cls.KIND} message without its fields: {exc}") from None


def describe(body: str) -> str:
    """The job a raw message body works for, for a log line; never raises."""
    try:
        return decode(body).job
    except (UnknownMessage, ValueError, KeyError):
        return f"an unknown message ({body[:80]!r})"


def message_types() -> tuple[type[Message], ...]:
    return tuple(_KINDS.values())


# -- imports (shared/logic/import_steps.py) ------------------------------------------
@dataclass(frozen=True)
class SplitImport(Message, kind="split", queue="imports", job="import {import_id} (split)"):
    """Read the uploaded file once and queue its chunks."""

    import_id: int


@dataclass(frozen=True)
class ImportChunk(Message, kind="chunk", queue="imports", job="import {import_id} (chunk {chunk})"):
    """Write one chunk of rows (an S3 object the split wrote)."""

    import_id: int
    chunk: int
    dialect: str
    rows_key: str
    day_first: bool | None = None


@dataclass(frozen=True)
class FetchSource(Message, kind="fetch", queue="imports", job="import {import_id} (fetch step {step})"):
    """Fetch a bounded number of pages from a service's API (Toggl, Harvest) from ``cursor``
    (JSON, the source's own paging state), queue their rows as chunks, and the next step."""

    import_id: int
    step: int = 0
    cursor: str = ""


@dataclass(frozen=True)
class UndoImport(Message, kind="undo", queue="imports", job="undo of import {import_id} (after entry {offset})"):
    """Delete one block of an import's entries, those with ids above ``offset``."""

    import_id: int
    offset: int = 0


# -- exports and restores (shared/logic/export_builds.py, restores.py) -----------------
@dataclass(frozen=True)
class BuildExport(Message, kind="export", queue="exports", job="export {export_id}"):
    """Build one export's file."""

    export_id: int


@dataclass(frozen=True)
class HarvestBackupRun(Message, kind="harvest_run", queue="exports", job="Harvest backup run {run_id}"):
    """Start a Harvest backup run: discover the accounts, queue one step per account and endpoint."""

    run_id: int


@dataclass(frozen=True)
class HarvestBackupStep(Message, kind="harvest_step", queue="exports",
                        job="Harvest backup run {run_id} (account {account}, {folder}, part {part})"):
    """Back up one endpoint of one account: a bounded number of pages from ``url`` (empty: the
    first), continued by the next part; the last part writes list.json, sub-resources, PDFs."""

    run_id: int
    account: int
    folder: str
    url: str = ""
    part: int = 0


@dataclass(frozen=True)
class RestoreStep(Message, kind="restore", queue="exports", job="restore {restore_id}"):
    """Run the restore's step at ``cursor`` (JSON; a stale cursor re-queues the current one)."""

    restore_id: int
    cursor: str

    @property
    def job(self) -> str:
        return f"restore {self.restore_id} ({json.loads(self.cursor).get('phase', '?')} step)"


# -- webhooks (shared/logic/webhook_delivery.py) ---------------------------------------
@dataclass(frozen=True)
class DeliverWebhook(Message, kind="webhook", queue="webhooks",
                     job="webhook {webhook_id}: {event} {event_id} (attempt {attempt})"):
    """POST one event to one webhook. ``payload`` is the JSON body (the same on every attempt);
    ``not_before`` (epoch seconds) chains retry delays longer than SQS's 15 minutes."""

    webhook_id: int
    event_id: str
    event: str
    payload: str
    attempt: int = 1
    not_before: int = 0
