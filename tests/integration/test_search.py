"""Search through the word index: prefixes, all words, scoping, no scans."""


def test_search_finds_projects_tasks_clients_and_own_entries(api, admin_token, make_token):
    alice = make_token(["read:*", "write:*"], username="alice")
    bob = make_token(["read:*", "write:*"], username="bob")
    client = api("POST", "/api/v1/clients", token=admin_token,
                 body={"name": "Acme", "company": "Website Builders Ltd"}).json()["client"]
    project = api("POST", "/api/v1/projects", token=admin_token,
                  body={"name": "Website Redesign", "description": "Complete website overhaul"}).json()["project"]
    api("POST", "/api/v1/projects", token=admin_token, body={"name": "Old website", "status": "archived"})
    task = api("POST", "/api/v1/tasks", token=admin_token,
               body={"name": "Update homepage", "project_id": project["id"], "status": "in_progress"}).json()["task"]
    mine = api("POST", "/api/v1/time-entries", token=alice, body={
        "project_id": project["id"], "start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T10:00:00Z",
        "notes": "Homepage hero for the website", "tags": "design"}).json()["time_entry"]
    api("POST", "/api/v1/time-entries", token=bob, body={
        "project_id": project["id"], "start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T10:00:00Z",
        "notes": "Bob's website notes"})

    r = api("GET", "/api/v1/search", token=alice, query={"q": "website"})
    assert r.status == 200
    body = r.json()
    by_type = {(x["type"], x["id"]) for x in body["results"]}
    assert ("project", project["id"]) in by_type
    assert ("client", client["id"]) in by_type
    assert ("entry", mine["id"]) in by_type
    assert sum(1 for x in body["results"] if x["type"] == "entry") == 1  # not bob's
    assert all(x["title"] != "Old website" for x in body["results"])  # archived projects are left out
    assert body["query"] == "website" and body["count"] == len(body["results"])
    project_hit = next(x for x in body["results"] if x["type"] == "project")
    assert project_hit == {"type": "project", "category": "project", "id": project["id"], "title": "Website Redesign",
                           "description": "Complete website overhaul", "url": f"/projects/{project['id']}",
                           "badge": "Project"}

    tasks = api("GET", "/api/v1/search", token=alice, query={"q": "HOME", "types": "task"}).json()["results"]
    assert tasks == [{"type": "task", "category": "task", "id": task["id"], "title": "Update homepage",
                      "description": "Website Redesign", "url": f"/tasks/{task['id']}", "badge": "In Progress"}]
    both = api("GET", "/api/v1/search", token=alice, query={"q": "web redes", "types": "project"}).json()
    assert [x["id"] for x in both["results"]] == [project["id"]]
    assert api("GET", "/api/v1/search", token=alice, query={"q": "web zzz"}).json()["results"] == []


def test_index_follows_renames_and_deletes(api, admin_token):
    p = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Alpha"}).json()["project"]
    api("PATCH", f"/api/v1/projects/{p['id']}", token=admin_token, body={"name": "Beta"})
    find = lambda q: api("GET", "/api/v1/search", token=admin_token, query={"q": q}).json()["results"]  # noqa: E731
    assert find("alpha") == [] and [x["id"] for x in find("beta")] == [p["id"]]
    t = api("POST", "/api/v1/tasks", token=admin_token, body={"name": "Gamma", "project_id": p["id"]}).json()["task"]
    assert [x["id"] for x in find("gamma")] == [t["id"]]
    api("DELETE", f"/api/v1/tasks/{t['id']}", token=admin_token)
    assert find("gamma") == []


def test_search_validation(api, admin_token):
    assert api("GET", "/api/v1/search", token=admin_token, query={"q": "a"}).status == 400
    assert api("GET", "/api/v1/search", token=admin_token).status == 400
    assert api("GET", "/api/v1/search", token=admin_token, query={"q": "ab", "limit": 51}).status == 400
    r = api("GET", "/api/v1/search", token=admin_token, query={"q": "ab", "types": "project,planet"})
    assert r.status == 400 and "types" in r.json()["errors"]
    assert api("GET", "/api/v1/search", token=admin_token, query={"q": "!!"}).json()["results"] == []


def test_search_needs_read_projects(api, make_token):
    token = make_token(["read:time_entries"])
    r = api("GET", "/api/v1/search", token=token, query={"q": "web"})
    assert r.status == 403 and r.json()["required_scope"] == "read:projects"


def test_bulk_written_entries_are_found_through_postings_and_edits_are_followed(api, admin_token, ddb_calls):
    rows = "".join(f"Site,,,2024-02-{1 + i % 28:02d} 09:00:00,,1,Deploy ticket {1000 + i},release,true\r\n"
                   for i in range(60))
    header = "project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable\r\n"
    ddb_calls.clear()
    r = api("POST", "/api/v1/time-entries/import-csv", token=admin_token, body=header + rows, content_type="text/csv")
    assert r.status == 201 and r.json()["created"] == 60
    # 60 entries: 3 batches of 25; their index one more (a postings item per two-letter bucket: de, ti, 10,
    # re), where one item per word and entry took 10; the new project's name one.
    assert ddb_calls["BatchWriteItem"] == 5

    def found(q):
        results = api("GET", "/api/v1/search", token=admin_token, query={"q": q, "types": "entry", "limit": 50})
        return [x["title"] for x in results.json()["results"]]

    assert found("ticket 1042") == ["Deploy ticket 1042"]
    assert len(found("deploy")) == 50 and len(found("release")) == 50
    entry = next(e for e in api("GET", "/api/v1/time-entries", token=admin_token, query={"per_page": 100}).json()[
        "time_entries"] if e["notes"] == "Deploy ticket 1042")
    api("PUT", f"/api/v1/time-entries/{entry['id']}", token=admin_token, body={"notes": "Hotfix"})
    assert found("ticket 1042") == [] and found("hotfix") == ["Hotfix"]
    api("DELETE", f"/api/v1/time-entries/{entry['id']}", token=admin_token)
    assert found("hotfix") == []
