"""Throttling loses nothing: DynamoDB refusing writes (ProvisionedThroughputExceededException,
ThrottlingException, unprocessed BatchWriteItem items) and S3 answering SlowDown, injected at the
real clients' API-call layer, while the import and export workers and the API run against moto."""
from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import botocore.client
import pytest
import requests
from botocore.exceptions import ClientError

from shared.logic import import_steps
from tests.integration.conftest import drain, table_items


class Throttle:
    """Refuse ``every``-th call of the named operations with ``code``; for BatchWriteItem, on the
    other calls, write only the first half of the items and hand the rest back as UnprocessedItems,
    as a throttled DynamoDB does."""

    def __init__(self, monkeypatch, operations: dict[str, str], every: int = 3, unprocessed: bool = False,
                 burst: range | None = None, when=lambda params: True):
        self.operations, self.every, self.unprocessed, self.burst = operations, every, unprocessed, burst
        self.seen: Counter = Counter()
        self.refused: Counter = Counter()
        original = botocore.client.BaseClient._make_api_call

        def call(client, operation, params):
            code = self.operations.get(operation)
            if code is not None and when(params):
                self.seen[operation] += 1
                if (self.seen[operation] in self.burst) if self.burst else self.seen[operation] % self.every == 0:
                    self.refused[operation] += 1
                    raise ClientError({"Error": {"Code": code, "Message": "Rate exceeded (injected)"},
                                       "ResponseMetadata": {"HTTPStatusCode": 503 if code == "SlowDown" else 400}},
                                      operation)
                if operation == "BatchWriteItem" and self.unprocessed:
                    return self._half(original, client, params)
            return original(client, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)

    def _half(self, original, client, params):
        written, left = {}, {}
        for table, asked in params["RequestItems"].items():
            cut = max(1, len(asked) // 2)
            written[table], rest = asked[:cut], asked[cut:]
            if rest:
                left[table] = rest
                self.refused["unprocessed"] += len(rest)
        answer = original(client, "BatchWriteItem", {**params, "RequestItems": written})
        for table, rest in left.items():
            answer.setdefault("UnprocessedItems", {}).setdefault(table, []).extend(rest)
        return answer


def _until_final(api, token, import_id, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        drain(max_rounds=2000)
        job = api("GET", f"/api/v1/imports/{import_id}", token=token).json()
        if job["status"] in ("completed", "partial", "failed"):
            return job
        time.sleep(0.5)  # a failed chunk is visible again after the redelivery delay
    raise AssertionError(f"import {import_id} did not finish")


def test_a_throttled_import_ends_completed_with_every_row_once(api, admin_token, monkeypatch):
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 25)
    rows = 200
    csv = "project_name,start_time,duration_hours,notes\n" + "".join(
        f"Throttled,2024-05-{1 + i % 28:02d} {8 + i % 9:02d}:{i % 60:02d}:00,1,row {i}\n" for i in range(rows))
    throttle = Throttle(monkeypatch, {"BatchWriteItem": "ProvisionedThroughputExceededException",
                                      "UpdateItem": "ThrottlingException"}, every=4, unprocessed=True)
    started = api("POST", "/api/v1/imports", token=admin_token, body=csv, content_type="text/csv")
    assert started.status in (202, 503), started  # the request itself may be throttled: the client retries
    while started.status == 503:
        assert started.headers["Retry-After"] and started.json()["error_code"] == "service_unavailable"
        started = api("POST", "/api/v1/imports", token=admin_token, body=csv, content_type="text/csv")
    job = _until_final(api, admin_token, started.json()["import"]["id"])
    assert throttle.refused["BatchWriteItem"] and throttle.refused["unprocessed"] and throttle.refused["UpdateItem"]
    assert job["status"] == "completed", job
    assert (job["total"], job["successful"], job["failed"], job["processed"]) == (rows, rows, 0, rows)
    notes = [i["notes"]["S"] for i in table_items("time_entries") if i.get("import_id", {}).get("N") == str(job["id"])]
    assert sorted(notes) == sorted(f"row {i}" for i in range(rows))  # every row, once
    assert table_items("import_errors") == []


def test_the_api_answers_503_with_retry_after_when_dynamodb_throttles(api, admin_token, monkeypatch):
    Throttle(monkeypatch, {"Query": "ProvisionedThroughputExceededException", "PutItem": "ThrottlingException",
                           "TransactWriteItems": "ThrottlingException"}, every=1)
    for method, path, body in (("GET", "/api/v1/projects", None), ("POST", "/api/v1/projects", {"name": "P"}),
                               ("GET", "/api/v1/time-entries", None)):
        r = api(method, path, token=admin_token, body=body)
        assert r.status == 503, (path, r)
        assert r.headers["Retry-After"] == "1"
        assert r.json()["error_code"] == "service_unavailable" and "retry" in r.json()["message"].lower()


def test_a_throttled_export_goes_on_from_the_page_and_part_it_reached(api, admin_token, monkeypatch):
    import moto.s3.models

    from shared.data import objects
    from shared.data import time_entries as entries_data

    me = api("GET", "/api/v1/users/me", token=admin_token).json()["user"]["id"]
    notes = [f"entry {n:03d} " + "x" * 200 for n in range(120)]
    entries_data.put_entries([{"user_id": me, "project_id": None, "task_id": None, "notes": note, "tags": [],
                               "start_time": datetime(2024, 6, 1, tzinfo=timezone.utc) + timedelta(hours=n),
                               "end_time": datetime(2024, 6, 1, tzinfo=timezone.utc) + timedelta(hours=n, minutes=30),
                               "billable": True, "paid": False, "source": "api"} for n, note in enumerate(notes)])
    # Small pages and parts, so the file is many of each (moto lets parts be small too).
    monkeypatch.setattr(objects.MultipartWriter, "PART_BYTES", 4096)
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 256)
    monkeypatch.setattr(entries_data, "_EXPORT_PAGE_ITEMS", 2)
    throttle = Throttle(monkeypatch, {"Query": "ProvisionedThroughputExceededException", "UploadPart": "SlowDown",
                                      "CompleteMultipartUpload": "SlowDown", "AbortMultipartUpload": "none"},
                        every=3, when=lambda params: params.get("TableName", "tt-time_entries") == "tt-time_entries")
    started = api("POST", "/api/export/gdpr", token=admin_token, body={"format": "json"})
    assert started.status == 202, started
    assert drain("tt-exports", "export_worker", batch_size=1) == 1  # one delivery: the build was never redone
    status = api("GET", started.json()["status_url"], token=admin_token).json()
    assert status["status"] == "completed", status
    assert throttle.refused["Query"] >= 5 and throttle.refused["UploadPart"] >= 3 and not throttle.seen[
        "AbortMultipartUpload"]
    assert throttle.seen["UploadPart"] - throttle.refused["UploadPart"] >= 6  # a multipart file, each part once
    link = api("GET", f"/api/export/download/{status['id']}", token=admin_token, query={"redirect": "false"}).json()
    document = json.loads(requests.get(link["url"], timeout=10).content)
    assert [e["notes"] for e in document["time_entries"]] == notes  # each entry once, in order


@pytest.fixture(autouse=True)
def _fast_redelivery(monkeypatch):
    from infra.local import pollers

    monkeypatch.setattr(pollers, "REDELIVERY_DELAY_SECONDS", 0)  # a failed chunk comes back at once here
