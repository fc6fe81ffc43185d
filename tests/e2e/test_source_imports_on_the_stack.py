"""Imports from Toggl and Harvest over HTTP against the stack `make run` starts, the services
being loopback servers (TOGGL_API_URL, HARVEST_API_URL, HARVEST_ID_URL): the workers page
through them, a second import adds nothing, and no log line or stored item holds a token."""
import time

from tests.fakes.saas import SaaS


def _finished(session, stack, import_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = session.get(stack.url(f"/api/v1/imports/{import_id}")).json()
        if job["status"] in ("completed", "partial", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} did not finish: {job}")


def test_toggl_and_harvest_imports_through_the_stack(make_stack):
    with SaaS(toggl_per_workspace=(60, 40), harvest_per_account=(30,)) as saas:
        stack = make_stack(**saas.environment()).start()
        try:
            s = stack.session()
            body = {"api_token": SaaS.TOGGL_TOKEN, "start_date": "2023-01-01", "end_date": "2024-12-31"}
            preview = s.post(stack.url("/api/v1/imports/preview"), json={**body, "type": "toggl_api"})
            assert preview.status_code == 200 and preview.json()["running_entries_skipped"] >= 1, preview.text
            first = s.post(stack.url("/api/import/toggl"), json=body)
            assert first.status_code == 202, first.text
            job = _finished(s, stack, first.json()["import_id"])
            assert (job["status"], job["successful"], job["skipped"]) == ("completed", 100, 2), job
            again = _finished(s, stack, s.post(stack.url("/api/import/toggl"), json=body).json()["import_id"])
            assert (again["successful"], again["skipped"]) == (0, 102), again
            harvest = s.post(stack.url("/api/import/harvest"), json={
                "api_token": SaaS.HARVEST_TOKEN, "start_date": "2023-01-01", "end_date": "2024-12-31"})
            job = _finished(s, stack, harvest.json()["import_id"])
            assert (job["status"], job["successful"]) == ("completed", 30), job
            listed = s.get(stack.url("/api/v1/time-entries?per_page=1")).json()["pagination"]["total"]
            assert listed == 130
        finally:
            assert stack.stop()
        text = stack.log.read_text()
        assert SaaS.TOGGL_TOKEN not in text and SaaS.HARVEST_TOKEN not in text
        for path in (stack.state_dir / "snapshot").rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                assert SaaS.TOGGL_TOKEN.encode() not in raw and SaaS.HARVEST_TOKEN.encode() not in raw, path
