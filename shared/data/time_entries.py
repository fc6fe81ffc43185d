"""Time entries' access patterns (keys and indexes in shared/models/time_entries.py).

A running timer can be guarded by a ``timer:<user>`` name claimed in the same
transaction as the entry, so two concurrent starts cannot both win.
"""
from __future__ import annotations

from dataclasses import fields as dc_fields
from dataclasses import replace
from datetime import datetime
from itertools import islice
from typing import Iterator

from pynamodb.exceptions import UpdateError

from shared.clock import iso_z, utcnow
from shared.data import counters, search_terms, unique_names
from shared.data.common import (
    BatchWrite,
    is_conditional_failure,
    raw_reader,
    save_versioned,
    transaction,
)
from shared.data.retries import PATIENCE_SECONDS
from shared.data.sharded import BULK, ShardedIndex, shard_key, shard_of
from shared.domain import Page, Span, TimeEntry
from shared.errors import Conflict
from shared.models.base import ORG
from shared.models.time_entries import TimeEntryModel, start_key

_FIELDS = [f.name for f in dc_fields(TimeEntry)]
BY_USER = ShardedIndex(TimeEntryModel.by_user, "start_key")
BY_ORG = ShardedIndex(TimeEntryModel.by_org, "start_key")
BY_PROJECT = ShardedIndex(TimeEntryModel.by_project, "start_key")
BY_IMPORT = ShardedIndex(TimeEntryModel.by_import, "id", numeric=True)
_SHARDED = {"user_key": (BY_USER, "user_id"), "org_key": (BY_ORG, "org"), "project_key": (BY_PROJECT, "project_id"),
            "import_key": (BY_IMPORT, "import_id")}  # each sharded index's key attribute: (index, the field it keys)


class TimerRunning(Conflict):
    def __init__(self):
        super().__init__("A timer is already running; stop it first", "timer_already_running")


def timer_key(user_id: int) -> str:
    return f"timer:{user_id}"


def _to_domain(item: TimeEntryModel) -> TimeEntry:
    values = {n: getattr(item, n) for n in _FIELDS}
    values["tags"] = tuple(item.tags or ())
    return TimeEntry(**values)


_read_raw = raw_reader(TimeEntryModel, _FIELDS)


def _raw_to_domain(raw: dict) -> TimeEntry:
    values = _read_raw(raw)
    values["tags"] = tuple(values["tags"] or ())
    return TimeEntry(**values)


from_stored = _raw_to_domain  # a stream image -> the domain object


def _derive_keys(item: TimeEntryModel, bulk: bool = False) -> None:
    """The index keys, from the fields (a single write goes under shard 00, which every reader reads;
    a bulk write spreads over the shards of keys it has marked wide: shared/data/sharded.py)."""
    item.start_key = start_key(iso_z(item.start_time), item.id)
    item.active_user_id = item.user_id if item.end_time is None else None
    shard = shard_of(item.id, bulk)
    for attr, (_, field) in _SHARDED.items():
        value = getattr(item, field)
        setattr(item, attr, shard_key(value, shard) if value is not None else None)


def upgrade_stored(raw: dict) -> dict:
    """A stored entry (DynamoDB JSON) with the keys of today's indexes. One written before the
    indexes were sharded (an older backup, a local snapshot) has none: it goes under shard 00,
    which every reader reads. A key that names another value than its field (an edited backup)
    is derived again the same way; one that names it keeps its shard (its flag comes back with the
    counters). A field that is missing leaves the item out of that index, as DynamoDB would."""
    upgraded = dict(raw)
    for attr, (_, field) in _SHARDED.items():
        stored = raw.get(field)
        value = stored.get("N", stored.get("S")) if isinstance(stored, dict) else None
        if value is None:
            upgraded.pop(attr, None)  # not in this sparse index
            continue
        key = (raw.get(attr) or {}).get("S", "")
        if key.rpartition("#")[0] != value:
            upgraded[attr] = {"S": shard_key(value, 0)}
    return upgraded


def _texts(entry) -> tuple:
    return (entry.notes, " ".join(entry.tags or ())) if entry is not None else ()


def _reindex(pairs: list[tuple]) -> None:
    """Keep each owner's search words (notes and tags) in step with (before, after) pairs."""
    search_terms.index_texts([("entry", str((after or before).user_id), (after or before).id,
                               _texts(before), _texts(after)) for before, after in pairs])


def new_ids(count: int) -> range:
    return counters.reserve_ids("time_entry", count)


def put_entry(values: dict, *, guard_timer: bool) -> TimeEntry:
    now = utcnow()
    item = TimeEntryModel(new_ids(1)[0], org=ORG, created_at=now, updated_at=now, **values)
    item.tags = list(item.tags or []) or None
    _derive_keys(item)
    try:
        _write_guarded(item, guard_timer)
    except TimerRunning:
        if not _release_stale_guard(item.user_id):
            raise
        _write_guarded(item, guard_timer)
    _reindex([(None, item)])
    return _to_domain(item)


def _write_guarded(item: TimeEntryModel, guard_timer: bool) -> None:
    with transaction([None, TimerRunning]) as t:
        t.save(item, condition=TimeEntryModel.id.does_not_exist())
        if guard_timer:
            unique_names.claim(t, timer_key(item.user_id), item.id)


def _release_stale_guard(user_id: int) -> bool:
    """A guard whose entry is gone or stopped (a crash between writes, a partial restore)
    must not block the user's timers forever."""
    key = timer_key(user_id)
    guarded = unique_names.lookup(key)
    entry = _item(guarded) if guarded is not None else None
    if guarded is None or (entry is not None and entry.end_time is None):
        return False
    return unique_names.release_if_pointing_to(key, guarded)


def _item(entry_id: int) -> TimeEntryModel | None:
    try:
        return TimeEntryModel.get(entry_id, consistent_read=True)
    except TimeEntryModel.DoesNotExist:
        return None


def get_entry(entry_id: int) -> TimeEntry | None:
    item = _item(entry_id)
    return _to_domain(item) if item else None


def get_entries(entry_ids: list[int]) -> list[TimeEntry]:
    return [_to_domain(i) for i in TimeEntryModel.batch_get(entry_ids)]


def update_entry(entry_id: int, changes: dict, *, release_timer: bool = False) -> TimeEntry | None:
    """Apply ``changes``; ``release_timer`` frees the user's timer guard in the same transaction."""
    item = _item(entry_id)
    if item is None:
        return None
    before = _to_domain(item)
    for name, value in changes.items():
        setattr(item, name, (list(value) or None) if name == "tags" else value)
    item.updated_at = utcnow()
    _derive_keys(item)
    if release_timer:
        with transaction([None]) as t:
            t.save(item)  # version-conditioned
            unique_names.release(t, timer_key(item.user_id))
    else:
        save_versioned(item)
    _reindex([(before, item)])
    return _to_domain(item)


def delete_entry(entry: TimeEntry, *, release_timer: bool) -> None:
    with transaction([None]) as t:
        t.delete(TimeEntryModel(entry.id), add_version_condition=False)
        if release_timer:
            unique_names.release(t, timer_key(entry.user_id))
    _reindex([(entry, None)])


def delete_entries(entries: list[TimeEntry]) -> None:
    """Stopped entries only (running ones keep their timer guard); 25 deletes per BatchWriteItem."""
    with BatchWrite(TimeEntryModel) as batch:
        for entry in entries:
            batch.delete(TimeEntryModel(entry.id))
    _reindex([(entry, None) for entry in entries])


def list_import_entries(import_id: int, *, page: int, per_page: int) -> Page:
    return BY_IMPORT.page(import_id, page=page, per_page=per_page, to_domain=_raw_to_domain)


def import_entry_facets(import_id: int) -> tuple[dict[str, int], dict[int, int]]:
    """Tag → entries and project id → entries over an import's entries (a projected Query per shard)."""
    tags: dict[str, int] = {}
    projects: dict[int, int] = {}
    query = BY_IMPORT.query(import_id, TimeEntryModel.from_raw_data, attributes_to_get=["id", "tags", "project_id"])
    for item in query:
        for tag in item.tags or ():
            tags[tag] = tags.get(tag, 0) + 1
        if item.project_id is not None:
            projects[item.project_id] = projects.get(item.project_id, 0) + 1
    return tags, projects


def import_entries_after(import_id: int, after_id: int, limit: int) -> list[TimeEntry]:
    """Up to ``limit`` of the import's entries with ids above ``after_id``, in id order,
    whoever owns them (by-import)."""
    query = BY_IMPORT.query(import_id, _raw_to_domain, range_key_condition=TimeEntryModel.id > after_id,
                            wanted=limit)
    return list(islice(query, limit))


def import_ids_of(ids: list[int]) -> dict[int, int | None]:
    """id -> the import that wrote it (None: not imported), for those of ``ids`` that exist
    (BatchGetItem, reading two attributes)."""
    return {item.id: item.import_id for item in TimeEntryModel.batch_get(
        ids, attributes_to_get=["id", "import_id"])}


def task_has_entries(project_id: int, task_id: int) -> bool:
    """Whether any entry uses the task: its project's entries (by-project), filtered, read
    until the first match (an undo's check, not a request path)."""
    return BY_PROJECT.any(project_id, filter_condition=TimeEntryModel.task_id == task_id)


def project_has_entries(project_id: int) -> bool:
    return BY_PROJECT.any(project_id)


def running_entries(user_id: int) -> list[TimeEntry]:
    """The user's running timers, newest first (Query on the sparse by-active index)."""
    return [_to_domain(i) for i in TimeEntryModel.by_active.query(user_id, scan_index_forward=False)]


def _source(user_id: int | None, project_id: int | None):
    """(index, key, whether project_id still needs a filter): a user's entries (by-user),
    else a project's (by-project), else everyone's (by-org, for admins)."""
    if user_id is not None:
        return BY_USER, user_id, project_id is not None
    if project_id is not None:
        return BY_PROJECT, project_id, False
    return BY_ORG, ORG, False


def _range(start: datetime | None, end: datetime | None):
    # '~' sorts after '#<id>', so an end second is inclusive.
    return TimeEntryModel.start_key.between(iso_z(start) if start else "0", (iso_z(end) if end else "9") + "~")


def _all(conditions: list):
    combined = None
    for c in conditions:
        combined = c if combined is None else combined & c
    return combined


def list_entries(*, user_id: int | None, project_id: int | None, start: datetime | None, end: datetime | None,
                 billable: bool | None, include_active: bool, page: int, per_page: int) -> Page:
    """Newest first; the date range narrows the range key, the rest filters."""
    source, hash_key, filter_project = _source(user_id, project_id)
    filters = [TimeEntryModel.project_id == project_id] if filter_project else []
    if billable is not None:
        filters.append(TimeEntryModel.billable == billable)
    if not include_active:
        filters.append(TimeEntryModel.end_time.exists())
    return source.page(hash_key, page=page, per_page=per_page, to_domain=_raw_to_domain,
                       range_key_condition=_range(start, end), filter_condition=_all(filters), newest_first=True)


def iter_entries(*, user_id: int | None, project_id: int | None = None, start: datetime | None = None,
                 end: datetime | None = None, billable: bool | None = None) -> Iterator[TimeEntry]:
    """Every matching entry, oldest first, read a page (1 MB) at a time: for the export worker,
    whose throttled reads pause and go on from the page they reached."""
    source, hash_key, filter_project = _source(user_id, project_id)
    filters = [TimeEntryModel.project_id == project_id] if filter_project else []
    if billable is not None:
        filters.append(TimeEntryModel.billable == billable)
    yield from source.query(hash_key, _raw_to_domain, range_key_condition=_range(start, end),
                            filter_condition=_all(filters), page_size=_EXPORT_PAGE_ITEMS, patience=PATIENCE_SECONDS)


_EXPORT_PAGE_ITEMS = None  # pages of 1 MB


def spans_in_range(*, user_id: int | None, project_id: int | None, start: datetime, end: datetime) -> Iterator[Span]:
    """Every stopped entry in a range, reading only what a report needs (projection)."""
    source, hash_key, filter_project = _source(user_id, project_id)
    filters = [TimeEntryModel.end_time.exists()]
    if filter_project:
        filters.append(TimeEntryModel.project_id == project_id)
    yield from source.query(hash_key, _raw_to_span, range_key_condition=_range(start, end),
                            filter_condition=_all(filters), attributes_to_get=["start_key", *_SPAN_FIELDS])


_SPAN_FIELDS = ("project_id", "billable", "start_time", "end_time")
_read_span = raw_reader(TimeEntryModel, list(_SPAN_FIELDS))


def _raw_to_span(raw: dict) -> Span:
    values = _read_span(raw)
    return Span(values["project_id"], bool(values["billable"]),
                int((values["end_time"] - values["start_time"]).total_seconds()))


def duplicate_keys(user_id: int, start: datetime, end: datetime) -> dict[tuple, int]:
    """(user, start, end, project, notes) → lowest id, for the user's entries starting in
    [start, end]: by-user's shards, reading only those attributes."""
    found: dict[tuple, int] = {}
    query = BY_USER.query(user_id, TimeEntryModel.from_raw_data, range_key_condition=_range(start, end),
                          attributes_to_get=["start_key", "id", "start_time", "end_time", "project_id", "notes"])
    for item in query:
        key = (user_id, item.start_time, item.end_time, item.project_id, (item.notes or "").strip())
        found[key] = min(found.get(key, item.id), item.id)
    return found


_KEYED = {"user_id", "org", "project_id", "import_id", "start_time", "end_time"}  # what _derive_keys reads


def rewrite_entries(entries: list[TimeEntry], changes_for) -> int:
    """Apply ``changes_for(entry) -> dict`` to each entry with one conditional UpdateItem
    apiece, guarded by existence (a concurrent delete is not resurrected). Returns how many changed."""
    changed = 0
    now = utcnow()
    reindex = []
    for entry in entries:
        changes = changes_for(entry)
        if not changes:
            continue
        if _KEYED & changes.keys():
            raise ValueError(f"{sorted(_KEYED & changes.keys())} derive index keys: change them with update_entry")
        actions = []
        for name, value in changes.items():
            attribute = getattr(TimeEntryModel, name)
            if name == "tags":
                actions.append(attribute.set(list(value)) if value else attribute.remove())
            else:
                actions.append(attribute.set(value))
        actions.append(TimeEntryModel.updated_at.set(now))  # PynamoDB bumps the version itself
        try:
            TimeEntryModel(entry.id).update(actions=actions, condition=TimeEntryModel.id.exists(),
                                            add_version_condition=False)
        except UpdateError as exc:
            if not is_conditional_failure(exc):
                raise
            continue  # deleted meanwhile
        if "tags" in changes or "notes" in changes:
            reindex.append((entry, replace(entry, **changes)))
        changed += 1
    _reindex(reindex)
    return changed


def put_entries(values: list[dict], ids: list[int] | None = None) -> list[TimeEntry]:
    """Write stopped entries in bulk: one counter call reserves every id (unless the caller
    brings ids already reserved: an import's are derived from (import, row), so a retry
    rewrites the same items), BatchWriteItem writes 25 per call, the search postings a few items more."""
    if not values:
        return []
    now = utcnow()
    items = []
    bulk = len(values) >= BULK
    for entry_id, v in zip(ids if ids is not None else new_ids(len(values)), values, strict=True):
        item = TimeEntryModel(entry_id, org=ORG, created_at=now, updated_at=now, **v)
        item.tags = list(item.tags or []) or None
        _derive_keys(item, bulk)
        items.append(item)
    if bulk:  # before any item lands under a shard other than 00
        for index, field in _SHARDED.values():
            index.widen(getattr(item, field) for item in items if getattr(item, field) is not None)
    with BatchWrite(TimeEntryModel) as batch:
        for item in items:
            batch.save(item)
    search_terms.index_bulk("entry", [(str(item.user_id), item.id, _texts(item)) for item in items])
    return [_to_domain(item) for item in items]
