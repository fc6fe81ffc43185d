"""The import pipeline's worker side (the API side is shared/logic/imports.py).

- split: stream the uploaded file once, detect its dialect, write each chunk of at most
  CHUNK_ROWS rows to S3 while settling day/month order, reserve one id per row (entry id
  = first_entry_id + row index) and queue one message per chunk.
- chunk (in parallel): parse, resolve names with conditional creates, write entries with
  BatchWriteItem under their derived ids, store per-line errors, and move the counters
  together with the chunk's marker: a redelivered chunk rewrites the same items and
  counts nothing twice. The worker whose chunk completes the import sets its final
  status, exactly once.
- undo: delete one block of the import's entries per message, then what it created.
- What the queue gives up on reaches the DLQ worker (settle_dead_letter).
"""
from __future__ import annotations

import itertools
import json

from shared.data import imports as imports_data
from shared.data import objects, work_queue
from shared.data import time_entries as entries_data
from shared.data import users as users_data
from shared.imports import dialects
from shared.imports.reading import binary_kind, stream_lines
from shared.imports.rows import DayOrder, iter_records, sniff_delimiter
from shared.logic import catalog_names
from shared.logic.entry_rows import Names, People, drop_duplicates, entry_source, entry_values, span_of
from shared.logic.imports import MAX_IMPORT_BYTES, UPLOAD_PREFIX
from shared.observability import logger

CHUNK_ROWS = 1000
CHUNK_BYTES = 1_000_000  # a chunk object's rows, JSON; messages only name it
UNDO_BATCH = 1000


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


def chunk_key(import_id: int, n: int) -> str:
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
    pieces = iter(pieces)
    first = next(pieces, b"")
    kind = binary_kind(first[:8192])
    if kind:
        imports_data.fail_import(import_id, f"invalid_file: this file is {kind}, not a CSV text file")
        return
    lines = stream_lines(itertools.chain([first], pieces))
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
            objects.put_json(chunk_key(import_id, chunks), rows)
            total += len(rows)
            chunks += 1
    except ValueError as exc:
        imports_data.fail_import(import_id, f"invalid_file: {exc}")
        return
    imports_data.begin(import_id, total, chunks, dialect.name)
    if not chunks:
        imports_data.finish_if_done(import_id)
        return
    work_queue.send([{"kind": "chunk", "import_id": import_id, "chunk": n, "dialect": dialect.name,
                      "day_first": job.options.get("day_first", order.result), "rows_key": chunk_key(import_id, n)}
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
                             users_not_found=people.not_found, created_ids=names.created_ids)
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


def undo_step(message: dict) -> None:
    """Delete one block of the import's entries (ids first_entry_id + row, read through the
    by-import index: whoever owns them); then, after the last block, the tasks, projects and
    clients it created (by id) unless they now hold other work."""
    import_id, offset = message["import_id"], message["offset"]
    job = imports_data.get_import(import_id)
    if job is None or job.status != "undoing":
        return
    if job.first_entry_id and offset < job.total:
        first = job.first_entry_id + offset
        entries_data.delete_entries(entries_data.import_entries_between(
            import_id, first, job.first_entry_id + min(offset + UNDO_BATCH, job.total) - 1))
        if offset + UNDO_BATCH < job.total:
            work_queue.send([{"kind": "undo", "import_id": import_id, "offset": offset + UNDO_BATCH}])
            return
    catalog_names.remove_unused(job.task_ids_created, job.project_ids_created, job.client_ids_created)
    imports_data.set_status(import_id, "undone", when=("undoing",))
