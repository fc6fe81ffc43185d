"""Handlers against moto (in-process): real DynamoDB API calls, no network."""
from __future__ import annotations

import json
from collections import Counter

import boto3
import botocore.client
import pytest
from moto import mock_aws

from infra.local.lambdas import LocalContext, load_handler
from tests.events import api_event

_handlers: dict = {}


_recorded: list | None = None  # DynamoDB calls made during the current handler invocation
_may_scan = False  # whether the function running now is granted Scan (infra/cloud/access.py)


@pytest.fixture
def ddb_calls(monkeypatch):
    """Counts DynamoDB operations by name, and fails any test whose code Scans."""
    calls: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            # Scans by a function allowed them (backups, restores: no request path) count apart.
            calls["Scan by a worker" if operation == "Scan" and _may_scan else operation] += 1
            if _recorded is not None:
                _recorded.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    yield calls
    assert calls["Scan"] == 0, "a request path used Scan"


@pytest.fixture
def aws(ddb_calls):
    from infra.local import moto_speedups
    from infra.local.aws import ensure_credentials_key
    from shared.data.schema import all_table_specs
    from shared.logic import auth
    from shared.settings import QUEUE_ENV

    moto_speedups.install()  # as the local stack encodes DynamoDB responses
    with mock_aws():
        client = boto3.client("dynamodb")
        for spec in all_table_specs():
            client.create_table(**spec.create_table_args())
        boto3.client("s3").create_bucket(Bucket="tt-data")
        for queue in QUEUE_ENV:
            boto3.client("sqs").create_queue(QueueName=f"tt-{queue}")
        ensure_credentials_key()
        auth._cache.clear()
        ddb_calls.clear()
        yield client
        auth._cache.clear()


@pytest.fixture
def admin_token(aws):
    from shared.logic.bootstrap import ensure_admin

    _, token = ensure_admin("admin", "admin@example.com", None)
    return token


class Response:
    def __init__(self, raw: dict):
        self.raw = raw
        self.status = raw["statusCode"]
        headers = {k: v for k, v in (raw.get("headers") or {}).items()}
        headers.update({k: vs[-1] for k, vs in (raw.get("multiValueHeaders") or {}).items()})
        self.headers = headers
        self.text = raw.get("body") or ""

    def json(self):
        return json.loads(self.text)

    def __repr__(self):
        return f"<{self.status} {self.text[:300]}>"


def invoke(function: str, event: dict) -> dict:
    """Run a handler as Lambda would, and check every DynamoDB call it made against the
    function's IAM grants (infra/cloud/access.py): least privilege that is exercised."""
    global _recorded, _may_scan
    from infra.cloud.access import ACCESS

    if function not in _handlers:
        _handlers[function] = load_handler(function)
    outer = (_recorded, _may_scan)  # a function invoked while another runs (a worker the API waits for)
    made = _recorded = []
    _may_scan = any("dynamodb:Scan" in actions for actions in ACCESS[function].values())
    try:
        result = _handlers[function](event, LocalContext(function))
    finally:
        _recorded, _may_scan = outer
    assert_granted(function, made)
    return result


def assert_granted(function: str, made: list) -> None:
    from infra.cloud.access import ACCESS, actions_of
    from shared.settings import get_settings

    logical = {name: key for key, name in get_settings().tables.items()}
    for operation, params in made:
        for table, action in actions_of(operation, params):
            allowed = ACCESS[function].get(logical.get(table, table), ())
            assert action in allowed, f"{function} called {action} on {table}, which its IAM role does not allow"


def call(method: str, path: str, **kwargs) -> Response:
    function, event = api_event(method, path, **kwargs)
    assert function is not None, f"no route for {path}"
    return Response(invoke(function, event))


@pytest.fixture
def api():
    return call


@pytest.fixture
def make_token(api, admin_token):
    """Issue a token through the API: make_token(scopes, role="user") -> plaintext."""
    created_users = {}

    def make(scopes, role="user", username=None, expires_in_days=None):
        username = username or f"{role}{len(created_users) + 1}"
        if username not in created_users:
            r = api("POST", "/api/v1/users", token=admin_token,
                    body={"username": username, "email": f"{username}@example.com", "role": role})
            assert r.status == 201, r
            created_users[username] = r.json()["user"]["id"]
        body = {"name": f"{username} token", "user_id": created_users[username], "scopes": scopes}
        if expires_in_days:
            body["expires_in_days"] = expires_in_days
        r = api("POST", "/api/v1/api-tokens", token=admin_token, body=body)
        assert r.status == 201, r
        return r.json()["token"]

    return make


@pytest.fixture
def small_sync_limit(monkeypatch):
    """Send small files down the asynchronous import path, in chunks of 7 rows, so tests stay quick."""
    from infra.local import pollers
    from shared.logic import csv_import, import_steps

    monkeypatch.setattr(csv_import, "MAX_SYNC_BYTES", 500)
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 7)
    monkeypatch.setattr(pollers, "REDELIVERY_DELAY_SECONDS", 0)


def drain(queue: str = "tt-imports", function: str = "import_worker", batch_size: int = 5,
          max_rounds: int = 500) -> int:
    """Feed a queue to its worker as the event source mapping (the local poller) does."""
    from infra.local.pollers import QueuePoller

    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    poller = QueuePoller(sqs, url, lambda event: invoke(function, event), batch_size=batch_size,
                         log=lambda *_: None)
    handled = 0
    for _ in range(max_rounds):
        got = poller.poll_once(wait_seconds=0)
        if not got:
            return handled
        handled += got
    raise AssertionError(f"{queue} did not drain")


def table_items(logical: str) -> list[dict]:
    """Every item of a table, sorted (a test's view; the no-Scan rule is for functions)."""
    global _may_scan
    from shared.settings import get_settings

    _may_scan = True
    try:
        pages = boto3.client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().table(logical))
        items = [item for page in pages for item in page["Items"]]
    finally:
        _may_scan = False
    return sorted(items, key=lambda i: json.dumps(i, sort_keys=True, default=repr))  # binary values too
