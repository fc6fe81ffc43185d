"""Undo removes exactly what its import made: the import's entries whoever owns them, and
only the projects, clients and tasks it created (by id), only while nothing else uses them."""
from tests.integration.test_import_people_and_duplicates import TOGGL, details, start, toggl_row
from tests.integration.test_import_pipeline import HEADER, drain


def names(api, token, kind):
    return sorted(x["name"] for x in api("GET", f"/api/v1/{kind}", token=token, query={"per_page": 100}).json()[kind])


def undo(api, token, import_id):
    r = api("DELETE", f"/api/v1/imports/{import_id}", token=token)
    assert r.status == 202, r
    drain()
    assert api("GET", f"/api/v1/imports/{import_id}", token=token).json()["status"] == "undone"


def test_undo_never_deletes_a_record_that_merely_carries_a_name_the_import_created(api, admin_token):
    job = start(api, admin_token, HEADER + "Alpha,Acme,Design,2024-02-01 09:00:00,,1,imported,,true\r\n")
    drain()
    alpha = next(p for p in api("GET", "/api/v1/projects", token=admin_token).json()["projects"]
                 if p["name"] == "Alpha")
    # The imported project is renamed; someone makes a new "Alpha" (no entries yet) with a task of their own.
    assert api("PATCH", f"/api/v1/projects/{alpha['id']}", token=admin_token, body={"name": "Alpha 2023"}).status == 200
    other = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Alpha"}).json()["project"]
    assert api("POST", "/api/v1/tasks", token=admin_token, body={"name": "Design", "project_id": other["id"]}
               ).status == 201
    undo(api, admin_token, job)
    assert names(api, admin_token, "projects") == ["Alpha"]  # the newcomer stays; the import's own is gone
    assert api("GET", f"/api/v1/projects/{other['id']}", token=admin_token).status == 200
    assert [t["name"] for t in api("GET", "/api/v1/tasks", token=admin_token,
                                   query={"project_id": other["id"]}).json()["tasks"]] == ["Design"]
    assert names(api, admin_token, "clients") == []  # Acme: created by the import, now holds nothing


def test_undo_keeps_what_the_import_matched_and_what_others_added(api, admin_token):
    matched = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Existing"}).json()["project"]
    job = start(api, admin_token, HEADER + "".join([
        "Existing,,Review,2024-02-01 09:00:00,,1,matched,,true\r\n",
        "Fresh,,Build,2024-02-02 09:00:00,,1,created,,true\r\n"]))
    drain()
    fresh = next(p for p in api("GET", "/api/v1/projects", token=admin_token).json()["projects"]
                 if p["name"] == "Fresh")
    # Someone adds a task of their own to the project the import created: the project must stay.
    assert api("POST", "/api/v1/tasks", token=admin_token, body={"name": "Mine", "project_id": fresh["id"]}
               ).status == 201
    undo(api, admin_token, job)
    assert names(api, admin_token, "projects") == ["Existing", "Fresh"]
    assert api("GET", f"/api/v1/projects/{matched['id']}", token=admin_token).status == 200
    tasks = api("GET", "/api/v1/tasks", token=admin_token, query={"per_page": 100}).json()["tasks"]
    assert sorted(t["name"] for t in tasks) == ["Mine"]  # the import's tasks (no entries left) went
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 0


def test_undo_of_an_admins_import_removes_the_entries_it_wrote_for_other_users(api, admin_token, make_token):
    user_token = make_token(["read:time_entries", "read:users"], username="user1")
    job = start(api, admin_token, TOGGL + toggl_row("Ada", "user1@example.com", 1) +
                toggl_row("Admin", "admin@example.com", 2))
    drain()
    assert details(api, admin_token, job)["imported"] == 2
    assert api("GET", "/api/v1/time-entries", token=user_token).json()["pagination"]["total"] == 1
    undo(api, admin_token, job)
    assert api("GET", "/api/v1/time-entries", token=user_token).json()["pagination"]["total"] == 0
    assert api("GET", "/api/v1/time-entries", token=admin_token).json()["pagination"]["total"] == 0
    assert names(api, admin_token, "projects") == []
