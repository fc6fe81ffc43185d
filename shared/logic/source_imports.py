"""Imports straight from Toggl Track's and Harvest's APIs, on the CSV imports' pipeline.

- start (API side): validate, seal the credentials with KMS on the import record, queue
  the first FetchSource; the caller gets 202 at once.
- fetch (worker): up to PAGES_PER_STEP pages from the step's cursor; their records become
  chunks for the same chunk workers as a CSV's (shared/logic/import_steps.py), each row
  carrying the entry id derived from its source id. The next step is queued before this
  one is counted (a crash in between repeats the step, whose effects are idempotent, and
  never loses the chain). A spent quota (Toggl's 402) moves the import to ``waiting``
  and delays the next step until the quota resets, in hops of at most 15 minutes.
- the credentials are removed from the record when the import ends (imports_data).
"""
from __future__ import annotations

import json
from datetime import date, timedelta

from shared.clock import utcnow
from shared.data import bucket_layout, objects, secrets, work_queue
from shared.data import imports as imports_data
from shared.domain import ImportJob, Principal
from shared.errors import InvalidState, Unavailable, ValidationFailed
from shared.jobs.messages import FetchSource, ImportChunk
from shared.jobs.registry import handles, settles
from shared.jobs.status import IMPORT_ACTIVE, ImportStatus
from shared.logic.imports import describe_rows, parse_options
from shared.logic.source_adapters import PAGES, ImportCatalogs, entry_id, is_running
from shared.sources.http import QuotaSpent, SourceError, SourceUnavailable, header_safe
from shared.tracker_files import dialects

PAGES_PER_STEP = 5  # a step stays well inside Lambda's limits, however big the account
CHUNK_ROWS = 1000
LINES_PER_STEP = 1_000_000  # a record's "line" in the details: step * LINES_PER_STEP + its place
MAX_RANGE_DAYS = 366 * 20
SOURCE_NAMES = {"toggl_api": "Toggl Track", "harvest_api": "Harvest"}
ACCOUNT_FIELD = {"toggl_api": "workspace_id", "harvest_api": "account_id"}


def _context(import_id: int) -> dict[str, str]:
    return {"import_id": str(import_id)}


def _day(body: dict, name: str, default: date | None = None) -> date:
    raw = body.get(name)
    if raw in (None, ""):
        if default is None:
            raise ValidationFailed.field(name, "Required (YYYY-MM-DD)")
        return default
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValidationFailed.field(name, "Use YYYY-MM-DD") from None


def read_source(kind: str, body: dict) -> dict:
    """The source fields of a request, checked: api_token, the optional workspace/account id,
    start_date and end_date (default today; at most 20 years)."""
    token = body.get("api_token")
    if not isinstance(token, str) or not token.strip() or len(token) > 500:
        raise ValidationFailed.field("api_token", "Required: the API token of the account to import from")
    if not header_safe(token.strip()):
        raise ValidationFailed.field("api_token", "An API token is printable ASCII (letters, digits, punctuation)")
    account = body.get(ACCOUNT_FIELD[kind])
    if account not in (None, ""):
        try:
            account = int(account)
        except (TypeError, ValueError):
            raise ValidationFailed.field(ACCOUNT_FIELD[kind], "A numeric id") from None
    start, end = _day(body, "start_date"), _day(body, "end_date", utcnow().date())
    if end < start:
        raise ValidationFailed.field("end_date", "end_date is before start_date")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed.field("start_date", "At most 20 years per import")
    return {"api_token": token.strip(), ACCOUNT_FIELD[kind]: account or None,
            "start_date": start.isoformat(), "end_date": end.isoformat()}


def start_source_import(principal: Principal, kind: str, body: dict) -> ImportJob:
    if kind not in PAGES:
        raise ValidationFailed.field("type", f"Choose one of {', '.join(PAGES)}")
    source = read_source(kind, body)
    options = parse_options({k: v for k, v in body.items() if k not in source}, principal)
    import_id = imports_data.new_import_id()
    job = imports_data.put_import(import_id, {
        "user_id": principal.user_id, "type": kind, "options": options.as_record(),
        "filename": f"{SOURCE_NAMES[kind]} {source['start_date']} to {source['end_date']}",
        "secret": secrets.seal(source, _context(import_id))})
    work_queue.send([FetchSource(import_id)])
    return job


PREVIEW_PAGES = 3  # a preview reads this much of the source (its quota is the user's)


def preview_source(principal: Principal, kind: str, body: dict) -> dict:
    """The wizard's step 3: what an import would bring, read from the source (the first
    PREVIEW_PAGES pages; ``complete`` says whether that was all), nothing written. Refused
    credentials are a 400 with the source's own words."""
    if kind not in PAGES:
        raise ValidationFailed.field("type", f"Choose one of {', '.join(PAGES)}")
    source = read_source(kind, body)
    try:
        records, cursor, total = _read_pages(kind, {}, source, {}, PREVIEW_PAGES)
    except SourceUnavailable as exc:  # the service is down or unreachable: not the caller's input
        raise Unavailable(exc.message, "source_unavailable") from None
    except SourceError as exc:
        raise InvalidState(exc.message, "source_refused" if exc.status in (401, 403) else "source_error") from None
    running = [r for r in records if is_running(r)]
    kept = [(i + 1, {k: v for k, v in r.items() if k != "source_id"})
            for i, r in enumerate(records) if not is_running(r)]
    rows, errors = dialects.convert(kind, kept, None)
    return {"type": kind, "rows": len(records), **describe_rows(principal, rows, errors),
            "running_entries_skipped": len(running), "complete": cursor is None, "source_total": total,
            "clients": sorted({r.client_name for r in rows if r.client_name}, key=str.casefold),
            "tasks": sorted({r.task_name for r in rows if r.task_name}, key=str.casefold),
            "tags": sorted({t for r in rows for t in r.tags}, key=str.casefold)}


def _read_pages(kind: str, catalogs, secret: dict, cursor: dict, limit: int):
    """(records, the cursor after them or None at the end, the source's announced total) of
    up to ``limit`` pages. A spent quota is raised with that progress attached."""
    records, total, pages = [], None, 0
    try:
        for page, after, announced in PAGES[kind](catalogs, secret, cursor):
            records += page
            pages += 1
            cursor, total = after, announced if announced is not None else total
            if cursor is None or pages >= limit:
                break
    except QuotaSpent as exc:
        exc.progress = (records, cursor, total)
        raise
    return records, cursor, total


# -- the worker's side -------------------------------------------------------------------
@handles(FetchSource)
def fetch(message: FetchSource) -> None:
    import_id, step = message.import_id, message.step
    job, sealed = imports_data.get_import_and_secret(import_id)
    if job is None or job.status not in IMPORT_ACTIVE or job.fetch_step > step:
        return  # gone, finished, or this step was counted: a late redelivery
    if job.status == ImportStatus.WAITING:
        if job.resumes_at and job.resumes_at > utcnow():  # an early hop of a long wait
            work_queue.send([message], delay=int((job.resumes_at - utcnow()).total_seconds()) + 1)
            return
        imports_data.resume(import_id)
    elif job.status == ImportStatus.PENDING:
        imports_data.begin_fetching(import_id, job.type)
    if sealed is None:
        return  # no credentials: it ended
    try:
        secret = secrets.open_sealed(sealed, _context(import_id))
    except secrets.SealBroken:
        imports_data.fail_import(import_id, "The credentials can no longer be read (the stack's key changed); "
                                            "start the import again")
        return
    quota = None
    try:
        records, cursor, total = _read_pages(job.type, ImportCatalogs(import_id), secret,
                                             json.loads(message.cursor or "{}"), PAGES_PER_STEP)
    except QuotaSpent as exc:  # what came before the refusal is kept, and the cursor after it
        quota, (records, cursor, total) = exc, exc.progress
    except SourceUnavailable:
        raise  # the queue retries the step; nothing of it was written
    except SourceError as exc:
        imports_data.fail_import(import_id, exc.message)
        return
    _queue_chunks(job, step, records)
    last = cursor is None and quota is None
    if quota is not None:
        resumes = utcnow() + timedelta(seconds=quota.seconds)
        imports_data.wait_for_quota(import_id, resumes)
        work_queue.send([FetchSource(import_id, step + 1, json.dumps(cursor))], delay=int(quota.seconds) + 1)
    elif not last:
        work_queue.send([FetchSource(import_id, step + 1, json.dumps(cursor))])
    kept = [r for r in records if not is_running(r)]
    imports_data.count_fetch_step(import_id, step, rows=len(kept), chunks=_chunk_count(len(kept)),
                                  skipped=len(records) - len(kept), last=last, source_total=total)
    if last:
        imports_data.finish_if_done(import_id)


def _chunk_count(rows: int) -> int:
    return (rows + CHUNK_ROWS - 1) // CHUNK_ROWS


def _queue_chunks(job: ImportJob, step: int, records: list[dict]) -> None:
    """The step's records as chunks of rows [index, line, fields, entry id]; running timers
    are reported per line and counted skipped (by count_fetch_step)."""
    running, rows = [], []
    for i, record in enumerate(records):
        line = step * LINES_PER_STEP + i + 1
        fields = dict(record)
        if is_running(record):
            running.append((line, "Skipped: the timer is still running at the source", fields))
        else:
            rows.append([len(rows), line, fields, entry_id(record["source_id"])])
    imports_data.record_errors(job.id, running)
    messages = []
    for n in range(_chunk_count(len(rows))):
        chunk = step * 1000 + n  # unique in the import: a step has far fewer than 1,000 chunks
        key = bucket_layout.import_chunk(job.id, chunk)
        objects.put_json(key, rows[n * CHUNK_ROWS:(n + 1) * CHUNK_ROWS])
        messages.append(ImportChunk(job.id, chunk, job.type, key, None))
    work_queue.send(messages)


@settles(FetchSource)
def settle_fetch(message: FetchSource) -> None:
    """A fetch step that kept failing (the source down for good): the import fails, saying so."""
    job = imports_data.get_import(message.import_id)
    if job is not None and job.status in IMPORT_ACTIVE:
        imports_data.fail_import(message.import_id, "The source could not be read after repeated attempts")
