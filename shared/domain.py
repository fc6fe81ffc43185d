"""Domain objects: what logic and handlers pass around. Storage models stay in shared/models."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ROLES = ("admin", "user")
PROJECT_STATUSES = ("active", "on_hold", "archived")
CLIENT_STATUSES = ("active", "inactive")
TASK_STATUSES = ("todo", "in_progress", "review", "done", "cancelled")
TASK_PRIORITIES = ("low", "medium", "high", "urgent")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    email: str
    full_name: str | None
    role: str
    timezone: str
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    description: str | None
    user_id: int
    user_role: str  # copied from the user so authenticating costs one read
    token_prefix: str
    token_hash: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the authenticated token and its user."""

    token_id: int
    user_id: int
    role: str
    scopes: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Client:
    id: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    description: str | None
    default_hourly_rate: float | None
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Project:
    id: int
    name: str
    description: str | None
    client_id: int | None
    hourly_rate: float | None
    estimated_hours: float | None
    billable: bool
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Task:
    id: int
    name: str
    description: str | None
    project_id: int
    status: str
    priority: str
    estimated_hours: float | None
    due_date: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Page:
    """One page of a list, with the total the pagination object needs."""

    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 50


def normalize_name(name: str) -> str:
    """The form names are compared in: case-insensitive, whitespace collapsed."""
    return " ".join(name.split()).casefold()


ENTRY_SOURCES = ("manual", "api", "timer", "import", "toggl", "harvest", "clockify", "noko", "csv")


@dataclass(frozen=True)
class TimeEntry:
    id: int
    user_id: int
    project_id: int | None
    task_id: int | None
    start_time: datetime
    end_time: datetime | None
    notes: str | None
    tags: tuple[str, ...]
    billable: bool
    paid: bool
    source: str
    created_at: datetime
    updated_at: datetime

    @property
    def is_active(self) -> bool:
        return self.end_time is None

    @property
    def duration_seconds(self) -> int | None:
        """Derived, never stored from a client."""
        return None if self.end_time is None else int((self.end_time - self.start_time).total_seconds())


@dataclass(frozen=True)
class Span:
    """What a report needs of a stopped entry."""

    project_id: int | None
    billable: bool
    seconds: int


IMPORT_FINAL = ("completed", "partial", "failed")


@dataclass(frozen=True)
class ImportJob:
    id: int
    user_id: int
    type: str
    status: str
    filename: str | None
    object_key: str | None
    message: str | None
    first_entry_id: int | None
    total: int
    processed: int
    successful: int
    failed: int
    skipped: int
    chunks_total: int | None
    chunks_done: int
    created_at: datetime
    completed_at: datetime | None
    projects_created: frozenset[str] = frozenset()
    clients_created: frozenset[str] = frozenset()
    projects_matched: frozenset[str] = frozenset()
    project_ids_created: frozenset[int] = frozenset()
    client_ids_created: frozenset[int] = frozenset()
    task_ids_created: frozenset[int] = frozenset()
    users_not_found: frozenset[str] = frozenset()
    # field_delimiter, day_first, timezone, create_projects, fallback_user, skip_duplicates
    options: dict = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.status in IMPORT_FINAL

    @property
    def percentage(self) -> float:
        if self.status in IMPORT_FINAL:
            return 100.0
        return round(100 * self.processed / self.total, 1) if self.total else 0.0


def final_import_status(successful: int, failed: int) -> str:
    if failed == 0:
        return "completed"
    return "partial" if successful else "failed"


@dataclass(frozen=True)
class ExportJob:
    id: int
    user_id: int
    export_type: str  # gdpr | filtered | backup
    export_format: str  # json | zip | csv
    status: str  # pending | processing | completed | failed
    filters: dict
    filename: str
    object_key: str
    record_count: int | None
    file_size: int | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class RestoreJob:
    id: int
    user_id: int
    source_key: str
    dry_run: bool
    status: str  # pending | processing | completed | failed
    phase: str | None
    cursor: str | None
    backup_info: dict | None
    counts: dict
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    token_id: int | None = None
    problems: list | None = None  # [{"line": n, "message": "..."}] from the whole-file check
    safety_export_id: int | None = None
    rollback_reason: str | None = None
    work: dict | None = None  # what the steps carry between them (never shown)

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed")

    @property
    def rolling_back(self) -> bool:
        return self.rollback_reason is not None
