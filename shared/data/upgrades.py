"""Stored items brought up to today's shape as they are written back whole: a restore of an
older backup and a local snapshot hold items from before a data-model change (time entries
before their indexes were sharded carry no shard keys, and would be in no list)."""
from __future__ import annotations

from shared.settings import get_settings


def upgrade(logical: str, item: dict) -> dict:
    """``item`` (DynamoDB JSON) as this code writes it; items of other tables as they are."""
    if logical == "time_entries":
        from shared.data.time_entries import upgrade_stored

        return upgrade_stored(item)
    return item


def logical_name(physical: str) -> str | None:
    return next((logical for logical, name in get_settings().tables.items() if name == physical), None)
