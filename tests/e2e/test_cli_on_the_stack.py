"""`tt`, the installed console script, against the stack started as `make run` starts it."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.local_stack import ROOT

pytestmark = pytest.mark.e2e
TT = str(ROOT / ".venv" / "bin" / "tt")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


@pytest.fixture
def tt(stack, tmp_path):
    """tt(*args, token=...) -> CompletedProcess, with its own config file, in tmp_path."""
    def run(*args, token=None, login=True, stdin=None, **extra_env):
        env = {k: v for k, v in os.environ.items() if not k.startswith("TT_")} | extra_env
        env["TT_CONFIG"] = str(tmp_path / "config" / "tt.json")
        if not login:
            env.update(TT_API_URL=stack.base, TT_TOKEN=token or stack.admin_token)
        return subprocess.run([TT, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                              input=stdin)
    return run


def test_login_saves_the_token_for_this_user_only_and_later_commands_use_it(tt, stack, tmp_path):
    done = tt("login", "--url", stack.base, "--token", stack.admin_token)
    assert done.returncode == 0, done.stderr
    config = tmp_path / "config" / "tt.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text()) == {"url": stack.base, "token": stack.admin_token}
    listed = tt("imports", "--json")
    assert listed.returncode == 0, listed.stderr
    assert "imports" in json.loads(listed.stdout)


def test_import_wait_reports_every_line_not_imported_and_exits_1(tt, tmp_path):
    bad = tmp_path / "hours.csv"
    bad.write_text("project_name,start_time,duration_hours,notes\nCLI,2024-04-01 09:00:00,1,fine\n"
                   "CLI,yesterday-ish,1,broken\n")
    done = tt("import", str(bad), "--wait", login=False)
    assert done.returncode == 1, done.stderr
    assert "1 imported, 1 failed" in done.stdout
    assert "line 3: 'yesterday-ish'" in done.stdout
    result = tt("import", str(FIXTURES / "timetracker_dayfirst.csv"), "--date-format", "DD/MM/YYYY", "--wait",
                "--json", login=False)
    body = json.loads(result.stdout)  # --json: the API's answer, nothing else on stdout
    assert body["import"]["status"] in ("completed", "partial") and body["details"]["imported"] >= 1
    assert result.returncode == (0 if body["import"]["status"] == "completed" else 1)
    undone = tt("import", "undo", str(body["import"]["id"]), "--json", login=False)
    assert undone.returncode == 0 and json.loads(undone.stdout)["status"] == "undone"


def test_files_above_the_threshold_go_through_a_presigned_upload(tt, tmp_path):
    """(4 MB by default; lowered here so a small file takes the path a big one takes.)"""
    bad = tmp_path / "upload.csv"
    bad.write_text("project_name,start_time,duration_hours,notes\nUp,2024-04-02 09:00:00,1,fine\n"
                   "Up,never,1,broken\n")
    done = tt("import", str(bad), "--wait", "--json", login=False, TT_UPLOAD_ABOVE_BYTES="10")
    body = json.loads(done.stdout)
    assert done.returncode == 1 and body["import"]["filename"] == "upload.csv"
    assert (body["details"]["imported"], body["details"]["discarded"]) == (1, 1)
    created = tt("backup", "create", "-o", "b.json", login=False)
    assert created.returncode == 0, created.stderr
    dry = tt("backup", "restore", "b.json", "--dry-run", "--json", login=False, TT_UPLOAD_ABOVE_BYTES="10")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["status"] == "completed" and json.loads(dry.stdout)["dry_run"] is True


def test_gdpr_export_is_downloaded_and_verified(tt, tmp_path):
    done = tt("export", "gdpr", "--format", "zip", "-o", "mine.zip", login=False)
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    with zipfile.ZipFile(tmp_path / "mine.zip") as archive:
        assert archive.testzip() is None and "export.json" in archive.namelist()


def test_a_backup_is_created_and_its_restore_dry_run_shows_the_differences(tt, tmp_path):
    created = tt("backup", "create", "-o", "backup.json", "--json", login=False)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["export_type"] == "backup"
    dry = tt("backup", "restore", "backup.json", "--dry-run", login=False)
    assert dry.returncode == 0, dry.stderr
    assert "users" in dry.stdout and "replace" in dry.stdout
    refused = tt("backup", "restore", "backup.json", login=False, stdin="")  # no terminal, no --yes
    assert refused.returncode == 2 and "--yes" in refused.stderr


def test_a_bad_token_exits_1_with_the_apis_message(tt):
    done = tt("imports", token="tt_" + "0" * 32, login=False)
    assert done.returncode == 1
    assert done.stderr.startswith("tt: ") and "invalid" in done.stderr.lower()


def test_usage_errors_exit_2(tt):
    assert tt("import", "no-such-file.csv", login=False).returncode == 2
    assert tt("export", "everything", login=False).returncode == 2
    assert "not signed in" in tt("imports").stderr  # no login, no TT_* variables
