"""The scheduled Harvest backup end to end on the stack `make run` starts: its scheduler
thread (an EventBridge rule in the cloud; every second here) starts the first run of a new
connection, the export worker writes every account to the bucket, and the run downloads as
one ZIP through a presigned link."""
import io
import time
import zipfile

from tests.fakes.saas import SaaS


def test_a_stored_connection_is_backed_up_by_the_scheduler_and_downloads(make_stack):
    with SaaS(toggl_per_workspace=(), harvest_per_account=(40, 5)) as saas:
        stack = make_stack(TT_SCHEDULE_SECONDS="1", **saas.environment()).start()
        try:
            s = stack.session()
            r = s.post(stack.url("/api/v1/harvest/connections"), json={"pat": SaaS.HARVEST_TOKEN})
            assert r.status_code == 201, r.text
            deadline, runs = time.monotonic() + 90, []
            while time.monotonic() < deadline:
                runs = s.get(stack.url("/api/v1/harvest/backups")).json()["runs"]
                if runs and runs[-1]["status"] in ("completed", "failed"):
                    break
                time.sleep(0.5)
            run = runs[-1]
            assert (run["status"], run["trigger"]) == ("completed", "schedule"), run
            assert run["items"] > 45 and run["accounts"] == [11, 12]
            started = s.post(stack.url(f"/api/v1/harvest/backups/{run['id']}/download"))
            assert started.status_code in (200, 202), started.text
            body = started.json()
            while body.get("status") not in ("completed", "failed"):
                time.sleep(0.2)
                body = s.get(stack.url(body["status_url"])).json()
            got = s.get(stack.url(f"/api/export/download/{body['export_id'] if 'export_id' in body else body['id']}"))
            assert got.status_code == 200
            names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
            assert "harvest_account_11/time_entries/list.json" in names and "accounts.json" in names
        finally:
            stopped = stack.stop()
            assert stopped, stack.log.read_text()[-3000:]
        assert SaaS.HARVEST_TOKEN not in stack.log.read_text()
