"""Time entries: a user's own records (admins may act on anyone's).

Durations are derived from start and end, never taken from the client. Times are
parsed with the caller's time zone when they carry no offset.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from shared.data import projects as projects_data
from shared.data import tasks as tasks_data
from shared.data import time_entries as entries_data
from shared.data import users as users_data
from shared.domain import Page, Principal, TimeEntry
from shared.errors import Forbidden, NotFound, ValidationFailed
from shared.logic.ownership import may_see, whose
from shared.logic.paging import Paging
from shared.logic.timeparse import Zone, parse_bound, parse_datetime
from shared.settings import get_settings

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def user_zone(user_id: int) -> Zone:
    """The user's time zone, read only if a naive time needs it."""
    @cache
    def zone() -> str:
        user = users_data.get_user(user_id)
        return user.timezone if user else "UTC"

    return zone


def normalize_tags(tags: str | list[str] | None) -> tuple[str, ...]:
    """"development, frontend" or ["development", "frontend"] → ("development", "frontend"), de-duplicated."""
    if tags is None:
        return ()
    raw = tags.split(",") if isinstance(tags, str) else tags
    seen: dict[str, str] = {}
    for tag in (t.strip() for t in raw):
        if tag and tag.casefold() not in seen:
            if len(tag) > MAX_TAG_LENGTH:
                raise ValidationFailed.field("tags", f"Tags are at most {MAX_TAG_LENGTH} characters")
            seen[tag.casefold()] = tag
    if len(seen) > MAX_TAGS:
        raise ValidationFailed.field("tags", f"At most {MAX_TAGS} tags per entry")
    return tuple(seen.values())


def check_project_and_task(project_id: int | None, task_id: int | None, field: str = "project_id") -> None:
    """The project must exist and not be archived; the task must belong to it."""
    if project_id is None:
        if task_id is not None:
            raise ValidationFailed.field("task_id", "A task needs its project_id")
        return
    project = projects_data.get_project(project_id)
    if project is None:
        raise ValidationFailed.field(field, f"Project {project_id} not found")
    if project.status == "archived":
        raise ValidationFailed.field(field, f"Project {project_id} is archived")
    if task_id is not None:
        task = tasks_data.get_task(task_id)
        if task is None or task.project_id != project_id:
            raise ValidationFailed.field("task_id", f"Task {task_id} does not belong to project {project_id}")


def _owner(principal: Principal, requested: int | None) -> int:
    """Whose entry this is: one's own, or (admins) anyone's."""
    if requested is None or requested == principal.user_id:
        return principal.user_id
    if not principal.is_admin:
        raise Forbidden("Only admins may act on other users' time entries")
    if users_data.get_user(requested) is None:
        raise ValidationFailed.field("user_id", f"User {requested} not found")
    return requested


def _when(value: str | datetime, zone: Zone, field: str) -> datetime:
    return value if isinstance(value, datetime) else parse_datetime(value, zone, field)


def _check_order(start: datetime, end: datetime | None) -> None:
    if end is not None and end < start:
        raise ValidationFailed.field("end_time", "end_time must not be before start_time")


def _visible(principal: Principal, entry_id: int) -> TimeEntry:
    """The entry if the caller may see it; someone else's is a 404, so ids reveal nothing."""
    entry = entries_data.get_entry(entry_id)
    if entry is None or not may_see(principal, entry.user_id):
        raise NotFound(f"Time entry {entry_id} not found")
    return entry


@dataclass(frozen=True)
class EntryFilters:
    user_id: int | None = None
    project_id: int | None = None
    start_date: str | None = None
    end_date: str | None = None
    billable: bool | None = None
    include_active: bool = False


def list_time_entries(principal: Principal, filters: EntryFilters, paging: Paging) -> Page:
    user_id = whose(principal, filters.user_id, "time entries")
    zone = user_zone(principal.user_id)
    start = parse_bound(filters.start_date, zone, "start_date", end=False) if filters.start_date else None
    end = parse_bound(filters.end_date, zone, "end_date", end=True) if filters.end_date else None
    if start and end and end < start:
        raise ValidationFailed.field("end_date", "end_date must not be before start_date")
    return entries_data.list_entries(user_id=user_id, project_id=filters.project_id, start=start, end=end,
                                     billable=filters.billable, include_active=filters.include_active,
                                     page=paging.page, per_page=paging.per_page)


def get_time_entry(principal: Principal, entry_id: int) -> TimeEntry:
    return _visible(principal, entry_id)


def create_time_entry(principal: Principal, values: dict, source: str = "api") -> TimeEntry:
    """Without end_time the entry is a running timer (one per user unless settings allow more)."""
    owner = _owner(principal, values.get("user_id"))
    zone = user_zone(owner)
    start = _when(values["start_time"], zone, "start_time")
    end = _when(values["end_time"], zone, "end_time") if values.get("end_time") else None
    _check_order(start, end)
    check_project_and_task(values.get("project_id"), values.get("task_id"))
    running = end is None
    return entries_data.put_entry({
        "user_id": owner,
        "project_id": values.get("project_id"),
        "task_id": values.get("task_id"),
        "start_time": start,
        "end_time": end,
        "notes": values.get("notes"),
        "tags": list(normalize_tags(values.get("tags"))),
        "billable": values.get("billable", True),
        "paid": values.get("paid", False),
        "source": source,
    }, guard_timer=running and not get_settings().allow_multiple_timers)


def update_time_entry(principal: Principal, entry_id: int, changes: dict) -> TimeEntry:
    entry = _visible(principal, entry_id)
    zone = user_zone(entry.user_id)
    updates: dict = {}
    for field in ("notes", "billable", "paid", "project_id", "task_id"):
        if field in changes:
            updates[field] = changes[field]
    if "tags" in changes:
        updates["tags"] = list(normalize_tags(changes["tags"]))
    if "start_time" in changes:
        if changes["start_time"] is None:
            raise ValidationFailed.field("start_time", "start_time cannot be removed")
        updates["start_time"] = _when(changes["start_time"], zone, "start_time")
    if "end_time" in changes:
        if changes["end_time"] is None and not entry.is_active:
            raise ValidationFailed.field("end_time", "A stopped entry cannot be restarted; create a new one")
        updates["end_time"] = _when(changes["end_time"], zone, "end_time") if changes["end_time"] else None
    _check_order(updates.get("start_time", entry.start_time), updates.get("end_time", entry.end_time))
    if "project_id" in updates or "task_id" in updates:
        check_project_and_task(updates.get("project_id", entry.project_id), updates.get("task_id", entry.task_id))
    stops_timer = entry.is_active and updates.get("end_time") is not None
    updated = entries_data.update_entry(entry_id, updates,
                                        release_timer=stops_timer and not get_settings().allow_multiple_timers)
    if updated is None:
        raise NotFound(f"Time entry {entry_id} not found")
    return updated


def delete_time_entry(principal: Principal, entry_id: int) -> None:
    entry = _visible(principal, entry_id)
    entries_data.delete_entry(entry, release_timer=entry.is_active and not get_settings().allow_multiple_timers)


BULK_ACTIONS = ("delete", "set_billable", "set_paid", "add_tag", "remove_tag")
MAX_BULK_IDS = 500


def _bulk_changes(action: str, value):
    """The per-entry change function for a bulk action (value already validated)."""
    if action in ("set_billable", "set_paid"):
        field = action.removeprefix("set_")
        return lambda e: {field: value} if getattr(e, field) != value else {}
    if action == "add_tag":
        return lambda e: {} if value.casefold() in {t.casefold() for t in e.tags} else {"tags": e.tags + (value,)}
    return lambda e: ({"tags": tuple(t for t in e.tags if t.casefold() != value.casefold())}
                      if value.casefold() in {t.casefold() for t in e.tags} else {})


def bulk_update_time_entries(principal: Principal, entry_ids: list[int], action: str, value) -> tuple[int, int]:
    """(affected, skipped). Running entries are skipped; another user's entry is treated
    exactly like one that does not exist (ignored), so the answer never reveals it exists;
    no matching entry at all is a 404."""
    ids = list(dict.fromkeys(entry_ids))
    if not ids:
        raise ValidationFailed.field("entry_ids", "Give at least one id")
    if len(ids) > MAX_BULK_IDS:
        raise ValidationFailed.field("entry_ids", f"At most {MAX_BULK_IDS} ids per call")
    if action in ("set_billable", "set_paid") and not isinstance(value, bool):
        raise ValidationFailed.field("value", f"{action} needs a boolean value")
    if action in ("add_tag", "remove_tag"):
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed.field("value", f"{action} needs a tag")
        value = normalize_tags([value])[0]
    entries = [e for e in entries_data.get_entries(ids) if principal.is_admin or e.user_id == principal.user_id]
    if not entries:
        raise NotFound("None of the given time entries exist")
    stopped = [e for e in entries if not e.is_active]
    skipped = len(entries) - len(stopped)
    if action == "delete":
        entries_data.delete_entries(stopped)
        return len(stopped), skipped
    changes_for = _bulk_changes(action, value)
    entries_data.rewrite_entries(stopped, changes_for)
    return len(stopped), skipped
