"""A damaged backup changes nothing; a load that fails part way is rolled back; whoever
restored can still sign in, and the bootstrap works on what was restored."""
import json

import pytest
import requests

from shared.data.schema import all_table_specs
from shared.logic import restores
from tests.integration.conftest import table_items
from tests.integration.test_backups import _download, export_drain, make_backup, populated  # noqa: F401

# Working state that any API call moves (a request is counted, a token is touched), and the restore's own record.
_MOVING = ("rate_limits", "restores")


def every_table(but_exports=False) -> dict:
    """Every item of every table, but the working state; tokens without last_used_at.
    ``but_exports``: without the export records and their counter (a safety backup is one)."""
    state = {}
    for spec in all_table_specs():
        if spec.logical in _MOVING or (but_exports and spec.logical == "exports"):
            continue
        items = table_items(spec.logical)
        if spec.logical == "api_tokens":
            items = [{k: v for k, v in i.items() if k != "last_used_at"} for i in items]
        if spec.logical == "counters":  # the restore's own id
            items = [i for i in items if i["name"]["S"] not in ("restore", "export" if but_exports else "")]
        state[spec.logical] = items
    return state


def lines_of(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


def with_header(raw: bytes, change) -> bytes:
    lines = lines_of(raw)
    head = json.loads(lines[0].decode()[len('{"backup_info": '):].rstrip(","))
    change(head)
    lines[0] = ('{"backup_info": ' + json.dumps(head) + ",").encode()
    return b"\n".join(lines)


def table_lines(raw: bytes, table: str) -> tuple[int, int]:
    """(index of the table's first item line, index of its closing line)."""
    lines = lines_of(raw)
    start = lines.index(f'"{table}": ['.encode()) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].strip() in (b"]", b"],"))
    return start, end


def replace_item(raw: bytes, table: str, change) -> bytes:
    lines = lines_of(raw)
    start, _ = table_lines(raw, table)
    line = lines[start]
    comma = line.endswith(b",")
    lines[start] = change(line.rstrip(b","))
    if comma and not lines[start].endswith(b","):
        lines[start] += b","
    return b"\n".join(lines)


def _truncated(raw):
    return raw[: len(raw) * 2 // 3].rsplit(b"\n", 1)[0] + b"\n"


def _users_only(raw):
    lines = lines_of(raw)
    start, end = table_lines(raw, "users")
    head = json.loads(lines[0].decode()[len('{"backup_info": '):].rstrip(","))
    head["counts"] = {"users": head["counts"]["users"]}
    return b"\n".join([('{"backup_info": ' + json.dumps(head) + ",").encode(), b'"tables": {', b'"users": [',
                       *lines[start:end], b"]", b"}}", b""])


def _wrong_types(raw):
    def change(line):
        item = json.loads(line)
        item["project_id"] = {"S": item["project_id"]["N"]}
        return json.dumps(item).encode()
    return replace_item(raw, "time_entries", change)


def _huge_counts(raw):
    return with_header(raw, lambda head: head["counts"].update(time_entries=10 ** 15))


def _unknown_table(raw):
    raw = raw.replace(b'"tables": {\n', b'"tables": {\n"secrets": [\n{"id":{"N":"1"}}\n],\n', 1)
    return with_header(raw, lambda head: head["counts"].update(secrets=1))


def _deeply_nested(raw):
    return replace_item(raw, "projects", lambda line: b'{"org":{"S":"default"},"id":{"N":"9"},"x":' +
                        b"[" * 100_000 + b"]" * 100_000 + b"}")


def _nested_attribute(raw):
    deep = {"S": "bottom"}
    for _ in range(40):
        deep = {"L": [deep]}

    def change(line):
        item = json.loads(line)
        item["description"] = deep
        return json.dumps(item).encode()
    return replace_item(raw, "projects", change)


def _invalid_utf8(raw):
    return replace_item(raw, "users", lambda line: line.replace(b'"S":"admin"', b'"S":"adm\xff\xfein"', 1))


def _number_out_of_range(raw):
    def change(line):
        item = json.loads(line)
        item["hourly_rate"] = {"N": "1e-200"}
        return json.dumps(item).encode()
    return replace_item(raw, "projects", change)


DAMAGES = {"truncated": _truncated, "users only": _users_only, "wrong attribute types": _wrong_types,
           "counts of 10^15": _huge_counts, "unknown table": _unknown_table, "deeply nested line": _deeply_nested,
           "attribute nested past 32 levels": _nested_attribute, "invalid UTF-8": _invalid_utf8,
           "a number DynamoDB cannot store": _number_out_of_range}


@pytest.fixture
def backup_file(api, populated):  # noqa: F811
    status = make_backup(api, populated["admin"])
    return requests.get(_download(api, populated["admin"], status["id"]), timeout=10).content


def start(api, token, raw: bytes, dry_run=False) -> dict:
    r = api("POST", "/api/backup/restore", token=token, body=raw,
            content_type="application/octet-stream", query={"dry_run": "true"} if dry_run else None)
    assert r.status == 202, r
    export_drain()
    return api("GET", r.json()["status_url"], token=token).json()


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_backup_leaves_every_table_exactly_as_it_was(api, populated, backup_file, damage):  # noqa: F811
    bad = DAMAGES[damage](backup_file)
    before = every_table()
    done = start(api, populated["admin"], bad)
    assert done["status"] == "failed", done
    assert "nothing was changed" in done["error_message"]
    assert done["problems"] and all(p["message"] for p in done["problems"])
    assert done["safety_export_id"] is None  # refused before anything else happened
    assert every_table() == before
    assert api("GET", "/api/v1/users/me", token=populated["admin"]).status == 200
    assert api("GET", "/api/v1/users/me", token=populated["alice"]).status == 200


def test_a_dry_run_lists_every_problem_with_its_line(api, populated, backup_file):  # noqa: F811
    bad = _wrong_types(_invalid_utf8(_huge_counts(backup_file)))
    users_at, _ = table_lines(bad, "users")
    entries_at, _ = table_lines(bad, "time_entries")
    done = start(api, populated["admin"], bad, dry_run=True)
    assert done["status"] == "failed" and done["dry_run"] is True
    problems = {p["line"]: p["message"] for p in done["problems"]}  # lines count from 1
    assert "not valid UTF-8" in problems[users_at + 1]
    assert "'project_id' is S but this table stores it as N" in problems[entries_at + 1]
    assert "counts 1000000000000000 items in time_entries but the file holds 12" in problems[1]
    assert len(problems) == 3


def test_a_load_that_fails_part_way_puts_the_previous_data_back(api, populated, backup_file, monkeypatch):  # noqa: F811
    from shared.data import tables

    api("POST", "/api/v1/projects", token=populated["admin"], body={"name": "Made after the backup"})
    before = every_table(but_exports=True)
    monkeypatch.setattr(restores, "STEP_ITEMS", 5)  # many steps: the failure lands mid-load
    original = tables.put_items
    state = {"round": "restore"}

    def failing(table, items):
        if table == "time_entries" and state["round"] == "restore":
            state["round"] = "rollback"
            raise ValueError("DynamoDB refused the items (simulated)")
        return original(table, items)

    monkeypatch.setattr(tables, "put_items", failing)
    done = start(api, populated["admin"], backup_file)
    assert done["status"] == "failed", done
    assert "DynamoDB refused the items (simulated)" in done["error_message"]
    assert "The previous data was put back" in done["error_message"]
    safety = api("GET", f"/api/export/status/{done['safety_export_id']}", token=populated["admin"]).json()
    assert safety["status"] == "completed" and safety["export_type"] == "backup"  # listed in history
    assert every_table(but_exports=True) == before
    assert api("GET", "/api/v1/users/me", token=populated["alice"]).status == 200


def test_a_restore_that_keeps_failing_rolls_back_from_the_dead_letter_queue(api, populated, backup_file,  # noqa: F811
                                                                            monkeypatch):
    import boto3

    from infra.local.pollers import QueuePoller
    from shared.data import tables
    from tests.integration.conftest import invoke

    before = every_table(but_exports=True)
    sqs = boto3.client("sqs")
    dlq = sqs.create_queue(QueueName="tt-exports_dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    main = sqs.get_queue_url(QueueName="tt-exports")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=main, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn, "maxReceiveCount": "2"})})
    original = tables.put_items
    broken = {"on": True}
    monkeypatch.setattr(tables, "put_items", lambda table, items: (_ for _ in ()).throw(
        ConnectionError("DynamoDB unreachable")) if broken["on"] and table == "users" else original(table, items))
    from infra.local import pollers

    monkeypatch.setattr(pollers, "REDELIVERY_DELAY_SECONDS", 0)
    r = api("POST", "/api/backup/restore", token=populated["admin"], body=backup_file.decode(),
            content_type="application/octet-stream")
    assert r.status == 202
    export_drain()
    settle = QueuePoller(sqs, dlq, lambda event: invoke("export_dead_letters", event), log=lambda *_: None)
    assert settle.poll_once(wait_seconds=0) == 1
    broken["on"] = False  # the outage is over: the rollback can write
    export_drain()
    done = api("GET", r.json()["status_url"], token=populated["admin"]).json()
    assert done["status"] == "failed", done
    assert "previous data was put back" in done["error_message"]
    assert every_table(but_exports=True) == before


def test_the_bootstrap_works_on_a_restored_system_whose_counters_and_guards_disagree(
        api, populated, backup_file):  # noqa: F811
    def without_bookkeeping(raw: bytes) -> bytes:
        lines = lines_of(raw)
        for table in ("unique_names", "counters"):
            start_at, end = table_lines(b"\n".join(lines), table)
            del lines[start_at:end]
        out = b"\n".join(lines)
        return with_header(out, lambda head: head["counts"].update(unique_names=0, counters=0))

    done = start(api, populated["admin"], without_bookkeeping(backup_file))
    assert done["status"] == "completed", done
    from shared.logic.bootstrap import ensure_admin

    admin, token = ensure_admin("admin", "admin@example.com", None)  # the existing admin, found by name
    assert admin.id == 1 and api("GET", "/api/v1/users/me", token=token).status == 200
    other, _ = ensure_admin("second-admin", "second@example.com", None)
    assert other.id > max(int(u["id"]["N"]) for u in table_items("users") if u["username"]["S"] != "second-admin")
    clash = api("POST", "/api/v1/projects", token=token, body={"name": "website"})
    assert clash.status == 409  # the restored project's name is guarded again
    fresh = api("POST", "/api/v1/projects", token=token, body={"name": "Brand new"})
    assert fresh.status == 201, fresh
    entry = api("POST", "/api/v1/time-entries", token=token, body={
        "project_id": fresh.json()["project"]["id"], "start_time": "2024-05-01T09:00:00Z",
        "end_time": "2024-05-01T10:00:00Z"})
    assert entry.status == 201, entry
