"""The README's five-minute tour, and the contract's examples, over HTTP."""
import subprocess
import threading

import requests

from tests.local_stack import ROOT


def test_public_endpoints(stack):
    info = requests.get(stack.url("/api/v1/info")).json()
    assert info["api_version"] == "v1" and info["documentation_url"] == "/api/docs"
    assert requests.get(stack.url("/api/v1/health")).json()["status"] == "healthy"
    doc = requests.get(stack.url("/api/openapi.json")).json()
    assert "/api/v1/projects/{project_id}" in doc["paths"]
    assert "swagger-ui" in requests.get(stack.url("/api/docs")).text


def test_bootstrap_admin_token_is_the_one_asked_for(stack):
    me = stack.session().get(stack.url("/api/v1/users/me"))
    assert me.status_code == 200 and me.json()["user"]["role"] == "admin"
    assert me.headers["X-RateLimit-Limit"] and me.headers["X-RateLimit-Remaining"]


def test_contract_curl_examples(stack):
    token = stack.admin_token
    # curl -H "Authorization: Bearer YOUR_API_TOKEN" https://your-domain.com/api/v1/projects
    assert requests.get(stack.url("/api/v1/projects"), headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # curl -H "X-API-Key: YOUR_API_TOKEN" https://your-domain.com/api/v1/projects
    assert requests.get(stack.url("/api/v1/projects"), headers={"X-API-Key": token}).status_code == 200
    # curl ... "https://your-domain.com/api/v1/projects?status=active&per_page=20"
    r = requests.get(stack.url("/api/v1/projects?status=active&per_page=20"), headers={"X-API-Key": token})
    assert r.status_code == 200 and r.json()["pagination"]["per_page"] == 20
    example = "tt_abc123def456ghi789jkl012mno345pq"  # the contract's example token: well-formed, unknown
    bad = requests.get(stack.url("/api/v1/projects"), headers={"Authorization": f"Bearer {example}"})
    assert bad.status_code == 401 and bad.json() == {"error": "Invalid token", "error_code": "unauthorized",
                                                     "message": "The provided API token is invalid or expired"}


def test_a_team_sets_up_its_catalogue(stack):
    admin = stack.session()
    # an admin creates a user and a scoped token for an integration
    user = admin.post(stack.url("/api/v1/users"), json={"username": "zapier", "email": "zap@example.com"})
    user = user.json()["user"]
    created = admin.post(stack.url("/api/v1/api-tokens"), json={
        "name": "Zapier", "description": "automation", "user_id": user["id"],
        "scopes": ["read:projects", "write:projects", "read:clients", "write:clients", "read:tasks", "write:tasks"],
        "expires_in_days": 90})
    assert created.status_code == 201
    bot = stack.session(created.json()["token"])

    client = bot.post(stack.url("/api/v1/clients"), json={"name": "Acme Corp", "email": "contact@acme.com",
                                                          "company": "Acme Corporation", "phone": "+1-555-0123"})
    assert client.status_code == 201
    project = bot.post(stack.url("/api/v1/projects"), json={
        "name": "New Project", "description": "Project description", "client_id": client.json()["client"]["id"],
        "hourly_rate": 75.00, "estimated_hours": 100, "status": "active"})
    assert project.status_code == 201
    pid = project.json()["project"]["id"]
    task = bot.post(stack.url("/api/v1/tasks"), json={"name": "Implement login feature",
                                                      "description": "Add user authentication",
                                                      "project_id": pid, "status": "todo", "priority": 1})
    assert task.status_code == 201
    assert bot.get(stack.url(f"/api/v1/tasks?project_id={pid}")).json()["pagination"]["total"] == 1
    denied = bot.get(stack.url("/api/v1/users"))
    assert denied.status_code == 403 and denied.json()["required_scope"] == "admin:all"
    archived = bot.delete(stack.url(f"/api/v1/projects/{pid}"))
    assert archived.json()["project"]["status"] == "archived"


def test_concurrent_creates_of_one_name_make_one_project(stack):
    admin = stack.session()
    statuses = []

    def create():
        statuses.append(admin.post(stack.url("/api/v1/projects"), json={"name": "Race condition"}).status_code)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409}


def test_bad_input_never_gets_a_500(stack):
    admin = stack.session()
    cases = [
        ("POST", "/api/v1/projects", {"data": b"{broken", "headers": {"Content-Type": "application/json"}}, 400),
        ("POST", "/api/v1/projects", {"data": b"name=x", "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", "/api/v1/projects", {"json": {"name": "x" * 500}}, 400),
        ("POST", "/api/v1/projects", {"json": {"name": "ok", "unknown": 1}}, 400),
        ("GET", "/api/v1/projects/abc", {}, 400),
        ("GET", "/api/v1/projects/999999", {}, 404),
        ("DELETE", "/api/v1/projects", {}, 405),
        ("GET", "/api/v1/nothing-here", {}, 404),
        ("GET", "/api/v1/projects?per_page=-1", {}, 400),
        ("POST", "/api/v1/tasks", {"json": {"name": "t", "project_id": 10**12}}, 400),
    ]
    for method, path, kwargs, expected in cases:
        r = admin.request(method, stack.url(path), **kwargs)
        assert r.status_code == expected, (method, path, r.text)
        assert {"error", "message", "error_code"} <= set(r.json()), r.text


def test_oversized_request_is_413(stack):
    r = stack.session().post(stack.url("/api/v1/projects"), data=b"x" * (11 * 1024 * 1024),
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error_code"] == "payload_too_large"


def test_make_invoke_runs_a_handler_on_a_sample_event(stack):
    out = subprocess.run(["make", "--no-print-directory", "invoke", "fn=users", "event=events/users_me.json"],
                         cwd=ROOT, env={**stack.env}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"statusCode": 200' in out.stdout and '"username": "admin"' in out.stdout
