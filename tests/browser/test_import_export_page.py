"""The Import/Export page in a real Chromium, against the stack as `make run` starts it: what a person
does with a mouse and with the keyboard alone."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.fakes.saas import SaaS

pytestmark = pytest.mark.browser

BAD_ROW_CSV = ("project_name,start_time,duration_hours,notes\n"
               "Browser Project,2024-03-04 09:00:00,2.5,first\n"
               "Browser Project,not-a-date,1,broken\n"
               "Browser Project,2024-03-05 10:00:00,1.5,second\n")


def _user(stack, name: str) -> str:
    """A non-admin user's token with every user scope."""
    admin = stack.session()
    user = admin.post(stack.url("/api/v1/users"), json={"username": name, "email": f"{name}@example.com"}).json()
    return admin.post(stack.url("/api/v1/api-tokens"), json={
        "name": "browser", "user_id": user["user"]["id"], "scopes": ["read:*", "write:*"]}).json()["token"]


def test_sign_in_keeps_the_token_in_this_tab_only(stack, page):
    page.goto(stack.url("/"))
    page.get_by_label("API token").fill("not-a-token")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").filter(has_text="starts with tt_").is_visible()
    page.get_by_label("API token").fill("tt_" + "x" * 32)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="Invalid").or_(
        page.get_by_role("alert").filter(has_text="token")).first.wait_for()  # the API's 401, as it came
    page.get_by_label("API token").fill(stack.admin_token)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Welcome, admin.").wait_for()
    assert page.evaluate("sessionStorage.getItem('tt_token')") == stack.admin_token
    assert page.evaluate("localStorage.length") == 0
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("API token").wait_for()
    assert page.evaluate("sessionStorage.getItem('tt_token')") is None


def test_a_token_link_signs_in_and_leaves_the_address_bar(stack, page):
    page.goto(stack.url(f"/import-export#token={stack.admin_token}"))
    page.get_by_role("heading", name="Import/Export", exact=True).wait_for()
    assert page.url == stack.url("/import-export")  # the fragment is gone (and never reached the server)
    assert page.evaluate("sessionStorage.getItem('tt_token')") == stack.admin_token
    assert "Signed in as admin" in page.inner_text("#who")


def test_a_csv_with_a_bad_row_previewed_imported_watched_and_undone(stack, page, tmp_path):
    token = _user(stack, "browser_importer")
    csv = tmp_path / "hours.csv"
    csv.write_text(BAD_ROW_CSV)
    page.goto(stack.url(f"/import-export#token={token}"))
    with page.expect_download() as template:
        page.get_by_role("link", name="Download Template").click()
    assert template.value.path().read_text().startswith("project_name")  # the guide's columns
    page.get_by_label("CSV file", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#import-preview")
    preview.get_by_text("Rows with problems").wait_for()
    assert preview.locator("[data-fact=rows]").inner_text() == "3"
    assert preview.locator("[data-fact=invalid]").inner_text() == "1"
    assert "Browser Project" in preview.inner_text()  # a project to create
    assert "not-a-date" in preview.locator("table").inner_text()  # the first problems, with their line
    preview.get_by_role("button", name="Import 2 rows").click()
    run = page.locator("#import-run")
    run.locator(".result").wait_for()
    assert run.locator("progress").get_attribute("value") == "100"
    assert "3 of 3 rows processed, 2 imported, 1 failed" in run.inner_text()
    errors = run.locator("table").inner_text()
    assert "3" in errors and "not-a-date" in errors  # line 3, its fields and the message
    entries = stack.session(token).get(stack.url("/api/v1/time-entries")).json()["time_entries"]
    assert len(entries) == 2
    run.get_by_role("button", name="Undo this import").click()
    run.get_by_text("Undone").wait_for()
    assert stack.session(token).get(stack.url("/api/v1/time-entries")).json()["time_entries"] == []
    page.locator("#imports-table").get_by_text("undone").wait_for()  # the history followed


def test_a_big_file_goes_through_the_presigned_upload_the_csp_allows(stack, page, tmp_path):
    """Files over 4 MB are PUT to a presigned URL first (the form's data-upload-above lowers the threshold
    here, so a small file takes that path); the page's CSP names the upload endpoint and nothing else."""
    token = _user(stack, "browser_uploader")
    csv = tmp_path / "big.csv"
    csv.write_text(BAD_ROW_CSV)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(stack.url(f"/import-export#token={token}"))
    page.evaluate("document.getElementById('import-form').dataset.uploadAbove = '10'")
    page.get_by_label("CSV file", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Preview").click()
    page.locator("#import-preview").get_by_text("Read from the first megabyte").wait_for()
    page.locator("#import-preview").get_by_role("button", name="Import 2 rows").click()
    page.locator("#import-run .result").wait_for()
    assert "2 imported, 1 failed" in page.locator("#import-run").inner_text()
    imports = stack.session(token).get(stack.url("/api/v1/imports")).json()["imports"]
    assert imports[0]["filename"] == "big.csv"  # through the upload, under its own name
    assert refused == []


def test_a_gdpr_zip_requested_and_downloaded(stack, page):
    token = _user(stack, "browser_exporter")
    stack.session(token).post(stack.url("/api/v1/time-entries"), json={
        "start_time": "2024-02-01T09:00:00Z", "end_time": "2024-02-01T10:00:00Z", "notes": "to export"})
    page.goto(stack.url(f"/import-export#token={token}"))
    page.get_by_label("GDPR file format").select_option("zip")
    page.get_by_role("button", name="Request GDPR export").click()
    panel = page.locator("#export-run")
    panel.get_by_text("expires in 6 days").wait_for()
    with page.expect_download() as download:
        panel.get_by_role("button", name="Download").click()
    data = download.value.path().read_bytes()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        document = json.loads(archive.read("export.json"))
    assert [e["notes"] for e in document["time_entries"]] == ["to export"]
    history = page.locator("#exports-table")
    history.get_by_role("button", name="Download").first.wait_for()  # the history offers it too
    assert "expires in 6 days" in history.inner_text()


def test_the_wizard_by_keyboard_alone_imports_from_toggl(stack, page):
    token = _user(stack, "browser_keyboard")
    page.goto(stack.url(f"/import-export#token={token}"))
    wizard = page.locator("#wizard-body")
    wizard.get_by_role("heading", name="Step 1 of 5").wait_for()
    wizard.get_by_label("Toggl Track").focus()  # where a Tab from the steps list lands
    page.keyboard.press("Enter")  # submits the step's form
    wizard.get_by_role("heading", name="Step 2 of 5").wait_for()
    assert page.evaluate("document.activeElement.textContent").startswith("Step 2 of 5")  # focus follows
    page.keyboard.press("Tab")
    page.keyboard.type(SaaS.TOGGL_TOKEN)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("01022023")  # the date field takes its digits from the keyboard (mm dd yyyy)
    page.keyboard.press("Enter")
    wizard.get_by_role("heading", name="Step 3 of 5").wait_for()
    assert "toggl" in wizard.inner_text().lower()
    page.keyboard.press("Tab")  # Back
    page.keyboard.press("Tab")  # Next
    page.keyboard.press("Enter")
    wizard.get_by_role("heading", name="Step 4 of 5").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Start import"
    page.keyboard.press("Enter")
    wizard.get_by_role("heading", name="Step 5 of 5").wait_for()
    wizard.locator(".result").wait_for()
    assert "12 imported" in wizard.inner_text()


def test_narrow_screens_keep_everything_reachable(stack, page):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(stack.url(f"/import-export#token={stack.admin_token}"))
    page.get_by_role("heading", name="Import/Export", exact=True).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    assert page.get_by_role("button", name="Preview").is_visible()


def test_an_admin_sees_a_restores_differences_before_anything_is_replaced(stack, page, tmp_path):
    admin = stack.session()
    started = admin.post(stack.url("/api/export/backup")).json()
    status = started["export"]
    while status["status"] not in ("completed", "failed"):
        status = admin.get(stack.url(started["status_url"])).json()
    link = admin.get(stack.url(f"/api/export/download/{started['export_id']}"), params={"redirect": "false"}).json()
    backup = tmp_path / "backup.json"
    backup.write_bytes(__import__("requests").get(link["url"], timeout=10).content)
    users_before = admin.get(stack.url("/api/v1/users")).json()["pagination"]["total"]
    page.goto(stack.url(f"/import-export#token={stack.admin_token}"))
    page.get_by_label("Backup file (JSON)").set_input_files(str(backup))
    page.get_by_role("button", name="Check the backup (dry run)").click()
    panel = page.locator("#restore-run")
    panel.get_by_text("nothing has changed yet").wait_for()
    assert "To replace" in panel.locator("table").inner_text()
    assert "Restoring replaces:" in panel.inner_text() and "users replaced" in panel.inner_text()
    assert panel.get_by_role("button", name="Replace the data with this backup").is_visible()
    panel.get_by_role("button", name="Cancel").click()
    assert admin.get(stack.url("/api/v1/users")).json()["pagination"]["total"] == users_before
