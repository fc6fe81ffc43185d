"""A file too big for the request goes through S3, SQS and the import worker of the
running stack (the local poller standing in for the event source mapping)."""
import time

import requests


def test_big_csv_is_imported_in_the_background(stack):
    admin = stack.session()
    note = "x" * 300
    rows = [f"Async {i % 4},,,2024-03-{1 + i % 28:02d} 09:00:00,,0.5,{note} {i},bulk,true" for i in range(3600)]
    rows[7] = "Async 0,,,never,,0.5,broken,,true"
    body = ("project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable\r\n"
            + "\r\n".join(rows) + "\r\n").encode()
    assert len(body) > 1024 * 1024
    r = admin.post(stack.url("/api/v1/time-entries/import-csv"), data=body, headers={"Content-Type": "text/csv"})
    assert r.status_code == 202, r.text
    status_url = stack.url(r.json()["status_url"])
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = admin.get(status_url).json()
        if status["status"] in ("completed", "partial", "failed"):
            break
        time.sleep(0.5)
    assert (status["status"], status["total"], status["successful"], status["failed"]) == ("partial", 3600, 3599, 1)
    assert status["errors"][0]["line"] == 9 and status["percentage"] == 100
    listed = admin.get(stack.url("/api/v1/time-entries"), params={"start_date": "2024-03-01",
                                                                 "end_date": "2024-03-28"}).json()
    assert listed["pagination"]["total"] == 3599


def test_presigned_upload_on_the_local_stack(stack):
    admin = stack.session()
    upload = admin.post(stack.url("/api/v1/imports/uploads")).json()
    assert upload["url"].startswith("http://127.0.0.1:")  # the embedded S3
    rows = "".join(f"Uploaded,,,2024-04-{1 + i % 28:02d} 09:00:00,,1,upload {i},,true\r\n" for i in range(50))
    body = "project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable\r\n" + rows
    assert requests.put(upload["url"], data=body.encode()).status_code == 200
    r = admin.post(stack.url("/api/v1/imports"), json={"upload_id": upload["upload_id"]})
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        progress = admin.get(stack.url(r.json()["status_url"])).json()
        if progress["status"] == "complete":
            break
        time.sleep(0.3)
    assert (progress["import_status"], progress["successful"]) == ("completed", 50)
