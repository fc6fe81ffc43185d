"""Admin backups and restores: a backup restored into an empty system gives back identical
data, ids included; dry runs write nothing; bad files are 400s; redelivery changes nothing."""
import json

import boto3
import pytest
import requests

from shared.logic import export_builds, restores
from tests.integration.conftest import drain, table_items


def export_drain():
    return drain("tt-exports", "export_worker", batch_size=1)


@pytest.fixture
def populated(api, admin_token, make_token, small_sync_limit):
    """A system with a bit of everything: users, tokens, catalogue, entries, an import with errors."""
    alice = make_token(["read:*", "write:*"], username="alice")
    client = api("POST", "/api/v1/clients", token=admin_token, body={"name": "Acme"}).json()["client"]
    project = api("POST", "/api/v1/projects", token=admin_token,
                  body={"name": "Website", "client_id": client["id"]}).json()["project"]
    api("POST", "/api/v1/tasks", token=admin_token, body={"name": "Design", "project_id": project["id"]})
    for day in range(1, 4):
        api("POST", "/api/v1/time-entries", token=alice, body={
            "project_id": project["id"], "start_time": f"2024-03-0{day}T09:00:00Z",
            "end_time": f"2024-03-0{day}T10:00:00Z", "notes": f"Day {day} — ünïcode", "tags": "web"})
    csv = ("project_name,start_time,duration_hours,notes\r\n" + "".join(
        f"Imported,2024-04-{1 + i:02d} 09:00:00,{'x' if i == 3 else '1'},row {i}\r\n" for i in range(10)))
    r = api("POST", "/api/v1/imports", token=alice, body=csv, content_type="text/csv")
    assert r.status == 202
    drain()
    api("PUT", "/api/v1/settings/modules", token=admin_token, body={"inventory": True})
    item = api("POST", "/api/v1/inventory/items", token=admin_token, body={"sku": "S-1", "name": "Screw"}).json()
    a, b = (api("POST", "/api/v1/inventory/warehouses", token=admin_token, body={"code": c, "name": c}).json()
            for c in ("A", "B"))
    assert api("POST", "/api/v1/inventory/movements", token=admin_token, body={
        "movement_type": "receipt", "stock_item_id": item["item"]["id"], "warehouse_id": a["warehouse"]["id"],
        "quantity": "7.125", "unit_cost": "0.35"}).status == 201
    assert api("POST", "/api/v1/inventory/transfers", token=admin_token, body={
        "stock_item_id": item["item"]["id"], "from_warehouse_id": a["warehouse"]["id"],
        "to_warehouse_id": b["warehouse"]["id"], "quantity": 2}).status == 201
    return {"admin": admin_token, "alice": alice}


def snapshot() -> dict:
    return {name: [i for i in table_items(name) if restores._keep(name, i)] for name in export_builds.BACKED_UP}


def make_backup(api, token) -> dict:
    r = api("POST", "/api/export/backup", token=token)
    assert r.status == 202, r
    export_drain()
    status = api("GET", r.json()["status_url"], token=token).json()
    assert status["status"] == "completed", status
    return status


def wipe() -> None:
    """An empty system: every backed-up table dropped and created again."""
    from shared.data.schema import all_table_specs

    ddb = boto3.client("dynamodb")
    for spec in all_table_specs():
        if spec.logical in export_builds.BACKED_UP:
            ddb.delete_table(TableName=spec.name)
            ddb.create_table(**spec.create_table_args())


def restore(api, token, body, content_type="application/json", query=None) -> dict:
    r = api("POST", "/api/backup/restore", token=token, body=body, content_type=content_type, query=query)
    assert r.status == 202, r
    export_drain()
    return r.json()


def test_a_backup_restored_into_an_empty_system_gives_back_identical_data(api, populated, monkeypatch):
    monkeypatch.setattr(restores, "STEP_ITEMS", 7)  # many steps: the cursor carries the work across messages
    before = snapshot()
    assert len(before["time_entries"]) == 12 and before["import_errors"]
    status = make_backup(api, populated["admin"])
    document = json.loads(requests.get(_download(api, populated["admin"], status["id"]), timeout=10).content)
    info = document["backup_info"]
    assert info["format"] == "timetracker-backup" and info["format_version"] == 1
    assert info["created_by"]["username"] == "admin" and info["counts"]["time_entries"] == 12
    assert (info["counts"]["stock_movements"], info["counts"]["stock_levels"], info["counts"]["settings"]) == (3, 2, 1)
    assert status["record_count"] == sum(info["counts"].values())

    wipe()
    from shared.logic.bootstrap import ensure_admin

    _, fresh_admin = ensure_admin("someone", "someone@example.com", None)  # the only way into an empty system
    started = restore(api, fresh_admin, {"export_id": status["id"]})
    done = api("GET", started["status_url"], token=populated["admin"]).json()  # the restored admin token works
    assert done["status"] == "completed", done
    assert done["counts"]["time_entries"] == {"removed": 0, "restored": 12}
    assert done["counts"]["users"]["removed"] == 1  # the bootstrap admin of the empty system
    after = snapshot()
    restorer = next(u for u in after["users"] if u["username"]["S"] == "someone")  # kept, under a new id
    assert restorer["id"]["N"] == str(max(int(u["id"]["N"]) for u in before["users"]) + 1)
    added = {name: [i for i in after[name] if i not in before[name]] for name in after}
    assert [i for i in before["time_entries"] if i not in after["time_entries"]] == []
    assert {name: len(items) for name, items in added.items() if items} == {
        "users": 1, "api_tokens": 1, "unique_names": 2, "counters": 2}
    assert {c["name"]["S"] for c in added["counters"]} == {"user", "api_token"}  # their ids: new ones
    assert added["api_tokens"][0]["user_id"] == restorer["id"]
    assert all(i in after[name] for name in before for i in before[name] if name != "counters")
    from shared.logic import auth

    auth._cache.clear()  # a warm container trusts a token for up to 30 s (TOKEN_CACHE_SECONDS)
    assert api("GET", "/api/v1/users/me", token=fresh_admin).json()["user"]["username"] == "someone"  # still in
    entries = api("GET", "/api/v1/time-entries", token=populated["alice"]).json()
    assert entries["pagination"]["total"] == 12


def test_a_backup_from_before_the_inventory_module_and_the_sharded_indexes_still_restores(api, populated):
    status = make_backup(api, populated["admin"])
    document = json.loads(requests.get(_download(api, populated["admin"], status["id"]), timeout=10).content)
    newer = ("settings", "stock_items", "warehouses", "stock_levels", "stock_movements")
    for name in newer:  # what a backup made before the module holds: none of its tables
        document["tables"].pop(name)
        document["backup_info"]["counts"].pop(name)
    for entry in document["tables"]["time_entries"]:  # ...and entries without the sharded indexes' keys
        for key in ("user_key", "org_key", "project_key", "import_key"):
            entry.pop(key, None)
    done = restore(api, populated["admin"], document)
    result = api("GET", done["status_url"], token=populated["admin"]).json()
    assert result["status"] == "completed", result
    assert result["counts"]["stock_movements"]["removed"] == 3  # the backup describes none
    assert result["counts"]["stock_movements"].get("restored", 0) == 0
    assert api("GET", "/api/v1/inventory/items", token=populated["admin"]).json()["error_code"] == "module_disabled"
    assert result["counts"]["time_entries"]["restored"] == 12
    from shared.logic import auth

    auth._cache.clear()
    assert api("GET", "/api/v1/time-entries", token=populated["alice"]).json()["pagination"]["total"] == 12


def test_dry_run_reports_what_would_change_and_writes_nothing(api, populated):
    status = make_backup(api, populated["admin"])
    api("POST", "/api/v1/projects", token=populated["admin"], body={"name": "After the backup"})
    before = snapshot()
    started = restore(api, populated["admin"], {"export_id": status["id"], "dry_run": True})
    done = api("GET", started["status_url"], token=populated["admin"]).json()
    assert done["status"] == "completed" and done["dry_run"] is True
    assert done["counts"]["projects"] == {"in_backup": 2, "existing": 3, "to_create": 0, "to_replace": 2,
                                          "to_delete": 1}
    assert snapshot() == before


def test_a_backup_file_sent_in_the_request_even_reformatted_restores(api, populated):
    status = make_backup(api, populated["admin"])
    raw = requests.get(_download(api, populated["admin"], status["id"]), timeout=10).content
    before = snapshot()
    pretty = json.dumps(json.loads(raw), indent=2).encode()  # an editor laid it out again
    started = restore(api, populated["admin"], pretty)
    done = api("GET", started["status_url"], token=populated["admin"]).json()
    assert done["status"] == "completed", done
    assert snapshot() == before
    multipart = (b"--B\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\ntrue\r\n"
                 b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.json\"\r\n\r\n" + raw +
                 b"\r\n--B--\r\n")
    dry = restore(api, populated["admin"], multipart, content_type="multipart/form-data; boundary=B")
    assert dry["restore"]["dry_run"] is True


@pytest.mark.parametrize("body, content_type", [
    (b"project_name,start_time\r\n", "text/csv"),
    (b'{"backup_info": {"format": "someone-else"},\n"tables": {\n}}\n', "application/json"),
    (b'{"backup_info": {"format": "timetracker-backup", "format_version": 99},\n"tables": {\n}}\n',
     "application/json"),
    (json.dumps({"export_id": 999}).encode(), "application/json"),
    (json.dumps({"upload_id": "f" * 32}).encode(), "application/json"),
    (json.dumps({"export_id": 1, "colour": "red"}).encode(), "application/json"),
    (json.dumps({"export_id": 1, "upload_id": "f" * 32}).encode(), "application/json"),
])
def test_what_is_not_a_backup_is_a_400(api, admin_token, body, content_type):
    r = api("POST", "/api/backup/restore", token=admin_token, body=body.decode(), content_type=content_type)
    assert r.status == 400, r
    assert r.json()["message"]


def test_restores_are_for_admins(api, make_token):
    token = make_token(["read:*", "write:*"])
    assert api("POST", "/api/backup/restore", token=token, body={"export_id": 1}).status == 403
    assert api("GET", "/api/backup/restore/1", token=token).status == 403


def test_a_damaged_backup_fails_the_restore_with_a_reason(api, populated):
    status = make_backup(api, populated["admin"])
    raw = requests.get(_download(api, populated["admin"], status["id"]), timeout=10).content
    cut = raw[: len(raw) * 2 // 3].rsplit(b"\n", 1)[0] + b"\n"  # the upload broke off
    started = restore(api, populated["admin"], cut, content_type="application/octet-stream")
    done = api("GET", started["status_url"], token=populated["admin"]).json()
    assert done["status"] == "failed" and "cut short" in done["error_message"]


def test_every_restore_message_delivered_twice_changes_nothing(api, populated, monkeypatch):
    from shared.data import work_queue
    from shared.jobs import registry

    monkeypatch.setattr(restores, "STEP_ITEMS", 5)
    status = make_backup(api, populated["admin"])
    before = snapshot()
    sent = []
    original = work_queue.send
    monkeypatch.setattr(work_queue, "send", lambda messages: (sent.extend(messages), original(messages)))
    started = restore(api, populated["admin"], {"export_id": status["id"]})
    for message in sent:
        registry.dispatch(message)
    export_drain()
    done = api("GET", started["status_url"], token=populated["admin"]).json()
    assert done["status"] == "completed"
    assert done["counts"]["time_entries"] == {"removed": 12, "restored": 12}
    assert snapshot() == before


def _download(api, token, export_id) -> str:
    r = api("GET", f"/api/export/download/{export_id}", token=token)
    assert r.status == 302, r
    return r.headers["Location"]


def test_one_restore_replaces_the_data_at_a_time(api, populated):
    status = make_backup(api, populated["admin"])
    first = api("POST", "/api/backup/restore", token=populated["admin"], body={"export_id": status["id"]})
    assert first.status == 202
    second = api("POST", "/api/backup/restore", token=populated["admin"], body={"export_id": status["id"]})
    assert second.status == 409 and second.json()["error_code"] == "restore_in_progress"
    assert str(first.json()["restore_id"]) in second.json()["message"]
    dry = api("POST", "/api/backup/restore", token=populated["admin"],
              body={"export_id": status["id"], "dry_run": True})
    assert dry.status == 202  # a dry run writes nothing: it may run alongside
    export_drain()
    assert api("GET", first.json()["status_url"], token=populated["admin"]).json()["status"] == "completed"
    third = api("POST", "/api/backup/restore", token=populated["admin"], body={"export_id": status["id"]})
    assert third.status == 202  # the lock was given back
    export_drain()
    assert api("GET", "/api/backup/restore/0", token=populated["admin"]).status == 404  # the lock is no restore


def test_a_restore_that_died_frees_the_lock_when_it_lapses(api, populated):
    from datetime import timedelta

    from shared.clock import utcnow
    from shared.models.exports import RestoreModel

    status = make_backup(api, populated["admin"])
    assert api("POST", "/api/backup/restore", token=populated["admin"], body={"export_id": status["id"]}).status == 202
    # Its worker died and the queue lost the message: nothing renews the lock any more.
    boto3.client("sqs").purge_queue(QueueUrl=boto3.client("sqs").get_queue_url(QueueName="tt-exports")["QueueUrl"])
    assert api("POST", "/api/backup/restore", token=populated["admin"], body={"export_id": status["id"]}).status == 409
    RestoreModel(0).update(actions=[RestoreModel.held_until.set(utcnow() - timedelta(seconds=1))])
    assert api("POST", "/api/backup/restore", token=populated["admin"], body={"export_id": status["id"]}).status == 202
