"""Imports' access patterns (keys and indexes in shared/models/imports.py)."""
from __future__ import annotations

from dataclasses import fields as dc_fields

from pynamodb.expressions.operand import Path

from shared.clock import iso_z, utcnow
from shared.data import counters, jobs, unique_names
from shared.data.common import BatchWrite, fetch_page, transaction
from shared.domain import SKIP, ImportJob, ImportOptions, Page
from shared.errors import Conflict
from shared.jobs.status import ImportStatus, final_import_status
from shared.models.imports import ImportErrorModel, ImportModel

_FIELDS = [f.name for f in dc_fields(ImportJob)]


def _to_domain(item: ImportModel) -> ImportJob:
    values = {n: getattr(item, n) for n in _FIELDS}
    values["projects_created"] = frozenset(item.projects_created or ())
    values["clients_created"] = frozenset(item.clients_created or ())
    for name in CREATED_IDS:
        values[name] = frozenset(int(i) for i in getattr(item, name) or ())
    values["projects_matched"] = frozenset(item.projects_matched or ())
    values["users_not_found"] = frozenset(item.users_not_found or ())
    values["options"] = ImportOptions.from_record(item.options.as_dict() if item.options else {})
    return ImportJob(**values)


def from_stored(raw: dict) -> ImportJob:
    """An import as DynamoDB stores it (a stream image; its sealed secret left out)."""
    return _to_domain(ImportModel.from_raw_data({k: v for k, v in raw.items() if k != "secret"}))


def new_import_id() -> int:
    return counters.next_id("import")


def put_import(import_id: int, values: dict) -> ImportJob:
    return _to_domain(jobs.put_pending(ImportModel, import_id, values))


def get_import(import_id: int) -> ImportJob | None:
    item = jobs.get(ImportModel, import_id)
    return _to_domain(item) if item else None


ANY = object()  # a list filter not given


def _option(name: str) -> Path:
    return Path(["options", name])


def list_imports(*, user_id: int | None, page: int, per_page: int, status: str | None = None,
                 type: str | None = None, start=None, end=None,  # noqa: A002 - the API's name
                 fallback_user=ANY, import_tags: bool | None = None, autocreate_projects: bool | None = None) -> Page:
    """Newest first: a user's (by-user) or everyone's (by-org); the date range narrows the
    range key; status, type and the imports spec's option filters filter. ``fallback_user``:
    a user id (imports giving that user the rows of users not found: named, or the importer
    by default), or SKIP (imports that skipped those rows)."""
    source, hash_key = jobs.history(ImportModel, user_id)
    created = ImportModel.created_key.between(iso_z(start) if start else "0", (iso_z(end) if end else "9") + "~")
    conditions = [attribute == value for attribute, value in ((ImportModel.status, status), (ImportModel.type, type))
                  if value]
    if fallback_user is SKIP:
        conditions.append(_option("fallback_user") == SKIP)
    elif fallback_user is not ANY:
        conditions.append((_option("fallback_user") == fallback_user)
                          | (_option("fallback_user").does_not_exist() & (ImportModel.user_id == fallback_user)))
    if import_tags is not None:
        tagged = ImportModel.tags_imported
        conditions.append(tagged.exists() if import_tags else tagged.does_not_exist())
    if autocreate_projects is not None:  # stored only when it differs from the default (true)
        conditions.append(_option("create_projects").does_not_exist() if autocreate_projects
                          else _option("create_projects") == False)  # noqa: E712 - a DynamoDB condition
    condition = None
    for c in conditions:
        condition = c if condition is None else condition & c
    return fetch_page(source, hash_key, page=page, per_page=per_page, to_domain=_to_domain, newest_first=True,
                      range_key_condition=created, filter_condition=condition)


def iter_imports(user_id: int):
    """A user's imports, oldest first (Query by-user)."""
    return (_to_domain(item) for item in ImportModel.by_user.query(user_id))


def begin(import_id: int, total: int, chunks_total: int, dialect: str) -> ImportJob:
    """pending → processing, reserving one id per row (entry id = first_entry_id + row
    index) exactly once: a redelivered split finds the import processing and reuses them."""
    first = counters.reserve_ids("time_entry", total)[0] if total else 0
    jobs.move(ImportModel, import_id, [ImportModel.total.set(total), ImportModel.type.set(dialect),
                                       ImportModel.chunks_total.set(chunks_total),
                                       ImportModel.first_entry_id.set(first)], to=ImportStatus.PROCESSING)
    return get_import(import_id)


def begin_fetching(import_id: int, dialect: str) -> bool:
    """pending → processing for an import from an API: no rows known yet; the fetch counts as
    one chunk of its own (done when the last page is fetched), so the import cannot finish
    while pages are still coming."""
    return jobs.move(ImportModel, import_id, [ImportModel.type.set(dialect), ImportModel.chunks_total.set(1)],
                     to=ImportStatus.PROCESSING)


class StepAlreadyCounted(Conflict):
    def __init__(self):
        super().__init__("This fetch step was counted before", "fetch_step_already_counted")


class StepOutOfOrder(RuntimeError):
    """The step before this one is not counted yet (it died after queuing this one): the
    queue retries this step, so the import cannot finish before every page's rows are known."""


def count_fetch_step(import_id: int, step: int, *, rows: int, chunks: int, skipped: int, last: bool,
                     source_total: int | None = None) -> bool:
    """What one fetch step queued, exactly once (the step's marker moves with the counters):
    ``rows`` more to come in ``chunks`` more chunks, ``skipped`` rows counted now (running
    timers), and with ``last`` the fetch's own chunk done. False if counted before; steps
    count in order (StepOutOfOrder otherwise)."""
    try:
        with transaction([StepAlreadyCounted, StepOutOfOrderConflict]) as t:
            unique_names.claim(t, f"import:{import_id}:fetch:{step}", import_id)
            actions = [ImportModel.total.add(rows + skipped), ImportModel.chunks_total.add(chunks),
                       ImportModel.processed.add(skipped), ImportModel.skipped.add(skipped),
                       ImportModel.fetch_step.set(step + 1)]
            if last:
                actions.append(ImportModel.chunks_done.add(1))
            if source_total is not None:
                actions.append(ImportModel.source_total.set(source_total))
            t.update(ImportModel(import_id), condition=ImportModel.id.exists() & (ImportModel.fetch_step == step),
                     actions=actions)
    except StepAlreadyCounted:
        return False
    except StepOutOfOrderConflict:
        raise StepOutOfOrder(f"import {import_id}: fetch step {step} waits for step {step - 1}") from None
    return True


class StepOutOfOrderConflict(Conflict):
    def __init__(self):
        super().__init__("An earlier fetch step is not counted yet", "fetch_step_out_of_order")


def put_secret(import_id: int, sealed: bytes) -> None:
    ImportModel(import_id).update(actions=[ImportModel.secret.set(sealed)], condition=ImportModel.id.exists())


def get_import_and_secret(import_id: int) -> tuple[ImportJob | None, bytes | None]:
    """The import and its sealed credentials, in one read (a fetch step needs both)."""
    item = jobs.get(ImportModel, import_id)
    return (_to_domain(item), item.secret) if item else (None, None)


def wait_for_quota(import_id: int, resumes_at) -> bool:
    return jobs.move(ImportModel, import_id, [ImportModel.resumes_at.set(resumes_at)], to=ImportStatus.WAITING)


def resume(import_id: int) -> bool:
    return jobs.move(ImportModel, import_id, [ImportModel.resumes_at.remove()], to=ImportStatus.PROCESSING,
                     when=(ImportStatus.WAITING,))


def record_errors(import_id: int, errors: list[tuple[int, str, dict]]) -> None:
    """(line, message, fields) per rejected line; rewriting the same line is harmless."""
    with BatchWrite(ImportErrorModel) as batch:
        for line, message, fields in errors:
            batch.save(ImportErrorModel(import_id, line, message=message[:1000],
                                        fields={k: str(v)[:500] for k, v in (fields or {}).items()}))


def list_errors(import_id: int, limit: int) -> list[tuple[int, str, dict]]:
    return [(e.line, e.message, e.fields.as_dict() if e.fields else {})
            for e in ImportErrorModel.query(import_id, limit=limit)]


class ChunkAlreadyCounted(Conflict):
    def __init__(self):
        super().__init__("This chunk was counted before", "chunk_already_counted")


MAX_NAMES_PER_CHUNK = 100  # of users not found / projects matched: a report, not a dump


CREATED_IDS = ("project_ids_created", "client_ids_created", "task_ids_created")


def count_chunk(import_id: int, chunk: int, successful: int, failed: int, skipped: int = 0, projects_created=(),
                clients_created=(), projects_matched=(), users_not_found=(), created_ids: dict | None = None,
                tagged: bool = False) -> bool:
    """Count a chunk's rows exactly once: the chunk's marker and the counters move in
    one transaction, so a redelivered chunk counts nothing twice. False if already counted."""
    try:
        with transaction([ChunkAlreadyCounted, None]) as t:
            unique_names.claim(t, f"import:{import_id}:chunk:{chunk}", import_id)
            actions = [ImportModel.processed.add(successful + failed + skipped),
                       ImportModel.successful.add(successful), ImportModel.failed.add(failed),
                       ImportModel.skipped.add(skipped), ImportModel.chunks_done.add(1)]
            for attribute, names, every in ((ImportModel.projects_created, projects_created, True),
                                            (ImportModel.clients_created, clients_created, True),
                                            (ImportModel.projects_matched, projects_matched, False),
                                            (ImportModel.users_not_found, users_not_found, False)):
                if names:  # created names: all of them; the others are a report
                    actions.append(attribute.add(set(names) if every else set(sorted(names)[:MAX_NAMES_PER_CHUNK])))
            if tagged:  # some entry came with tags (the import_tags filter)
                actions.append(ImportModel.tags_imported.set(True))
            for name, ids in (created_ids or {}).items():  # what an undo may delete, once unused
                if ids:
                    actions.append(getattr(ImportModel, name).add({int(i) for i in ids}))
            t.update(ImportModel(import_id), condition=ImportModel.id.exists(), actions=actions)
    except ChunkAlreadyCounted:
        return False
    return True


def finish_if_done(import_id: int) -> ImportJob | None:
    """Set the final status once every chunk is counted; exactly one caller wins."""
    current = get_import(import_id)
    if current is None or current.status != ImportStatus.PROCESSING or \
            current.chunks_done < (current.chunks_total or 0):
        return None
    if not jobs.move(ImportModel, import_id, [ImportModel.completed_at.set(utcnow()), ImportModel.secret.remove()],
                     to=final_import_status(current.successful, current.failed),
                     also=ImportModel.chunks_done >= ImportModel.chunks_total):
        return None
    return get_import(import_id)


def fail_import(import_id: int, message: str) -> bool:
    """A pending or running import fails with ``message``."""
    return jobs.move(ImportModel, import_id, [ImportModel.message.set(message[:1000]), ImportModel.secret.remove(),
                                              ImportModel.resumes_at.remove(), ImportModel.completed_at.set(utcnow())],
                     to=ImportStatus.FAILED)


def set_status(import_id: int, status: ImportStatus, *, when: tuple[ImportStatus, ...] | None = None) -> bool:
    """Move to ``status`` (from one of ``when``, else any the table allows); False if the
    import was elsewhere."""
    return jobs.move(ImportModel, import_id, [], to=status, when=when)
