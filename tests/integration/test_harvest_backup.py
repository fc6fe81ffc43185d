"""`tt harvest-backup` against a loopback Harvest (tests/fakes/saas.py) serving two Harvest
accounts and a Forecast one with every endpoint, PDFs, paging, 429s and 5xx: the behaviours
getharvest-backup's tests pin down, and ours beyond them (dry run, verify, messages/payments)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.cli import main
from tests.fakes.saas import SaaS


@pytest.fixture
def harvest(monkeypatch):
    from shared.settings import get_settings
    from shared.sources import harvest as harvest_client
    from shared.sources import http

    with SaaS(toggl_per_workspace=(), harvest_per_account=(7, 3)) as fake:
        for name, value in fake.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("HARVEST_PAT", SaaS.HARVEST_TOKEN)
        get_settings.cache_clear()
        monkeypatch.setattr(harvest_client, "PER_PAGE", 3)  # time entries over several pages
        monkeypatch.setattr(http, "BACKOFF", 0.01)
        yield fake
    get_settings.cache_clear()


def _json(path: Path):
    return json.loads(path.read_text())


def test_every_endpoint_in_the_references_layout(harvest, tmp_path, capsys):
    out = tmp_path / "backup"
    assert main(["harvest-backup", "-o", str(out)]) == 0
    assert [a["id"] for a in _json(out / "accounts.json")] == [11, 12]
    account = out / "harvest_account_11"
    for folder in ("clients", "contacts", "projects", "tasks", "time_entries", "users", "expenses",
                   "expense_categories", "invoices", "invoice_item_categories", "estimates",
                   "estimate_item_categories", "roles", "users_me_project_assignments"):
        assert (account / folder / "list.json").is_file(), folder
    assert (account / "users_me" / "data.json").is_file() and (account / "company" / "data.json").is_file()
    entries = _json(account / "time_entries" / "list.json")
    assert len(entries) == 8 and (account / "time_entries" / f"{entries[0]['id']}.json").is_file()  # 3 pages
    raw = (account / "clients" / "list.json").read_text()
    assert raw == json.dumps(json.loads(raw), indent=2, ensure_ascii=False)  # as the reference writes it
    assert _json(account / "clients" / "1.json")["name"] == "Client 11"
    assert (account / "projects" / "2_user_assignments.json").is_file()
    assert (account / "projects" / "3_task_assignments.json").is_file()
    for sub in ("billable_rates", "cost_rates", "project_assignments", "teammates"):
        assert (account / "users" / f"500_{sub}.json").is_file(), sub
    assert not (account / "users" / "501_teammates.json").exists()  # 422: skipped and noted
    assert _json(account / "invoices" / "300_messages.json") == [{"id": 3000}]
    assert _json(account / "invoices" / "300_payments.json") == []
    assert (account / "estimates" / "450_messages.json").is_file()
    assert (account / "invoices" / "artifacts" / "300.pdf").read_bytes().startswith(b'"%PDF')
    assert (account / "estimates" / "artifacts" / "450.pdf").is_file()
    manifest = _json(out / "manifest.json")
    assert manifest["endpoints"]["11"]["time_entries"] == 8
    assert {s["what"] for s in manifest["skipped"]} >= {"account", "users/501_teammates"}
    assert any("forecast" in s["why"] for s in manifest["skipped"])
    assert "harvest_account_11/clients/list.json" in manifest["files"]
    artifacts = _json(out / ".artifacts_manifest.json")
    assert set(artifacts["11"]) == {"invoices:300", "invoices:301", "invoices:302", "estimates:450"}
    assert not list(out.rglob("*.tmp"))
    assert "backed up 2 account(s)" in capsys.readouterr().out


def test_pdfs_are_kept_incrementally(harvest, tmp_path):
    out = tmp_path / "backup"
    assert main(["harvest-backup", "-o", str(out), "-q"]) == 0
    first = harvest.pdf_requests
    assert first == 8  # 3 invoices + 1 estimate, two accounts
    assert main(["harvest-backup", "-o", str(out), "-q"]) == 0
    assert harvest.pdf_requests == first  # nothing changed: nothing downloaded
    harvest.invoice_updated[(11, 300)] = "2025-06-01T00:00:00Z"  # only updated_at: still unchanged
    harvest.invoice_amount[(11, 301)] = 999.0  # the invoice changed: its PDF again
    (out / "harvest_account_12" / "invoices" / "artifacts" / "302.pdf").unlink()  # missing: again
    assert main(["harvest-backup", "-o", str(out), "-q"]) == 0
    assert harvest.pdf_requests == first + 2


def test_no_subdomain_no_pdfs_said_so(harvest, tmp_path):
    harvest.subdomain[11] = None
    out = tmp_path / "b"
    assert main(["harvest-backup", "-o", str(out), "--account", "11", "-q"]) == 0
    assert not (out / "harvest_account_11" / "invoices" / "artifacts").exists()
    assert any("no subdomain" in s["why"] for s in _json(out / "manifest.json")["skipped"])
    assert not (out / "harvest_account_12").exists()


def test_a_refused_token_stops_at_once_with_harvests_message(harvest, tmp_path, capsys):
    assert main(["harvest-backup", "--pat", "wrong", "-o", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expired, revoked" in err
    assert len(harvest.log) == 1  # 401 is never retried
    assert not (tmp_path / "b" / "accounts.json").exists()


def test_429_and_5xx_are_retried_then_succeed(harvest, tmp_path):
    harvest.faults.throttle_every = 7
    harvest.faults.fail_at = {4, 9}
    assert main(["harvest-backup", "-o", str(tmp_path / "b"), "-q"]) == 0
    statuses = [s for _, _, s in harvest.log]
    assert 429 in statuses and 503 in statuses
    assert len(_json(tmp_path / "b" / "harvest_account_11" / "time_entries" / "list.json")) == 8


def test_dry_run_lists_and_writes_nothing(harvest, tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["harvest-backup", "-o", str(out), "--dry-run", "-v"]) == 0
    printed = capsys.readouterr().out
    assert "would write harvest_account_11/clients/list.json" in printed and "nothing was written" in printed
    assert not out.exists() and harvest.pdf_requests == 0


def test_verify_catches_a_changed_or_missing_file(harvest, tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["harvest-backup", "-o", str(out), "-q"]) == 0
    assert main(["harvest-backup", "--verify", str(out)]) == 0
    (out / "harvest_account_11" / "roles" / "510.json").write_text("{}")
    (out / "harvest_account_12" / "tasks" / "3.json").unlink()
    capsys.readouterr()
    assert main(["harvest-backup", "--verify", str(out)]) == 3
    printed = capsys.readouterr().out
    assert "changed: harvest_account_11/roles/510.json" in printed
    assert "missing: harvest_account_12/tasks/3.json" in printed


def test_unknown_account_and_missing_token_are_one_line_errors(harvest, tmp_path, capsys, monkeypatch):
    assert main(["harvest-backup", "-o", str(tmp_path / "b"), "--account", "77"]) == 1
    assert "No Harvest account 77" in capsys.readouterr().err
    monkeypatch.delenv("HARVEST_PAT")
    assert main(["harvest-backup", "-o", str(tmp_path / "b")]) == 2


def test_writes_are_atomic(tmp_path):
    from shared.harvest_backup.stores import DirectoryStore

    store = DirectoryStore(tmp_path)
    with store.writing("a/x.json") as out:
        out.write(b"old")
    with pytest.raises(RuntimeError), store.writing("a/x.json") as out:
        out.write(b"half of the new")
        raise RuntimeError("killed")
    assert (tmp_path / "a" / "x.json").read_bytes() == b"old" and len(list((tmp_path / "a").iterdir())) == 1


def test_the_rate_limiter_waits_for_the_window():
    from shared.sources.http import SlidingWindow

    now, slept = [0.0], []

    def sleep(s):
        slept.append(s)
        now[0] += s

    window = SlidingWindow(100, 15, sleep=sleep, clock=lambda: now[0])
    for _ in range(100):
        window()
        now[0] += 0.01
    assert slept == []
    window()  # the 101st within 15 s waits until the first leaves the window
    assert len(slept) == 1 and 13.9 < slept[0] < 15.1 and window.waited == slept[0]


def test_an_endpoint_that_keeps_failing_is_noted_and_the_rest_is_backed_up(harvest, tmp_path, capsys):
    harvest.faults.fail_paths = {"/v2/expenses"}
    out = tmp_path / "b"
    assert main(["harvest-backup", "-o", str(out), "-q"]) == 1
    assert "2 endpoint(s) could not be backed up (11/expenses, 12/expenses)" in capsys.readouterr().err
    assert not list((out / "harvest_account_11" / "expenses").glob("*"))  # no half list: nothing
    assert (out / "harvest_account_11" / "roles" / "list.json").is_file()
    manifest = _json(out / "manifest.json")
    assert manifest["failed"] == ["11/expenses", "12/expenses"]
    assert _json(out / "accounts.json") == [{"id": 11, "name": "Account 11", "product": "harvest"},
                                            {"id": 12, "name": "Account 12", "product": "harvest"}]


def test_the_progress_display_on_a_terminal(harvest, tmp_path, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert main(["harvest-backup", "-o", str(tmp_path / "b")]) == 0
    shown = screen.getvalue()
    assert "\r\033[Kaccount 11 time_entries: 3 items, " in shown  # rewritten in place while pages arrive
    assert "account 11 time_entries: 8 items\n" in shown and "account 12 roles: 1 items\n" in shown
    assert "skipped users/501_teammates" in shown
