"""Projects, clients and tasks end to end through their handlers."""
import pytest


@pytest.fixture
def writer(make_token):
    return make_token(["read:*", "write:*"])


def create(api, token, kind, body):
    r = api("POST", f"/api/v1/{kind}", token=token, body=body)
    assert r.status == 201, r
    return r.json()[kind[:-1]]


def test_project_lifecycle_matches_the_contract(api, writer):
    client = create(api, writer, "clients", {"name": "Acme Corp", "email": "contact@acme.com",
                                             "company": "Acme Corporation", "phone": "+1-555-0123"})
    body = {"name": "Website Redesign", "description": "Complete website overhaul", "client_id": client["id"],
            "hourly_rate": 75.00, "estimated_hours": 120, "status": "active"}
    r = api("POST", "/api/v1/projects", token=writer, body=body)
    assert r.status == 201
    project = r.json()["project"]
    assert {k: project[k] for k in body} == body
    assert project["id"] == 1 and project["created_at"].endswith("Z")
    assert api("GET", "/api/v1/projects/1", token=writer).json()["project"] == project

    r = api("PUT", "/api/v1/projects/1", token=writer, body={"hourly_rate": 80})
    assert r.status == 200 and r.json()["project"]["hourly_rate"] == 80 and r.json()["project"]["name"] == body["name"]
    r = api("PATCH", "/api/v1/projects/1", token=writer, body={"status": "on_hold", "description": None})
    assert r.json()["project"]["status"] == "on_hold" and r.json()["project"]["description"] is None

    r = api("DELETE", "/api/v1/projects/1", token=writer)
    assert r.status == 200 and r.json()["project"]["status"] == "archived"
    assert api("GET", "/api/v1/projects/1", token=writer).json()["project"]["status"] == "archived"


def test_lists_paginate_with_the_contract_pagination_object(api, writer):
    for i in range(7):
        create(api, writer, "projects", {"name": f"P{i}", "status": "active" if i % 2 == 0 else "on_hold"})
    r = api("GET", "/api/v1/projects", token=writer, query={"per_page": 3, "page": 2})
    assert r.status == 200
    body = r.json()
    assert [p["name"] for p in body["projects"]] == ["P3", "P4", "P5"]
    assert body["pagination"] == {"page": 2, "per_page": 3, "total": 7, "pages": 3, "has_next": True,
                                  "has_prev": True, "next_page": 3, "prev_page": 1}
    active = api("GET", "/api/v1/projects", token=writer, query={"status": "active"}).json()
    assert [p["name"] for p in active["projects"]] == ["P0", "P2", "P4", "P6"]
    beyond = api("GET", "/api/v1/projects", token=writer, query={"page": 9}).json()
    assert beyond["projects"] == [] and beyond["pagination"]["total"] == 7
    clamped = api("GET", "/api/v1/projects", token=writer, query={"per_page": 1000}).json()
    assert clamped["pagination"]["per_page"] == 100


@pytest.mark.parametrize("query,field", [
    ({"per_page": 0}, "per_page"), ({"page": "abc"}, "page"), ({"status": "deleted"}, "status"),
    ({"client_id": "x"}, "client_id"),
])
def test_bad_list_parameters_are_400_with_the_field(api, writer, query, field):
    r = api("GET", "/api/v1/projects", token=writer, query=query)
    assert r.status == 400 and field in r.json()["errors"]


def test_filters_by_client_and_status(api, writer):
    acme = create(api, writer, "clients", {"name": "Acme"})
    other = create(api, writer, "clients", {"name": "Other"})
    create(api, writer, "projects", {"name": "A1", "client_id": acme["id"]})
    create(api, writer, "projects", {"name": "A2", "client_id": acme["id"], "status": "on_hold"})
    create(api, writer, "projects", {"name": "O1", "client_id": other["id"]})
    names = lambda q: [p["name"] for p in api("GET", "/api/v1/projects", token=writer, query=q).json()["projects"]]  # noqa: E731
    assert names({"client_id": acme["id"]}) == ["A1", "A2"]
    assert names({"client_id": acme["id"], "status": "on_hold"}) == ["A2"]
    assert api("GET", "/api/v1/clients", token=writer).json()["pagination"]["total"] == 2


def test_validation_errors_name_each_field(api, writer):
    r = api("POST", "/api/v1/projects", token=writer, body={"hourly_rate": -5, "colour": "red"})
    assert r.status == 400
    errors = r.json()["errors"]
    assert set(errors) == {"name", "hourly_rate", "colour"}
    assert errors["colour"] == ["Unknown field"] and r.json()["error_code"] == "validation_error"
    r = api("POST", "/api/v1/projects", token=writer, body={"name": "x", "client_id": 99})
    assert r.status == 400 and r.json()["errors"] == {"client_id": ["Client 99 not found"]}


def test_names_are_unique_case_insensitively_and_renames_move_the_guard(api, writer):
    website = create(api, writer, "projects", {"name": "Website"})
    r = api("POST", "/api/v1/projects", token=writer, body={"name": "  WEBSITE "})
    assert r.status == 409 and r.json()["error_code"] == "duplicate_name"
    mobile = create(api, writer, "projects", {"name": "Mobile"})  # ids may skip: a refused create used one
    assert api("PATCH", f"/api/v1/projects/{mobile['id']}", token=writer, body={"name": "website"}).status == 409
    assert api("PATCH", f"/api/v1/projects/{website['id']}", token=writer, body={"name": "Web site"}).status == 200
    assert api("POST", "/api/v1/projects", token=writer, body={"name": "Website"}).status == 201


def test_tasks_belong_to_projects(api, writer):
    create(api, writer, "projects", {"name": "P"})
    create(api, writer, "projects", {"name": "Q"})
    task = create(api, writer, "tasks", {"name": "Implement login feature", "description": "Add user authentication",
                                         "project_id": 1, "status": "todo", "priority": 1})
    assert task["priority"] == "low" and task["status"] == "todo"
    assert api("POST", "/api/v1/tasks", token=writer, body={"name": "x", "project_id": 42}).status == 400
    assert api("POST", "/api/v1/tasks", token=writer, body={"name": "implement LOGIN feature",
                                                           "project_id": 1}).status == 409
    create(api, writer, "tasks", {"name": "Implement login feature", "project_id": 2})  # other project: fine
    listed = api("GET", "/api/v1/tasks", token=writer, query={"project_id": 1}).json()
    assert [t["id"] for t in listed["tasks"]] == [task["id"]]
    r = api("PATCH", f"/api/v1/tasks/{task['id']}", token=writer, body={"status": "done"})
    assert r.json()["task"]["status"] == "done"
    assert api("GET", "/api/v1/tasks", token=writer, query={"status": "done"}).json()["pagination"]["total"] == 1
    assert api("DELETE", f"/api/v1/tasks/{task['id']}", token=writer).status == 200
    assert api("GET", f"/api/v1/tasks/{task['id']}", token=writer).status == 404
    assert api("DELETE", f"/api/v1/tasks/{task['id']}", token=writer).status == 404


def test_clients_with_projects_cannot_be_deleted(api, writer):
    client = create(api, writer, "clients", {"name": "Acme"})
    create(api, writer, "projects", {"name": "P", "client_id": client["id"]})
    r = api("DELETE", f"/api/v1/clients/{client['id']}", token=writer)
    assert r.status == 409 and r.json()["error_code"] == "client_in_use"
    lonely = create(api, writer, "clients", {"name": "Lonely"})
    assert api("DELETE", f"/api/v1/clients/{lonely['id']}", token=writer).status == 200
    assert api("GET", f"/api/v1/clients/{lonely['id']}", token=writer).status == 404
    create(api, writer, "clients", {"name": "lonely"})  # the name is free again


def test_catalogue_is_shared_by_the_organisation(api, make_token):
    alice = make_token(["read:projects", "write:projects"], username="alice")
    bob = make_token(["read:projects"], username="bob")
    create(api, alice, "projects", {"name": "Shared"})
    assert api("GET", "/api/v1/projects", token=bob).json()["pagination"]["total"] == 1


def test_users_admin_endpoints(api, admin_token):
    r = api("POST", "/api/v1/users", token=admin_token,
            body={"username": "carol", "email": "carol@example.com", "full_name": "Carol", "timezone": "Europe/Berlin"})
    assert r.status == 201 and r.json()["user"]["role"] == "user"
    assert api("POST", "/api/v1/users", token=admin_token,
               body={"username": "CAROL", "email": "c2@example.com"}).status == 409
    assert api("POST", "/api/v1/users", token=admin_token,
               body={"username": "dave", "email": "carol@example.com"}).json()["error_code"] == "duplicate_email"
    r = api("POST", "/api/v1/users", token=admin_token,
            body={"username": "erin", "email": "erin@example.com", "timezone": "Mars/Olympus"})
    assert r.status == 400 and "timezone" in r.json()["errors"]
    listed = api("GET", "/api/v1/users", token=admin_token).json()
    assert [u["username"] for u in listed["users"]] == ["admin", "carol"]
    me = api("GET", "/api/v1/users/me", token=admin_token).json()["user"]
    assert me["username"] == "admin" and me["role"] == "admin"
