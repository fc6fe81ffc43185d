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
- What the queue gives up on reaches the DLQ worker (the ``@settles`` functions).

Each step is registered for its message type (shared/jobs/registry.py).
"""
from __future__ import annotations

import itertools
import json

from shared.data import bucket_layout, objects, work_queue
from shared.data import imports as imports_data
from shared.data import time_entries as entries_data
from shared.data import users as users_data
from shared.jobs.messages import ImportChunk, SplitImport, UndoImport
from shared.jobs.registry import handles, settles
from shared.jobs.status import IMPORT_ACTIVE, ImportStatus
from shared.logic import catalog_names
from shared.logic.entry_rows import Names, People, drop_duplicates, entry_source, entry_values, span_of
from shared.observability import IMPORT_ROWS, count, logger
from shared.tracker_files import dialects
from shared.tracker_files.reading import binary_kind, stream_lines
from shared.tracker_files.rows import DayOrder, iter_records, sniff_delimiter

MAX_IMPORT_BYTES = bucket_layout.MAX_UPLOAD_BYTES
CHUNK_ROWS = 1000
CHUNK_BYTES = 1_000_000  # a chunk object's rows, JSON; messages only name it
UNDO_BATCH = 1000


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


@handles(SplitImport)
def split(message: SplitImport) -> None:
    """Stream the file once: detect its dialect from the header, write each chunk of rows
    to S3 while settling day/month order, then queue one message per chunk. Memory stays
    flat whatever the file's size; a redelivered split rewrites the same chunks."""
    import_id = message.import_id
    job = imports_data.get_import(import_id)
    if job is None or job.status not in IMPORT_ACTIVE:
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
        delimiter = job.options.field_delimiter or sniff_delimiter("".join(head))
        header, records = iter_records(itertools.chain(head, lines), delimiter)
        dialect = dialects.detect(header, job.type)
        order, total, chunks = DayOrder(), 0, 0
        for rows in _chunks(records):
            for _, _, fields in rows:
                for column in dialect.date_columns:
                    order.observe(fields.get(column, ""))
            objects.put_json(bucket_layout.import_chunk(import_id, chunks), rows)
            total += len(rows)
            chunks += 1
    except ValueError as exc:
        imports_data.fail_import(import_id, f"invalid_file: {exc}")
        return
    imports_data.begin(import_id, total, chunks, dialect.name)
    if not chunks:
        imports_data.finish_if_done(import_id)
        return
    day_first = order.result if job.options.day_first is None else job.options.day_first
    work_queue.send([ImportChunk(import_id, n, dialect.name, bucket_layout.import_chunk(import_id, n), day_first)
                     for n in range(chunks)])


@handles(ImportChunk)
def process_chunk(message: ImportChunk) -> None:
    import_id, chunk = message.import_id, message.chunk
    job = imports_data.get_import(import_id)
    if job is None or job.status not in (ImportStatus.PROCESSING, ImportStatus.WAITING):
        return  # (waiting: an import from an API whose next page waits for the source's quota)
    chunk_rows = objects.get_json(message.rows_key)
    records = [(row[1], row[2]) for row in chunk_rows]
    # an entry's id: first_entry_id + row index (files), or derived from its source id (APIs)
    id_of = {row[1]: row[3] if len(row) > 3 else job.first_entry_id + row[0] for row in chunk_rows}
    rows, errors = dialects.convert(message.dialect, records, message.day_first)
    created, clients = [], []
    names = Names(created, clients, create=job.options.create_projects)
    people = People(users_data.get_user(job.user_id), job.options.fallback_user)
    converted = entry_values(people, rows, names, entry_source(message.dialect), zone=job.options.timezone)
    errors += converted.errors
    entries = [(row, values, id_of[row.line]) for row, values in converted.entries]
    skipped = converted.skipped
    if any(len(row) > 3 for row in chunk_rows):  # a source record imported before (by another import): kept
        entries, again = _not_imported_before(import_id, entries)
        skipped += again
    if job.options.skip_duplicates:
        entries, duplicates = _without_duplicates(entries)
        skipped += duplicates
    entries_data.put_entries([{**values, "import_id": import_id} for _, values, _ in entries],
                             ids=[entry_id for _, _, entry_id in entries])
    imports_data.record_errors(import_id, [(e.line, e.message, e.fields) for e in errors])
    if imports_data.count_chunk(import_id, chunk, successful=len(entries), failed=len(errors), skipped=len(skipped),
                                projects_created=created, clients_created=clients, projects_matched=names.matched,
                                users_not_found=people.not_found, created_ids=names.created_ids,
                                tagged=any(values["tags"] for _, values, _ in entries)):
        for outcome, n in (("imported", len(entries)), ("failed", len(errors)), ("skipped", len(skipped))):
            if n:
                count(IMPORT_ROWS, n, outcome)  # the dashboard's import throughput
    imports_data.finish_if_done(import_id)


def _not_imported_before(import_id: int, entries):
    """(new, already there): entries whose derived id another import (or a person since)
    already holds are skipped, not rewritten; this import's own (a redelivery) are rewritten."""
    holders = entries_data.import_ids_of([entry_id for _, _, entry_id in entries])
    kept = [e for e in entries if e[2] not in holders or holders[e[2]] == import_id]
    return kept, [row for row, _, entry_id in entries if entry_id in holders and holders[entry_id] != import_id]


def _without_duplicates(entries):
    """(kept, skipped rows): one Query per user over the chunk's time span finds what exists."""
    existing: dict[tuple, int] = {}
    for user_id in {values["user_id"] for _, values, _ in entries}:
        span = span_of([e for e in entries if e[1]["user_id"] == user_id])
        existing.update(entries_data.duplicate_keys(user_id, *span))
    return drop_duplicates(entries, existing)


GAVE_UP = "could not be processed after repeated attempts"


@settles(ImportChunk)
def settle_chunk(message: ImportChunk) -> None:
    """A chunk's rows are counted as failed (once: the chunk marker still guards it), so
    the import ends partial or failed, never stuck."""
    chunk_rows = objects.get_json(message.rows_key)
    lines = [(line, f"This row's chunk {GAVE_UP}", fields) for _, line, fields in chunk_rows]
    imports_data.record_errors(message.import_id, lines)
    imports_data.count_chunk(message.import_id, message.chunk, successful=0, failed=len(lines))
    imports_data.finish_if_done(message.import_id)


@settles(SplitImport)
def settle_split(message: SplitImport) -> None:
    """A split that kept failing fails the import."""
    job = imports_data.get_import(message.import_id)
    if job is not None and job.status in IMPORT_ACTIVE:
        imports_data.fail_import(message.import_id, f"The file {GAVE_UP}")


@settles(UndoImport)
def settle_undo(message: UndoImport) -> None:
    """An undo step that kept failing: the import stays ``undoing`` (what was removed is
    gone, the rest is intact); the dead-letter metric and this log line tell an operator."""
    logger.error("an undo step was given up", extra={"import_id": message.import_id, "offset": message.offset})


@handles(UndoImport)
def undo_step(message: UndoImport) -> None:
    """Delete one block of the import's entries (read through the by-import index in id
    order, from after ``offset``: whoever owns them); then, after the last block, the
    tasks, projects and clients it created (by id) unless they now hold other work."""
    import_id, offset = message.import_id, message.offset
    job = imports_data.get_import(import_id)
    if job is None or job.status != ImportStatus.UNDOING:
        return
    block = entries_data.import_entries_after(import_id, offset, UNDO_BATCH)
    entries_data.delete_entries(block)
    if len(block) == UNDO_BATCH:
        work_queue.send([UndoImport(import_id, block[-1].id)])
        return
    catalog_names.remove_unused(job.task_ids_created, job.project_ids_created, job.client_ids_created)
    imports_data.set_status(import_id, ImportStatus.UNDONE)
