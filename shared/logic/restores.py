"""Restoring a backup (admins only): asynchronous, in resumable steps on the export queue.

start   read the header (a reformatted backup is laid out one item per line again) and
        check the whole file (backup_check): one problem, and nothing is touched; the
        restore fails listing every problem with its line. A dry run stops here, with
        what a real run would create, replace and delete.
safety  take an ordinary backup of the data as it is (in the admin's export history),
        and note the restoring admin's user and token.
clear   empty each backed-up table, a bounded number of items per step.
load    stream the file from a byte offset (an S3 range read) and BatchWrite its items
        exactly as they were read (ids included), a bounded number per step.
finish  counters and name guards made consistent with what was loaded; the admin who
        started the restore keeps a working token.

If clearing or loading fails for good (a bad step, or the dead-letter queue after the
retries), the restore rolls back: it clears and loads the safety backup through the same
steps and ends ``failed`` saying why and that the previous data was put back.

Each message carries the cursor it works from; the restore record moves its cursor
(and counts) only if it still is that cursor, so a redelivered step rewrites the
same items and counts nothing twice, and a stale message re-queues the current one.
While a restore runs, the API sees the data half-replaced (tokens included): restore
in a maintenance window.
"""
from __future__ import annotations

import json
import uuid

from shared.data import bucket_layout, objects, reconcile, tables, work_queue
from shared.data import exports as exports_data
from shared.data.common import WRITE_BATCH
from shared.domain import Principal, RestoreJob
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.exports.backup_check import BackupCheck, Report
from shared.exports.backup_format import BACKED_UP, KEPT_COUNTERS, canonical_lines, check_info, parse_line
from shared.jobs.messages import RestoreStep
from shared.jobs.registry import handles, settles
from shared.jobs.status import ExportStatus, RestoreStatus
from shared.logic import exports, uploads
from shared.logic.exports import is_expired

STEP_ITEMS = 20_000  # per message: a step stays far inside the worker's timeout
MAX_REFORMATTED_BYTES = 50 * 2**20  # a backup not laid out one item per line is loaded whole to fix that
START = json.dumps({"phase": "start"})


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only admins may restore backups")


def start_restore(principal: Principal, *, export_id: int | None = None, upload_id: str | None = None,
                  raw: bytes | None = None, dry_run: bool = False) -> RestoreJob:
    """From a backup export, an uploaded file (upload_id from POST /api/v1/imports/uploads)
    or the file in the request. The header is checked now, so a wrong file is a 400."""
    _admin(principal)
    if sum(x is not None and x != b"" for x in (export_id, upload_id, raw)) > 1:
        raise ValidationFailed.field("export_id", "Give one backup: export_id, upload_id or the file")
    if export_id is not None:
        job = exports_data.get_export(export_id)
        if job is None or job.export_type != "backup":
            raise ValidationFailed.field("export_id", f"Export {export_id} is not a backup")
        if job.status != ExportStatus.COMPLETED or is_expired(job):
            raise ValidationFailed.field("export_id", f"Backup {export_id} is not available ({job.status}"
                                                      f"{', expired' if is_expired(job) else ''})")
        key = job.object_key
    elif upload_id:
        key = uploads.uploaded_key(principal, upload_id)
    elif raw:
        key = bucket_layout.restore_file(uuid.uuid4().hex)
        objects.put_object(key, raw, "application/json")
    else:
        raise ValidationFailed.field("export_id", "Give export_id, upload_id, or the backup file")
    _check_head(key)
    restore_id = exports_data.new_restore_id()
    if not dry_run:  # one restore replaces the data at a time; a dry run writes nothing
        running = exports_data.lock_restores(restore_id)
        if running is not None:
            raise Conflict(f"Restore {running} is still replacing the data; wait for it to end",
                           "restore_in_progress")
    job = exports_data.put_restore(restore_id, {"user_id": principal.user_id, "token_id": principal.token_id,
                                                "source_key": key, "dry_run": dry_run, "phase": "start",
                                                "cursor": START})
    _queue(job.id, START)
    return job


def get_restore(principal: Principal, restore_id: int) -> RestoreJob:
    _admin(principal)
    job = exports_data.get_restore(restore_id)
    if job is None:
        raise NotFound(f"Restore {restore_id} not found")
    return job


def _first_line(key: str) -> bytes:
    head = b""
    for piece in objects.stream_from(key, 0, 64 * 1024):
        head += piece
        if b"\n" in head or len(head) > 4 * 2**20:
            break
    return head.split(b"\n", 1)[0]


def _check_head(key: str) -> None:
    """400 now for a file that is clearly no backup; a reformatted one is checked when loaded."""
    line = _first_line(key).decode("utf-8", "replace").lstrip("\ufeff")
    try:
        kind, info = parse_line(line)
    except ValueError:
        if line.lstrip().startswith("{"):
            return  # JSON, laid out some other way: the start step loads it whole
        raise ValidationFailed.field("file", "This is not a TimeTracker backup (not JSON)") from None
    try:
        if kind != "info":
            raise ValueError("This is not a TimeTracker backup (no backup_info header)")
        check_info(info)
    except ValueError as exc:
        raise ValidationFailed.field("file", str(exc)) from None


def _raw_lines(key: str, offset: int):
    """(byte offset after the line, the line's bytes) from ``offset`` on."""
    pending = b""
    position = offset
    for piece in objects.stream_from(key, offset):
        pending += piece
        *complete, pending = pending.split(b"\n")
        for line in complete:
            position += len(line) + 1
            yield position, line
    if pending:
        yield position + len(pending), pending


def _lines(key: str, offset: int):
    """(byte offset after the line, line) from ``offset`` on; the file was checked first."""
    for position, line in _raw_lines(key, offset):
        yield position, line.decode("utf-8")


def check_file(key: str) -> Report:
    """Every line of the file checked against the tables it would be written to."""
    check = BackupCheck({name: tables.shape(name) for name in BACKED_UP})
    for _, line in _raw_lines(key, 0):
        check.feed(line)
    return check.finish()


# -- the worker's steps ----------------------------------------------------------------
class BadBackup(ValueError):
    """The file is wrong, not the system: retrying cannot help."""


@handles(RestoreStep)
def restore_step(message: RestoreStep) -> None:
    job = exports_data.get_restore(message.restore_id)
    if job is None or job.finished:
        return
    if message.cursor != job.cursor:  # a stale or duplicate message: make sure the current step is queued
        _queue(job.id, job.cursor)
        return
    cursor = json.loads(job.cursor)
    try:
        STEPS[cursor["phase"]](job, cursor)
    except (BadBackup, ValueError) as exc:  # the file or the data, not the system: retrying cannot help
        fail(job, str(exc))


def fail(job: RestoreJob, reason: str) -> None:
    """Before anything was replaced: ``failed``, nothing changed. After: put the previous
    data back first (the rollback phase), then ``failed`` with the reason."""
    phase = json.loads(job.cursor or START)["phase"]
    if job.dry_run or phase in NOTHING_CHANGED_YET:
        _end_failed(job, reason + ("" if job.dry_run else "; nothing was changed"))
    elif job.rolling_back:
        _end_failed(job, f"{job.rollback_reason}. Putting the previous data back failed too ({reason}): it is in "
                         f"backup export {job.safety_export_id}; restore that once the cause is fixed")
    else:
        encoded = json.dumps({"phase": "rollback"})
        if exports_data.update_restore(job.id, phase="rollback", cursor=encoded, rollback_reason=reason,
                                       from_cursor=job.cursor):
            _queue(job.id, encoded)


def _end_failed(job: RestoreJob, error: str, **changes) -> None:
    exports_data.update_restore(job.id, status=RestoreStatus.FAILED, error=error, from_cursor=job.cursor,
                                cursor=json.dumps({"phase": "done"}), **changes)
    exports_data.unlock_restores(job.id)


def _queue(restore_id: int, cursor: str) -> None:
    work_queue.send([RestoreStep(restore_id, cursor)])


def _advance(job: RestoreJob, cursor: dict | None, counts: dict, **changes) -> None:
    """Record a step's effects and queue the next one (None: the restore is done)."""
    if cursor is None:
        exports_data.update_restore(job.id, status=RestoreStatus.COMPLETED, counts=counts, from_cursor=job.cursor,
                                    cursor=json.dumps({"phase": "done"}), **changes)
        exports_data.unlock_restores(job.id)
        return
    encoded = json.dumps(cursor)
    if exports_data.update_restore(job.id, status=RestoreStatus.PROCESSING, phase=cursor["phase"], cursor=encoded,
                                   counts=counts, from_cursor=job.cursor, **changes):
        if not job.dry_run:
            exports_data.lock_restores(job.id)  # renewed: it is still working
        _queue(job.id, encoded)


def _listed(report: Report) -> list[dict]:
    more = [{"line": None, "message": f"... and {report.more_problems} more"}] if report.more_problems else []
    return report.problems + more


def _start(job: RestoreJob, cursor: dict) -> None:
    key = job.source_key
    line = _first_line(key).decode("utf-8", "replace").lstrip("\ufeff")
    try:
        kind, info = parse_line(line)
    except ValueError:
        kind, info = None, None
    if kind != "info":
        key, info = _relaid(job, key)
    check_info(info)
    report = check_file(key)
    changes = {"backup_info": info, "source_key": key, "problems": _listed(report)}
    if not report.ok:
        _end_failed(job, report.summary() + ("" if job.dry_run else "; nothing was changed"), **changes)
    elif job.dry_run:
        _advance(job, None, _plan(key), **changes)
    else:
        _advance(job, {"phase": "safety"}, {}, work={"max_ids": report.max_ids}, **changes)


def _safety(job: RestoreJob, cursor: dict) -> None:
    """Before anything is replaced: who must still get in afterwards, and a backup to roll back to."""
    signin = reconcile.save_signin(job.user_id, job.token_id)
    safety = exports.record_safety_backup(job.user_id, job.id)
    _advance(job, {"phase": "safety_build", "export_id": safety.id}, {}, safety_export_id=safety.id,
             work={**(job.work or {}), "signin": signin})


def _safety_build(job: RestoreJob, cursor: dict) -> None:
    # Imported here: the exports API function imports this module to start restores, and must not load the
    # export writers at cold start.
    from shared.logic import export_builds

    export_builds.build(cursor["export_id"])
    built = exports_data.get_export(cursor["export_id"])
    if built is None or built.status != ExportStatus.COMPLETED:
        raise RuntimeError(f"The safety backup (export {cursor['export_id']}) did not complete")
    _advance(job, {"phase": "clear", "table": 0, "start": None}, {})


def _rollback(job: RestoreJob, cursor: dict) -> None:
    """The load failed: load the safety backup instead, through the same steps."""
    safety = exports_data.get_export(job.safety_export_id) if job.safety_export_id else None
    if safety is None or safety.status != ExportStatus.COMPLETED:
        raise BadBackup("there is no safety backup to put the previous data back from")
    report = check_file(safety.object_key)
    if not report.ok:
        raise BadBackup(f"the safety backup cannot be read back: {report.summary()}")
    _advance(job, {"phase": "clear", "table": 0, "start": None, "round": "rollback"}, {},
             source_key=safety.object_key, work={**(job.work or {}), "max_ids": report.max_ids})


def _finish(job: RestoreJob, cursor: dict) -> None:
    """Counters and name guards consistent with what was loaded, the restorer signed in."""
    work = job.work or {}
    reconcile.raise_counters(work.get("max_ids", {}))
    reconcile.repair_name_guards()
    if work.get("signin"):
        reconcile.restore_signin(work["signin"])
    if job.rolling_back:
        _end_failed(job, f"{job.rollback_reason}. The previous data was put back (from backup export "
                         f"{job.safety_export_id})")
    else:
        _advance(job, None, job.counts)


def _relaid(job: RestoreJob, key: str) -> tuple[str, dict]:
    """A backup laid out another way (an editor reformatted it), loaded whole and written
    out again one item per line, next to the original."""
    size = objects.size_of(key) or 0
    if size > MAX_REFORMATTED_BYTES:
        raise BadBackup(f"This backup is not laid out as the system writes it (one item per line) and is too "
                        f"big ({size // 2**20} MB) to load whole: use the original file")
    try:
        document = json.loads(b"".join(objects.stream_from(key, 0)))
    except ValueError:
        raise BadBackup("This is not a TimeTracker backup: not valid JSON") from None
    if not isinstance(document, dict):
        raise BadBackup("This is not a TimeTracker backup")
    relaid = bucket_layout.relaid_backup(job.id)
    with objects.MultipartWriter(relaid, "application/json") as out:
        for piece in canonical_lines(document):
            out.write(piece)
    return relaid, parse_line(_first_line(relaid).decode())[1]


def _keep(table: str, item: dict) -> bool:
    """Counters of the tables a restore leaves alone are neither cleared nor restored."""
    return not (table == "counters" and item["name"]["S"] in KEPT_COUNTERS)


def _plan(key: str) -> dict:
    """What a real run would do, per table (a dry run: nothing is written)."""
    in_backup: dict[str, set] = {t: set() for t in BACKED_UP}
    table = None
    for _, line in _lines(key, 0):
        kind, value = parse_line(line)
        if kind == "table":
            table = value
        elif kind == "item" and _keep(table, value):
            in_backup[table].add(tables.key_of(table, value))
    plan = {}
    for name in BACKED_UP:
        existing = {tables.key_of(name, i) for i in tables.all_items(name, keys_only=True) if _keep(name, i)}
        wanted = in_backup[name]
        plan[name] = {"in_backup": len(wanted), "existing": len(existing), "to_create": len(wanted - existing),
                      "to_replace": len(wanted & existing), "to_delete": len(existing - wanted)}
    return plan


def _clear(job: RestoreJob, cursor: dict) -> None:
    index, start, removed = cursor["table"], cursor["start"], 0
    name = BACKED_UP[index]
    while removed < STEP_ITEMS:
        items, start = tables.scan_page(name, start, keys_only=True)
        doomed = [i for i in items if _keep(name, i)]
        tables.delete_items(name, doomed)
        removed += len(doomed)
        if not start:
            break
    counts = {**job.counts, name: {**job.counts.get(name, {}), "removed": job.counts.get(name, {}).get(
        "removed", 0) + removed}}
    if start:
        following = {**cursor, "table": index, "start": start}
    elif index + 1 < len(BACKED_UP):
        following = {**cursor, "table": index + 1, "start": None}
    else:
        following = {**cursor, "phase": "load", "offset": 0, "table": None}
    _advance(job, following, counts)


def _load(job: RestoreJob, cursor: dict) -> None:
    table, loaded = cursor["table"], 0
    counts = {name: dict(value) for name, value in job.counts.items()}
    batch: list[dict] = []

    def flush():
        if batch:
            tables.put_items(table, batch)
            counts.setdefault(table, {})["restored"] = counts.get(table, {}).get("restored", 0) + len(batch)
            batch.clear()

    for position, line in _lines(job.source_key, cursor["offset"]):
        kind, value = parse_line(line)
        if kind == "table":
            if value not in BACKED_UP:
                raise BadBackup(f"The backup holds a table this system does not have: {value}")
            flush()
            table = value
        elif kind == "item":
            if table is None:
                raise BadBackup("An item outside any table: the file is damaged")
            if _keep(table, value):
                batch.append(value)
                loaded += 1
            if len(batch) >= WRITE_BATCH * 40:
                flush()
        elif kind == "end_table":
            flush()
        elif kind == "end":
            flush()
            _check_counts(job, counts)
            _advance(job, {**cursor, "phase": "finish"}, counts)
            return
        if loaded >= STEP_ITEMS and kind in ("item", "end_table"):
            flush()
            _advance(job, {**cursor, "offset": position, "table": table}, counts)
            return
    raise BadBackup("The backup file ends before its last line: it was cut short")


def _check_counts(job: RestoreJob, counts: dict) -> None:
    """A second guard behind the file check: what was written is what the header promised."""
    if job.rolling_back:
        return  # the safety backup was checked before it was loaded
    expected = (job.backup_info or {}).get("counts", {})
    for name, n in expected.items():
        got = counts.get(name, {}).get("restored", 0)
        if name == "counters":
            continue  # the counters of jobs a restore leaves alone were skipped on purpose
        if got != n:
            raise BadBackup(f"The backup's header counts {n} items in {name} but the file holds {got}")


@settles(RestoreStep)
def settle_step(message: RestoreStep) -> None:
    """A step the queue gave up on: fail it, or roll back if the data was being replaced."""
    job = exports_data.get_restore(message.restore_id)
    if job is not None and not job.finished:
        fail(job, "A step kept failing after repeated attempts")


NOTHING_CHANGED_YET = ("start", "safety", "safety_build")
STEPS = {"start": _start, "safety": _safety, "safety_build": _safety_build, "clear": _clear, "load": _load,
         "finish": _finish, "rollback": _rollback}
