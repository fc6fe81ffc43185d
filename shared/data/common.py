"""Plumbing every data module shares: the connections, paging, error translation."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from itertools import islice

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.data.retries import PATIENCE_SECONDS, is_transient, pause
from shared.domain import Page
from shared.errors import Conflict
from shared.settings import get_settings


@lru_cache(maxsize=1)
def connection() -> Connection:
    return Connection(region=get_settings().region)


@lru_cache(maxsize=1)
def dynamodb_client():
    """The low-level client, for the few calls PynamoDB cannot express (dynamic attribute names)."""
    return connection().client


WRITE_BATCH = 25  # BatchWriteItem's limit


def write_batches(table_name: str, requests: list[dict], patience: float = PATIENCE_SECONDS) -> None:
    """BatchWriteItem, 25 requests a call: what DynamoDB leaves unprocessed, or refuses with a
    throttling error, is sent again after exponential backoff with full jitter, until written or
    ``patience`` runs out (then the last error is raised, and the caller's work is retried whole;
    every write here is a put or a delete of a known key, so writing it twice changes nothing)."""
    import time

    from botocore.exceptions import ClientError

    client = dynamodb_client()
    for start in range(0, len(requests), WRITE_BATCH):
        pending = {table_name: requests[start:start + WRITE_BATCH]}
        deadline, attempt = time.monotonic() + patience, 0
        while pending:
            try:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            except ClientError as exc:
                if not is_transient(exc) or time.monotonic() > deadline:
                    raise
            else:
                if pending and time.monotonic() > deadline:
                    raise RuntimeError(f"DynamoDB kept {len(pending[table_name])} writes to {table_name} "
                                       f"unprocessed for {patience:.0f} s")
                if not pending:
                    break
            attempt += 1
            pause(attempt)


class BatchWrite:
    """PynamoDB's BatchWrite interface (save, delete; written on leaving the block) on
    write_batches: unprocessed and throttled writes are retried until written, not dropped
    after three tries."""

    def __init__(self, model):
        self.model = model
        self.requests: list[dict] = []

    def __enter__(self):
        return self

    def save(self, item) -> None:
        self.requests.append({"PutRequest": {"Item": item.serialize()}})

    def delete(self, item) -> None:
        keys = [type(item)._hash_key_attribute().attr_name]
        if type(item)._range_key_attribute() is not None:
            keys.append(type(item)._range_key_attribute().attr_name)
        values = item.serialize(null_check=False)
        self.requests.append({"DeleteRequest": {"Key": {k: values[k] for k in keys}}})

    def __exit__(self, kind, value, traceback):
        if kind is None:
            write_batches(self.model.Meta.table_name, self.requests)
        return False


def _number(text: str):
    """What NumberAttribute.deserialize (json.loads) gives for DynamoDB's canonical numbers, faster."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def _reader(attr):
    """The attribute's deserialiser, taking its wire value; the common scalar types read directly."""
    if type(attr) is NumberAttribute:
        return lambda value: _number(value["N"])
    if type(attr) is UnicodeAttribute:
        return lambda value: value["S"]
    if type(attr) is BooleanAttribute:
        return lambda value: value["BOOL"]
    if type(attr) is ListAttribute and attr.element_type is UnicodeAttribute:
        return lambda value: [v.get("S") for v in value["L"]]  # a NULL element reads as None, as in PynamoDB
    if type(attr) is UTCDateTimeAttribute:  # stored as PynamoDB writes them: 2024-01-15T14:30:00.000000+0000
        return lambda value: datetime.fromisoformat(value["S"])
    return lambda value: attr.deserialize(attr.get_value(value))


def raw_reader(model, fields: list[str]):
    """A function from a stored item's attribute values to {field: value}, with the model's
    own deserialisers and defaults, as PynamoDB would have set them."""
    attributes = [(name, attr.attr_name, _reader(attr), attr.default)
                  for name, attr in model.get_attributes().items() if name in fields]

    def read(raw: dict) -> dict:
        values = {}
        for name, stored_as, deserialize, default in attributes:
            value = raw.get(stored_as)
            if value is None or "NULL" in value:
                values[name] = default() if callable(default) else default
            else:
                values[name] = deserialize(value)
        return values

    return read


def fetch_page(source, hash_key, *, page: int, per_page: int, to_domain, range_key_condition=None,
               filter_condition=None, newest_first: bool = False) -> Page:
    """One page of a Query on ``source`` (a model or an index), in range-key order.

    DynamoDB has no offset: the total comes from a COUNT query and the page from
    reading past the earlier items, so page N costs reading N pages. The contract's
    page/per_page/total shape asks for it; lists stay Queries on a key, and date
    ranges (time entries) narrow them on the range key first.
    """
    conditions = {"range_key_condition": range_key_condition, "filter_condition": filter_condition}
    total = source.count(hash_key, **conditions)
    offset = (page - 1) * per_page
    items: list = []
    if offset < total:
        query = source.query(hash_key, scan_index_forward=not newest_first,
                             page_size=min(offset + per_page, 500), **conditions)
        items = [to_domain(i) for i in islice(query, offset, offset + per_page)]
    return Page(items=items, total=total, page=page, per_page=per_page)


def is_conditional_failure(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


@contextmanager
def transaction(conflicts: list[Conflict | type[Conflict] | None]):
    """A TransactWrite whose condition failures become the Conflict given for that
    operation's position: an instance made for this call, or a Conflict subclass raised
    afresh (never a shared instance, whose traceback would grow with every raise);
    None = not the caller's fault: a concurrent update."""
    try:
        with TransactWrite(connection=connection()) as t:
            yield t
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        for i, reason in enumerate(reasons):
            if reason is not None and reason.code == "ConditionalCheckFailed":
                known = conflicts[i] if i < len(conflicts) else None
                if isinstance(known, type):
                    known = known()
                raise known or Conflict("The record was modified concurrently; retry", "concurrent_update") from exc
        if any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
            raise TransactionConflict() from exc  # another transaction held one of the items: retry
        raise


class TransactionConflict(Conflict):
    """DynamoDB cancelled the transaction because another one was writing one of its items."""

    def __init__(self):
        super().__init__("The record was modified concurrently; retry", "concurrent_update")


def save_versioned(item) -> None:
    """PutItem guarded by the item's version: a lost race is a 409, not a silent overwrite."""
    try:
        item.save()
    except (PutError, UpdateError) as exc:
        if is_conditional_failure(exc):
            raise Conflict("The record was modified concurrently; retry", "concurrent_update") from exc
        raise


def update_if(item, actions: list, condition) -> bool:
    """One UpdateItem applied only under ``condition``; False (and nothing written) when it fails."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True
