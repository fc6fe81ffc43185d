"""The asynchronous import pipeline: 202, split, chunks in parallel, exact counts under
redelivery and crashes, one final status."""
import boto3

from infra.local.pollers import QueuePoller
from shared.jobs import registry
from shared.jobs.messages import ImportChunk
from shared.logic import import_steps
from tests.integration.conftest import drain as drain_queue
from tests.integration.conftest import invoke

HEADER = "project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable\r\n"


def csv_rows(n: int, bad_every: int = 0) -> str:
    lines = [HEADER]
    for i in range(n):
        start = "not a date" if bad_every and i % bad_every == 0 else f"2024-02-{1 + i % 28:02d} {8 + i % 10:02d}:00:00"
        lines.append(f"Project {i % 3},Client {i % 2},,{start},,1.5,row {i},pipeline,true\r\n")
    return "".join(lines)


def drain(max_rounds: int = 200) -> int:
    return drain_queue("tt-imports", "import_worker", max_rounds=max_rounds)


def upload(api, token, text):
    r = api("POST", "/api/v1/time-entries/import-csv", token=token, body=text, content_type="text/csv")
    assert r.status == 202, r
    return r.json()


def test_big_file_is_accepted_then_imported_exactly(api, admin_token, small_sync_limit):
    accepted = upload(api, admin_token, csv_rows(40, bad_every=10))
    assert accepted["status"] == "pending" and accepted["status_url"] == f"/api/import/status/{accepted['import_id']}"
    pending = api("GET", accepted["status_url"], token=admin_token).json()
    assert pending["status"] == "pending" and pending["percentage"] == 0
    drain()
    done = api("GET", accepted["status_url"], token=admin_token).json()
    assert (done["status"], done["total"], done["processed"], done["successful"], done["failed"]) == \
        ("partial", 40, 40, 36, 4)
    assert done["percentage"] == 100 and done["completed_at"]
    assert [e["line"] for e in done["errors"]] == [2, 12, 22, 32]
    assert done["errors"][0]["fields"]["start_time"] == "not a date"
    listed = api("GET", "/api/v1/time-entries", token=admin_token, query={"per_page": 100}).json()
    assert listed["pagination"]["total"] == 36 and {e["source"] for e in listed["time_entries"]} == {"import"}
    projects = api("GET", "/api/v1/projects", token=admin_token).json()["projects"]
    assert sorted(p["name"] for p in projects) == ["Project 0", "Project 1", "Project 2"]  # no duplicates
    history = api("GET", "/api/import/history", token=admin_token).json()
    assert [i["id"] for i in history["imports"]] == [accepted["import_id"]]


def test_redelivered_messages_change_nothing(api, admin_token, small_sync_limit, monkeypatch):
    accepted = upload(api, admin_token, csv_rows(20))
    sent = []
    original = import_steps.work_queue.send
    monkeypatch.setattr(import_steps.work_queue, "send", lambda messages: (sent.extend(messages), original(messages)))
    drain()
    for message in sent:  # at-least-once: every split and chunk message arrives a second time
        registry.dispatch(message)
    done = api("GET", accepted["status_url"], token=admin_token).json()
    assert (done["status"], done["successful"], done["processed"]) == ("completed", 20, 20)
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 20


def test_a_worker_crash_after_writing_half_a_chunk_is_retried_exactly(api, admin_token, small_sync_limit,
                                                                      monkeypatch):
    accepted = upload(api, admin_token, csv_rows(21))
    real_count = import_steps.imports_data.count_chunk
    crashes = []

    def crash_once(import_id, chunk, **counts):
        if chunk == 1 and not crashes:
            crashes.append(chunk)
            raise RuntimeError("worker died after writing its entries")
        return real_count(import_id, chunk, **counts)

    monkeypatch.setattr(import_steps.imports_data, "count_chunk", crash_once)
    drain()
    assert crashes == [1]
    done = api("GET", accepted["status_url"], token=admin_token).json()
    assert (done["status"], done["total"], done["successful"], done["failed"]) == ("completed", 21, 21, 0)
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 21


def test_a_file_that_is_not_csv_is_refused_at_once(api, admin_token, small_sync_limit):
    r = api("POST", "/api/v1/time-entries/import-csv", token=admin_token, body="hello\r\n" * 200,
            content_type="text/csv")
    assert r.status == 400 and r.json()["error_code"] == "invalid_file"
    assert "match no known export" in r.json()["message"]


def test_imports_are_private(api, admin_token, make_token, small_sync_limit):
    accepted = upload(api, admin_token, csv_rows(10))
    other = make_token(["read:time_entries"])
    assert api("GET", accepted["status_url"], token=other).status == 404
    assert api("GET", "/api/import/history", token=other).json()["imports"] == []


def test_a_poison_chunk_lands_in_the_dlq_and_the_import_ends_partial(api, admin_token, small_sync_limit,
                                                                     monkeypatch):
    accepted = upload(api, admin_token, csv_rows(21))
    real = registry.handler_of(ImportChunk)

    def poison(message):
        if message.chunk == 2:
            raise RuntimeError("this chunk always fails")
        real(message)

    monkeypatch.setitem(registry.HANDLERS, ImportChunk, poison)
    sqs = boto3.client("sqs")
    main = sqs.get_queue_url(QueueName="tt-imports")["QueueUrl"]
    dlq = sqs.create_queue(QueueName="tt-imports_dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=main, Attributes={"RedrivePolicy": __import__("json").dumps(
        {"deadLetterTargetArn": arn, "maxReceiveCount": "2"})})
    drain()
    stuck = api("GET", accepted["status_url"], token=admin_token).json()
    assert stuck["status"] == "processing" and stuck["successful"] == 14
    settle = QueuePoller(sqs, dlq, lambda event: invoke("import_dead_letters", event), log=lambda *_: None)
    assert settle.poll_once(wait_seconds=0) == 1
    done = api("GET", accepted["status_url"], token=admin_token).json()
    assert (done["status"], done["successful"], done["failed"], done["processed"]) == ("partial", 14, 7, 21)
    assert [e["line"] for e in done["errors"]] == list(range(16, 23))
    assert "repeated attempts" in done["errors"][0]["message"]


def test_imports_resource_create_progress_details_and_list(api, admin_token):
    csv = csv_rows(12, bad_every=5)
    multipart = (b"--B\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\ntimetracker\r\n"
                 b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"march.csv\"\r\n"
                 b"Content-Type: text/csv\r\n\r\n" + csv.encode() + b"\r\n--B--\r\n")
    r = api("POST", "/api/v1/imports", token=admin_token, body=multipart,
            content_type="multipart/form-data; boundary=B")
    assert r.status == 202, r
    created = r.json()["import"]
    assert created["filename"] == "march.csv" and created["status"] == "pending" and created["type"] == "timetracker"
    progress_url = r.json()["status_url"]
    assert api("GET", progress_url, token=admin_token).json()["status"] == "in_progress"
    running = api("GET", f"/api/v1/imports/{created['id']}/details", token=admin_token)
    assert running.status == 204 and running.text == ""
    drain()
    progress = api("GET", progress_url, token=admin_token).json()
    assert (progress["status"], progress["import_status"], progress["percentage"]) == ("complete", "partial", 100.0)
    details = api("GET", f"/api/v1/imports/{created['id']}/details", token=admin_token).json()
    assert (details["imported"], details["discarded"]) == (9, 3)
    assert details["projects_created"] == ["Project 0", "Project 1", "Project 2"]
    assert [e["line"] for e in details["errors"]] == [2, 7, 12]
    listed = api("GET", "/api/v1/imports", token=admin_token, query={"status": "partial"}).json()
    assert [i["id"] for i in listed["imports"]] == [created["id"]]
    assert api("GET", "/api/v1/imports", token=admin_token, query={"status": "failed"}).json()["imports"] == []
    assert api("GET", "/api/v1/imports", token=admin_token, query={"from": "2000-01-01", "to": "2000-01-02"}
               ).json()["imports"] == []
    assert api("POST", "/api/v1/imports", token=admin_token, body=csv, content_type="text/csv",
               query={"type": "spreadsheet"}).status == 400


def test_timetracker_import_paths(api, admin_token):
    template = api("GET", "/api/import/template/csv", token=admin_token)
    assert template.status == 200 and template.text.startswith("project_name,client_name,task_name,start_time")
    assert "attachment" in template.headers["Content-Disposition"]
    multipart = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n\r\n"
                 + template.text.encode() + b"\r\n--B--\r\n")
    r = api("POST", "/api/import/csv", token=admin_token, body=multipart,
            content_type="multipart/form-data; boundary=B")
    assert r.status == 202
    drain()
    status = api("GET", f"/api/import/status/{r.json()['import']['id']}", token=admin_token).json()
    assert (status["status"], status["successful"]) == ("completed", 1)


def test_preview_writes_nothing(api, admin_token, ddb_calls):
    api("POST", "/api/v1/projects", token=admin_token, body={"name": "Project 1"})
    ddb_calls.clear()
    r = api("POST", "/api/v1/imports/preview", token=admin_token, body=csv_rows(10, bad_every=4),
            content_type="text/csv")
    assert r.status == 200, r
    preview = r.json()
    assert (preview["type"], preview["rows"], preview["valid_rows"], preview["invalid_rows"]) == \
        ("timetracker", 10, 7, 3)
    assert preview["projects_matched"] == ["Project 1"] and preview["projects_to_create"] == ["Project 0", "Project 2"]
    assert preview["date_range"] == {"start": "2024-02-02T09:00:00Z", "end": "2024-02-10T18:30:00Z"}
    assert [p["line"] for p in preview["problems"]] == [2, 6, 10]
    writes = {op for op in ddb_calls if op not in ("GetItem", "Query", "BatchGetItem")}
    assert writes <= {"UpdateItem"}  # the rate-limit counter, nothing else
    assert api("GET", "/api/v1/projects", token=admin_token).json()["pagination"]["total"] == 1


def test_preview_reads_dates_with_the_imports_date_format_and_timezone(api, admin_token):
    ambiguous = "project_name,start_time,duration_hours,notes\nP,03/04/2024 09:00:00,1,x\n"

    def preview(**options):
        r = api("POST", "/api/v1/imports/preview", token=admin_token, body=ambiguous, content_type="text/csv",
                query=options)
        assert r.status == 200, r
        return r.json()["date_range"]["start"]

    assert preview(date_format="DD/MM/YYYY") == "2024-04-03T09:00:00Z"
    assert preview(date_format="MM/DD/YYYY") == "2024-03-04T09:00:00Z"
    assert preview(date_format="MM/DD/YYYY", timezone="Europe/Berlin") == "2024-03-04T08:00:00Z"
    bad = api("POST", "/api/v1/imports/preview", token=admin_token, body=ambiguous, content_type="text/csv",
              query={"date_format": "YYYY"})
    assert bad.status == 400 and "date_format" in bad.json()["errors"]


def test_undo_removes_what_the_import_created_and_is_idempotent(api, admin_token, small_sync_limit, monkeypatch):
    monkeypatch.setattr(import_steps, "UNDO_BATCH", 8)  # several undo steps
    kept = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Project 0"}).json()["project"]
    rows = "".join(f"Project {i % 3},Client {i % 2},Task A,2024-02-{1 + i:02d} 09:00:00,,1,row {i},,true\r\n"
                   for i in range(20))
    accepted = upload(api, admin_token, HEADER + rows)
    job_id = accepted["import_id"]
    assert api("DELETE", f"/api/v1/imports/{job_id}", token=admin_token).status == 409  # still running
    drain()
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 20
    # someone else books time on an imported project: it must survive the undo
    project_2 = next(p for p in api("GET", "/api/v1/projects", token=admin_token).json()["projects"]
                     if p["name"] == "Project 2")
    manual = api("POST", "/api/v1/time-entries", token=admin_token, body={
        "project_id": project_2["id"], "start_time": "2024-03-01T09:00:00Z", "end_time": "2024-03-01T10:00:00Z"})
    assert manual.status == 201
    r = api("DELETE", f"/api/v1/imports/{job_id}", token=admin_token)
    assert r.status == 202 and r.json()["import"]["status"] == "undoing"
    drain()
    again = api("DELETE", f"/api/v1/imports/{job_id}", token=admin_token)
    assert again.status == 202 and again.json()["import"]["status"] == "undone"
    entries = api("GET", "/api/v1/time-entries", token=admin_token).json()["time_entries"]
    assert [e["id"] for e in entries] == [manual.json()["time_entry"]["id"]]
    names = sorted(p["name"] for p in api("GET", "/api/v1/projects", token=admin_token).json()["projects"])
    assert names == ["Project 0", "Project 2"]  # pre-existing, and the one that holds other work
    assert api("GET", f"/api/v1/projects/{kept['id']}", token=admin_token).status == 200
    clients = [c["name"] for c in api("GET", "/api/v1/clients", token=admin_token).json()["clients"]]
    assert clients == ["Client 0"]  # Project 2's client; "Client 1" held only removed projects
    tasks = api("GET", "/api/v1/tasks", token=admin_token).json()["tasks"]
    assert {t["project_id"] for t in tasks} <= {kept["id"], project_2["id"]}
    assert api("GET", "/api/v1/search", token=admin_token, query={"q": "row"}).json()["results"] == []


def test_presigned_upload_then_import_by_upload_id(api, admin_token, make_token):
    import requests  # moto intercepts the presigned PUT in-process

    r = api("POST", "/api/v1/imports/uploads", token=admin_token)
    assert r.status == 201
    upload = r.json()
    assert upload["method"] == "PUT" and upload["max_bytes"] == 200 * 2**20 and len(upload["upload_id"]) == 32
    missing = api("POST", "/api/v1/imports", token=admin_token, body={"upload_id": upload["upload_id"]})
    assert missing.status == 400 and "PUT the file first" in missing.json()["errors"]["upload_id"][0]
    put = requests.put(upload["url"], data=csv_rows(30).encode())
    assert put.status_code == 200
    other = make_token(["write:time_entries", "read:time_entries"])
    assert api("POST", "/api/v1/imports", token=other, body={"upload_id": upload["upload_id"]}).status == 400
    r = api("POST", "/api/v1/imports", token=admin_token,
            body={"upload_id": upload["upload_id"], "type": "timetracker"})
    assert r.status == 202
    drain()
    done = api("GET", r.json()["status_url"], token=admin_token).json()
    assert (done["status"], done["successful"]) == ("complete", 30)
    assert api("POST", "/api/v1/imports", token=admin_token, body={"upload_id": "../../etc"}).status == 400


def test_an_imports_entries_tags_and_projects(api, admin_token, small_sync_limit):
    api("POST", "/api/v1/projects", token=admin_token, body={"name": "Project 1"})
    rows = "".join(f"Project {i % 2},,,2024-02-{1 + i:02d} 09:00:00,,1,row {i},{'a;b' if i % 2 else 'a'},true\r\n"
                   for i in range(9))
    accepted = upload(api, admin_token, HEADER + rows)
    drain()
    base = f"/api/v1/imports/{accepted['import_id']}"
    entries = api("GET", f"{base}/entries", token=admin_token, query={"per_page": 4, "page": 3}).json()
    assert entries["pagination"]["total"] == 9 and len(entries["time_entries"]) == 1
    assert api("GET", f"{base}/tags", token=admin_token).json() == {"tags": [{"name": "a", "entries": 9},
                                                                            {"name": "b", "entries": 4}]}
    projects = api("GET", f"{base}/projects", token=admin_token).json()["projects"]
    assert [(p["name"], p["entries"], p["created"]) for p in projects] == [("Project 0", 5, True),
                                                                          ("Project 1", 4, False)]


def test_import_options(api, admin_token, small_sync_limit):
    api("POST", "/api/v1/projects", token=admin_token, body={"name": "Known"})
    rows = "".join(f"{'Known' if i % 2 else 'Unknown'}|||03/04/2024 09:00:00||1|row {i}||true\r\n" for i in range(10))
    text = HEADER.replace(",", "|") + rows
    r = api("POST", "/api/v1/imports", token=admin_token, body=text, content_type="text/csv",
            query={"field_delimiter": "|", "date_format": "DD/MM/YYYY", "timezone": "Europe/Berlin",
                   "create_projects": "false"})
    assert r.status == 202, r
    drain()
    done = api("GET", f"/api/v1/imports/{r.json()['import']['id']}/details", token=admin_token).json()
    assert (done["imported"], done["discarded"]) == (5, 5)
    assert "create_projects is off" in done["errors"][0]["message"] and done["projects_created"] == []
    entry = api("GET", "/api/v1/time-entries", token=admin_token).json()["time_entries"][0]
    assert entry["start_time"] == "2024-04-03T07:00:00Z"  # 3 April (day first), 09:00 in Berlin (CEST)
    bad = api("POST", "/api/v1/imports", token=admin_token, body=text, content_type="text/csv",
              query={"field_delimiter": "#"})
    assert bad.status == 400 and bad.json()["error_code"] == "invalid_field_delimiter"
    assert api("POST", "/api/v1/imports", token=admin_token, body=text, content_type="text/csv",
               query={"timezone": "Mars/Base"}).status == 400


def test_the_imports_specs_list_filters(api, admin_token, make_token):
    """fallback_user (an id, or null), import_tags and autocreate_projects, as the imports spec has them."""
    me = api("GET", "/api/v1/users/me", token=admin_token).json()["user"]["id"]
    tagged = "project_name,start_time,end_time,tags\r\nA,2024-01-01 09:00:00,2024-01-01 10:00:00,x;y\r\n"
    plain = "project_name,start_time,end_time\r\nA,2024-01-02 09:00:00,2024-01-02 10:00:00\r\n"
    ids = {}
    for name, text, query in (("tagged", tagged, {}), ("skip", plain, {"fallback_user": "null"}),
                              ("fixed", plain, {"create_projects": "false"})):
        r = api("POST", "/api/v1/imports", token=admin_token, body=text, content_type="text/csv", query=query)
        assert r.status == 202, r
        ids[name] = r.json()["import"]["id"]
    drain()

    def listed(**query):
        r = api("GET", "/api/v1/imports", token=admin_token, query={k: str(v) for k, v in query.items()})
        assert r.status == 200, r
        return {i["id"] for i in r.json()["imports"]}

    assert listed(import_tags="true") == {ids["tagged"]}
    assert listed(import_tags="false") == {ids["skip"], ids["fixed"]}
    assert listed(fallback_user="null") == {ids["skip"]}
    assert listed(fallback_user=me) == {ids["tagged"], ids["fixed"]}  # the importer, by default
    assert listed(fallback_user=me + 999) == set()
    assert listed(autocreate_projects="false") == {ids["fixed"]}
    assert listed(autocreate_projects="true") == {ids["tagged"], ids["skip"]}
    assert api("GET", "/api/v1/imports", token=admin_token, query={"fallback_user": "someone"}).status == 400
