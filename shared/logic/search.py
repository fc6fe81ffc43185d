"""Global search across projects, tasks, clients and the caller's time entries.

Every searchable item writes its words to the search index when it is saved
(shared/data/search_terms.py), so a query is one Query per word per type, never a
scan. A query word matches words that start with it ("web" finds "Website"),
case- and accent-insensitively; all query words must match.
"""
from __future__ import annotations

from shared.data import clients as clients_data
from shared.data import projects as projects_data
from shared.data import search_terms
from shared.data import tasks as tasks_data
from shared.data import time_entries as entries_data
from shared.domain import Principal
from shared.errors import ValidationFailed
from shared.search_words import matches, words

TYPES = ("project", "task", "client", "entry")
MIN_QUERY = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def parse_types(types: str | None) -> tuple[str, ...]:
    if not types:
        return TYPES
    wanted = tuple(dict.fromkeys(t.strip().lower() for t in types.split(",") if t.strip()))
    unknown = [t for t in wanted if t not in TYPES]
    if unknown or not wanted:
        raise ValidationFailed.field("types", f"Choose from {', '.join(TYPES)}")
    return wanted


def _projects(query_words, limit) -> list[dict]:
    found = projects_data.get_projects(search_terms.find("project", "", query_words, limit * 3))
    active = sorted((p for p in found if p.status == "active"), key=lambda p: -p.id)[:limit]
    return [{"type": "project", "category": "project", "id": p.id, "title": p.name,
             "description": p.description, "url": f"/projects/{p.id}", "badge": "Project"} for p in active]


def _tasks(query_words, limit) -> list[dict]:
    found = tasks_data.get_tasks(search_terms.find("task", "", query_words, limit * 3))
    projects = {p.id: p for p in projects_data.get_projects({t.project_id for t in found})}
    live = sorted((t for t in found if projects.get(t.project_id) and projects[t.project_id].status == "active"),
                  key=lambda t: -t.id)[:limit]
    return [{"type": "task", "category": "task", "id": t.id, "title": t.name,
             "description": projects[t.project_id].name, "url": f"/tasks/{t.id}",
             "badge": t.status.replace("_", " ").title()} for t in live]


def _clients(query_words, limit) -> list[dict]:
    found = sorted(clients_data.get_clients(search_terms.find("client", "", query_words, limit)), key=lambda c: -c.id)
    return [{"type": "client", "category": "client", "id": c.id, "title": c.name,
             "description": c.company or c.email, "url": f"/clients/{c.id}", "badge": "Client"} for c in found]


def _entries(principal: Principal, query_words, limit) -> list[dict]:
    ids = search_terms.find("entry", str(principal.user_id), query_words, limit * 3)
    # The index may still list an entry that has since lost the word: check what was fetched.
    entries = sorted((e for e in entries_data.get_entries(ids) if matches(query_words, e.notes, " ".join(e.tags))),
                     key=lambda e: e.start_time, reverse=True)[:limit]
    projects = {p.id: p.name for p in projects_data.get_projects({e.project_id for e in entries if e.project_id})}
    return [{"type": "entry", "category": "entry", "id": e.id,
             "title": (e.notes or ", ".join(e.tags) or "Time entry")[:80],
             "description": " · ".join(filter(None, [projects.get(e.project_id), e.start_time.date().isoformat()])),
             "url": f"/time-entries/{e.id}", "badge": "Time Entry"} for e in entries]


def search(principal: Principal, q: str, types: str | None, limit: int | None) -> list[dict]:
    """Results per type, each type capped at ``limit``; time entries are the caller's own."""
    text = (q or "").strip()
    if len(text) < MIN_QUERY:
        raise ValidationFailed.field("q", f"Search for at least {MIN_QUERY} characters")
    wanted = parse_types(types)
    limit = limit or DEFAULT_LIMIT
    query_words = words(text)
    if not query_words:
        return []
    results: list[dict] = []
    for kind in wanted:
        if kind == "project":
            results += _projects(query_words, limit)
        elif kind == "task":
            results += _tasks(query_words, limit)
        elif kind == "client":
            results += _clients(query_words, limit)
        else:
            results += _entries(principal, query_words, limit)
    return results
