"""Whole tables, item by item, in DynamoDB's typed JSON: what a backup reads and a
restore writes back. Scans live only here, and only the export worker (backups and
restores, never a request) is allowed them (infra/cloud/access.py)."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from shared.data.common import write_batches
from shared.data.upgrades import upgrade
from shared.settings import get_settings


@lru_cache(maxsize=1)
def _ddb():
    import boto3

    return boto3.client("dynamodb", region_name=get_settings().region)


@lru_cache(maxsize=None)
def key_names(logical: str) -> tuple[str, ...]:
    from shared.models import all_models

    model = all_models()[logical]
    return tuple(k["AttributeName"] for k in model._get_schema()["key_schema"])


def scan_page(logical: str, start_key: dict | None = None, keys_only: bool = False) -> tuple[list[dict], dict | None]:
    """One Scan page (up to 1 MB) of a table: (items, the key to continue from or None)."""
    args: dict = {"TableName": get_settings().table(logical)}
    if start_key:
        args["ExclusiveStartKey"] = start_key
    if keys_only:
        names = key_names(logical)
        args["ProjectionExpression"] = ", ".join(f"#k{i}" for i in range(len(names)))
        args["ExpressionAttributeNames"] = {f"#k{i}": n for i, n in enumerate(names)}
    page = _ddb().scan(**args)
    return page.get("Items", []), page.get("LastEvaluatedKey")


def all_items(logical: str, keys_only: bool = False) -> Iterator[dict]:
    start = None
    while True:
        items, start = scan_page(logical, start, keys_only)
        yield from items
        if not start:
            return


def _write(logical: str, requests: list[dict]) -> None:
    write_batches(get_settings().table(logical), requests)


def put_items(logical: str, items: list[dict]) -> None:
    """Written as this code writes them (an older backup's items upgraded: shared/data/upgrades.py)."""
    _write(logical, [{"PutRequest": {"Item": upgrade(logical, item)}} for item in items])


def delete_items(logical: str, items: list[dict]) -> None:
    names = key_names(logical)
    _write(logical, [{"DeleteRequest": {"Key": {n: item[n] for n in names}}} for item in items])


def key_of(logical: str, item: dict) -> tuple:
    return tuple(next(iter(item[n].values())) for n in key_names(logical))


def shape(logical: str):
    """What a restore checks an item of this table against: key names and declared types."""
    from shared.exports.backup_check import TableShape
    from shared.models import all_models

    attributes = all_models()[logical].get_attributes().values()
    return TableShape(keys=key_names(logical), types={a.attr_name: a.attr_type for a in attributes})


def get_item(logical: str, key: dict) -> dict | None:
    """One item in typed JSON (consistent read), or None."""
    return _ddb().get_item(TableName=get_settings().table(logical), Key=key, ConsistentRead=True).get("Item")
