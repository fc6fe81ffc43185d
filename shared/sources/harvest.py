"""Harvest API v2: account discovery, then time entries 2,000 a page, always following
``links.next`` (facts: ../shared/reference/toggl-harvest-apis.md)."""
from __future__ import annotations

from datetime import date

from shared.sources.http import SourceSession, check_base_url

PER_PAGE = 2000  # Harvest's maximum (more answers 422)
USER_AGENT = "TimeTracker Serverless importer (https://github.com/timetracker-serverless; ops@timetracker.local)"


class Harvest:
    def __init__(self, token: str, api_url: str, id_url: str, account_id: int | None = None,
                 user_agent: str = USER_AGENT, **session_options):
        self.api, self.id_url = check_base_url(api_url), check_base_url(id_url)
        headers = {"Authorization": f"Bearer {token}", "User-Agent": user_agent}
        if account_id:
            headers["Harvest-Account-Id"] = str(account_id)
        self.http = SourceSession("Harvest", headers, **session_options)

    def accounts(self) -> list[dict]:
        """The token's Harvest accounts (Forecast ones left out)."""
        body = self.http.get_json(f"{self.id_url}/api/v2/accounts")
        return [a for a in body.get("accounts") or () if (a.get("product") or "harvest") == "harvest"]

    def for_account(self, account_id: int) -> Harvest:
        self.http.session.headers["Harvest-Account-Id"] = str(account_id)
        return self

    def users(self) -> dict[int, dict]:
        """id -> {"name", "email"}: time entries name their user by id and name only."""
        out, url = {}, f"{self.api}/v2/users?per_page={PER_PAGE}"
        while url:
            body = self.http.get_json(url)
            for u in body.get("users") or ():
                out[u["id"]] = {"name": f"{u.get('first_name', '')} {u.get('last_name', '')}".strip(),
                                "email": u.get("email") or ""}
            url = (body.get("links") or {}).get("next")
        return out

    def first_page_url(self, start: date, end: date) -> str:
        return f"{self.api}/v2/time_entries?from={start.isoformat()}&to={end.isoformat()}&per_page={PER_PAGE}"

    def entries_page(self, url: str) -> tuple[list[dict], str | None, int | None]:
        """(entries, the next page's URL or None, total_entries as Harvest tells it)."""
        body = self.http.get_json(url)
        return body.get("time_entries") or [], (body.get("links") or {}).get("next"), body.get("total_entries")


def records(entries: list[dict], account_id: int, users: dict[int, dict]) -> list[dict]:
    """Time entries as flat records (dialect harvest_api) plus ``source_id``."""
    out = []
    for e in entries:
        user = users.get((e.get("user") or {}).get("id") or 0) or {}
        out.append({
            "source_id": f"harvest:{account_id}:{e['id']}",
            "user": (e.get("user") or {}).get("name") or user.get("name") or "",
            "email": user.get("email") or "",
            "date": e.get("spent_date") or "",
            "hours": str(e.get("hours") if e.get("hours") is not None else ""),
            "started_time": e.get("started_time") or "",
            "ended_time": e.get("ended_time") or "",
            "project": (e.get("project") or {}).get("name") or "",
            "client": (e.get("client") or {}).get("name") or "",
            "task": (e.get("task") or {}).get("name") or "",
            "notes": e.get("notes") or "",
            "billable": "true" if e.get("billable") else "false",
            "is_running": "true" if e.get("is_running") else "false",
        })
    return out
