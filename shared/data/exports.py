"""Exports' and restores' access patterns (keys and indexes in shared/models/exports.py)."""
from __future__ import annotations

import json
from dataclasses import fields as dc_fields
from datetime import datetime, timedelta

from shared.clock import utcnow
from shared.data import counters, jobs
from shared.data.common import fetch_page, update_if
from shared.domain import ExportFilters, ExportJob, Page, RestoreJob
from shared.jobs.status import EXPORT_ACTIVE, RESTORE_ACTIVE, RESTORE_FINAL, ExportStatus, RestoreStatus
from shared.models.exports import ExportModel, RestoreModel

_EXPORT_FIELDS = [f.name for f in dc_fields(ExportJob)]
_RESTORE_FIELDS = [f.name for f in dc_fields(RestoreJob)]
PURGE_AFTER = timedelta(days=1)  # the record outlives its file by a day, then TTL removes it


def _export(item: ExportModel) -> ExportJob:
    values = {n: getattr(item, n) for n in _EXPORT_FIELDS}
    stored = item.filters.as_dict() if item.filters is not None else {}
    values["filters"] = ExportFilters.from_record(stored) if stored else None
    return ExportJob(**values)


def from_stored(raw: dict) -> ExportJob:
    """An export as DynamoDB stores it (a stream image)."""
    return _export(ExportModel.from_raw_data(raw))


def new_export_id() -> int:
    return counters.next_id("export")


def put_export(export_id: int, values: dict) -> ExportJob:
    return _export(jobs.put_pending(ExportModel, export_id, values))


def get_export(export_id: int) -> ExportJob | None:
    item = jobs.get(ExportModel, export_id)
    return _export(item) if item else None


def list_exports(*, user_id: int | None, page: int, per_page: int) -> Page:
    """Newest first: a user's (by-user) or everyone's (by-org)."""
    source, hash_key = jobs.history(ExportModel, user_id)
    return fetch_page(source, hash_key, page=page, per_page=per_page, to_domain=_export, newest_first=True)


def iter_exports(user_id: int):
    """A user's exports, oldest first (Query by-user)."""
    return (_export(item) for item in ExportModel.by_user.query(user_id))


def start_export(export_id: int) -> bool:
    """pending (or a retried processing) → processing; False if it finished meanwhile."""
    return jobs.move(ExportModel, export_id, [], to=ExportStatus.PROCESSING)


def complete_export(export_id: int, record_count: int, file_size: int, expires_at: datetime) -> bool:
    now = utcnow()
    return jobs.move(ExportModel, export_id, [
        ExportModel.record_count.set(record_count), ExportModel.file_size.set(file_size),
        ExportModel.completed_at.set(now), ExportModel.expires_at.set(expires_at),
        ExportModel.purge_at.set(expires_at + PURGE_AFTER), ExportModel.error_message.remove()],
        to=ExportStatus.COMPLETED)


def note_export_error(export_id: int, message: str, *, final: bool) -> bool:
    """Record why an attempt failed; the last attempt fails the export."""
    actions = [ExportModel.error_message.set(message[:1000])]
    if not final:
        return jobs.move(ExportModel, export_id, actions, when=EXPORT_ACTIVE)
    now = utcnow()
    actions += [ExportModel.completed_at.set(now), ExportModel.purge_at.set(now + timedelta(days=8))]
    return jobs.move(ExportModel, export_id, actions, to=ExportStatus.FAILED)


# -- restores ------------------------------------------------------------------
def _restore(item: RestoreModel) -> RestoreJob:
    values = {n: getattr(item, n) for n in _RESTORE_FIELDS}
    values["counts"] = item.counts.as_dict() if item.counts else {}
    values["backup_info"] = item.backup_info.as_dict() if item.backup_info else None
    values["problems"] = json.loads(item.problems) if item.problems else None
    values["work"] = json.loads(item.work) if item.work else None
    return RestoreJob(**values)


def new_restore_id() -> int:
    return counters.next_id("restore")


def put_restore(restore_id: int, values: dict) -> RestoreJob:
    return _restore(jobs.put_pending(RestoreModel, restore_id, values, listed=False))


LOCK_ID = 0
LOCK_FOR = timedelta(minutes=30)  # every step renews it; a restore that died frees it after this


def lock_restores(restore_id: int) -> int | None:
    """Take the restore lock for ``restore_id``: None, or the id of the restore holding it."""
    now = utcnow()
    if update_if(RestoreModel(LOCK_ID),
                 [RestoreModel.holder.set(restore_id), RestoreModel.held_until.set(now + LOCK_FOR)],
                 RestoreModel.holder.does_not_exist() | (RestoreModel.held_until < now)
                 | (RestoreModel.holder == restore_id)):
        return None
    return int(RestoreModel.get(LOCK_ID, consistent_read=True, attributes_to_get=["holder"]).holder)


def unlock_restores(restore_id: int) -> None:
    """Give the lock back, if ``restore_id`` still holds it."""
    update_if(RestoreModel(LOCK_ID), [RestoreModel.holder.remove(), RestoreModel.held_until.remove()],
              RestoreModel.holder == restore_id)


def get_restore(restore_id: int) -> RestoreJob | None:
    if restore_id == LOCK_ID:
        return None
    try:
        return _restore(RestoreModel.get(restore_id, consistent_read=True))
    except RestoreModel.DoesNotExist:
        return None


def update_restore(restore_id: int, *, status: RestoreStatus | None = None, phase: str | None = None,
                   cursor: str | None = None, source_key: str | None = None, backup_info: dict | None = None,
                   counts: dict | None = None, error: str | None = None, from_cursor: str | None = None,
                   problems: list | None = None, safety_export_id: int | None = None,
                   rollback_reason: str | None = None, work: dict | None = None) -> bool:
    """Move a running restore on. With ``from_cursor``, only if its cursor is still that
    (a step's effects are recorded exactly once, however often its message arrives)."""
    actions = []
    if cursor:
        actions.append(RestoreModel.cursor.set(cursor))
    if source_key:
        actions.append(RestoreModel.source_key.set(source_key))
    if status in RESTORE_FINAL:
        actions.append(RestoreModel.completed_at.set(utcnow()))
    if phase:
        actions.append(RestoreModel.phase.set(phase))
    if backup_info is not None:
        actions.append(RestoreModel.backup_info.set(backup_info))
    if counts is not None:
        actions.append(RestoreModel.counts.set(counts))
    if error:
        actions.append(RestoreModel.error_message.set(error[:2000]))
    if problems is not None:
        actions.append(RestoreModel.problems.set(json.dumps(problems)))
    if safety_export_id is not None:
        actions.append(RestoreModel.safety_export_id.set(safety_export_id))
    if rollback_reason is not None:
        actions.append(RestoreModel.rollback_reason.set(rollback_reason[:2000]))
    if work is not None:
        actions.append(RestoreModel.work.set(json.dumps(work)))
    also = RestoreModel.cursor == from_cursor if from_cursor is not None else None
    if status is None:
        return jobs.move(RestoreModel, restore_id, actions, when=RESTORE_ACTIVE, also=also)
    return jobs.move(RestoreModel, restore_id, actions, to=status, also=also)
