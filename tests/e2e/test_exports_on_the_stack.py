"""Exports on the running stack: the export worker fed by the local poller (a small export is
finished while its POST waits), a 302 to the embedded S3's presigned URL, and a backup that a
dry-run restore reads back."""
import io
import time
import zipfile


def _wait(session, url, done, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = session.get(url).json()
        if done(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} did not finish: {body}")


def test_gdpr_zip_downloads_through_a_redirect_to_the_embedded_s3(stack):
    admin = stack.session()
    admin.post(stack.url("/api/v1/time-entries"), json={
        "start_time": "2024-05-01T09:00:00Z", "end_time": "2024-05-01T10:00:00Z", "notes": "=1+1 exported"})
    r = admin.post(stack.url("/api/export/gdpr"), json={"format": "zip"})
    assert r.status_code == 200 and r.json()["status"] == "completed", r.text  # small: finished within the wait
    status = _wait(admin, stack.url(r.json()["status_url"]), lambda s: s["status"] in ("completed", "failed"))
    assert status["status"] == "completed", status
    redirect = admin.get(stack.url(status["download_url"]), allow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("http://127.0.0.1:")
    got = admin.get(redirect.headers["Location"])  # the presigned URL needs no token
    assert got.status_code == 200 and status["filename"] in got.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(got.content))
    assert archive.testzip() is None
    assert "'=1+1 exported" in archive.read("time_entries.csv").decode("utf-8-sig")


def test_a_backup_is_read_back_by_a_dry_run_restore(stack):
    admin = stack.session()
    r = admin.post(stack.url("/api/export/backup"))
    assert r.status_code in (200, 202), r.text
    backup = _wait(admin, stack.url(r.json()["status_url"]), lambda s: s["status"] in ("completed", "failed"))
    assert backup["status"] == "completed", backup
    r = admin.post(stack.url("/api/backup/restore"), json={"export_id": backup["id"], "dry_run": True})
    assert r.status_code == 202, r.text
    dry = _wait(admin, stack.url(r.json()["status_url"]), lambda s: s["status"] in ("completed", "failed"))
    assert dry["status"] == "completed" and dry["counts"]["users"]["to_delete"] == 0
    assert dry["counts"]["users"]["in_backup"] == dry["counts"]["users"]["existing"] >= 1
