"""Time entries, the timer, bulk actions, idempotent creation and the summary report."""
import pytest


@pytest.fixture
def world(api, admin_token, make_token):
    """Two users with full time-entry scopes, a project with a task, an archived project."""
    scopes = ["read:time_entries", "write:time_entries", "read:reports", "read:projects"]
    alice = make_token(scopes, username="alice")
    bob = make_token(scopes, username="bob")
    project = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Website"}).json()["project"]
    other = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Other"}).json()["project"]
    task = api("POST", "/api/v1/tasks", token=admin_token,
               body={"name": "Design", "project_id": project["id"]}).json()["task"]
    archived = api("POST", "/api/v1/projects", token=admin_token,
                   body={"name": "Old", "status": "archived"}).json()["project"]
    return {"alice": alice, "bob": bob, "admin": admin_token, "project": project["id"], "other": other["id"],
            "task": task["id"], "archived": archived["id"]}


def entry(api, token, **body):
    r = api("POST", "/api/v1/time-entries", token=token, body=body)
    assert r.status == 201, r
    return r.json()["time_entry"]


def test_contract_example_creates_an_entry_with_derived_duration(api, world):
    created = entry(api, world["alice"], project_id=world["project"], task_id=world["task"],
                    start_time="2024-01-15T09:00:00Z", end_time="2024-01-15T17:00:00Z",
                    notes="Worked on feature X", tags="development,frontend", billable=True)
    assert created["duration_seconds"] == 8 * 3600 and created["duration_hours"] == 8.0
    assert created["tags"] == "development,frontend" and created["tag_list"] == ["development", "frontend"]
    assert created["start_time"] == "2024-01-15T09:00:00Z" and created["source"] == "api"
    assert not created["is_active"] and created["paid"] is False
    got = api("GET", f"/api/v1/time-entries/{created['id']}", token=world["alice"]).json()["time_entry"]
    assert got == created


def test_duration_from_the_client_is_rejected_and_end_before_start_is_400(api, world):
    r = api("POST", "/api/v1/time-entries", token=world["alice"],
            body={"project_id": world["project"], "start_time": "2024-01-15T09:00:00Z", "duration_seconds": 5})
    assert r.status == 400 and r.json()["errors"]["duration_seconds"] == ["Unknown field"]
    r = api("POST", "/api/v1/time-entries", token=world["alice"], body={
        "project_id": world["project"], "start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T08:00:00Z"})
    assert r.status == 400 and "end_time" in r.json()["errors"]


def test_naive_times_are_in_the_users_time_zone(api, world, admin_token):
    r = api("POST", "/api/v1/users", token=admin_token,
            body={"username": "berlin", "email": "b@example.com", "timezone": "Europe/Berlin"})
    user_id = r.json()["user"]["id"]
    token = api("POST", "/api/v1/api-tokens", token=admin_token,
                body={"name": "b", "user_id": user_id, "scopes": ["read:*", "write:*"]}).json()["token"]
    created = entry(api, token, project_id=world["project"], start_time="2024-07-01T09:00",
                    end_time="2024-07-01T10:30:00+02:00")
    assert created["start_time"] == "2024-07-01T07:00:00Z" and created["end_time"] == "2024-07-01T08:30:00Z"


def test_project_and_task_rules(api, world):
    base = {"start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T10:00:00Z"}
    r = api("POST", "/api/v1/time-entries", token=world["alice"], body={**base, "project_id": world["archived"]})
    assert r.status == 400 and "archived" in r.json()["errors"]["project_id"][0]
    r = api("POST", "/api/v1/time-entries", token=world["alice"],
            body={**base, "project_id": world["other"], "task_id": world["task"]})
    assert r.status == 400 and "task_id" in r.json()["errors"]
    r = api("POST", "/api/v1/time-entries", token=world["alice"], body={**base, "project_id": 999})
    assert r.status == 400


def test_users_see_only_their_entries_and_admins_see_all(api, world):
    a = entry(api, world["alice"], project_id=world["project"], start_time="2024-01-15T09:00:00Z",
              end_time="2024-01-15T10:00:00Z")
    b = entry(api, world["bob"], project_id=world["project"], start_time="2024-01-16T09:00:00Z",
              end_time="2024-01-16T10:00:00Z")
    mine = api("GET", "/api/v1/time-entries", token=world["alice"]).json()
    assert [e["id"] for e in mine["time_entries"]] == [a["id"]] and mine["pagination"]["total"] == 1
    assert api("GET", f"/api/v1/time-entries/{b['id']}", token=world["alice"]).status == 404
    assert api("PATCH", f"/api/v1/time-entries/{b['id']}", token=world["alice"], body={"notes": "x"}).status == 404
    r = api("GET", "/api/v1/time-entries", token=world["alice"], query={"user_id": 3})
    assert r.status == 403
    everyone = api("GET", "/api/v1/time-entries", token=world["admin"]).json()["time_entries"]
    assert [e["id"] for e in everyone] == [b["id"], a["id"]]  # newest first
    only_bob = api("GET", "/api/v1/time-entries", token=world["admin"], query={"user_id": b["user_id"]}).json()
    assert [e["id"] for e in only_bob["time_entries"]] == [b["id"]]


def test_date_filters_include_the_whole_end_day(api, world):
    for day, hour in ((14, 23), (15, 0), (15, 23), (16, 0)):
        entry(api, world["alice"], project_id=world["project"], start_time=f"2024-01-{day}T{hour:02d}:30:00Z",
              end_time=f"2024-01-{day}T{hour:02d}:45:00Z")
    r = api("GET", "/api/v1/time-entries", token=world["alice"],
            query={"start_date": "2024-01-15", "end_date": "2024-01-15"}).json()
    assert [e["start_time"] for e in r["time_entries"]] == ["2024-01-15T23:30:00Z", "2024-01-15T00:30:00Z"]
    r = api("GET", "/api/v1/time-entries", token=world["alice"], query={"start_date": "2024-01-15T23:00:00Z"})
    assert r.json()["pagination"]["total"] == 2
    bad = api("GET", "/api/v1/time-entries", token=world["alice"], query={"start_date": "15/01/2024"})
    assert bad.status == 400 and "start_date" in bad.json()["errors"]


def test_billable_project_and_active_filters(api, world):
    entry(api, world["alice"], project_id=world["project"], start_time="2024-01-15T09:00:00Z",
          end_time="2024-01-15T10:00:00Z", billable=False)
    entry(api, world["alice"], project_id=world["other"], start_time="2024-01-15T11:00:00Z",
          end_time="2024-01-15T12:00:00Z")
    running = entry(api, world["alice"], project_id=world["project"], start_time="2024-01-15T13:00:00Z")
    assert running["is_active"] and running["end_time"] is None and running["duration_seconds"] is None
    q = lambda **kw: api("GET", "/api/v1/time-entries", token=world["alice"], query=kw).json()["time_entries"]  # noqa: E731
    assert len(q()) == 2
    assert len(q(include_active="true")) == 3
    assert [e["billable"] for e in q(billable="false")] == [False]
    assert [e["project_id"] for e in q(project_id=world["other"])] == [world["other"]]


def test_timer_start_status_stop(api, world):
    idle = api("GET", "/api/v1/timer/status", token=world["alice"])
    assert idle.status == 200 and idle.json() == {"active": False, "timer": None}
    r = api("POST", "/api/v1/timer/stop", token=world["alice"])
    assert r.status == 400 and r.json()["error_code"] == "no_active_timer"
    r = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"],
                                                                        "task_id": world["task"]})
    assert r.status == 201 and r.json()["timer"]["source"] == "timer" and r.json()["timer"]["is_active"]
    again = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]})
    assert again.status == 409 and again.json()["error_code"] == "timer_already_running"
    manual = api("POST", "/api/v1/time-entries", token=world["alice"],
                 body={"project_id": world["project"], "start_time": "2024-01-15T09:00:00Z"})
    assert manual.status == 409  # an entry without end_time is a timer too
    status = api("GET", "/api/v1/timer/status", token=world["alice"]).json()
    assert status["active"] and status["timer"]["id"] == r.json()["timer"]["id"]
    assert api("GET", "/api/v1/timer/status", token=world["bob"]).json()["active"] is False
    stopped = api("POST", "/api/v1/timer/stop", token=world["alice"])
    assert stopped.status == 200 and stopped.json()["timer"]["end_time"] is not None
    assert api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]}).status == 201


def test_timer_rules(api, world):
    r = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["archived"]})
    assert r.status == 400
    r = api("POST", "/api/v1/timer/start", token=world["alice"], body={})
    assert r.status == 400 and "project_id" in r.json()["errors"]


def test_deleting_a_running_entry_frees_the_timer(api, world):
    started = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]})
    assert api("DELETE", f"/api/v1/time-entries/{started.json()['timer']['id']}", token=world["alice"]).status == 200
    assert api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]}).status == 201


def test_stopping_by_update_frees_the_timer(api, world):
    started = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]}).json()
    r = api("PATCH", f"/api/v1/time-entries/{started['timer']['id']}", token=world["alice"],
            body={"end_time": "2099-01-01T00:00:00Z"})
    assert r.status == 200 and not r.json()["time_entry"]["is_active"]
    assert api("GET", "/api/v1/timer/status", token=world["alice"]).json()["active"] is False


def test_bulk_actions(api, world):
    ids = [entry(api, world["alice"], project_id=world["project"], start_time=f"2024-01-1{i}T09:00:00Z",
                 end_time=f"2024-01-1{i}T10:00:00Z", tags="a")["id"] for i in range(3)]
    running = entry(api, world["alice"], project_id=world["project"], start_time="2024-01-19T09:00:00Z")["id"]
    bulk = lambda token, **body: api("POST", "/api/v1/time-entries/bulk", token=token, body=body)  # noqa: E731
    r = bulk(world["alice"], entry_ids=ids + [running], action="set_paid", value=True)
    assert r.status == 200 and r.json() == {"success": True, "affected": 3, "skipped": 1}
    assert all(api("GET", f"/api/v1/time-entries/{i}", token=world["alice"]).json()["time_entry"]["paid"] for i in ids)
    r = bulk(world["alice"], entry_ids=ids, action="add_tag", value="client-x")
    assert api("GET", f"/api/v1/time-entries/{ids[0]}", token=world["alice"]).json()["time_entry"]["tags"] == \
        "a,client-x"
    bulk(world["alice"], entry_ids=ids, action="remove_tag", value="A")
    assert api("GET", f"/api/v1/time-entries/{ids[0]}", token=world["alice"]).json()["time_entry"]["tags"] == \
        "client-x"
    assert bulk(world["alice"], entry_ids=ids, action="set_billable", value="yes").status == 400
    assert bulk(world["alice"], entry_ids=ids, action="add_tag").status == 400
    assert bulk(world["alice"], entry_ids=[99999], action="delete").status == 404
    assert bulk(world["alice"], entry_ids=list(range(1, 502)), action="delete").status == 400
    bobs = entry(api, world["bob"], project_id=world["project"], start_time="2024-01-15T09:00:00Z",
                 end_time="2024-01-15T10:00:00Z")["id"]
    # Another user's id is treated exactly like one that does not exist: the answer never tells them apart.
    foreign = bulk(world["alice"], entry_ids=[bobs], action="delete")
    missing = bulk(world["alice"], entry_ids=[99998], action="delete")
    assert (foreign.status, foreign.json()) == (missing.status, missing.json()) and foreign.status == 404
    assert bulk(world["alice"], entry_ids=[running, bobs], action="set_paid", value=True).json() == \
        bulk(world["alice"], entry_ids=[running, 99998], action="set_paid", value=True).json()
    r = bulk(world["alice"], entry_ids=ids + [running, bobs], action="delete")
    assert r.json() == {"success": True, "affected": 3, "skipped": 1}
    assert api("GET", f"/api/v1/time-entries/{bobs}", token=world["bob"]).status == 200  # untouched
    assert api("GET", f"/api/v1/time-entries/{ids[0]}", token=world["alice"]).status == 404
    assert api("GET", f"/api/v1/time-entries/{running}", token=world["alice"]).status == 200
    assert bulk(world["admin"], entry_ids=[bobs], action="set_paid", value=True).json()["affected"] == 1


def test_idempotency_key_replays_the_first_response(api, world):
    body = {"project_id": world["project"], "start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T10:00:00Z"}
    first = api("POST", "/api/v1/time-entries", token=world["alice"], body=body, headers={"Idempotency-Key": "k-1"})
    again = api("POST", "/api/v1/time-entries", token=world["alice"], body=body, headers={"Idempotency-Key": "k-1"})
    assert first.status == again.status == 201 and first.json() == again.json()
    listed = api("GET", "/api/v1/time-entries", token=world["alice"]).json()
    assert listed["pagination"]["total"] == 1
    other = api("POST", "/api/v1/time-entries", token=world["alice"], body={**body, "notes": "changed"},
                headers={"Idempotency-Key": "k-1"})
    assert other.status == 422 and other.json()["error_code"] == "idempotency_key_reused"
    # keys are per token: bob's k-1 is another request
    bobs = api("POST", "/api/v1/time-entries", token=world["bob"], body=body, headers={"Idempotency-Key": "k-1"})
    assert bobs.status == 201 and bobs.json()["time_entry"]["user_id"] != first.json()["time_entry"]["user_id"]
    too_long = api("POST", "/api/v1/time-entries", token=world["alice"], body=body,
                   headers={"Idempotency-Key": "k" * 129})
    assert too_long.status == 400 and "Idempotency-Key" in too_long.json()["errors"]


def test_summary_report(api, world):
    for day, (start, end, billable, project) in enumerate([("09:00", "17:00", True, "project"),
                                                          ("09:00", "10:30", False, "project"),
                                                          ("13:00", "15:00", True, "other")]):
        entry(api, world["alice"], project_id=world[project], start_time=f"2024-01-1{day}T{start}:00Z",
              end_time=f"2024-01-1{day}T{end}:00Z", billable=billable)
    entry(api, world["bob"], project_id=world["project"], start_time="2024-01-10T09:00:00Z",
          end_time="2024-01-10T10:00:00Z")
    r = api("GET", "/api/v1/reports/summary", token=world["alice"],
            query={"start_date": "2024-01-01", "end_date": "2024-01-31"})
    assert r.status == 200
    s = r.json()["summary"]
    assert (s["total_hours"], s["billable_hours"], s["total_entries"]) == (11.5, 10.0, 3)
    assert s["start_date"] == "2024-01-01T00:00:00Z" and s["end_date"] == "2024-01-31T23:59:59Z"
    assert s["by_project"] == [
        {"project_id": world["project"], "project_name": "Website", "hours": 9.5, "entries": 2},
        {"project_id": world["other"], "project_name": "Other", "hours": 2.0, "entries": 1}]
    assert api("GET", "/api/v1/reports/summary", token=world["alice"], query={"user_id": 3}).status == 403
    admin = api("GET", "/api/v1/reports/summary", token=world["admin"],
                query={"start_date": "2024-01-01", "end_date": "2024-01-31"}).json()["summary"]
    assert admin["total_entries"] == 4
    recent = api("GET", "/api/v1/reports/summary", token=world["alice"]).json()["summary"]
    assert recent["total_entries"] == 0  # default: the last 30 days


CSV = ("project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable\r\n"
       "Project A,Client A,Task 1,2024-01-01 09:00:00,2024-01-01 10:30:00,1.5,Meeting notes,meeting;planning,true\r\n"
       "Project B,Client B,,2024-01-01 14:00:00,,2.0,\"Development, work\",dev;coding,false\r\n"
       ",,,2024-01-02 09:00:00,,1,,,\r\n"
       "Project A,,,not a date,,1,,,\r\n"
       "Website,,,2024-01-03T08:00:00Z,2024-01-03T09:00:00Z,,,,\r\n")


def test_import_csv_in_the_request_three_ways(api, world):
    r = api("POST", "/api/v1/time-entries/import-csv", token=world["alice"], body=CSV, content_type="text/csv")
    assert r.status == 201, r
    body = r.json()
    assert (body["total"], body["created"], body["failed"], body["success"]) == (5, 3, 2, False)
    assert [e["line"] for e in body["errors"]] == [4, 5]
    assert "project_name" in body["errors"][0]["message"] and body["errors"][1]["fields"]["start_time"] == "not a date"
    assert sorted(body["projects_created"]) == ["Project A", "Project B"]  # "Website" already existed
    entries = api("GET", "/api/v1/time-entries", token=world["alice"]).json()["time_entries"]
    assert len(entries) == 3 and {e["source"] for e in entries} == {"import"}
    b = next(e for e in entries if e["notes"] == "Development, work")
    assert b["duration_seconds"] == 7200 and b["billable"] is False and b["tags"] == "dev,coding"
    assert next(e for e in entries if e["notes"] == "Meeting notes")["task_id"] is not None
    # the same projects are matched, not duplicated, by the next import (JSON body this time)
    r = api("POST", "/api/v1/time-entries/import-csv", token=world["alice"], body={"csv": CSV})
    assert r.json()["projects_created"] == []
    multipart = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n"
                 b"Content-Type: text/csv\r\n\r\n" + CSV.encode("utf-8-sig") + b"\r\n--XyZ--\r\n")
    r = api("POST", "/api/v1/time-entries/import-csv", token=world["alice"], body=multipart,
            content_type="multipart/form-data; boundary=XyZ")
    assert r.status == 201 and r.json()["created"] == 3


def test_import_csv_refusals(api, world):
    post = lambda body, ct="text/csv": api("POST", "/api/v1/time-entries/import-csv",  # noqa: E731
                                           token=world["alice"], body=body, content_type=ct)
    r = post("a,b\r\n1,2\r\n")
    assert r.status == 400 and r.json()["error_code"] == "invalid_file"
    assert "match no known export" in r.json()["message"]
    r = post("project_name,start_time\r\nP,never\r\n")
    assert r.status == 400 and r.json()["errors"]["file"][0].startswith("Line 2:")
    r = post("project_name,start_time,duration_hours\r\n" + "P,2024-01-01 09:00:00,1\r\n" * 11_000)
    assert r.status == 202 and r.json()["status_url"].startswith("/api/import/status/")  # too many rows: async
    assert post(b"\x00\x01", ct="image/png").status == 415
    assert post({"nothing": "here"}, ct="application/json").status == 400
    r = post("project_name,start_time,duration_hours\r\nOld,2024-01-01 09:00:00,1\r\n")
    assert r.status == 400 and "archived" in r.json()["errors"]["file"][0]


def test_a_setting_allows_several_running_timers(api, world, monkeypatch):
    import dataclasses

    from shared import settings

    several = dataclasses.replace(settings.get_settings(), allow_multiple_timers=True)
    monkeypatch.setattr("shared.logic.time_entries.get_settings", lambda: several)
    first = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]})
    second = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["other"]})
    assert first.status == second.status == 201
    running = api("GET", "/api/v1/time-entries", token=world["alice"], query={"include_active": "true"}).json()
    assert sum(e["is_active"] for e in running["time_entries"]) == 2
    stopped = api("POST", "/api/v1/timer/stop", token=world["alice"]).json()["timer"]
    assert stopped["id"] == second.json()["timer"]["id"]  # the most recent one
    assert api("GET", "/api/v1/timer/status", token=world["alice"]).json()["timer"]["id"] == first.json()["timer"]["id"]


def test_a_stale_timer_guard_does_not_block_the_user(api, world, aws):
    started = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]}).json()
    # the entry disappears without its guard (as after a partial restore)
    aws.delete_item(TableName="tt-time_entries", Key={"id": {"N": str(started["timer"]["id"])}})
    again = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]})
    assert again.status == 201
    assert api("POST", "/api/v1/timer/start", token=world["alice"],
               body={"project_id": world["project"]}).status == 409  # the new guard holds


def test_import_csv_reads_other_trackers_exports(api, world):
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "toggl_detailed.csv"
    r = api("POST", "/api/v1/time-entries/import-csv", token=world["alice"], body=fixture.read_bytes(),
            content_type="text/csv")
    assert r.status == 201 and (r.json()["created"], r.json()["failed"]) == (2, 0)
    entries = api("GET", "/api/v1/time-entries", token=world["alice"]).json()["time_entries"]
    assert {e["source"] for e in entries} == {"toggl"}
    night = next(e for e in entries if e["notes"] == "Night shift, part 1")
    assert night["duration_seconds"] == 3600 and night["billable"] is False


def test_bulk_reads_skip_the_model_and_give_the_same_entries(aws):
    """Exports read entries from their attribute values (the sharded index merge): exactly what the model gives."""
    from datetime import datetime, timedelta, timezone

    from shared.data import time_entries as entries_data
    from shared.models.time_entries import TimeEntryModel

    start = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    written = entries_data.put_entries([
        {"user_id": 7, "project_id": None, "task_id": None, "start_time": start, "end_time": start + timedelta(hours=1),
         "notes": None, "tags": [], "billable": False, "paid": False, "source": "import"},
        {"user_id": 7, "project_id": 3, "task_id": 4, "start_time": start + timedelta(days=1),
         "end_time": start + timedelta(days=1, minutes=5), "notes": "é “quoted”", "tags": ["a", "b"],
         "billable": True, "paid": True, "source": "api"}])
    entries_data.put_entry({"user_id": 7, "project_id": None, "task_id": None, "start_time": start + timedelta(days=2),
                            "end_time": None, "notes": "running", "tags": ["t"], "source": "timer"}, guard_timer=True)
    TimeEntryModel(written[0].id).update(actions=[TimeEntryModel.billable.remove()])  # stored without it: default
    raw = list(entries_data.iter_entries(user_id=7))
    by_model = [entries_data._to_domain(TimeEntryModel.get(e.id)) for e in raw]
    assert raw == by_model and len(raw) == 3
    assert raw[0].billable is True and raw[2].end_time is None and raw[1].tags == ("a", "b")
