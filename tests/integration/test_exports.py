"""Exports end to end against moto: 202, the export worker streaming to S3, status,
owner-only presigned downloads, expiry, failures that leave nothing behind."""
import csv
import io
import json
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests

from shared.data import objects
from tests.integration.conftest import drain


@pytest.fixture
def world(api, admin_token, make_token):
    alice = make_token(["read:*", "write:*"], username="alice")
    bob = make_token(["read:*", "write:*"], username="bob")
    project = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Website"}).json()["project"]
    other = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Internal"}).json()["project"]
    for day, (notes, billable, pid) in enumerate([("=HYPERLINK(\"http://evil\")", True, project["id"]),
                                                  ("Café, naïve – “quotes”", False, project["id"]),
                                                  ("+SUM(A1)", True, other["id"])], start=1):
        r = api("POST", "/api/v1/time-entries", token=alice, body={
            "project_id": pid, "start_time": f"2024-03-0{day}T09:00:00Z", "end_time": f"2024-03-0{day}T10:30:00Z",
            "notes": notes, "tags": "client,web", "billable": billable})
        assert r.status == 201, r
    api("POST", "/api/v1/time-entries", token=bob, body={
        "project_id": project["id"], "start_time": "2024-03-01T09:00:00Z", "end_time": "2024-03-01T10:00:00Z",
        "notes": "bob's secret"})
    return {"alice": alice, "bob": bob, "admin": admin_token, "project": project, "other": other}


def export_drain():
    return drain("tt-exports", "export_worker", batch_size=1)


def start(api, token, path, body=None):
    r = api("POST", path, token=token, body=body if body is not None else {})
    assert r.status == 202, r
    return r.json()


def download(api, token, export_id) -> tuple[bytes, requests.Response]:
    r = api("GET", f"/api/export/download/{export_id}", token=token)
    assert r.status == 302, r
    url = r.headers["Location"]
    assert int(parse_qs(urlparse(url).query)["X-Amz-Expires"][0]) <= 300
    got = requests.get(url, timeout=10)
    assert got.status_code == 200
    return got.content, got


def test_gdpr_json_export_holds_everything_of_the_caller_and_nothing_else(api, world):
    started = start(api, world["alice"], "/api/export/gdpr", {"format": "json"})
    assert started["success"] and started["status"] == "pending"
    assert started["download_url"] == f"/api/export/download/{started['export_id']}"
    assert started["filename"].startswith("gdpr_export_alice_") and started["filename"].endswith(".json")
    assert api("GET", started["download_url"], token=world["alice"]).status == 409  # not ready yet
    export_drain()
    status = api("GET", started["status_url"], token=world["alice"]).json()
    assert status["status"] == "completed" and status["file_size"] > 0
    assert status["record_count"] == 1 + 3 + 2 + 0 + 0 + 2 + 0 + 1 + 1  # profile, entries, projects, tags, ...
    completed = status["completed_at"]
    assert status["expires_at"][:10] == (__import__("datetime").datetime.fromisoformat(
        completed.replace("Z", "+00:00")) + timedelta(days=7)).date().isoformat()
    body, response = download(api, world["alice"], started["export_id"])
    assert started["filename"] in response.headers["Content-Disposition"]
    # ?redirect=false: the same presigned URL as JSON, for a page (fetch cannot read a redirect's Location)
    link = api("GET", f"/api/export/download/{started['export_id']}", token=world["alice"],
               query={"redirect": "false"})
    assert link.status == 200 and link.json()["expires_in"] == 300
    assert requests.get(link.json()["url"], timeout=10).content == body
    assert api("GET", f"/api/export/download/{started['export_id']}", token=world["bob"],
               query={"redirect": "false"}).status == 404  # still only the owner's
    document = json.loads(body)
    assert list(document) == ["export_info", "user_profile", "time_entries", "projects", "tasks", "clients", "tags",
                              "imports", "exports", "api_tokens"]
    assert document["export_info"]["username"] == "alice"
    assert document["export_info"]["export_type"] == "GDPR Full Data Export"
    assert document["user_profile"]["username"] == "alice"
    assert sorted(e["notes"][:4] for e in document["time_entries"]) == ["+SUM", "=HYP", "Café"]
    assert {p["name"] for p in document["projects"]} == {"Website", "Internal"}
    assert document["tags"] == [{"name": "client", "entries": 3}, {"name": "web", "entries": 3}]
    assert [e["id"] for e in document["exports"]] == [started["export_id"]]
    tokens = document["api_tokens"]
    assert len(tokens) == 1 and "token_hash" not in tokens[0] and tokens[0]["token_prefix"]
    assert "bob's secret" not in body.decode()


def test_gdpr_zip_is_valid_with_fixed_names_and_excel_safe_csvs(api, world):
    started = start(api, world["alice"], "/api/export/gdpr", {"format": "zip"})
    export_drain()
    body, response = download(api, world["alice"], started["export_id"])
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert archive.namelist() == ["export.json", "user_profile.csv", "time_entries.csv", "projects.csv", "tasks.csv",
                                  "clients.csv", "tags.csv", "imports.csv", "exports.csv", "api_tokens.csv"]
    assert json.loads(archive.read("export.json"))["export_info"]["format"] == "zip"
    raw = archive.read("time_entries.csv")
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # UTF-8 with BOM, CRLF: what Excel opens
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    notes = sorted(r["notes"] for r in rows)
    assert notes == ["'+SUM(A1)", "'=HYPERLINK(\"http://evil\")", "Café, naïve – “quotes”"]
    assert {r["tags"] for r in rows} == {"client, web"}
    assert response.headers["Content-Type"] == "application/zip"


def test_filtered_exports_json_and_csv(api, world):
    body = {"format": "csv", "filters": {"start_date": "2024-03-01", "end_date": "2024-03-02",
                                         "billable_only": False, "project_id": world["project"]["id"]}}
    started = start(api, world["alice"], "/api/export/filtered", body)
    export_drain()
    raw, _ = download(api, world["alice"], started["export_id"])
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["start_time"][:10] for r in rows] == ["2024-03-01", "2024-03-02"]  # the end day is included
    both = start(api, world["alice"], "/api/export/filtered", {"format": "json", "filters": {
        "billable_only": True, "include_projects": True, "include_expenses": True}})
    export_drain()
    document = json.loads(download(api, world["alice"], both["export_id"])[0])
    assert [e["notes"][:4] for e in document["time_entries"]] == ["=HYP", "+SUM"]
    assert {p["name"] for p in document["projects"]} == {"Website", "Internal"}
    assert document["export_info"]["filters"]["billable_only"] is True
    admin_all = start(api, world["admin"], "/api/export/filtered", {"filters": {}})
    export_drain()
    assert len(json.loads(download(api, world["admin"], admin_all["export_id"])[0])["time_entries"]) == 4


@pytest.mark.parametrize("body, status", [
    ({"format": "xlsx"}, 400),
    ({"format": "csv", "filters": {"include_projects": True}}, 400),
    ({"filters": {"include_time_entries": False}}, 400),
    ({"filters": {"start_date": "2024-03-05", "end_date": "2024-03-01"}}, 400),
    ({"filters": {"start_date": "March"}}, 400),
    ({"filters": {"project_id": 999}}, 400),
    ({"filters": {"colour": "red"}}, 400),
    ({"filters": {"user_id": 1}}, 403),
])
def test_filtered_export_rejects_bad_requests(api, world, body, status):
    r = api("POST", "/api/export/filtered", token=world["alice"], body=body)
    assert r.status == status, r
    assert r.json()["message"]


def test_exports_are_private_admins_see_all_and_backups_are_admin_only(api, world):
    started = start(api, world["alice"], "/api/export/gdpr", {})
    export_drain()
    for path in (f"/api/export/status/{started['export_id']}", f"/api/export/download/{started['export_id']}"):
        assert api("GET", path, token=world["bob"]).status == 404  # not 403: nothing is revealed
    assert api("GET", f"/api/export/download/{started['export_id']}", token=world["admin"]).status == 302
    assert api("GET", "/api/export/history", token=world["bob"]).json()["exports"] == []
    assert [e["id"] for e in api("GET", "/api/export/history", token=world["admin"]).json()["exports"]] == \
        [started["export_id"]]
    assert api("POST", "/api/export/backup", token=world["alice"]).status == 403
    assert api("GET", "/api/export/status/999", token=world["alice"]).status == 404


def test_an_expired_export_is_gone_even_before_lifecycle_and_ttl_run(api, world):
    from shared.models.exports import ExportModel

    started = start(api, world["alice"], "/api/export/gdpr", {})
    export_drain()
    item = ExportModel.get(started["export_id"])
    assert item.purge_at == item.expires_at + timedelta(days=1)  # TTL drops the record a day after the file
    item.update(actions=[ExportModel.expires_at.set(item.completed_at - timedelta(seconds=1))])
    r = api("GET", f"/api/export/download/{started['export_id']}", token=world["alice"])
    assert r.status == 410 and r.json()["error_code"] == "export_expired"
    status = api("GET", started["status_url"], token=world["alice"]).json()
    assert status["expired"] is True and status["download_url"] is None


def test_a_failed_export_ends_failed_with_a_message_and_leaves_no_object(api, world, monkeypatch):
    from infra.local.pollers import QueuePoller
    from tests.integration.conftest import invoke

    monkeypatch.setattr(objects.MultipartWriter, "PART_BYTES", 5 * 2**20)
    monkeypatch.setattr(objects.MultipartWriter, "__init__", _small_parts(objects.MultipartWriter.__init__))
    s3 = objects._s3()
    real_complete = s3.complete_multipart_upload

    def broken(**kwargs):
        raise RuntimeError("S3 is unavailable (injected)")

    monkeypatch.setattr(s3, "complete_multipart_upload", broken)
    started = start(api, world["alice"], "/api/export/gdpr", {})
    sqs = boto3.client("sqs")
    queue = sqs.get_queue_url(QueueName="tt-exports")["QueueUrl"]
    dlq = sqs.create_queue(QueueName="tt-exports_dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn, "maxReceiveCount": "2"})})
    monkeypatch.setattr("infra.local.pollers.REDELIVERY_DELAY_SECONDS", 0)
    export_drain()
    retrying = api("GET", started["status_url"], token=world["alice"]).json()
    assert retrying["status"] == "processing" and "injected" in retrying["error_message"]
    settle = QueuePoller(sqs, dlq, lambda event: invoke("export_dead_letters", event), log=lambda *_: None)
    assert settle.poll_once(wait_seconds=0) == 1
    failed = api("GET", started["status_url"], token=world["alice"]).json()
    assert failed["status"] == "failed" and "injected" in failed["error_message"]
    assert api("GET", f"/api/export/download/{started['export_id']}", token=world["alice"]).status == 409
    bucket = boto3.client("s3")
    assert bucket.list_objects_v2(Bucket="tt-data", Prefix="exports/").get("KeyCount") == 0
    assert not bucket.list_multipart_uploads(Bucket="tt-data").get("Uploads")
    assert real_complete  # the real call is restored by monkeypatch


def _small_parts(init):
    """Force a multipart upload for a small file: a part after every byte beyond the minimum."""
    def wrapped(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.PART_BYTES = 1

    return wrapped


def test_an_export_finished_within_the_wait_is_answered_ready_and_downloads_at_once(api, world, monkeypatch):
    """A client following the guide downloads download_url right after the POST: a small export is finished by
    then (200); one the worker has not finished within EXPORT_WAIT_SECONDS is a 202, as before."""
    from dataclasses import replace
    from types import SimpleNamespace

    from shared.logic import exports
    from shared.settings import get_settings

    waited = []
    monkeypatch.setattr(exports, "get_settings", lambda: replace(get_settings(), export_wait_seconds=5))
    # While the API waits, the export worker runs (as the queue's event source would).
    monkeypatch.setattr(exports, "time", SimpleNamespace(monotonic=__import__("time").monotonic,
                                                         sleep=lambda s: (waited.append(s), export_drain())))
    r = api("POST", "/api/export/gdpr", token=world["alice"], body={"format": "json"})
    assert r.status == 200, r
    body = r.json()
    assert (body["status"], body["message"], body["export"]["status"]) == ("completed", "The export is ready",
                                                                            "completed")
    assert waited == [exports.POLL_SECONDS]  # one poll: the worker had finished
    content, _ = download(api, world["alice"], body["export_id"])
    assert json.loads(content)["export_info"]["export_id"] == body["export_id"]

    monkeypatch.setattr(exports, "time", SimpleNamespace(monotonic=iter([0, 1, 99]).__next__,
                                                         sleep=lambda s: None))  # the worker is slow
    r = api("POST", "/api/export/gdpr", token=world["alice"], body={"format": "json"})
    assert r.status == 202 and r.json()["status"] == "pending"


def test_exports_of_everything_show_no_filters(api, world):
    gdpr = start(api, world["alice"], "/api/export/gdpr", {"format": "json"})
    assert gdpr["export"]["filters"] == {}
    filtered = start(api, world["alice"], "/api/export/filtered",
                     {"format": "json", "filters": {"billable_only": True}})
    assert filtered["export"]["filters"]["billable_only"] is True and filtered["export"]["filters"]["user_id"]
    export_drain()
    listed = api("GET", "/api/export/history", token=world["alice"]).json()["exports"]
    assert {e["export_type"]: e["filters"] == {} for e in listed} == {"gdpr": True, "filtered": False}
