"""The REST API v1 contract's own examples, run unchanged against `make run`
(only the placeholder token and host are substituted), plus the concurrency
promises of the timer and of Idempotency-Key."""
import concurrent.futures
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

CONTRACT = Path(__file__).resolve().parents[3] / "shared" / "reference" / "rest-api-v1.md"

PYTHON_EXAMPLE = '''
import requests
API_TOKEN = "tt_your_token_here"
BASE_URL = "https://your-domain.com/api/v1"
headers = {
"Authorization": f"Bearer {API_TOKEN}",
"Content-Type": "application/json"
}
# List projects
response = requests.get(f"{BASE_URL}/projects", headers=headers)
projects = response.json()
# Create time entry
time_entry = {
"project_id": 1,
"start_time": "2024-01-15T09:00:00Z",
"end_time": "2024-01-15T17:00:00Z",
"notes": "Development work",
"billable": True
}
response = requests.post(f"{BASE_URL}/time-entries", json=time_entry, headers=headers)
'''

CURL_EXAMPLES = [
    'curl -H "Authorization: Bearer YOUR_API_TOKEN" https://your-domain.com/api/v1/projects',
    'curl -H "X-API-Key: YOUR_API_TOKEN" https://your-domain.com/api/v1/projects',
    'curl -H "Authorization: Bearer YOUR_TOKEN" "https://your-domain.com/api/v1/search?q=website&limit=10"',
    'curl -H "Authorization: Bearer YOUR_TOKEN" "https://your-domain.com/api/v1/search?q=website&types=project,task"',
    'curl -H "Authorization: Bearer YOUR_TOKEN" "https://your-domain.com/api/v1/projects?status=active&per_page=20"',
    'curl -H "Authorization: Bearer YOUR_TOKEN" '
    '"https://your-domain.com/api/v1/time-entries?project_id=1&start_date=2024-01-01"',
    'curl -H "Authorization: Bearer tt_your_token_here" https://your-domain.com/api/v1/projects',
    "curl -X POST -H \"Authorization: Bearer tt_your_token_here\" -H \"Content-Type: application/json\" "
    "-d '{\"project_id\":1,\"start_time\":\"2024-01-15T09:00:00Z\",\"end_time\":\"2024-01-15T17:00:00Z\"}' "
    "https://your-domain.com/api/v1/time-entries",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+|\\\n", "", text)


@pytest.mark.skipif(not CONTRACT.exists(), reason="the contract lives beside the repository (../shared)")
def test_the_examples_here_are_the_contracts():
    document = _squash(CONTRACT.read_text())
    assert _squash(PYTHON_EXAMPLE) in document
    for example in CURL_EXAMPLES:
        assert _squash(example) in document.replace("\\", ""), example


@pytest.fixture(scope="module")
def contract_stack(make_stack):
    """A fresh stack where project 1 exists with tasks 1-5, as the examples assume."""
    stack = make_stack().start()
    admin = stack.session()
    project = {"name": "Website Redesign", "description": "Complete website overhaul"}
    assert admin.post(stack.url("/api/v1/projects"), json=project).status_code == 201
    for i in range(5):
        admin.post(stack.url("/api/v1/tasks"), json={"name": f"Update homepage {i + 1}", "project_id": 1})
    yield stack
    stack.stop()


def _localize(text: str, stack) -> str:
    for placeholder in ("tt_your_token_here", "YOUR_API_TOKEN", "YOUR_TOKEN"):
        text = text.replace(placeholder, stack.admin_token)
    return text.replace("https://your-domain.com", stack.base)


def test_python_example(contract_stack):
    scope: dict = {}
    exec(_localize(PYTHON_EXAMPLE, contract_stack), scope)  # noqa: S102 - the contract's own example
    assert isinstance(scope["projects"]["projects"], list) and scope["projects"]["pagination"]["total"] == 1
    assert scope["response"].status_code == 201
    assert scope["response"].json()["time_entry"]["duration_hours"] == 8.0


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_examples(contract_stack):
    for example in CURL_EXAMPLES:
        command = shlex.split(_localize(example, contract_stack)) + ["-s", "-o", "/dev/null", "-w", "%{http_code}"]
        status = subprocess.run(command, capture_output=True, text=True, timeout=30).stdout
        assert status in ("200", "201"), (example, status)


def test_two_concurrent_timer_starts_have_one_winner(contract_stack):
    session = contract_stack.session()
    user = session.post(contract_stack.url("/api/v1/users"), json={"username": "racer", "email": "r@example.com"})
    token = session.post(contract_stack.url("/api/v1/api-tokens"), json={
        "name": "racer", "user_id": user.json()["user"]["id"], "scopes": ["read:*", "write:*"]}).json()["token"]

    def start(_):
        return requests.post(contract_stack.url("/api/v1/timer/start"), json={"project_id": 1, "task_id": 5},
                             headers={"X-API-Key": token}, timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(start, range(4)))
    assert statuses == [201, 409, 409, 409]
    status = requests.get(contract_stack.url("/api/v1/timer/status"), headers={"X-API-Key": token}).json()
    assert status["active"] and status["timer"]["task_id"] == 5


def test_concurrent_requests_with_one_idempotency_key_create_one_entry(contract_stack):
    session = contract_stack.session()
    body = {"project_id": 1, "start_time": "2024-02-01T09:00:00Z", "end_time": "2024-02-01T10:00:00Z",
            "notes": "offline sync"}

    def post(_):
        r = requests.post(contract_stack.url("/api/v1/time-entries"), json=body,
                          headers={"Authorization": f"Bearer {contract_stack.admin_token}",
                                   "Idempotency-Key": "sync-42"}, timeout=30)
        return r.status_code, r.json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(post, range(5)))
    created = [b for s, b in results if s == 201]
    assert created and all(s in (201, 409) for s, _ in results)
    assert len({b["time_entry"]["id"] for b in created}) == 1  # every 201 is the same entry
    listed = session.get(contract_stack.url("/api/v1/time-entries"),
                         params={"start_date": "2024-02-01", "end_date": "2024-02-01"}).json()
    assert listed["pagination"]["total"] == 1
    replay = post(0)
    assert replay == (201, created[0])
