"""Whose entries an import writes (users named by the file, fallback_user) and skip_duplicates,
through the asynchronous pipeline; and every real export beside the repository."""
from pathlib import Path

import pytest

from shared.jobs import registry
from shared.logic import import_steps
from tests.integration.test_import_pipeline import HEADER, drain

TOGGL = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags\r\n"


def toggl_row(user: str, email: str, day: int, notes: str = "work") -> str:
    return f"{user},{email},,Site,,{notes},Yes,2024-03-{day:02d},09:00:00,2024-03-{day:02d},10:00:00,01:00:00,\r\n"


def start(api, token, text, **options):
    r = api("POST", "/api/v1/imports", token=token, body=text, content_type="text/csv", query=options)
    assert r.status == 202, r
    return r.json()["import"]["id"]


def details(api, token, import_id):
    r = api("GET", f"/api/v1/imports/{import_id}/details", token=token)
    assert r.status == 200, r
    return r.json()


def entries_of(api, token):
    """The caller's own entries (an admin's list holds everyone's)."""
    me = api("GET", "/api/v1/users/me", token=token).json()["user"]["id"]
    listed = api("GET", "/api/v1/time-entries", token=token, query={"per_page": 100}).json()["time_entries"]
    return [e for e in listed if e["user_id"] == me]


def team_file() -> str:
    return TOGGL + "".join([toggl_row("Ada", "user1@example.com", 1), toggl_row("Admin", "ADMIN@example.com", 2),
                            toggl_row("Ghost", "ghost@nowhere.test", 3), toggl_row("Ghost", "ghost@nowhere.test", 4)])


def test_an_admins_import_goes_to_the_users_it_names_and_unknown_ones_to_the_importer(api, admin_token, make_token):
    user_token = make_token(["read:time_entries", "read:users"], username="user1")
    import_id = start(api, admin_token, team_file())
    drain()
    found = details(api, admin_token, import_id)
    assert (found["imported"], found["skipped"], found["users_not_found"]) == (4, 0, ["ghost@nowhere.test"])
    assert [e["start_time"][:10] for e in entries_of(api, user_token)] == ["2024-03-01"]
    assert sorted(e["start_time"][:10] for e in entries_of(api, admin_token)) == ["2024-03-02", "2024-03-03",
                                                                                   "2024-03-04"]


def test_fallback_user_null_skips_rows_of_unknown_users_and_an_id_takes_them(api, admin_token, make_token):
    user_token = make_token(["read:time_entries", "read:users"], username="user1")
    skipped = start(api, admin_token, team_file(), fallback_user="null")
    drain()
    found = details(api, admin_token, skipped)
    assert (found["imported"], found["skipped"], found["discarded"]) == (2, 2, 0)
    assert found["status"] == "completed"
    user_id = api("GET", "/api/v1/users/me", token=user_token).json()["user"]["id"]
    given = start(api, admin_token, team_file(), fallback_user=str(user_id))
    drain()
    assert details(api, admin_token, given)["imported"] == 4
    assert sorted(e["start_time"][:10] for e in entries_of(api, user_token)) == ["2024-03-01", "2024-03-01",
                                                                                  "2024-03-03", "2024-03-04"]


def test_a_non_admin_imports_only_into_their_own_account(api, admin_token, make_token):
    token = make_token(["read:time_entries", "write:time_entries", "read:users"], username="user1")
    bad = api("POST", "/api/v1/imports", token=token, body=team_file(), content_type="text/csv",
              query={"fallback_user": "1"})
    assert bad.status == 400 and "fallback_user" in bad.json()["errors"]
    assert api("POST", "/api/v1/imports", token=token, body=team_file(), content_type="text/csv",
               query={"fallback_user": "x"}).status == 400
    import_id = start(api, token, team_file())
    drain()
    found = details(api, token, import_id)
    # The admin's row is not theirs to write: it falls back to the caller, named as not found.
    assert found["imported"] == 4 and found["users_not_found"] == ["ADMIN@example.com", "ghost@nowhere.test"]
    assert entries_of(api, admin_token) == []


def test_skip_duplicates_skips_what_exists_and_repeats_within_the_file(api, admin_token, small_sync_limit):
    rows = [f"Site,,,2024-02-{1 + i:02d} 09:00:00,,1,row {i},,true\r\n" for i in range(10)]
    first = start(api, admin_token, HEADER + "".join(rows))
    drain()
    assert details(api, admin_token, first)["imported"] == 10
    # The same ten rows again (spread over two chunks of 7), plus two new ones and a repeat of a new one.
    new = ["Site,,,2024-02-20 09:00:00,,1,new,,true\r\n"] * 2 + ["Site,,,2024-02-21 09:00:00,,1,other,,true\r\n"]
    again = rows + new
    second = start(api, admin_token, HEADER + "".join(again), skip_duplicates="true")
    drain()
    found = details(api, admin_token, second)
    assert (found["imported"], found["skipped"], found["status"]) == (2, 11, "completed")
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 12
    # Without the option, duplicates are imported as asked.
    third = start(api, admin_token, HEADER + "".join(rows[:3]))
    drain()
    assert details(api, admin_token, third)["imported"] == 3


def test_skip_duplicates_never_takes_a_redelivered_chunks_own_entries_for_duplicates(api, admin_token,
                                                                                    small_sync_limit, monkeypatch):
    sent = []
    original = import_steps.work_queue.send
    monkeypatch.setattr(import_steps.work_queue, "send", lambda messages: (sent.extend(messages), original(messages)))
    rows = [f"Site,,,2024-02-{1 + i:02d} 09:00:00,,1,row {i},,true\r\n" for i in range(15)]
    import_id = start(api, admin_token, HEADER + "".join(rows), skip_duplicates="true")
    drain()
    for message in sent:
        registry.dispatch(message)
    found = details(api, admin_token, import_id)
    assert (found["imported"], found["skipped"]) == (15, 0)
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 15


# Every time-entry export beside the repository (../shared/fixtures), through the whole pipeline:
# (fixture, type detected, imported, discarded, users not found).
SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
PETER = ["peter.test@email.test"]
FIXTURES = [
    ("solidtime/toggl_time_entries_import_test_1.csv", "toggl", 2, 0, PETER),
    ("solidtime/toggl_time_entries_import_test_2.csv", "toggl", 1, 0, PETER),
    ("solidtime/clockify_time_entries_import_test_1.csv", "clockify", 2, 0, PETER),
    ("solidtime/clockify_time_entries_import_test_2.csv", "clockify", 1, 0, PETER),
    ("solidtime/clockify_time_entries_import_test_3.csv", "clockify", 0, 1, []),  # 13/15/2024 is no date
    ("solidtime/clockify_time_entries_import_test_4.csv", "clockify", 2, 0, PETER),
    ("solidtime/clockify_time_entries_import_test_5.csv", "clockify", 2, 0, PETER),
    ("solidtime/clockify_time_entries_import_test_6.csv", "clockify", 2, 0, PETER),
    ("solidtime/clockify_time_entries_import_test_7.csv", "clockify", 1, 0, PETER),
    ("solidtime/harvest_time_entries_import_test_1.csv", "harvest", 2, 0, ["Peter Tester"]),
    ("solidtime/generic_time_entries_import_test_1.csv", "generic", 2, 0, PETER),
    ("solidtime/solidtime_import_test_1/time_entries.csv", "generic", 2, 0, []),
    ("tuttle/test_time_tracking_toggl.csv", "toggl", 29, 0, ["harry@tuttle.com"]),
    ("harvest-overtime/harvest-example.csv", "harvest", 12, 0, ["Emily Bronte", "Jane Austen"]),
]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/fixtures is not beside this clone")
def test_every_real_export_imports_through_the_pipeline_with_the_expected_counts(api, admin_token):
    started = {name: start(api, admin_token, (SHARED / name).read_bytes()) for name, *_ in FIXTURES}
    drain()
    got = []
    for name, *_ in FIXTURES:
        job = api("GET", f"/api/v1/imports/{started[name]}", token=admin_token).json()
        found = details(api, admin_token, started[name])
        got.append((name, job["type"], found["imported"], found["discarded"], found["users_not_found"]))
    assert got == FIXTURES
    total = sum(imported for _, _, imported, _, _ in FIXTURES)
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == total
