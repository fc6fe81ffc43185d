"""The asynchronous import pipeline (files too big to import in the request).

1. start: the file goes to S3 (in the request, or by a presigned PUT), the import
   record is written ``pending``, a ``split`` message is queued, and the caller gets
   the import id at once (202).
2. split (worker): the object is streamed and cut into chunks of at most CHUNK_ROWS
   rows, each written to S3 as a small object; one id per row is reserved (entry id =
   first_entry_id + row index) and one message per chunk is queued.
3. chunk (workers, in parallel): rows are parsed, names resolved with conditional
   creates, entries written with BatchWriteItem under their derived ids, per-line
   errors stored, and the counters moved together with the chunk's marker, so a
   redelivered chunk rewrites the same items and counts nothing twice.
4. The worker whose chunk completes the import sets the final status, exactly once.
5. What the queue gives up on goes to its DLQ, whose worker settles it (settle_dead_letter).
Undo runs through the same queue, a block of entry ids per message (undo_step).
"""
from __future__ import annotations

import itertools
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from shared.clock import iso_z, utcnow
from shared.data import imports as imports_data
from shared.data import objects, work_queue
from shared.data import projects as projects_data
from shared.data import time_entries as entries_data
from shared.data import users as users_data
from shared.domain import IMPORT_FINAL, ImportJob, Page, Principal
from shared.errors import Conflict, InvalidState, NotFound, PayloadTooLarge, ValidationFailed
from shared.imports import dialects
from shared.imports.reading import decode_text, stream_lines
from shared.imports.rows import DayOrder, iter_records, parse_flag, sniff_delimiter
from shared.logic import catalog_names
from shared.logic.entry_rows import SKIP, Names, People, drop_duplicates, entry_source, entry_values, span_of
from shared.logic.ownership import may_see, whose
from shared.logic.paging import Paging
from shared.logic.time_entries import user_zone
from shared.logic.timeparse import parse_bound, to_utc
from shared.logic.users import validate_timezone
from shared.observability import logger

CHUNK_ROWS = 1000
CHUNK_BYTES = 1_000_000  # a chunk object's rows, JSON; messages only name it
MAX_IMPORT_BYTES = 200 * 2**20
UPLOAD_PREFIX = "uploads/imports/"  # expired by the bucket's 7-day lifecycle rule


TYPES = ("autodetect", *dialects.DIALECTS)


def check_type(wanted: str | None) -> str:
    wanted = (wanted or "autodetect").strip().lower()
    if wanted not in TYPES:
        raise ValidationFailed.field("type", f"Choose one of {', '.join(TYPES)}")
    return wanted


def start_csv_import(principal: Principal, raw: bytes, filename: str | None = None,
                     wanted: str = "autodetect", options: dict | None = None) -> ImportJob:
    if not raw.strip():
        raise ValidationFailed.field("file", "The file is empty")
    settings = parse_options(options, principal)
    wanted = check_type(wanted)
    import_id = imports_data.new_import_id()
    key = f"{UPLOAD_PREFIX}{import_id}.csv"
    objects.put_object(key, raw, "text/csv")
    job = imports_data.put_import(import_id, {"user_id": principal.user_id, "type": wanted,
                                              "filename": (filename or "")[:255] or None, "object_key": key,
                                              "options": settings})
    work_queue.send([{"kind": "split", "import_id": import_id}])
    return job


DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "|": "|"}
DATE_FORMATS = {"dd/mm/yyyy": True, "mm/dd/yyyy": False}


def parse_options(raw: dict | None, principal: Principal) -> dict:
    """The import options a request may set (others are ignored), validated:
    ``field_delimiter`` (, ; tab |), ``date_format`` (DD/MM/YYYY or MM/DD/YYYY: settles
    ambiguous dates), ``timezone`` (for times without an offset; default the user's),
    ``create_projects`` (default true; false rejects rows naming an unknown project),
    ``fallback_user`` (who gets rows of users not found: default the caller; null skips them)
    and ``skip_duplicates`` (default false)."""
    options: dict = {}
    if "fallback_user" in (raw or {}):
        options["fallback_user"] = _fallback_user(raw["fallback_user"], principal)
    raw = {k: str(v).strip() for k, v in (raw or {}).items() if v is not None and str(v).strip()}
    if "field_delimiter" in raw:
        delimiter = DELIMITERS.get(raw["field_delimiter"].lower() if len(raw["field_delimiter"]) > 1
                                   else raw["field_delimiter"])
        if delimiter is None:
            raise InvalidState("field_delimiter must be one of , ; | or tab", "invalid_field_delimiter")
        options["field_delimiter"] = delimiter
    if "date_format" in raw:
        if raw["date_format"].lower() not in DATE_FORMATS:
            raise ValidationFailed.field("date_format", "Use DD/MM/YYYY or MM/DD/YYYY")
        options["day_first"] = DATE_FORMATS[raw["date_format"].lower()]
    if "timezone" in raw:
        validate_timezone(raw["timezone"])
        options["timezone"] = raw["timezone"]
    for flag in ("create_projects", "skip_duplicates"):
        if flag in raw:
            try:
                options[flag] = parse_flag(raw[flag])
            except ValueError:
                raise ValidationFailed.field(flag, "Use true or false") from None
    return options


def _fallback_user(value, principal: Principal) -> int | str:
    """A user id (admins: anyone; others: themselves), or SKIP for null."""
    if value is None or str(value).strip().lower() in ("", "null", "none"):
        return SKIP
    try:
        user_id = int(str(value).strip())
    except ValueError:
        raise ValidationFailed.field("fallback_user", "A user id, or null to skip rows of unknown users") from None
    if user_id != principal.user_id and not principal.is_admin:
        raise ValidationFailed.field("fallback_user", "Only admins may import entries for other users")
    if users_data.get_user(user_id) is None:
        raise ValidationFailed.field("fallback_user", f"User {user_id} not found")
    return user_id


UPLOAD_URL_SECONDS = 15 * 60


def upload_key(user_id: int, upload_id: str) -> str:
    return f"{UPLOAD_PREFIX}incoming/{user_id}/{upload_id}.csv"


def create_upload(principal: Principal) -> dict:
    """A presigned PUT for files too big for a request (up to MAX_IMPORT_BYTES). The key is
    the caller's own, so an upload_id is useless to anyone else."""
    upload_id = uuid.uuid4().hex
    return {"upload_id": upload_id, "method": "PUT", "max_bytes": MAX_IMPORT_BYTES,
            "url": objects.presigned_put(upload_key(principal.user_id, upload_id), UPLOAD_URL_SECONDS),
            "expires_at": iso_z(utcnow() + timedelta(seconds=UPLOAD_URL_SECONDS))}


def start_upload_import(principal: Principal, upload_id: str, wanted: str = "autodetect",
                        filename: str | None = None, options: dict | None = None) -> ImportJob:
    if not re.fullmatch(r"[0-9a-f]{32}", upload_id or ""):
        raise ValidationFailed.field("upload_id", "Not an upload id from POST /api/v1/imports/uploads")
    key = upload_key(principal.user_id, upload_id)
    size = objects.size_of(key)
    if size is None:
        raise ValidationFailed.field("upload_id", "Nothing was uploaded for this upload_id: PUT the file first")
    if size > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"Imports are limited to {MAX_IMPORT_BYTES // 2**20} MB; this file has "
                              f"{size // 2**20} MB")
    import_id = imports_data.new_import_id()
    job = imports_data.put_import(import_id, {"user_id": principal.user_id, "type": check_type(wanted),
                                              "filename": (filename or "")[:255] or None, "object_key": key,
                                              "options": parse_options(options, principal)})
    work_queue.send([{"kind": "split", "import_id": import_id}])
    return job


def handle_message(message: dict) -> None:
    """One SQS message of the import queue; raising makes SQS deliver it again."""
    if message.get("kind") == "split":
        split(message["import_id"])
    elif message.get("kind") == "chunk":
        process_chunk(message)
    elif message.get("kind") == "undo":
        undo_step(message)
    else:
        logger.warning("unknown import message dropped", extra={"import_message": message})


def _chunks(records):
    """Chunks of [row index, line, fields], at most CHUNK_ROWS rows and CHUNK_BYTES each."""
    chunk, size = [], 0
    for index, (line, fields) in enumerate(records):
        row_size = len(json.dumps(fields))
        if chunk and (len(chunk) >= CHUNK_ROWS or size + row_size > CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append([index, line, fields])
        size += row_size
    if chunk:
        yield chunk


def _chunk_key(import_id: int, n: int) -> str:
    return f"{UPLOAD_PREFIX}{import_id}/chunks/{n:06d}.json"


def split(import_id: int) -> None:
    """Stream the file once: detect its dialect from the header, write each chunk of rows
    to S3 while settling day/month order, then queue one message per chunk. Memory stays
    flat whatever the file's size; a redelivered split rewrites the same chunks."""
    job = imports_data.get_import(import_id)
    if job is None or job.status not in ("pending", "processing"):
        return  # gone, or already finished: a late redelivery
    size, pieces = objects.stream(job.object_key)
    if size > MAX_IMPORT_BYTES:
        imports_data.fail_import(import_id, f"too_large: imports are limited to {MAX_IMPORT_BYTES // 2**20} MB")
        return
    lines = stream_lines(pieces)
    head = list(itertools.islice(lines, 50))
    try:
        delimiter = job.options.get("field_delimiter") or sniff_delimiter("".join(head))
        header, records = iter_records(itertools.chain(head, lines), delimiter)
        dialect = dialects.detect(header, job.type)
        order, total, chunks = DayOrder(), 0, 0
        for rows in _chunks(records):
            for _, _, fields in rows:
                for column in dialect.date_columns:
                    order.observe(fields.get(column, ""))
            objects.put_json(_chunk_key(import_id, chunks), rows)
            total += len(rows)
            chunks += 1
    except ValueError as exc:
        imports_data.fail_import(import_id, str(exc))
        return
    imports_data.begin(import_id, total, chunks, dialect.name)
    if not chunks:
        imports_data.finish_if_done(import_id)
        return
    work_queue.send([{"kind": "chunk", "import_id": import_id, "chunk": n, "dialect": dialect.name,
                      "day_first": job.options.get("day_first", order.result), "rows_key": _chunk_key(import_id, n)}
                     for n in range(chunks)])


def process_chunk(message: dict) -> None:
    import_id, chunk = message["import_id"], message["chunk"]
    job = imports_data.get_import(import_id)
    if job is None or job.status != "processing":
        return
    chunk_rows = message["rows"] if "rows" in message else objects.get_json(message["rows_key"])
    records = [(line, fields) for _, line, fields in chunk_rows]
    index_of = {line: index for index, line, _ in chunk_rows}
    rows, errors = dialects.convert(message["dialect"], records, message.get("day_first"))
    created, clients = [], []
    names = Names(created, clients, create=job.options.get("create_projects", True))
    people = People(users_data.get_user(job.user_id), job.options.get("fallback_user"))
    converted = entry_values(people, rows, names, entry_source(message["dialect"]), zone=job.options.get("timezone"))
    errors += converted.errors
    entries = [(row, values, job.first_entry_id + index_of[row.line]) for row, values in converted.entries]
    skipped = converted.skipped
    if job.options.get("skip_duplicates"):
        entries, duplicates = _without_duplicates(entries)
        skipped += duplicates
    entries_data.put_entries([{**values, "import_id": import_id} for _, values, _ in entries],
                             ids=[entry_id for _, _, entry_id in entries])
    imports_data.record_errors(import_id, [(e.line, e.message, e.fields) for e in errors])
    imports_data.count_chunk(import_id, chunk, successful=len(entries), failed=len(errors), skipped=len(skipped),
                             projects_created=created, clients_created=clients, projects_matched=names.matched,
                             users_not_found=people.not_found)
    imports_data.finish_if_done(import_id)


def _without_duplicates(entries):
    """(kept, skipped rows): one Query per user over the chunk's time span finds what exists."""
    existing: dict[tuple, int] = {}
    for user_id in {values["user_id"] for _, values, _ in entries}:
        span = span_of([e for e in entries if e[1]["user_id"] == user_id])
        existing.update(entries_data.duplicate_keys(user_id, *span))
    return drop_duplicates(entries, existing)


def settle_dead_letter(message: dict, reason: str = "could not be processed after repeated attempts") -> None:
    """A message the queue gave up on. A chunk's rows are counted as failed (once: the
    chunk marker still guards it) so the import ends partial or failed, never stuck;
    a split that kept failing fails the import."""
    import_id = message.get("import_id")
    if message.get("kind") == "chunk":
        chunk_rows = message["rows"] if "rows" in message else objects.get_json(message["rows_key"])
        lines = [(line, f"This row's chunk {reason}", fields) for _, line, fields in chunk_rows]
        imports_data.record_errors(import_id, lines)
        imports_data.count_chunk(import_id, message["chunk"], successful=0, failed=len(lines))
        imports_data.finish_if_done(import_id)
    elif message.get("kind") == "split" and import_id is not None:
        job = imports_data.get_import(import_id)
        if job is not None and job.status in ("pending", "processing"):
            imports_data.fail_import(import_id, f"The file {reason}")


def _visible(principal: Principal, import_id: int) -> ImportJob:
    job = imports_data.get_import(import_id)
    if job is None or not may_see(principal, job.user_id):
        raise NotFound(f"Import {import_id} not found")
    return job


UNDO_BATCH = 1000


def undo_import(principal: Principal, import_id: int) -> ImportJob:
    """Start removing what the import created (in the background). Idempotent: undoing an
    undone (or undoing) import changes nothing; a running import cannot be undone yet."""
    job = _visible(principal, import_id)
    if job.status in ("undoing", "undone"):
        return job
    if not job.finished:
        raise Conflict("The import is still running; undo it when it has finished", "import_in_progress")
    if imports_data.set_status(import_id, "undoing", when=IMPORT_FINAL):
        work_queue.send([{"kind": "undo", "import_id": import_id, "offset": 0}])
    return imports_data.get_import(import_id)


def undo_step(message: dict) -> None:
    """Delete one block of the import's entries (ids first_entry_id + row); then, after the
    last block, the projects and clients it created unless they now hold other work."""
    import_id, offset = message["import_id"], message["offset"]
    job = imports_data.get_import(import_id)
    if job is None or job.status != "undoing":
        return
    if job.first_entry_id and offset < job.total:
        ids = list(range(job.first_entry_id + offset, job.first_entry_id + min(offset + UNDO_BATCH, job.total)))
        entries_data.delete_entries([e for e in entries_data.get_entries(ids) if e.user_id == job.user_id])
        if offset + UNDO_BATCH < job.total:
            work_queue.send([{"kind": "undo", "import_id": import_id, "offset": offset + UNDO_BATCH}])
            return
    catalog_names.remove_unused(job.projects_created, job.clients_created)
    imports_data.set_status(import_id, "undone", when=("undoing",))


def list_import_entries(principal: Principal, import_id: int, paging: Paging) -> Page:
    _visible(principal, import_id)
    return entries_data.list_import_entries(import_id, page=paging.page, per_page=paging.per_page)


def import_tags(principal: Principal, import_id: int) -> list[dict]:
    _visible(principal, import_id)
    tags, _ = entries_data.import_entry_facets(import_id)
    return [{"name": name, "entries": n} for name, n in sorted(tags.items(), key=lambda t: t[0].casefold())]


def import_projects(principal: Principal, import_id: int) -> list[dict]:
    """The projects the import's entries went to, and whether the import created them."""
    job = _visible(principal, import_id)
    _, counts = entries_data.import_entry_facets(import_id)
    found = projects_data.get_projects(counts)
    return [{"id": p.id, "name": p.name, "entries": counts[p.id], "created": p.name in job.projects_created}
            for p in sorted(found, key=lambda p: p.name.casefold())]


MAX_LISTED_ERRORS = 1000


def get_import(principal: Principal, import_id: int) -> ImportJob:
    return _visible(principal, import_id)


def get_import_status(principal: Principal, import_id: int) -> tuple[ImportJob, list[tuple[int, str, dict]]]:
    job = _visible(principal, import_id)
    return job, imports_data.list_errors(import_id, limit=100)


def get_import_details(principal: Principal, import_id: int) -> tuple[ImportJob, list[tuple[int, str, dict]]] | None:
    """None while the import runs (the API answers 204); then the job and every line error."""
    job = _visible(principal, import_id)
    if not job.finished:
        return None
    return job, imports_data.list_errors(import_id, limit=MAX_LISTED_ERRORS)


@dataclass(frozen=True)
class ImportFilters:
    user_id: int | None = None
    type: str | None = None
    status: str | None = None
    start: str | None = None  # "from"
    end: str | None = None  # "to"


def list_imports(principal: Principal, filters: ImportFilters, paging: Paging) -> Page:
    """The caller's imports; admins see everyone's, or one user's with ``user_id``."""
    owner = whose(principal, filters.user_id, "imports")
    zone = user_zone(principal.user_id)
    start = parse_bound(filters.start, zone, "from", end=False) if filters.start else None
    end = parse_bound(filters.end, zone, "to", end=True) if filters.end else None
    return imports_data.list_imports(user_id=owner, page=paging.page, per_page=paging.per_page,
                                     status=filters.status, type=filters.type, start=start, end=end)


def list_import_history(principal: Principal, paging: Paging) -> Page:
    return list_imports(principal, ImportFilters(), paging)


PREVIEW_PROBLEMS = 20


def preview_import(principal: Principal, raw: bytes, wanted: str = "autodetect") -> dict:
    """What an import of this file would do, writing nothing: the detected format, rows,
    date range, the projects it would match or create, and the first problems."""
    try:
        parsed = dialects.read(decode_text(raw), check_type(wanted))
    except ValueError as exc:
        raise ValidationFailed.field("file", str(exc)) from None
    rows, errors = dialects.convert(parsed.dialect, parsed.records, parsed.day_first)
    zone = user_zone(principal.user_id)
    starts = [to_utc(r.start, zone) for r in rows]
    ends = [to_utc(r.end, zone) for r in rows]
    names = sorted({r.project_name.strip() for r in rows if r.project_name.strip()}, key=str.casefold)
    existing = {n: catalog_names.find_project(n) for n in names}
    people = People(users_data.get_user(principal.user_id))
    for row in rows:
        people.user_id(row)
    problems = [{"line": e.line, "message": e.message, "fields": e.fields} for e in errors]
    problems += [{"line": r.line, "message": f"Project '{existing[r.project_name.strip()].name}' is archived",
                  "fields": r.fields} for r in rows
                 if r.project_name.strip() and existing[r.project_name.strip()]
                 and existing[r.project_name.strip()].status == "archived"]
    return {
        "type": parsed.dialect.name,
        "rows": len(parsed.records),
        "valid_rows": len(rows),
        "invalid_rows": len(errors),
        "date_range": {"start": iso_z(min(starts)), "end": iso_z(max(ends))} if rows else None,
        "projects_matched": [n for n in names if existing[n] is not None],
        "projects_to_create": [n for n in names if existing[n] is None],
        "users_not_found": sorted(people.not_found, key=str.casefold),
        "problems": sorted(problems, key=lambda p: p["line"])[:PREVIEW_PROBLEMS],
    }
