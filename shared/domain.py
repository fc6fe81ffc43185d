"""Domain objects: what logic and handlers pass around. Storage models stay in shared/models."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from shared.jobs.status import IMPORT_FINAL, RESTORE_FINAL, BackupStatus, ExportStatus, ImportStatus, RestoreStatus

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
    source_id: str | None = None  # imported from an API: the entry there ("toggl:<workspace>:<id>")

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


SKIP = "skip"  # fallback_user: null — rows of users who are not found are skipped


@dataclass(frozen=True)
class ImportOptions:
    """What an import was asked to do; the defaults live here and nowhere else."""

    field_delimiter: str | None = None  # None: sniffed from the file
    day_first: bool | None = None  # None: settled by the whole file
    timezone: str | None = None  # for times without an offset; None: the user's
    create_projects: bool = True  # False rejects rows naming a project that does not exist
    fallback_user: int | str | None = None  # rows of users not found: None the importer, a user id, or SKIP
    skip_duplicates: bool = False

    def as_record(self) -> dict:
        """What differs from the defaults (as import records have always stored it)."""
        default = ImportOptions()
        return {k: v for k, v in asdict(self).items() if v != getattr(default, k)}

    @classmethod
    def from_record(cls, record: dict) -> ImportOptions:
        known = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("fallback_user"), float | int) and not isinstance(known["fallback_user"], bool):
            known["fallback_user"] = int(known["fallback_user"])  # DynamoDB numbers come back as floats
        return cls(**known)


@dataclass(frozen=True)
class ImportJob:
    id: int
    user_id: int
    type: str
    status: ImportStatus
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
    options: ImportOptions = ImportOptions()
    fetch_step: int = 0
    source_total: int | None = None  # what an API source says it holds, while pages arrive
    resumes_at: datetime | None = None  # while waiting for a source's quota

    @property
    def finished(self) -> bool:
        return self.status in IMPORT_FINAL

    @property
    def percentage(self) -> float:
        if self.status in IMPORT_FINAL:
            return 100.0
        whole = max(self.total, self.source_total or 0)
        return min(100.0, round(100 * self.processed / whole, 1)) if whole else 0.0


@dataclass(frozen=True)
class ExportFilters:
    """The guide's filters; dates are days in the caller's time zone, both inclusive."""

    include_time_entries: bool = True
    include_projects: bool = False
    start_date: date | None = None
    end_date: date | None = None
    project_id: int | None = None
    billable_only: bool = False
    user_id: int | None = None  # admins: one user's entries (default: everyone's); others: their own

    def as_record(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_record(cls, record: dict) -> ExportFilters:
        values = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        for name in ("start_date", "end_date"):
            if values.get(name):
                values[name] = date.fromisoformat(values[name])
        for name in ("project_id", "user_id"):
            if values.get(name) is not None:
                values[name] = int(values[name])
        return cls(**values)


@dataclass(frozen=True)
class ExportJob:
    id: int
    user_id: int
    export_type: str  # gdpr | filtered | backup
    export_format: str  # json | zip | csv
    status: ExportStatus
    filters: ExportFilters | None  # None: an export of everything (GDPR, backups)
    filename: str
    object_key: str
    record_count: int | None
    file_size: int | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime | None
    harvest_run: int | None = None  # export_type harvest_backup: the run it zips


@dataclass(frozen=True)
class HarvestConnection:
    """An admin's stored Harvest token (sealed; never in this object) and its schedule."""

    id: int
    user_id: int
    schedule: str  # daily | weekly | manual
    hour: int
    accounts: frozenset[int]
    created_at: datetime
    last_run_id: int | None
    last_run_at: datetime | None
    previous: dict  # account (str) -> the last completed run's prefix in the bucket


@dataclass(frozen=True)
class BackupRun:
    id: int
    user_id: int
    connection_id: int
    trigger: str  # schedule | manual
    status: BackupStatus
    run_date: str | None
    accounts: frozenset[int]
    parts_total: int | None
    parts_done: int
    items: int
    files: int
    bytes: int
    skipped: int
    message: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class RestoreJob:
    id: int
    user_id: int
    source_key: str
    dry_run: bool
    status: RestoreStatus
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
        return self.status in RESTORE_FINAL

    @property
    def rolling_back(self) -> bool:
        return self.rollback_reason is not None


@dataclass(frozen=True)
class Webhook:
    """A subscription: which events go to which URL. Its secrets are sealed, never in here."""

    id: int
    user_id: int
    sees_all: bool  # an admin's: events on everyone's data
    name: str
    url: str
    events: tuple[str, ...]
    description: str | None
    is_active: bool
    disabled_reason: str | None
    failing_since: datetime | None
    last_delivery_at: datetime | None
    last_success_at: datetime | None
    secret_rotated_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events


@dataclass(frozen=True)
class WebhookAttempt:
    """One attempt to deliver one event to one webhook."""

    webhook_id: int
    delivery_id: str
    event_id: str
    event: str
    attempt: int
    status: str  # delivered | retrying | failed
    response_code: int | None
    response_body: str | None
    error: str | None
    duration_ms: int
    next_retry_at: datetime | None
    attempted_at: datetime
    payload: str
