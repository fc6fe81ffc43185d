"""Exports (GDPR, filtered, admin backups): asked for through the API, built by the
export worker (shared/logic/export_builds.py), downloaded through a short-lived
presigned URL.

1. A POST writes the record ``pending``, queues one message and answers 202 at once.
2. The worker streams the file to S3 under ``exports/`` (a multipart upload; memory
   flat) and completes the record with its size, record count and ``expires_at``.
3. The bucket's lifecycle rule deletes the file after 7 days and TTL the record a day
   later; both are lazy, so the API itself refuses anything past ``expires_at`` (410).
"""
from __future__ import annotations

import time
from dataclasses import replace

from shared.clock import utcnow
from shared.data import bucket_layout, objects, work_queue
from shared.data import exports as exports_data
from shared.data import projects as projects_data
from shared.data import users as users_data
from shared.domain import ExportFilters, ExportJob, Page, Principal
from shared.errors import Conflict, Forbidden, Gone, NotFound, ValidationFailed
from shared.exports import CONTENT_TYPES
from shared.jobs.messages import BuildExport
from shared.jobs.status import EXPORT_FINAL, ExportStatus
from shared.logic.ownership import may_see, whose
from shared.logic.paging import Paging
from shared.settings import get_settings

DOWNLOAD_URL_SECONDS = 300


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d_%H%M%S")


def _record(user_id: int, export_type: str, export_format: str, filename: str,
            filters: ExportFilters | None = None, **extra) -> ExportJob:
    export_id = exports_data.new_export_id()
    return exports_data.put_export(export_id, {
        "user_id": user_id, "export_type": export_type, "export_format": export_format,
        "filename": filename, "object_key": bucket_layout.export_file(export_id, filename),
        "filters": filters.as_record() if filters else {}, **extra})


def _start(principal: Principal, export_type: str, export_format: str, filename: str,
           filters: ExportFilters | None = None, **extra) -> ExportJob:
    job = _record(principal.user_id, export_type, export_format, filename, filters, **extra)
    work_queue.send([BuildExport(job.id)])
    return job


POLL_SECONDS = 0.05  # a GetItem; what the answer waits past the finished file is half of it on average


def finished_soon(job: ExportJob) -> ExportJob:
    """The export once the worker has finished it, or as it stands after the wait the settings
    allow (EXPORT_WAIT_SECONDS): a small export is answered finished, so a client that
    downloads at once, as the import/export guide shows, gets its file. A big one goes on in
    the background (its status_url). The wait is GetItems, one per POLL_SECONDS."""
    deadline = time.monotonic() + get_settings().export_wait_seconds
    while job.status not in EXPORT_FINAL and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        job = exports_data.get_export(job.id) or job
    return job


def record_safety_backup(user_id: int, restore_id: int) -> ExportJob:
    """The backup a restore takes of the data it is about to replace: an ordinary backup
    export in its user's history, built by the restore step itself (no message)."""
    return _record(user_id, "backup", "json", f"backup_before_restore_{restore_id}_{_stamp()}.json")


def _username(principal: Principal) -> str:
    user = users_data.get_user(principal.user_id)
    return user.username if user else str(principal.user_id)


def start_gdpr_export(principal: Principal, export_format: str) -> ExportJob:
    """Everything the caller's account holds, as one JSON document or a ZIP of it and CSVs."""
    if export_format not in ("json", "zip"):
        raise ValidationFailed.field("format", "Use json or zip")
    filename = f"gdpr_export_{_username(principal)}_{_stamp()}.{export_format}"
    return _start(principal, "gdpr", export_format, filename)


def start_filtered_export(principal: Principal, export_format: str, filters: ExportFilters) -> ExportJob:
    if export_format not in ("json", "csv"):
        raise ValidationFailed.field("format", "Use json or csv")
    if not filters.include_time_entries and not filters.include_projects:
        raise ValidationFailed.field("filters", "Include time entries, projects, or both")
    if export_format == "csv" and filters.include_time_entries and filters.include_projects:
        raise ValidationFailed.field("format", "A CSV holds one table: include time entries or projects, "
                                               "or choose json for both")
    if filters.start_date and filters.end_date and filters.end_date < filters.start_date:
        raise ValidationFailed.field("end_date", "end_date is before start_date")
    owner = whose(principal, filters.user_id, "time entries")
    if filters.user_id is not None and users_data.get_user(filters.user_id) is None:
        raise ValidationFailed.field("user_id", f"User {filters.user_id} not found")
    if filters.project_id is not None and projects_data.get_project(filters.project_id) is None:
        raise ValidationFailed.field("project_id", f"Project {filters.project_id} not found")
    filename = f"export_{_username(principal)}_{_stamp()}.{export_format}"
    return _start(principal, "filtered", export_format, filename, replace(filters, user_id=owner))


def start_backup(principal: Principal) -> ExportJob:
    """Every table (admins only), for a restore into this or another system."""
    if not principal.is_admin:
        raise Forbidden("Only admins may create backups")
    return _start(principal, "backup", "json", f"backup_{_stamp()}.json")


def start_harvest_download(principal: Principal, run_id: int) -> ExportJob:
    """A finished Harvest backup run as one ZIP (every account in getharvest-backup's layout),
    through the export machinery: a presigned link that expires with the other exports."""
    return _start(principal, "harvest_backup", "zip", f"harvest_backup_{run_id}_{_stamp()}.zip",
                  harvest_run=run_id)


def _visible(principal: Principal, export_id: int) -> ExportJob:
    """The export, if the caller may see it: its owner or an admin. Anyone else gets 404,
    not 403, so an id says nothing about whether it exists."""
    job = exports_data.get_export(export_id)
    if job is None or not may_see(principal, job.user_id):
        raise NotFound(f"Export {export_id} not found")
    return job


def get_export(principal: Principal, export_id: int) -> ExportJob:
    return _visible(principal, export_id)


def is_expired(job: ExportJob) -> bool:
    return job.expires_at is not None and job.expires_at <= utcnow()


def list_export_history(principal: Principal, paging: Paging) -> Page:
    """The caller's exports, newest first; admins see everyone's."""
    return exports_data.list_exports(user_id=None if principal.is_admin else principal.user_id,
                                     page=paging.page, per_page=paging.per_page)


def download_url(principal: Principal, export_id: int) -> str:
    """A presigned GET (valid DOWNLOAD_URL_SECONDS) naming the file; 409 until the file
    is ready (or if it failed), 410 once it has expired."""
    job = _visible(principal, export_id)
    if job.status == ExportStatus.FAILED:
        raise Conflict(f"This export failed: {job.error_message or 'unknown error'}", "export_failed")
    if job.status != ExportStatus.COMPLETED:
        raise Conflict("The export is not ready yet; follow its status", "export_not_ready")
    if is_expired(job):
        raise Gone(f"This export expired at {job.expires_at.isoformat()}; create a new one", "export_expired")
    return objects.presigned_get(job.object_key, DOWNLOAD_URL_SECONDS, job.filename,
                                 CONTENT_TYPES[job.export_format])
