"""What clients of TimeTracker's own API v1 send and read: its import-csv columns and answer,
POST /api/import/csv as the guide documents it, and files that are no CSV at all (400 invalid_file)."""
import pytest

from tests.integration.test_import_pipeline import drain

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
ZIP = b"PK\x03\x04" + b"\x14\x00" * 20
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
NUL = b"project_name,start_time\n\x00\x00\x00\x01\x02"
NO_DIALECT = b"colour,shape\nred,round\n"


@pytest.fixture
def project(api, admin_token):
    made = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Website"}).json()["project"]
    task = api("POST", "/api/v1/tasks", token=admin_token, body={"name": "Design", "project_id": made["id"]})
    return made["id"], task.json()["task"]["id"]


def test_import_csv_reads_timetracker_api_v1_columns(api, admin_token, project):
    project_id, task_id = project
    csv = ("Project_ID, Task ID ,Start_Time,End_Time,Description,Tags,Billable\n"
           f"{project_id},{task_id},2024-01-15T09:00:00Z,2024-01-15T17:00:00Z,"
           "Worked on feature X,\"dev,frontend\",true\n"
           f"{project_id},,2024-01-16T09:00:00+01:00,2024-01-16T10:00:00+01:00,Short,,false\n"
           f"999,,2024-01-17T09:00:00Z,2024-01-17T10:00:00Z,Nowhere,,true\n"
           f"{project_id},{task_id + 50},2024-01-18T09:00:00Z,2024-01-18T10:00:00Z,Bad task,,true\n")
    r = api("POST", "/api/v1/time-entries/import-csv", token=admin_token, body=csv, content_type="text/csv")
    assert r.status == 201, r
    body = r.json()
    assert (body["success"], body["created"], body["failed"]) == (False, 2, 2)
    assert [(e["row"], e["error"]) for e in body["errors"]] == [
        (4, "Project 999 not found"), (5, f"Task {task_id + 50} not found in project {project_id}")]
    entries = api("GET", "/api/v1/time-entries", token=admin_token).json()["time_entries"]
    first = next(e for e in entries if e["notes"] == "Worked on feature X")
    assert (first["project_id"], first["task_id"], first["start_time"]) == (project_id, task_id,
                                                                           "2024-01-15T09:00:00Z")
    assert sorted(first["tags"].split(",") if isinstance(first["tags"], str) else first["tags"]) == ["dev",
                                                                                                      "frontend"]
    second = next(e for e in entries if e["notes"] == "Short")
    assert second["start_time"] == "2024-01-16T08:00:00Z" and second["billable"] is False


def test_api_import_csv_answers_as_the_guide_documents(api, admin_token):
    csv = "project_name,start_time,duration_hours,notes\nSite,2024-02-01 09:00:00,1,a\nSite,2024-02-02 09:00,x,b\n"
    multipart = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n\r\n" +
                 csv.encode() + b"\r\n--B--\r\n")
    r = api("POST", "/api/import/csv", token=admin_token, body=multipart,
            content_type="multipart/form-data; boundary=B")
    assert r.status == 202, r
    body = r.json()
    assert body["success"] is True and isinstance(body["import_id"], int)
    assert set(body["summary"]) == {"total", "successful", "failed", "errors"}
    drain()
    status = api("GET", f"/api/import/status/{body['import_id']}", token=admin_token).json()
    assert (status["successful_records"], status["failed_records"]) == (1, 1)


@pytest.mark.parametrize("raw", [PNG, ZIP, PDF, NUL, NO_DIALECT], ids=["png", "zip", "pdf", "nul", "no-dialect"])
@pytest.mark.parametrize("path", ["/api/v1/time-entries/import-csv", "/api/v1/imports", "/api/import/csv"])
def test_a_file_that_is_no_csv_is_a_400_invalid_file_at_once(api, admin_token, raw, path):
    if path == "/api/import/csv":
        body = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n" + raw +
                b"\r\n--B--\r\n")
        r = api("POST", path, token=admin_token, body=body, content_type="multipart/form-data; boundary=B")
    else:
        r = api("POST", path, token=admin_token, body=raw, content_type="text/csv")
    assert r.status == 400, r
    assert r.json()["error_code"] == "invalid_file" and r.json()["message"]
    assert api("GET", "/api/v1/imports", token=admin_token).json()["pagination"]["total"] == 0


def test_an_uploaded_file_that_is_no_csv_ends_failed_with_invalid_file(api, admin_token):
    import requests

    slot = api("POST", "/api/v1/imports/uploads", token=admin_token).json()
    assert requests.put(slot["url"], data=PNG, timeout=10).status_code == 200
    r = api("POST", "/api/v1/imports", token=admin_token, body={"upload_id": slot["upload_id"]})
    assert r.status == 202, r
    drain()
    job = api("GET", f"/api/v1/imports/{r.json()['import']['id']}", token=admin_token).json()
    assert job["status"] == "failed" and job["message"].startswith("invalid_file")
