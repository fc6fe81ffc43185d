"""Webhooks end to end in the handlers: subscriptions over the API, events from the tables'
streams, signed deliveries to a real receiver on loopback, retries, disabling, rotation,
who receives what, and the delivery log."""
import json

import pytest

from tests.fakes.receiver import Receiver
from tests.integration.conftest import drain, invoke
from tests.integration.webhook_pump import Pump

SCOPES = ["read:time_entries", "write:time_entries", "read:projects", "read:webhooks", "write:webhooks"]


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def setting(monkeypatch):
    """setting(NAME, value): an environment setting for this test only."""
    from shared.settings import get_settings

    def set_(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def pump(aws):
    return Pump(invoke, drain)


@pytest.fixture
def world(api, admin_token, make_token, pump):
    project = api("POST", "/api/v1/projects", token=admin_token, body={"name": "Website"}).json()["project"]
    return {"alice": make_token(SCOPES, username="alice"), "bob": make_token(SCOPES, username="bob"),
            "admin": admin_token, "project": project["id"]}


def subscribe(api, token, url, events=("*",), **extra):
    r = api("POST", "/api/v1/webhooks", token=token, body={"name": "hook", "url": url, "events": list(events),
                                                            **extra})
    assert r.status == 201, r
    body = r.json()
    return body["webhook"], body["secret"]


def entry(api, token, project, **extra):
    body = {"project_id": project, "start_time": "2024-01-15T09:00:00Z", "end_time": "2024-01-15T10:00:00Z", **extra}
    r = api("POST", "/api/v1/time-entries", token=token, body=body)
    assert r.status == 201, r
    return r.json()["time_entry"]


def log(api, token, webhook_id, **query):
    r = api("GET", f"/api/v1/webhooks/{webhook_id}/deliveries", token=token, query=query)
    assert r.status == 200, r
    return r.json()["deliveries"]


def test_subscriptions_secret_once_scopes_and_bad_input(api, world, make_token, receiver):
    hook, secret = subscribe(api, world["alice"], receiver.url(), ["time_entry.created"])
    assert secret.startswith("whsec_") and len(secret) >= 6 + 32
    got = api("GET", f"/api/v1/webhooks/{hook['id']}", token=world["alice"]).json()["webhook"]
    assert secret not in json.dumps(got) and "whsec_" not in json.dumps(got)
    assert got["events"] == ["time_entry.created"] and got["is_active"]
    assert [w["id"] for w in api("GET", "/api/v1/webhooks", token=world["alice"]).json()["webhooks"]] == [hook["id"]]
    assert api("GET", "/api/v1/webhooks", token=world["bob"]).json()["webhooks"] == []
    assert api("GET", f"/api/v1/webhooks/{hook['id']}", token=world["bob"]).status == 404
    assert api("DELETE", f"/api/v1/webhooks/{hook['id']}", token=world["bob"]).status == 404
    events = api("GET", "/api/v1/webhooks/events", token=world["alice"]).json()["events"]
    assert {"time_entry.stopped", "task.completed", "import.completed", "webhook.disabled"} <= {
        e["event"] for e in events} and all(e["description"] for e in events)
    no_scope = make_token(["read:time_entries"], username="carol")
    assert api("GET", "/api/v1/webhooks", token=no_scope).status == 403
    for body, field in (({"name": "x", "url": "ftp://example.com/", "events": ["*"]}, "url"),
                        ({"name": "x", "url": "https://10.0.0.5/hook", "events": ["*"]}, "url"),
                        ({"name": "x", "url": "https://169.254.169.254/latest", "events": ["*"]}, "url"),
                        ({"name": "x", "url": receiver.url(), "events": ["time_entry.exploded"]}, "events"),
                        ({"name": "x", "url": receiver.url(), "events": []}, "events")):
        r = api("POST", "/api/v1/webhooks", token=world["alice"], body=body)
        assert r.status == 400 and field in r.json()["errors"], (body, r)
    r = api("PATCH", f"/api/v1/webhooks/{hook['id']}", token=world["alice"], body={"events": ["*"], "name": "all"})
    assert r.status == 200 and r.json()["webhook"]["events"] == ["*"] and r.json()["webhook"]["name"] == "all"
    r = api("PATCH", f"/api/v1/webhooks/{hook['id']}", token=world["alice"], body={"events": None})
    assert r.status == 400 and r.json()["errors"]["events"] == ["Cannot be null"]
    r = api("PUT", f"/api/v1/webhooks/{hook['id']}", token=world["alice"],
            body={"name": "put", "url": receiver.url("/put"), "events": ["task.completed"], "description": None})
    assert r.status == 200 and r.json()["webhook"]["description"] is None and r.json()["webhook"]["name"] == "put"
    assert api("PUT", f"/api/v1/webhooks/{hook['id']}", token=world["alice"], body={"name": "x"}).status == 400
    assert api("DELETE", f"/api/v1/webhooks/{hook['id']}", token=world["alice"]).status == 204
    assert api("GET", f"/api/v1/webhooks/{hook['id']}", token=world["alice"]).status == 404


def test_entry_events_arrive_signed_with_the_resource_as_the_api_returns_it(api, world, receiver, pump):
    hook, secret = subscribe(api, world["alice"], receiver.url())
    created = entry(api, world["alice"], world["project"], notes="first")
    r = api("PATCH", f"/api/v1/time-entries/{created['id']}", token=world["alice"], body={"notes": "second"})
    assert r.status == 200
    started = api("POST", "/api/v1/timer/start", token=world["alice"], body={"project_id": world["project"]})
    assert started.status == 201
    assert api("POST", "/api/v1/timer/stop", token=world["alice"]).status == 200
    assert api("DELETE", f"/api/v1/time-entries/{created['id']}", token=world["alice"]).status == 200
    pump()
    receiver.verify([secret])
    got = receiver.events()
    got = [e for e in got if e["event"].startswith("time_entry.")]  # (the project may fall in the same second)
    names = [e["event"] for e in got]
    assert sorted(names) == sorted(["time_entry.created", "time_entry.updated", "time_entry.created",
                                    "time_entry.started", "time_entry.updated", "time_entry.stopped",
                                    "time_entry.deleted"])
    first = next(e for e in got if e["event"] == "time_entry.created" and e["data"]["id"] == created["id"])
    assert first["data"] == created and first["id"].startswith("evt_") and first["created_at"].endswith("Z")
    updated = next(e for e in got if e["event"] == "time_entry.updated" and e["data"]["id"] == created["id"])
    assert updated["previous"] == {"notes": "first"} and updated["data"]["notes"] == "second"
    assert len({e["id"] for e in got}) == len(got)  # every event its own id
    delivered = [d for d in log(api, world["alice"], hook["id"]) if d["event"].startswith("time_entry.")]
    assert len(delivered) == len(got) and {d["status"] for d in delivered} == {"delivered"}
    assert all(d["response_code"] == 200 and d["attempt"] == 1 for d in delivered)


def test_failures_retry_with_the_same_id_until_delivered_and_redirects_are_not_followed(api, world, receiver, pump):
    hook, secret = subscribe(api, world["alice"], receiver.url("/flaky"), ["time_entry.created"])
    receiver.plan("/flaky", 500, "timeout", 503)
    entry(api, world["alice"], world["project"])
    pump()
    ids = {g["headers"]["webhook-id"] for g in receiver.got}
    assert len(receiver.got) == 4 and len(ids) == 1  # three failures, then delivered; one event id throughout
    attempts = log(api, world["alice"], hook["id"])
    assert [a["attempt"] for a in attempts] == [4, 3, 2, 1]  # newest first
    assert [a["status"] for a in attempts] == ["delivered", "retrying", "retrying", "retrying"]
    assert attempts[-1]["response_code"] == 500 and len(attempts[-1]["response_body"]) == 1024
    assert attempts[-2]["response_code"] is None and "No answer" in attempts[-2]["error"]
    assert attempts[1]["next_retry_at"] is not None and attempts[0]["next_retry_at"] is None
    assert [a["attempt"] for a in log(api, world["alice"], hook["id"], status="retrying")] == [3, 2, 1]
    page = api("GET", f"/api/v1/webhooks/{hook['id']}/deliveries", token=world["alice"], query={"limit": 2}).json()
    older = log(api, world["alice"], hook["id"], cursor=page["next_cursor"])
    assert [a["attempt"] for a in page["deliveries"] + older] == [4, 3, 2, 1]

    redirect, _ = subscribe(api, world["bob"], receiver.url("/moved"), ["time_entry.created"])
    receiver.plan("/moved", *["redirect"] * 20)
    entry(api, world["bob"], world["project"])
    pump()
    assert not [g for g in receiver.got if g["path"] == "/followed"]
    attempts = log(api, world["bob"], redirect["id"])
    assert attempts[-1]["response_code"] == 302 and "not followed" in attempts[-1]["error"]
    assert attempts[0]["status"] == "failed" and len(attempts) == 8  # the schedule spent: given up
    assert api("GET", f"/api/v1/webhooks/{redirect['id']}", token=world["bob"]).json()["webhook"]["is_active"]


def test_410_disables_and_the_owner_hears_why(api, world, receiver, pump):
    gone, _ = subscribe(api, world["alice"], receiver.url("/gone"), ["time_entry.created"])
    watcher, _ = subscribe(api, world["alice"], receiver.url("/watch"), ["webhook.disabled"])
    receiver.plan("/gone", 410)
    entry(api, world["alice"], world["project"])
    pump()
    hook = api("GET", f"/api/v1/webhooks/{gone['id']}", token=world["alice"]).json()["webhook"]
    assert not hook["is_active"] and "410" in hook["disabled_reason"]
    notice = receiver.events("/watch")
    assert [n["event"] for n in notice] == ["webhook.disabled"] and notice[0]["data"]["id"] == gone["id"]
    assert "410" in notice[0]["data"]["disabled_reason"]
    entry(api, world["alice"], world["project"])
    pump()
    assert len([g for g in receiver.got if g["path"] == "/gone"]) == 1  # nothing more to a disabled webhook
    r = api("PATCH", f"/api/v1/webhooks/{gone['id']}", token=world["alice"], body={"is_active": True})
    assert r.json()["webhook"]["is_active"] and r.json()["webhook"]["disabled_reason"] is None


def test_an_endpoint_failing_for_the_whole_window_is_disabled(api, world, receiver, pump, setting):
    setting("WEBHOOK_DISABLE_AFTER_SECONDS", "0")
    hook, _ = subscribe(api, world["alice"], receiver.url("/down"), ["time_entry.created"])
    receiver.plan("/down", 500, 500)
    entry(api, world["alice"], world["project"])
    pump()
    got = api("GET", f"/api/v1/webhooks/{hook['id']}", token=world["alice"]).json()["webhook"]
    assert not got["is_active"] and got["disabled_reason"].startswith("Every delivery failed since")
    assert [a["status"] for a in log(api, world["alice"], hook["id"])] == ["failed"]


def test_users_receive_only_what_they_may_see_and_admins_everything(api, world, receiver, pump):
    subscribe(api, world["alice"], receiver.url("/alice"))
    subscribe(api, world["admin"], receiver.url("/admin"), ["time_entry.created", "project.created"])
    mine = entry(api, world["alice"], world["project"])
    theirs = entry(api, world["bob"], world["project"])
    api("POST", "/api/v1/projects", token=world["admin"], body={"name": "Shared"})
    pump()
    alice = receiver.events("/alice")
    assert {e["data"]["id"] for e in alice if e["event"].startswith("time_entry")} == {mine["id"]}
    assert any(e["event"] == "project.created" and e["data"]["name"] == "Shared" for e in alice)
    admin = receiver.events("/admin")
    assert {e["data"]["id"] for e in admin if e["event"] == "time_entry.created"} == {mine["id"], theirs["id"]}


def test_rotation_signs_with_both_secrets_for_a_day(api, world, receiver, pump):
    hook, old = subscribe(api, world["alice"], receiver.url(), ["time_entry.created"])
    r = api("POST", f"/api/v1/webhooks/{hook['id']}/rotate-secret", token=world["alice"])
    assert r.status == 200, r
    new = r.json()["secret"]
    assert new != old and r.json()["webhook"]["secret_rotated_at"]
    entry(api, world["alice"], world["project"])
    pump()
    (got,) = receiver.got
    assert len(got["headers"]["webhook-signature"].split()) == 2
    receiver.verify([new])  # TimeTracker's header: the new secret
    receiver.verify([old, new][::-1])
    from shared.webhooks.signing import verify_standard

    assert verify_standard(old, {k.lower(): v for k, v in got["headers"].items()}, got["body"])


def test_ping_manual_retry_and_a_redelivered_message_posts_once(api, world, receiver, pump):
    hook, secret = subscribe(api, world["alice"], receiver.url("/ping"), ["client.deleted"])  # a ping needs none
    receiver.plan("/ping", 500)
    r = api("POST", f"/api/v1/webhooks/{hook['id']}/test", token=world["alice"])
    assert r.status == 202
    delivery = r.json()["delivery_id"]
    pump()
    (attempt,) = log(api, world["alice"], hook["id"])
    assert attempt["event"] == "ping" and attempt["status"] == "failed"  # a test never retries by itself
    r = api("POST", f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery}/retry", token=world["alice"])
    assert r.status == 202 and r.json()["attempt"] == 2
    pump()
    assert [a["status"] for a in log(api, world["alice"], hook["id"])] == ["delivered", "failed"]
    assert api("POST", f"/api/v1/webhooks/{hook['id']}/deliveries/evt_nope/retry", token=world["alice"]).status == 404
    receiver.verify([secret])

    # The same message twice (SQS delivers at least once): one POST.
    from shared.data import work_queue
    from shared.jobs.messages import DeliverWebhook

    message = DeliverWebhook(hook["id"], "evt_0000000001abcdef0123456789", "ping", json.dumps(
        {"id": "evt_0000000001abcdef0123456789", "event": "ping", "created_at": "2024-01-01T00:00:00Z", "data": {}}))
    work_queue.send([message, message])
    before = len(receiver.got)
    drain("tt-webhooks", "webhook_worker", batch_size=1)
    assert len(receiver.got) == before + 1


def test_the_address_is_checked_again_at_delivery(api, world, receiver, pump, setting):
    hook, _ = subscribe(api, world["alice"], receiver.url(), ["time_entry.created"])
    setting("WEBHOOKS_ALLOW_LOOPBACK", "false")  # (as in the cloud)
    entry(api, world["alice"], world["project"])
    pump()
    assert receiver.got == []
    first = log(api, world["alice"], hook["id"])[-1]
    assert "not a public address" in first["error"] or "https" in first["error"]


def test_many_writes_make_events_in_batches(api, world, receiver, pump):
    from shared.settings import get_settings

    subscribe(api, world["alice"], receiver.url(), ["time_entry.created"])
    for i in range(12):
        entry(api, world["alice"], world["project"], notes=f"n{i}")
    pump()
    assert len(receiver.events()) == 12
    # One dispatcher invocation for the table's batch, not one per row.
    assert pump.dispatched[get_settings().table("time_entries")] == 1


def test_inventory_movements_and_low_stock_make_events(api, world, receiver, pump):
    admin = world["admin"]
    api("PUT", "/api/v1/settings/modules", token=admin, body={"inventory": True})
    hook, secret = subscribe(api, world["alice"], receiver.url(),
                             events=("inventory.movement.created", "inventory.low_stock"))
    item = api("POST", "/api/v1/inventory/items", token=admin, body={"sku": "W-1", "name": "Widget",
                                                                      "reorder_point": 5}).json()["item"]
    warehouse = api("POST", "/api/v1/inventory/warehouses", token=admin, body={"code": "M", "name": "Main"}).json()[
        "warehouse"]

    def move(kind, quantity):
        r = api("POST", "/api/v1/inventory/movements", token=admin, body={
            "movement_type": kind, "stock_item_id": item["id"], "warehouse_id": warehouse["id"], "quantity": quantity})
        assert r.status == 201, r
        return r.json()["movement"]

    received = move("receipt", 8)
    move("issue", 4)  # 4 < 5: low
    move("issue", 1)  # still low: no second event
    move("receipt", 10)
    move("issue", 12)  # low again after recovering
    pump()
    receiver.verify([secret])
    got = receiver.events()
    movements = [e for e in got if e["event"] == "inventory.movement.created"]
    assert len(movements) == 5
    assert next(e for e in movements if e["data"]["id"] == received["id"])["data"] == received
    lows = sorted((e for e in got if e["event"] == "inventory.low_stock"), key=lambda e: e["data"]["quantity_on_hand"])
    assert [(e["data"]["quantity_on_hand"], e["data"]["reorder_point"], e["data"]["shortfall"]) for e in lows] == \
        [(1, 5, 4), (4, 5, 1)]
