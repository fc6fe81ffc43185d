"""Scheduled Harvest backups: a stored connection (token sealed, never returned), runs fanned
out through the export queue one account-and-endpoint at a time (long lists in parts), the
reference's layout in S3 under harvest-backups/<account>/<run date>/, PDFs copied (not
downloaded) when unchanged, and a run downloaded as one ZIP through the export machinery."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import boto3
import pytest

from tests.fakes.saas import SaaS
from tests.integration.conftest import drain, invoke, table_items


@pytest.fixture
def harvest(monkeypatch, aws):
    from shared.logic import harvest_backups
    from shared.settings import get_settings
    from shared.sources import harvest as harvest_client
    from shared.sources import http

    with SaaS(toggl_per_workspace=(), harvest_per_account=(7, 3)) as fake:
        for name, value in fake.environment().items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        monkeypatch.setattr(harvest_client, "PER_PAGE", 3)
        monkeypatch.setattr(harvest_backups, "PAGES_PER_STEP", 1)  # time entries in three parts
        monkeypatch.setattr(http, "BACKOFF", 0.01)
        yield fake
    get_settings.cache_clear()


def _exports():
    return drain("tt-exports", "export_worker", batch_size=1)


def _keys(prefix: str) -> dict[str, bytes]:
    s3 = boto3.client("s3")
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="tt-data", Prefix=prefix):
        for o in page.get("Contents", []):
            found[o["Key"][len(prefix):]] = s3.get_object(Bucket="tt-data", Key=o["Key"])["Body"].read()
    return found


def test_a_connection_backs_up_every_account_on_schedule_and_downloads_as_a_zip(api, admin_token, harvest,
                                                                                 make_token):
    refused = api("POST", "/api/v1/harvest/connections", token=admin_token, body={"pat": "wrong"})
    assert refused.status == 400 and "expired, revoked" in refused.text
    user = make_token(["read:*", "write:*"])
    assert api("POST", "/api/v1/harvest/connections", token=user, body={"pat": SaaS.HARVEST_TOKEN}).status == 403
    r = api("POST", "/api/v1/harvest/connections", token=admin_token, body={"pat": SaaS.HARVEST_TOKEN, "hour": 2})
    assert r.status == 201, r
    connection = r.json()
    assert connection["accounts"] == [11, 12] and SaaS.HARVEST_TOKEN not in r.text
    assert SaaS.HARVEST_TOKEN not in str(table_items("harvest_connections"))
    listed = api("GET", "/api/v1/harvest/connections", token=admin_token).json()["connections"]
    assert [c["id"] for c in listed] == [connection["id"]] and "pat" not in listed[0]

    tick = invoke("harvest_scheduler", json.load(open("events/harvest_scheduler_tick.json")))
    assert len(tick["started"]) == 1  # never run: due at once
    assert invoke("harvest_scheduler", json.load(open("events/harvest_scheduler_tick.json")))["started"] == []
    _exports()
    run = api("GET", f"/api/v1/harvest/backups/{tick['started'][0]}", token=admin_token).json()
    assert run["status"] == "completed", run
    assert run["parts_done"] == run["parts_total"] == 2 * 16 and run["trigger"] == "schedule"
    prefix = f"harvest-backups/11/{run['run_date']}/"
    assert run["locations"] == [prefix, f"harvest-backups/12/{run['run_date']}/"]
    files = _keys(prefix)
    assert json.loads(files["accounts.json"])[0]["id"] == 11
    entries = json.loads(files["time_entries/list.json"])
    assert len(entries) == 8 and f"time_entries/{entries[-1]['id']}.json" in files
    assert files["clients/list.json"].decode() == json.dumps(json.loads(files["clients/list.json"]), indent=2)
    assert "projects/2_user_assignments.json" in files and "invoices/300_payments.json" in files
    assert "invoices/artifacts/300.pdf" in files and "users/501_teammates.json" not in files
    assert not [k for k in files if k.startswith(".parts")]  # the run's working parts are gone
    manifest = json.loads(files["manifest.json"])
    assert manifest["endpoints"]["time_entries"] == 8 and "invoices/artifacts/301.pdf" in manifest["files"]
    pdfs = harvest.pdf_requests

    again = api("POST", "/api/v1/harvest/backups", token=admin_token, body={"connection_id": connection["id"]})
    assert again.status == 202
    _exports()
    assert api("GET", f"/api/v1/harvest/backups/{again.json()['id']}", token=admin_token).json()["status"] == \
        "completed"
    assert harvest.pdf_requests == pdfs  # unchanged PDFs: kept, not downloaded again

    download = api("POST", f"/api/v1/harvest/backups/{run['id']}/download", token=admin_token)
    assert download.status == 202, download
    _exports()
    export = api("GET", f"/api/export/status/{download.json()['export_id']}", token=admin_token).json()
    assert export["status"] == "completed", export
    key = next(k for k in _keys("exports/") if k.endswith(".zip"))
    archive = zipfile.ZipFile(io.BytesIO(_keys("exports/")[key]))
    names = set(archive.namelist())
    assert {"accounts.json", "harvest_account_11/manifest.json", "harvest_account_12/invoices/artifacts/300.pdf",
            "harvest_account_11/time_entries/list.json"} <= names
    assert len(json.loads(archive.read("harvest_account_11/time_entries/list.json"))) == 8
    runs = api("GET", "/api/v1/harvest/backups", token=admin_token).json()["runs"]
    assert [r["trigger"] for r in runs] == ["manual", "schedule"]


def test_a_revoked_token_fails_the_run_with_harvests_message(api, admin_token, harvest):
    connection = api("POST", "/api/v1/harvest/connections", token=admin_token,
                     body={"pat": SaaS.HARVEST_TOKEN, "schedule": "manual"}).json()
    assert connection["next_run_at"] is None
    harvest.HARVEST_TOKEN = "rotated"  # the stored one is refused from now on
    run = api("POST", "/api/v1/harvest/backups", token=admin_token, body={"connection_id": connection["id"]}).json()
    _exports()
    run = api("GET", f"/api/v1/harvest/backups/{run['id']}", token=admin_token).json()
    assert run["status"] == "failed" and "expired, revoked" in run["message"]
    assert api("POST", f"/api/v1/harvest/backups/{run['id']}/download", token=admin_token).status == 409


def test_the_schedule_says_when_the_next_run_is_due():
    from datetime import datetime, timezone

    from shared.domain import HarvestConnection
    from shared.logic.harvest_backups import next_run_at

    last = datetime(2026, 12, 1, 3, 5, tzinfo=timezone.utc)
    daily = HarvestConnection(1, 1, "daily", 3, frozenset(), last, 1, last, {})
    assert next_run_at(daily) == datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)
    weekly = HarvestConnection(1, 1, "weekly", 22, frozenset(), last, 1, last, {})
    assert next_run_at(weekly) == last.replace(hour=22, minute=0) + timedelta(days=7)


def test_an_endpoint_harvest_refuses_is_noted_and_the_run_completes(api, admin_token, harvest):
    """A 4xx other than 401/403 on one endpoint (here 404) is noted in the account's manifest,
    as the command does; the other endpoints are backed up and the run completes."""
    harvest.faults.missing_paths = {"/v2/roles"}
    connection = api("POST", "/api/v1/harvest/connections", token=admin_token,
                     body={"pat": SaaS.HARVEST_TOKEN, "schedule": "manual"}).json()
    run = api("POST", "/api/v1/harvest/backups", token=admin_token, body={"connection_id": connection["id"]}).json()
    _exports()
    run = api("GET", f"/api/v1/harvest/backups/{run['id']}", token=admin_token).json()
    assert run["status"] == "completed" and run["skipped"] >= 2, run
    manifest = json.loads(_keys(run["locations"][0])["manifest.json"])
    assert manifest["failed"] == ["11/roles"] and manifest["endpoints"]["clients"] == 1
