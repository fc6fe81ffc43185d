"""Domain objects as export records (plain dicts, times as ISO 8601 UTC with Z), with
the columns each record type has in CSV. The same shapes as the REST API's."""
from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import lru_cache

from shared.clock import iso_z

# What never leaves the system in an export: a token's hash is a credential.
SECRET_FIELDS = {"token_hash"}
# Import and export jobs: what a person may want to know, not where the files live.
INTERNAL_FIELDS = {"object_key", "options", "first_entry_id", "chunks_total", "chunks_done", "source_key",
                   "fetch_step", "harvest_run"}


@lru_cache(maxsize=None)
def _exported_fields(cls) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in SECRET_FIELDS and f.name not in INTERNAL_FIELDS)


def record(obj) -> dict:
    """A dataclass as a JSON-ready dict (datetimes to ISO Z, sets and tuples to sorted/ordered lists)."""
    assert is_dataclass(obj)
    out = {}
    for name in _exported_fields(type(obj)):
        value = getattr(obj, name)
        if value is None or type(value) in _AS_IS:
            if value is None and name == "filters":
                value = {}  # an export of everything (GDPR, backups) has always shown no filters
        elif isinstance(value, datetime):
            value = iso_z(value)
        elif isinstance(value, frozenset | set):
            value = sorted(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif hasattr(value, "as_record"):  # export filters, import options: as they are stored
            value = value.as_record()
        out[name] = value
    return out


_AS_IS = frozenset((str, int, float, bool))


def entry_record(entry) -> dict:
    values = record(entry)
    seconds = entry.duration_seconds
    values["duration_seconds"] = seconds
    values["duration_hours"] = round(seconds / 3600, 2) if seconds is not None else None
    return values


COLUMNS = {
    "time_entries": ["id", "user_id", "project_id", "task_id", "start_time", "end_time", "duration_seconds",
                     "duration_hours", "notes", "tags", "billable", "paid", "source", "created_at", "updated_at"],
    "projects": ["id", "name", "description", "client_id", "hourly_rate", "estimated_hours", "billable", "status",
                 "created_at", "updated_at"],
    "tasks": ["id", "name", "description", "project_id", "status", "priority", "estimated_hours", "due_date",
              "created_at", "updated_at"],
    "clients": ["id", "name", "email", "company", "phone", "description", "default_hourly_rate", "status",
                "created_at", "updated_at"],
    "tags": ["name", "entries"],
    "imports": ["id", "type", "status", "filename", "total", "successful", "failed", "skipped", "created_at",
                "completed_at"],
    "exports": ["id", "export_type", "export_format", "status", "filename", "record_count", "file_size",
                "created_at", "completed_at", "expires_at"],
    "api_tokens": ["id", "name", "description", "token_prefix", "scopes", "created_at", "expires_at",
                   "last_used_at", "revoked_at"],
    "user_profile": ["id", "username", "email", "full_name", "role", "timezone", "created_at"],
}
