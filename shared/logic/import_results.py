"""Reading an import's results: the record, its status and details (per-line errors),
history, and what it wrote (entries, tags, projects). Starting, previewing and undoing
imports is shared/logic/imports.py; the workers' side is shared/logic/import_steps.py."""
from __future__ import annotations

from dataclasses import dataclass

from shared.data import imports as imports_data
from shared.data import projects as projects_data
from shared.data import time_entries as entries_data
from shared.domain import SKIP, ImportJob, Page, Principal
from shared.errors import NotFound, ValidationFailed
from shared.logic.ownership import may_see, whose
from shared.logic.paging import Paging
from shared.logic.time_entries import user_zone
from shared.logic.timeparse import parse_bound


def visible_import(principal: Principal, import_id: int) -> ImportJob:
    job = imports_data.get_import(import_id)
    if job is None or not may_see(principal, job.user_id):
        raise NotFound(f"Import {import_id} not found")
    return job


def list_import_entries(principal: Principal, import_id: int, paging: Paging) -> Page:
    visible_import(principal, import_id)
    return entries_data.list_import_entries(import_id, page=paging.page, per_page=paging.per_page)


def import_tags(principal: Principal, import_id: int) -> list[dict]:
    visible_import(principal, import_id)
    tags, _ = entries_data.import_entry_facets(import_id)
    return [{"name": name, "entries": n} for name, n in sorted(tags.items(), key=lambda t: t[0].casefold())]


def import_projects(principal: Principal, import_id: int) -> list[dict]:
    """The projects the import's entries went to, and whether the import created them."""
    job = visible_import(principal, import_id)
    _, counts = entries_data.import_entry_facets(import_id)
    found = projects_data.get_projects(counts)
    return [{"id": p.id, "name": p.name, "entries": counts[p.id], "created": p.name in job.projects_created}
            for p in sorted(found, key=lambda p: p.name.casefold())]


MAX_LISTED_ERRORS = 1000


def get_import(principal: Principal, import_id: int) -> ImportJob:
    return visible_import(principal, import_id)


def get_import_status(principal: Principal, import_id: int) -> tuple[ImportJob, list[tuple[int, str, dict]]]:
    job = visible_import(principal, import_id)
    return job, imports_data.list_errors(import_id, limit=100)


def get_import_details(principal: Principal, import_id: int) -> tuple[ImportJob, list[tuple[int, str, dict]]] | None:
    """None while the import runs (the API answers 204); then the job and every line error."""
    job = visible_import(principal, import_id)
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
    fallback_user: str | None = None  # a user id, or "null": imports that skipped rows of users not found
    import_tags: bool | None = None
    autocreate_projects: bool | None = None


def list_imports(principal: Principal, filters: ImportFilters, paging: Paging) -> Page:
    """The caller's imports; admins see everyone's, or one user's with ``user_id``."""
    owner = whose(principal, filters.user_id, "imports")
    zone = user_zone(principal.user_id)
    start = parse_bound(filters.start, zone, "from", end=False) if filters.start else None
    end = parse_bound(filters.end, zone, "to", end=True) if filters.end else None
    return imports_data.list_imports(user_id=owner, page=paging.page, per_page=paging.per_page,
                                     status=filters.status, type=filters.type, start=start, end=end,
                                     fallback_user=_fallback_filter(filters.fallback_user),
                                     import_tags=filters.import_tags, autocreate_projects=filters.autocreate_projects)


def _fallback_filter(raw: str | None):
    if raw is None:
        return imports_data.ANY
    if raw.strip().lower() == "null":
        return SKIP
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed.field("fallback_user", "A user id, or null") from None


def list_import_history(principal: Principal, paging: Paging) -> Page:
    return list_imports(principal, ImportFilters(), paging)


