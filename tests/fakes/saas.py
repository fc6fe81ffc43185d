"""Toggl Track and Harvest as HTTP servers on loopback, for the importers' tests and bench.

They answer as the real APIs do (../shared/reference/toggl-harvest-apis.md): Toggl's Basic
auth with the literal password ``api_token`` (403 otherwise), Reports API v3 pages linked by
X-Next-ID / X-Next-Row-Number, at most a year per search; Harvest's Bearer token, required
User-Agent and Harvest-Account-Id, 2,000-entry pages linked by ``links.next``, and account
discovery. ``faults`` makes them misbehave on cue: 429 with Retry-After, 402 once a quota is
spent, 5xx. Every request is logged (method, path, status) for the tests' assertions.
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Faults:
    throttle_every: int = 0  # every Nth request answers 429 (Retry-After: retry_after)
    retry_after: str = "0"
    quota: int = 0  # Toggl: after this many requests, 402 until quota_resets_in seconds pass
    quota_resets_in: float = 1.0
    fail_at: set = field(default_factory=set)  # request numbers answered 503
    fail_paths: set = field(default_factory=set)  # paths that always answer 503
    missing_paths: set = field(default_factory=set)  # paths that answer 404
    _quota_reset_at: float = 0.0


INVALID_TOKEN = "The access token provided is expired, revoked, malformed or invalid for other reasons."


def _day(text: str) -> date:
    return date.fromisoformat(text)


class SaaS:
    """Data of both services, generated: ``toggl[wid]`` and ``harvest[account]`` entry lists."""

    TOGGL_TOKEN = "toggl-secret-token-1234"
    HARVEST_TOKEN = "harvest-secret-token-5678"

    def __init__(self, toggl_per_workspace=(30, 20), harvest_per_account=(25, 15), running=1,
                 first_day=date(2023, 1, 2)):
        self.faults = Faults()
        self.subdomain, self.invoice_updated, self.invoice_amount = {}, {}, {}
        self.log: list[tuple[str, str, int]] = []
        self.requests = 0
        self.lock = threading.Lock()
        self.toggl = {}
        for w, count in enumerate(toggl_per_workspace, start=1):
            entries = []
            for i in range(count):
                start = datetime.combine(first_day + timedelta(days=i % 700), datetime.min.time(),
                                         timezone.utc) + timedelta(hours=8 + i % 5)
                seconds = 1800 + (i % 7) * 900
                entries.append({"id": w * 1_000_000 + i, "user_id": 100 + i % 2, "project_id": 10 * w + i % 3,
                                "billable": i % 2 == 0, "description": f"Toggl work {i}", "tag_ids": [7, 8][: i % 3],
                                "start": start, "seconds": seconds})
            for r in range(running):  # timers still running: no stop, negative duration
                start = datetime.combine(first_day + timedelta(days=3), datetime.min.time(), timezone.utc)
                entries.append({"id": w * 1_000_000 + 900_000 + r, "user_id": 100, "project_id": 10 * w,
                                "billable": False, "description": "still running", "tag_ids": [],
                                "start": start, "seconds": -1})
            self.toggl[w] = entries
        self.harvest = {}
        for a, count in enumerate(harvest_per_account, start=1):
            account = 10 + a
            entries = []
            for i in range(count):
                day = first_day + timedelta(days=i % 500)
                timed = i % 4 == 0
                entries.append({"id": account * 1_000_000 + i, "spent_date": day.isoformat(),
                                "hours": 1.5 if timed else 0.25 * (1 + i % 8), "notes": f"Harvest work {i}",
                                "billable": i % 3 != 0, "is_running": False,
                                "started_time": "9:00am" if timed else None, "ended_time": "10:30am" if timed else None,
                                "user": {"id": 500 + i % 2, "name": ["Ann Lee", "Bo Chen"][i % 2]},
                                "client": {"id": 1, "name": f"Client {account}"},
                                "project": {"id": 2 + i % 2, "name": f"Harvest project {i % 2}"},
                                "task": {"id": 3, "name": "Design"}})
            for r in range(running):
                entries.append({**entries[0], "id": account * 1_000_000 + 900_000 + r, "is_running": True,
                                "notes": "running now", "started_time": None, "ended_time": None})
            self.harvest[account] = entries

    # -- running ---------------------------------------------------------------------------
    def __enter__(self):
        saas = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                saas._handle(self, "GET")

            def do_POST(self):
                saas._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def environment(self) -> dict[str, str]:
        return {"TOGGL_API_URL": self.url, "HARVEST_API_URL": self.url, "HARVEST_ID_URL": self.url,
                "HARVEST_PDF_URL": self.url + "/pdfs/{subdomain}"}

    # -- answering ---------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        import time

        parts = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length) or b"{}") if length else {}
        with self.lock:
            self.requests += 1
            number = self.requests
        status, payload, headers = 200, None, {}
        f = self.faults
        if f.throttle_every and number % f.throttle_every == 0:
            status, payload, headers = 429, {"message": "Too many requests"}, {"Retry-After": f.retry_after}
        elif number in f.fail_at or parts.path in f.fail_paths:
            status, payload = 503, {"message": "Service unavailable"}
        elif parts.path in f.missing_paths:
            status, payload = 404, {"message": "Not found"}
        elif parts.path.startswith(("/api/v9", "/reports")) and f.quota and (
                f._quota_reset_at > time.time() or number > f.quota and not f._quota_reset_at):
            if not f._quota_reset_at:
                f._quota_reset_at = time.time() + f.quota_resets_in
            status, payload = 402, "You have hit your hourly limit for API calls."
            headers = {"X-Toggl-Quota-Remaining": "0",
                       "X-Toggl-Quota-Resets-In": str(max(1, round(f._quota_reset_at - time.time())))}
        else:
            try:
                status, payload, headers = self._route(request, method, parts.path, parse_qs(parts.query), body)
            except KeyError as exc:
                status, payload = 404, {"message": f"not found: {exc}"}
        data = json.dumps(payload).encode()
        self.log.append((method, parts.path, status))  # before answering: a client may look at once
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            request.send_header(k, v)
        request.end_headers()
        request.wfile.write(data)

    def _route(self, request, method, path, query, body):
        if path.startswith(("/api/v9", "/reports")):
            expected = "Basic " + base64.b64encode(f"{self.TOGGL_TOKEN}:api_token".encode()).decode()
            if request.headers.get("Authorization") != expected:
                return 403, "Incorrect username and/or password", {}
            return self._toggl(method, path, query, body)
        if path.startswith("/pdfs/"):  # public PDF links: /pdfs/<subdomain>/client/<kind>/<client_key>.pdf
            with self.lock:
                self.pdf_requests += 1
            return 200, f"%PDF-1.4 {path}", {}
        if path.startswith(("/api/v2/accounts", "/v2/")):
            if "(" not in (request.headers.get("User-Agent") or ""):
                return 400, {"error": "A User-Agent naming the app and a contact is required"}, {}
            if request.headers.get("Authorization") != f"Bearer {self.HARVEST_TOKEN}":
                return 401, {"error": "invalid_token", "error_description": INVALID_TOKEN}, {}
            if path == "/api/v2/accounts":
                return 200, {"user": {"id": 1}, "accounts": [
                    *({"id": a, "name": f"Account {a}", "product": "harvest"} for a in self.harvest),
                    {"id": 99, "name": "Forecast", "product": "forecast"}]}, {}
            account = int(request.headers.get("Harvest-Account-Id") or 0)
            if account not in self.harvest:
                return 403, {"error": "forbidden", "error_description": "No access to this account"}, {}
            return self._harvest(account, path, query)
        raise KeyError(path)

    def _toggl(self, method, path, query, body):
        bits = path.strip("/").split("/")
        if path == "/api/v9/me":
            return 200, {"id": 100, "email": "ann@example.com", "fullname": "Ann Lee", "timezone": "UTC"}, {}
        if path == "/api/v9/me/workspaces":
            return 200, [{"id": w, "name": f"Workspace {w}"} for w in self.toggl], {}
        if bits[:3] == ["api", "v9", "workspaces"]:
            wid, what = int(bits[3]), bits[4]
            if what == "projects":
                page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["200"])[0])
                projects = [{"id": 10 * wid + i, "name": f"Toggl project {wid}.{i}", "client_id": 70 + wid}
                            for i in range(3)]
                return 200, projects[(page - 1) * per_page: page * per_page], {}
            if what == "clients":
                return 200, [{"id": 70 + wid, "name": f"Toggl client {wid}"}], {}
            if what == "tags":
                return 200, [{"id": 7, "name": "deep-work"}, {"id": 8, "name": "meeting"}], {}
            if what == "users":
                return 200, [{"id": 100, "fullname": "Ann Lee", "email": "ann@example.com"},
                             {"id": 101, "fullname": "Bo Chen", "email": "bo@example.com"}], {}
        if bits[:4] == ["reports", "api", "v3", "workspace"] and method == "POST":
            wid = int(bits[4])
            start, end = _day(body["start_date"]), _day(body["end_date"])
            if (end - start).days > 366:
                return 400, "The maximum date range is one year", {}
            rows = [e for e in sorted(self.toggl[wid], key=lambda e: (e["start"], e["id"]))
                    if start <= e["start"].date() <= end]
            first = int(body.get("first_row_number") or 1)
            size = int(body.get("page_size") or 50)
            page = rows[first - 1: first - 1 + size]
            headers = {}
            if first - 1 + size < len(rows):
                headers = {"X-Next-ID": str(rows[first - 1 + size]["id"]),
                           "X-Next-Row-Number": str(first + size)}
            return 200, [self._toggl_row(e, n) for n, e in enumerate(page, start=first)], headers
        raise KeyError(path)

    @staticmethod
    def _toggl_row(e, number):
        stop = None if e["seconds"] < 0 else (e["start"] + timedelta(seconds=e["seconds"])).isoformat()
        return {"user_id": e["user_id"], "username": {100: "Ann Lee", 101: "Bo Chen"}[e["user_id"]],
                "project_id": e["project_id"], "task_id": None, "billable": e["billable"],
                "description": e["description"], "tag_ids": e["tag_ids"], "row_number": number,
                "time_entries": [{"id": e["id"], "seconds": e["seconds"], "start": e["start"].isoformat(),
                                  "stop": stop, "at": e["start"].isoformat()}]}

    # -- Harvest: every endpoint a backup reads ---------------------------------------------
    subdomain: dict = {}  # account -> its company's subdomain (None: no PDF links)
    invoices_per_account = 3
    pdf_requests = 0

    def harvest_lists(self, account: int) -> dict[str, tuple[str, list]]:
        """path -> (the list's key, its items)."""
        users = [{"id": 500, "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "is_admin": True},
                 {"id": 501, "first_name": "Bo", "last_name": "Chen", "email": "bo@example.com", "is_admin": False}]
        projects = [{"id": 2, "name": "Harvest project 0"}, {"id": 3, "name": "Harvest project 1"}]
        invoices = [{"id": 300 + i, "client_key": f"inv{account}k{i}", "number": str(i),
                     "updated_at": self.invoice_updated.get((account, 300 + i), "2024-01-01T00:00:00Z"),
                     "amount": self.invoice_amount.get((account, 300 + i), 100.0 + i)}
                    for i in range(self.invoices_per_account)]
        lists = {
            "/v2/clients": ("clients", [{"id": 1, "name": f"Client {account}"}]),
            "/v2/contacts": ("contacts", [{"id": 40, "first_name": "Cy", "client": {"id": 1}}]),
            "/v2/projects": ("projects", projects),
            "/v2/tasks": ("tasks", [{"id": 3, "name": "Design"}]),
            "/v2/time_entries": ("time_entries", self.harvest[account]),
            "/v2/users": ("users", users),
            "/v2/users/me/project_assignments": ("project_assignments", [{"id": 61, "project": projects[0]}]),
            "/v2/expenses": ("expenses", [{"id": 200, "total_cost": 12.5}]),
            "/v2/expense_categories": ("expense_categories", [{"id": 210, "name": "Travel"}]),
            "/v2/invoices": ("invoices", invoices),
            "/v2/invoice_item_categories": ("invoice_item_categories", [{"id": 400, "name": "Service"}]),
            "/v2/estimates": ("estimates", [{"id": 450, "client_key": f"est{account}", "updated_at": "x"}]),
            "/v2/estimate_item_categories": ("estimate_item_categories", [{"id": 500, "name": "Product"}]),
            "/v2/roles": ("roles", [{"id": 510, "name": "Designers"}]),
        }
        for p in projects:
            lists[f"/v2/projects/{p['id']}/user_assignments"] = ("user_assignments", [{"id": 70 + p["id"]}])
            lists[f"/v2/projects/{p['id']}/task_assignments"] = ("task_assignments", [{"id": 80 + p["id"]}])
        for u in users:
            for sub in ("billable_rates", "cost_rates", "project_assignments"):
                lists[f"/v2/users/{u['id']}/{sub}"] = (sub, [{"id": u["id"] * 10, "amount": 50.0}])
            if u["is_admin"]:
                lists[f"/v2/users/{u['id']}/teammates"] = ("teammates", [{"id": 501}])
        for inv in invoices:
            lists[f"/v2/invoices/{inv['id']}/messages"] = ("invoice_messages", [{"id": inv["id"] * 10}])
            lists[f"/v2/invoices/{inv['id']}/payments"] = ("invoice_payments", [])
        lists["/v2/estimates/450/messages"] = ("estimate_messages", [{"id": 4500}])
        return lists

    invoice_updated: dict = {}
    invoice_amount: dict = {}

    def _harvest(self, account, path, query):
        per_page = int(query.get("per_page", ["100"])[0])
        if per_page > 2000:
            return 422, {"message": "per_page must be at most 2000"}, {}
        page = int(query.get("page", ["1"])[0])
        if path == "/v2/company":
            sub = self.subdomain.get(account, f"acme{account}")
            return 200, {"name": f"Company {account}", "full_domain": f"{sub}.harvestapp.com" if sub else None}, {}
        if path == "/v2/users/me":
            return 200, {"id": 500, "first_name": "Ann", "last_name": "Lee"}, {}
        if path.startswith("/v2/users/") and path.endswith("/teammates") and path not in self.harvest_lists(account):
            return 422, {"message": "This user does not manage anyone"}, {}
        key, found = self.harvest_lists(account)[path]
        if "from" in query:
            lo, hi = _day(query["from"][0]), _day(query["to"][0])
            found = [e for e in found if lo <= _day(e["spent_date"]) <= hi]
        pages = max(1, -(-len(found) // per_page))
        following = None
        if page < pages:
            kept = "&".join(f"{k}={v[0]}" for k, v in query.items() if k not in ("page", "per_page"))
            following = f"{self.url}{path}?{kept + '&' if kept else ''}per_page={per_page}&page={page + 1}"
        return 200, {key: found[(page - 1) * per_page: page * per_page], "page": page, "total_pages": pages,
                     "total_entries": len(found), "links": {"next": following}}, {}
