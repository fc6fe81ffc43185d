"""The export worker's side: build an export's file and stream it to S3.

Each export is one SQS message. The file is written through a multipart upload
(memory flat whatever its size); a failure aborts the upload, so no partial object is
left, notes the error, and lets SQS retry. What still fails after the queue's retries
reaches the dead-letter worker (settle_export), which fails the export with the
last error: no export stays ``processing``.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from shared.clock import iso_z, utcnow
from shared.data import api_tokens as tokens_data
from shared.data import bucket_layout, objects, tables
from shared.data import clients as clients_data
from shared.data import exports as exports_data
from shared.data import imports as imports_data
from shared.data import projects as projects_data
from shared.data import tasks as tasks_data
from shared.data import time_entries as entries_data
from shared.data import users as users_data
from shared.domain import ExportFilters, ExportJob
from shared.exports import CONTENT_TYPES
from shared.exports.backup_format import BACKED_UP, KEPT_COUNTERS, write_backup
from shared.exports.csv_cells import write_csv
from shared.exports.documents import Section, write_json, write_zip
from shared.exports.records import COLUMNS, entry_record, record
from shared.jobs.messages import BuildExport
from shared.jobs.registry import handles, settles
from shared.jobs.status import EXPORT_ACTIVE
from shared.logic.time_entries import user_zone
from shared.logic.timeparse import parse_bound
from shared.observability import EXPORT_RECORDS, count

EXPIRY = timedelta(days=bucket_layout.EXPIRY_DAYS)  # the file's lifecycle rule


@handles(BuildExport)
def build_export(message: BuildExport) -> None:
    build(message.export_id)


def build(export_id: int) -> None:
    """Build the export's file (also a restore's safety backup, in the restore's own step)."""
    job = exports_data.get_export(export_id)
    if job is None or job.status not in EXPORT_ACTIVE:
        return  # gone, or finished: a late redelivery
    exports_data.start_export(export_id)
    try:
        with objects.MultipartWriter(job.object_key, CONTENT_TYPES[job.export_format]) as out:
            records = WRITERS[job.export_type](job, out)
    except Exception as exc:
        exports_data.note_export_error(export_id, f"{type(exc).__name__}: {exc}", final=False)
        raise
    if exports_data.complete_export(export_id, records, out.size, utcnow() + EXPIRY):
        count(EXPORT_RECORDS, records, job.export_type)  # the dashboard's export throughput


@settles(BuildExport)
def settle_export(message: BuildExport) -> None:
    """What the export queue gave up on: the export fails, keeping the last error."""
    job = exports_data.get_export(message.export_id)
    if job is not None:
        reason = job.error_message or "the worker kept failing"
        exports_data.note_export_error(job.id, f"Gave up after repeated attempts: {reason}", final=True)


# -- what goes in each kind of export ------------------------------------------
class _Seen:
    """What the time entries referred to, gathered while they stream past."""

    def __init__(self):
        self.project_ids: set[int] = set()
        self.task_ids: set[int] = set()
        self.tags: Counter = Counter()
        self.client_ids: set[int] = set()

    def entries(self, entries):
        for entry in entries:
            if entry.project_id:
                self.project_ids.add(entry.project_id)
            if entry.task_id:
                self.task_ids.add(entry.task_id)
            self.tags.update(entry.tags)
            yield entry_record(entry)

    def projects(self):
        for project in sorted(projects_data.get_projects(self.project_ids), key=lambda p: p.id):
            if project.client_id:
                self.client_ids.add(project.client_id)
            yield record(project)


def _sorted_records(items) -> list[dict]:
    return [record(i) for i in sorted(items, key=lambda i: i.id)]


def _gdpr(job: ExportJob, out) -> int:
    """Everything the account holds: profile, time entries, the projects, tasks and clients
    they refer to, tags, import and export history, and API tokens (never their hashes)."""
    user = users_data.get_user(job.user_id)
    seen = _Seen()
    head = {
        "export_info": {"user_id": user.id, "username": user.username, "export_date": iso_z(utcnow()),
                        "export_type": "GDPR Full Data Export", "export_id": job.id, "format": job.export_format},
        "user_profile": record(user),
    }
    sections = [
        Section("time_entries", lambda: seen.entries(entries_data.iter_entries(user_id=user.id))),
        Section("projects", seen.projects),
        Section("tasks", lambda: _sorted_records(tasks_data.get_tasks(seen.task_ids))),
        Section("clients", lambda: _sorted_records(clients_data.get_clients(seen.client_ids))),
        Section("tags", lambda: ({"name": n, "entries": c} for n, c in sorted(seen.tags.items()))),
        Section("imports", lambda: (record(i) for i in imports_data.iter_imports(user.id))),
        Section("exports", lambda: (record(e) for e in exports_data.iter_exports(user.id))),
        Section("api_tokens", lambda: (record(t) for t in tokens_data.iter_tokens(user.id))),
    ]
    if job.export_format == "zip":
        return write_zip(out, head, sections, job.created_at, head_tables=("user_profile",)) + 1
    return write_json(out, head, sections) + 1


def _filtered(job: ExportJob, out) -> int:
    f = job.filters or ExportFilters()
    zone = user_zone(job.user_id)  # the days are the requester's
    start = parse_bound(f.start_date.isoformat(), zone, "start_date", end=False) if f.start_date else None
    end = parse_bound(f.end_date.isoformat(), zone, "end_date", end=True) if f.end_date else None
    sections = []
    if f.include_time_entries:
        sections.append(Section("time_entries", lambda: (entry_record(e) for e in entries_data.iter_entries(
            user_id=f.user_id, project_id=f.project_id, start=start, end=end,
            billable=True if f.billable_only else None))))
    if f.include_projects:
        wanted = f.project_id
        sections.append(Section("projects", lambda: (
            record(p) for p in ([projects_data.get_project(wanted)] if wanted else projects_data.iter_projects())
            if p is not None)))
    if job.export_format == "csv":
        section = sections[0]
        return write_csv(out, COLUMNS[section.name], section.records())
    head = {"export_info": {"user_id": job.user_id, "export_date": iso_z(utcnow()), "export_type": "Filtered Export",
                            "export_id": job.id, "filters": f.as_record()}}
    return write_json(out, head, sections)


def backup_tables():
    """(table, items) for every backed-up table, read by Scan (a backup is no request path)."""
    for name in BACKED_UP:
        items = tables.all_items(name)
        if name == "counters":
            items = (i for i in items if i["name"]["S"] not in KEPT_COUNTERS)
        yield name, items


def _backup(job: ExportJob, out) -> int:
    user = users_data.get_user(job.user_id)
    info = {"created_at": iso_z(utcnow()), "export_id": job.id,
            "created_by": {"id": job.user_id, "username": user.username if user else None}}
    return sum(write_backup(out, info, backup_tables()).values())


def _harvest_backup(job: ExportJob, out) -> int:
    """A Harvest backup run as one ZIP in `tt harvest-backup`'s layout: accounts.json, then
    each account's files (as its manifest lists them) under harvest_account_<id>/."""
    import shutil
    import zipfile

    from shared.data import harvest_backups as backups_data
    from shared.harvest_backup.endpoints import account_dir

    run = backups_data.get_run(job.harvest_run)
    if run is None or run.status != "completed":
        raise ValueError(f"Harvest backup run {job.harvest_run} has not completed")
    files = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, account in enumerate(sorted(run.accounts)):
            prefix = bucket_layout.harvest_run(account, run.run_date)
            manifest = objects.get_json(prefix + "manifest.json")
            names = (["accounts.json"] if n == 0 else []) + sorted(manifest["files"]) + ["manifest.json"]
            for name in names:
                member = name if name == "accounts.json" else f"{account_dir(account)}/{name}"
                with archive.open(member, "w", force_zip64=True) as target:
                    shutil.copyfileobj(objects.open_object(prefix + name), target, 1 << 20)
                files += 1
    return files


WRITERS = {"gdpr": _gdpr, "filtered": _filtered, "backup": _backup, "harvest_backup": _harvest_backup}
