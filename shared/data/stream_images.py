"""DynamoDB Streams records as domain objects: which table a record comes from, what kind
of thing it holds, and its old and new images read with each aggregate's own reader."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _readers() -> dict[str, tuple[str, Callable[[dict], object]]]:
    from shared.data import clients, exports, imports, projects, stock, tasks, time_entries, webhooks

    by_logical = {"time_entries": ("time_entry", time_entries.from_stored),
                  "projects": ("project", projects.from_stored), "tasks": ("task", tasks.from_stored),
                  "clients": ("client", clients.from_stored), "imports": ("import", imports.from_stored),
                  "exports": ("export", exports.from_stored), "webhooks": ("webhook", webhooks.from_stored),
                  "stock_movements": ("inventory.movement", stock.movement_from_stored),
                  "stock_levels": ("inventory.level", stock.level_from_stored)}
    return {get_settings().table(logical): reader for logical, reader in by_logical.items()}


def table_of(event_source_arn: str) -> str:
    """arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label> -> <name>."""
    return event_source_arn.split(":table/", 1)[-1].split("/", 1)[0]


def kind_of(record: dict) -> str | None:
    """What kind of thing a stream record holds ("time_entry", ...), before reading its images."""
    reader = _readers().get(table_of(record.get("eventSourceARN", "")))
    return reader[0] if reader else None


def read(record: dict) -> tuple[str, str, datetime, object | None, object | None] | None:
    """(kind, record id, when, old, new) of one stream record, or None for a table no event
    comes from."""
    reader = _readers().get(table_of(record.get("eventSourceARN", "")))
    if reader is None:
        return None
    kind, from_stored = reader
    change = record["dynamodb"]
    old, new = change.get("OldImage"), change.get("NewImage")
    at = datetime.fromtimestamp(float(change.get("ApproximateCreationDateTime") or 0), timezone.utc)
    return (kind, record["eventID"], at, from_stored(old) if old else None, from_stored(new) if new else None)
