"""Job statuses and the only transitions between them.

The data layer writes a status only through ``jobs.move`` (shared/data/jobs.py), whose
conditional update allows exactly the sources this table lists for the target: a
transition the table lacks is a bug and raises IllegalTransition before anything is
written; a record found in another state (a late redelivery, a race lost) is no bug
and just leaves it unchanged.
"""
from __future__ import annotations

from enum import StrEnum


class IllegalTransition(RuntimeError):
    """Code asked for a move the status table does not allow."""


class ImportStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    WAITING = "waiting"  # an import from an API whose quota is spent: resumes at resumes_at
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    UNDOING = "undoing"
    UNDONE = "undone"


class ExportStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class RestoreStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


class BackupStatus(StrEnum):
    """A scheduled (or started) Harvest backup run."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


JobStatus = ImportStatus | ExportStatus | RestoreStatus | BackupStatus

# Per kind, target <- the statuses it may be reached from. One table per enum: members of
# different enums with the same value are equal (they are strings), so they cannot share a dict.
_I, _E, _R, _B = ImportStatus, ExportStatus, RestoreStatus, BackupStatus
TRANSITIONS: dict[type, dict[JobStatus, frozenset[JobStatus]]] = {
    ImportStatus: {
        _I.PROCESSING: frozenset({_I.PENDING, _I.WAITING}),
        _I.WAITING: frozenset({_I.PROCESSING}),
        _I.COMPLETED: frozenset({_I.PROCESSING}),
        _I.PARTIAL: frozenset({_I.PROCESSING}),
        _I.FAILED: frozenset({_I.PENDING, _I.PROCESSING, _I.WAITING}),
        _I.UNDOING: frozenset({_I.COMPLETED, _I.PARTIAL, _I.FAILED}),
        _I.UNDONE: frozenset({_I.UNDOING}),
    },
    ExportStatus: {  # a retried export starts again from processing
        _E.PROCESSING: frozenset({_E.PENDING, _E.PROCESSING}),
        _E.COMPLETED: frozenset({_E.PROCESSING}),
        _E.FAILED: frozenset({_E.PENDING, _E.PROCESSING}),
    },
    BackupStatus: {
        _B.PROCESSING: frozenset({_B.PENDING}),
        _B.COMPLETED: frozenset({_B.PROCESSING}),
        _B.FAILED: frozenset({_B.PENDING, _B.PROCESSING}),
    },
    RestoreStatus: {  # a restore moves on step by step; a dry run may end at its first step
        _R.PROCESSING: frozenset({_R.PENDING, _R.PROCESSING}),
        _R.COMPLETED: frozenset({_R.PENDING, _R.PROCESSING}),
        _R.FAILED: frozenset({_R.PENDING, _R.PROCESSING}),
    },
}

IMPORT_FINAL = (_I.COMPLETED, _I.PARTIAL, _I.FAILED)
EXPORT_FINAL = (_E.COMPLETED, _E.FAILED)
RESTORE_FINAL = (_R.COMPLETED, _R.FAILED)
IMPORT_ACTIVE = (_I.PENDING, _I.PROCESSING, _I.WAITING)
EXPORT_ACTIVE = (_E.PENDING, _E.PROCESSING)
RESTORE_ACTIVE = (_R.PENDING, _R.PROCESSING)
BACKUP_FINAL = (_B.COMPLETED, _B.FAILED)
BACKUP_ACTIVE = (_B.PENDING, _B.PROCESSING)


def allowed_from(target: JobStatus, when=None) -> tuple[JobStatus, ...]:
    """The statuses a move to ``target`` may start from: all the table allows, or ``when``
    (which must be among them)."""
    enum = type(target)
    sources = TRANSITIONS[enum].get(target, frozenset())
    if not sources:
        raise IllegalTransition(f"Nothing moves to {enum.__name__}.{target.name}")
    if when is None:
        return tuple(sorted(sources))
    when = tuple(enum(s) for s in when)
    wrong = [s for s in when if s not in sources]
    if wrong or not when:
        raise IllegalTransition(f"{type(target).__name__}: {', '.join(wrong) or 'nothing'} -> {target} is not a "
                                f"transition")
    return tuple(when)


def final_import_status(successful: int, failed: int) -> ImportStatus:
    if failed == 0:
        return ImportStatus.COMPLETED
    return ImportStatus.PARTIAL if successful else ImportStatus.FAILED
