"""Imports straight from Toggl's and Harvest's APIs, against loopback servers that page,
throttle, run out of quota, fail and refuse like the real ones (tests/fakes/saas.py)."""
from __future__ import annotations

import time

import pytest

from tests.fakes.saas import SaaS
from tests.integration.conftest import drain, table_items


@pytest.fixture
def saas(monkeypatch, aws):
    from shared.logic import source_imports
    from shared.settings import get_settings
    from shared.sources import harvest, http, toggl

    with SaaS() as fake:
        for name, value in fake.environment().items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        monkeypatch.setattr(toggl, "PAGE_SIZE", 7)  # many pages from a small account
        monkeypatch.setattr(harvest, "PER_PAGE", 6)
        monkeypatch.setattr(source_imports, "PAGES_PER_STEP", 2)  # many steps, each queuing the next
        monkeypatch.setattr(http, "BACKOFF", 0.01)
        yield fake
    get_settings.cache_clear()


def _status(api, token, import_id):
    return api("GET", f"/api/v1/imports/{import_id}", token=token).json()


TOGGL = {"api_token": SaaS.TOGGL_TOKEN, "start_date": "2022-06-01", "end_date": "2025-12-31"}
HARVEST = {"api_token": SaaS.HARVEST_TOKEN, "start_date": "2023-01-01", "end_date": "2024-12-31"}


def test_toggl_every_workspace_exactly_once_then_never_twice(api, admin_token, saas):
    r = api("POST", "/api/import/toggl", token=admin_token, body=TOGGL)
    assert r.status == 202, r
    first = r.json()["import_id"]
    assert r.json()["status_url"] == f"/api/v1/imports/{first}/status"
    drain()
    job = _status(api, admin_token, first)
    assert job["status"] == "completed", job
    assert (job["successful"], job["skipped"], job["failed"], job["total"]) == (50, 2, 0, 52)
    entries = api("GET", f"/api/v1/imports/{first}/entries?per_page=100", token=admin_token).json()["time_entries"]
    assert len(entries) == 50 and {e["source"] for e in entries} == {"toggl"}
    assert {e["source_id"].rsplit(":", 1)[0] for e in entries} == {"toggl:1", "toggl:2"}
    assert "toggl:1:1000002" in {e["source_id"] for e in entries}
    expected = sum(1800 + (i % 7) * 900 for i in range(30)) + sum(1800 + (i % 7) * 900 for i in range(20))
    assert sum(e["duration_seconds"] for e in entries) == expected
    tagged = next(e for e in entries if e["notes"] == "Toggl work 2")
    assert tagged["tags"] in ("deep-work,meeting", "deep-work, meeting"), tagged
    assert tagged["billable"] is True
    details = api("GET", f"/api/v1/imports/{first}/details", token=admin_token).json()
    assert [e["message"] for e in details["errors"]] == ["Skipped: the timer is still running at the source"] * 2
    assert set(details["projects_created"]) >= {"Toggl project 1.0", "Toggl project 2.2"}

    again = api("POST", "/api/v1/imports", token=admin_token, body={**TOGGL, "type": "toggl_api"})
    assert again.status == 202, again
    again = again.json()
    drain()
    job = _status(api, admin_token, again["import_id"])
    assert (job["status"], job["successful"], job["skipped"]) == ("completed", 0, 52), job
    assert len([i for i in table_items("time_entries")]) == 50  # nothing doubled


def test_toggl_report_pages_are_linked_by_the_next_headers_and_credentials_leave_no_trace(api, admin_token, saas,
                                                                                         caplog):
    saas.faults.throttle_every = 5  # every fifth request: 429, Retry-After 0
    r = api("POST", "/api/import/toggl", token=admin_token, body={**TOGGL, "workspace_id": 2})
    drain()
    job = _status(api, admin_token, r.json()["import_id"])
    assert (job["status"], job["successful"]) == ("completed", 20), job
    searches = [s for m, p, s in saas.log if p.endswith("/search/time_entries")]
    assert 429 in searches and searches.count(200) == 3 + 3  # 21 rows, 7 a page; 3 more windows of a year, empty
    assert not any(p.startswith("/api/v9/workspaces/1") for _, p, _ in saas.log)
    for logical in ("imports", "time_entries", "import_errors", "unique_names", "counters"):
        assert SaaS.TOGGL_TOKEN not in str(table_items(logical))
    assert "secret" not in str(table_items("imports"))  # removed when the import ended
    assert SaaS.TOGGL_TOKEN not in caplog.text
    assert SaaS.TOGGL_TOKEN not in str(api("GET", f"/api/v1/imports/{job['id']}", token=admin_token).json())


def test_toggl_refused_credentials_fail_at_once_with_togglss_message(api, admin_token, saas):
    r = api("POST", "/api/import/toggl", token=admin_token, body={**TOGGL, "api_token": "wrong"})
    drain()
    job = _status(api, admin_token, r.json()["import_id"])
    assert job["status"] == "failed" and "Incorrect username and/or password" in job["message"]
    preview = api("POST", "/api/v1/imports/preview", token=admin_token,
                  body={**TOGGL, "api_token": "wrong", "type": "toggl_api"})
    assert preview.status == 400 and "Incorrect username" in preview.text


def test_toggl_quota_spent_waits_and_resumes(api, admin_token, saas):
    saas.faults.quota, saas.faults.quota_resets_in = 6, 1.0
    r = api("POST", "/api/import/toggl", token=admin_token, body=TOGGL)
    import_id = r.json()["import_id"]
    drain()
    job = _status(api, admin_token, import_id)
    assert job["status"] == "waiting" and job["resumes_at"], job
    time.sleep(2.2)
    saas.faults.quota = 0
    saas.faults._quota_reset_at = 0
    drain()
    job = _status(api, admin_token, import_id)
    assert (job["status"], job["successful"], job["skipped"]) == ("completed", 50, 2), job
    assert 402 in [s for _, _, s in saas.log]


def test_harvest_discovers_accounts_pages_by_links_and_keeps_start_and_end_times(api, admin_token, saas,
                                                                                   monkeypatch):
    from shared.logic import source_imports

    monkeypatch.setattr(source_imports, "PREVIEW_PAGES", 5)  # the first account whole, not the second
    saas.faults.fail_at = {3}  # one 503 on the way: retried
    preview = api("POST", "/api/v1/imports/preview", token=admin_token, body={**HARVEST, "type": "harvest_api"})
    assert preview.status == 200, preview
    p = preview.json()
    assert p["running_entries_skipped"] >= 1 and p["complete"] is False and "Design" in p["tasks"]
    assert p["projects_to_create"] == ["Harvest project 0", "Harvest project 1"]
    assert table_items("time_entries") == []
    r = api("POST", "/api/import/harvest", token=admin_token, body=HARVEST)
    assert r.status == 202
    drain()
    job = _status(api, admin_token, r.json()["import_id"])
    assert (job["status"], job["successful"], job["skipped"]) == ("completed", 40, 2), job
    entries = api("GET", f"/api/v1/imports/{job['id']}/entries?per_page=100", token=admin_token).json()[
        "time_entries"]
    timed = next(e for e in entries if e["notes"] == "Harvest work 0")
    assert timed["start_time"].endswith("09:00:00Z") and timed["end_time"].endswith("10:30:00Z")
    noon = next(e for e in entries if e["notes"] == "Harvest work 1")
    assert noon["start_time"].endswith("12:00:00Z") and noon["duration_seconds"] == 1800
    assert {h for _, p, h in saas.log if p == "/v2/time_entries"} >= {503, 200}


def test_harvest_refused_token_and_undo(api, admin_token, saas):
    bad = api("POST", "/api/import/harvest", token=admin_token, body={**HARVEST, "api_token": "nope"}).json()
    drain()
    assert "expired, revoked" in _status(api, admin_token, bad["import_id"])["message"]
    r = api("POST", "/api/import/harvest", token=admin_token, body={**HARVEST, "account_id": 12}).json()
    drain()
    assert _status(api, admin_token, r["import_id"])["successful"] == 15
    assert api("DELETE", f"/api/v1/imports/{r['import_id']}", token=admin_token).status == 202
    drain()
    assert _status(api, admin_token, r["import_id"])["status"] == "undone"
    assert table_items("time_entries") == []


def test_source_fields_are_checked(api, admin_token, saas):
    for body, field in (({"start_date": "2024-01-01"}, "api_token"), ({"api_token": "x"}, "start_date"),
                        ({"api_token": "x", "start_date": "2024-02-01", "end_date": "2024-01-01"}, "end_date"),
                        ({"api_token": "x", "start_date": "2024-01-01", "workspace_id": "abc"}, "workspace_id")):
        r = api("POST", "/api/import/toggl", token=admin_token, body=body)
        assert r.status in (400, 422) and field in r.text, (body, r)


def test_a_fetch_step_that_crashes_after_queuing_its_chunks_is_repeated_exactly(api, admin_token, saas, monkeypatch,
                                                                                small_sync_limit):
    """The step dies after its pages' chunks and the next step were queued, before it was counted:
    SQS redelivers it; the repeat rewrites the same chunks and counts once. Nothing doubles."""
    from shared.data import imports as imports_data

    original, crashed = imports_data.count_fetch_step, []

    def crash_once(import_id, step, **counts):
        if step == 1 and not crashed:
            crashed.append(step)
            raise RuntimeError("the worker died here")
        return original(import_id, step, **counts)

    monkeypatch.setattr(imports_data, "count_fetch_step", crash_once)
    r = api("POST", "/api/import/harvest", token=admin_token, body=HARVEST).json()
    drain()
    job = _status(api, admin_token, r["import_id"])
    assert crashed and (job["status"], job["successful"], job["skipped"], job["total"]) == ("completed", 40, 2, 42)
    assert len(table_items("time_entries")) == 40


def test_a_source_that_keeps_answering_429_pauses_the_import_instead_of_spinning(api, admin_token, saas):
    saas.faults.throttle_every = 1  # every request: 429, Retry-After 0
    r = api("POST", "/api/import/harvest", token=admin_token, body=HARVEST).json()
    drain()
    job = _status(api, admin_token, r["import_id"])
    assert job["status"] == "waiting" and job["resumes_at"], job
    assert len(saas.log) == 11  # one request, then ten more 429s, then the pause


def test_a_source_that_cannot_be_reached_is_a_503_not_a_400(api, admin_token, saas, monkeypatch):
    from shared.settings import get_settings

    monkeypatch.setenv("TOGGL_API_URL", "http://127.0.0.1:9")  # nothing listens there
    get_settings.cache_clear()
    r = api("POST", "/api/v1/imports/preview", token=admin_token, body={**TOGGL, "type": "toggl_api"})
    assert r.status == 503 and r.json()["error_code"] == "source_unavailable", r
    assert r.headers.get("Retry-After") == "60"


def test_tokens_that_cannot_travel_in_a_header_are_a_400(api, admin_token, saas):
    """Found by fuzzing: a token with non-ASCII characters made requests fail to build the header (500)."""
    for body, path in (({**TOGGL, "api_token": "ß\u0082token"}, "/api/import/toggl"),
                       ({"pat": "ß\u0082pat"}, "/api/v1/harvest/connections"),
                       ({"pat": SaaS.HARVEST_TOKEN, "user_agent": "App (é@example.com)"},
                        "/api/v1/harvest/connections")):
        r = api("POST", path, token=admin_token, body=body)
        assert r.status == 400 and r.json()["error_code"] == "validation_error", (path, r)
