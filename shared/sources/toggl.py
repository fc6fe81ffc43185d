"""Toggl Track: workspaces and their names through API v9, entries through the Reports API
v3 detailed search (the only way to full history), paged by its X-Next-* headers, in
windows of at most a year (facts: ../shared/reference/toggl-harvest-apis.md)."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from shared.sources.http import SourceSession, check_base_url

PAGE_SIZE = 1000  # rows per report page; each row holds one or more entries
MAX_WINDOW_DAYS = 365  # the report search answers at most a year per request
# The X-Next-* response headers and the body fields they go back as.
NEXT_HEADERS = {"X-Next-ID": "first_id", "X-Next-Row-Number": "first_row_number",
                "X-Next-Timestamp": "first_timestamp"}


def basic_auth(token: str) -> str:
    """Toggl's Basic auth: the token as user, the literal word api_token as password."""
    return "Basic " + base64.b64encode(f"{token}:api_token".encode()).decode()


@dataclass
class Catalog:
    """A workspace's names, fetched once per import: report rows carry only ids."""

    projects: dict[int, dict] = field(default_factory=dict)  # id -> {"name", "client_id"}
    clients: dict[int, str] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)
    users: dict[int, dict] = field(default_factory=dict)  # id -> {"name", "email"}

    def as_record(self) -> dict:
        return {"projects": self.projects, "clients": self.clients, "tags": self.tags, "users": self.users}

    @classmethod
    def from_record(cls, raw: dict) -> Catalog:
        def ints(d):
            return {int(k): v for k, v in d.items()}
        return cls(ints(raw["projects"]), ints(raw["clients"]), ints(raw["tags"]), ints(raw["users"]))


def windows(start: date, end: date) -> list[tuple[date, date]]:
    out, lo = [], start
    while lo <= end:
        hi = min(end, lo + timedelta(days=MAX_WINDOW_DAYS - 1))
        out.append((lo, hi))
        lo = hi + timedelta(days=1)
    return out


class Toggl:
    def __init__(self, token: str, base_url: str, **session_options):
        self.base = check_base_url(base_url)
        self.http = SourceSession("Toggl", {"Authorization": basic_auth(token)}, **session_options)

    def me(self) -> dict:
        return self.http.get_json(f"{self.base}/api/v9/me")

    def workspaces(self) -> list[dict]:
        return self.http.get_json(f"{self.base}/api/v9/me/workspaces") or []

    def _list(self, wid: int, what: str, **params) -> list[dict]:
        return self.http.get_json(f"{self.base}/api/v9/workspaces/{wid}/{what}", params=params or None) or []

    def catalog(self, wid: int) -> Catalog:
        projects, page = [], 1
        while True:  # projects are paged (200 a page); the rest come whole
            batch = self._list(wid, "projects", per_page=200, page=page, active="both")
            projects += batch
            if len(batch) < 200:
                break
            page += 1
        return Catalog(
            projects={p["id"]: {"name": p.get("name") or "", "client_id": p.get("client_id")} for p in projects},
            clients={c["id"]: c.get("name") or "" for c in self._list(wid, "clients")},
            tags={t["id"]: t.get("name") or "" for t in self._list(wid, "tags")},
            users={u.get("user_id") or u["id"]: {"name": u.get("fullname") or u.get("name") or "",
                                                 "email": u.get("email") or ""} for u in self._list(wid, "users")})

    def report_page(self, wid: int, start: date, end: date, after: dict | None) -> tuple[list[dict], dict | None]:
        """One page of the detailed report: (rows, the next page's first_* fields or None)."""
        body = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page_size": PAGE_SIZE,
                "order_by": "date", "order_dir": "asc", **(after or {})}
        response = self.http.call("POST", f"{self.base}/reports/api/v3/workspace/{wid}/search/time_entries",
                                  json=body)
        following = {}
        for header, name in NEXT_HEADERS.items():
            value = response.headers.get(header)
            if value:
                following[name] = int(value) if value.isdigit() else value
        return response.json() or [], (following or None)


def records(rows: list[dict], wid: int, catalog: Catalog) -> list[dict]:
    """Report rows as flat records (one per entry), with names instead of ids; the importer's
    fields (dialect toggl_api) plus ``source_id``."""
    out = []
    for row in rows:
        project = catalog.projects.get(row.get("project_id") or 0) or {}
        user = catalog.users.get(row.get("user_id") or 0) or {}
        base = {
            "user": row.get("username") or user.get("name") or "",
            "email": user.get("email") or "",
            "project": project.get("name") or "",
            "client": catalog.clients.get(project.get("client_id") or 0, ""),
            "description": row.get("description") or "",
            # a JSON list: a tag name may hold a comma
            "tags": json.dumps([catalog.tags.get(t, str(t)) for t in row.get("tag_ids") or ()], ensure_ascii=False),
            "billable": "true" if row.get("billable") else "false",
        }
        for entry in row.get("time_entries") or ():
            out.append({**base, "source_id": f"toggl:{wid}:{entry['id']}", "start": entry.get("start") or "",
                        "stop": entry.get("stop") or "", "seconds": str(entry.get("seconds", ""))})
    return out
