"""`tt` commands on the API's imports, exports and backups: the same public endpoints the web page
and any other client use. Each waits where a person would, shows a bar on a terminal, and with
--json prints the API's final answer instead of prose."""
from __future__ import annotations

import getpass
import json
import os
import sys
import zipfile
from pathlib import Path

from shared.cli.client import EXIT_FAILED, EXIT_USAGE, Api, Bar, CliError, emit, save_config

DIRECT_BYTES = 4 * 1024 * 1024  # larger files go through a presigned upload (the API takes 6 MB a request)
UPLOAD_ABOVE_ENV = "TT_UPLOAD_ABOVE_BYTES"  # a lower threshold (a slow or metered line), for instance
IMPORT_FINAL = {"completed", "partial", "failed", "undone"}
DEFAULT_URL = "http://127.0.0.1:3000"


# -- login --------------------------------------------------------------------------------------
def login(args) -> int:
    url = (args.url or os.environ.get("TT_API_URL") or DEFAULT_URL).rstrip("/")
    token = args.token or os.environ.get("TT_TOKEN")
    if not token:
        if not sys.stdin.isatty():
            raise CliError("no token: pass --token, set TT_TOKEN, or run tt login on a terminal", EXIT_USAGE)
        token = getpass.getpass("API token (tt_...): ").strip()
    api = Api(url, token)
    try:
        user = api.json("GET", "/api/v1/users/me")["user"]
    except CliError as exc:
        if exc.status != 403:  # a token without read:users is still a valid token
            raise
        user = None
    path = save_config(url, token)
    emit(args, {"url": url, "user": user, "config": str(path)},
         f"signed in to {url}{' as ' + user['username'] if user else ''}; saved in {path} (mode 0600)")
    return 0


# -- imports ------------------------------------------------------------------------------------
def _import_options(args) -> dict:
    options = {"type": args.type, "create_projects": not args.no_create_projects,
               "skip_duplicates": args.skip_duplicates}
    if args.date_format:
        options["date_format"] = args.date_format
    if args.timezone:
        options["timezone"] = args.timezone
    return options


def send_file(api: Api, path: Path, options: dict, endpoint: str = "/api/v1/imports") -> dict:
    """POST a file: in the request up to DIRECT_BYTES, else PUT to a presigned upload first."""
    size = path.stat().st_size
    if size <= int(os.environ.get(UPLOAD_ABOVE_ENV) or DIRECT_BYTES):
        with open(path, "rb") as fh:
            form = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()}
            return api.json("POST", endpoint, files={"file": (path.name, fh, "application/octet-stream")}, data=form)
    upload = api.json("POST", "/api/v1/imports/uploads")
    if size > upload["max_bytes"]:
        raise CliError(f"{path} is {size} bytes; uploads are limited to {upload['max_bytes']}", EXIT_USAGE)
    with open(path, "rb") as fh:
        put = api.session.put(upload["url"], data=fh, headers={"Authorization": None}, timeout=(5, 600))
    if put.status_code >= 300:
        raise CliError(f"the upload failed: HTTP {put.status_code}")
    named = {"filename": path.name} if endpoint == "/api/v1/imports" else {}  # a restore takes no name
    return api.json("POST", endpoint, json={"upload_id": upload["upload_id"], **named, **options})


def wait_import(api: Api, import_id: int, args) -> dict:
    bar = Bar(not args.json)

    def show(job):
        final = job["status"] in ("completed", "partial")
        bar.show(1.0 if final else job["percentage"] / 100,
                 f"{job['status']}: {job['processed']}/{job['total']} rows, {job['successful']} imported, "
                 f"{job['failed']} failed, {job['skipped']} skipped")

    job = api.follow(f"/api/v1/imports/{import_id}", lambda j: j["status"] in IMPORT_FINAL, show)
    bar.end()
    return job


def finish_import(api: Api, job: dict, args) -> int:
    """The result and every line that was not imported; 1 when the import failed or refused rows."""
    details = api.json("GET", f"/api/v1/imports/{job['id']}/details")
    if args.json:
        emit(args, {"import": job, "details": details}, None)
    else:
        print(f"import {job['id']} {job['status']}: {details['imported']} imported, {details['discarded']} failed, "
              f"{details['skipped']} skipped" + (f" ({job['message']})" if job.get("message") else ""))
        for problem in details["errors"]:
            fields = ", ".join(f"{k}={v}" for k, v in problem["fields"].items())
            print(f"  line {problem['line']}: {problem['message']}" + (f" [{fields}]" if fields else ""))
    return 0 if job["status"] == "completed" else EXIT_FAILED


def import_command(args) -> int:
    if args.target[0] == "undo":
        return undo_import(args)
    if len(args.target) != 1:
        raise CliError("usage: tt import FILE [options] | tt import undo ID", EXIT_USAGE)
    path = Path(args.target[0])
    if not path.is_file():
        raise CliError(f"no such file: {path}", EXIT_USAGE)
    api = Api.from_settings()
    started = send_file(api, path, _import_options(args))
    job = started["import"]
    if not args.wait:
        emit(args, started, f"import {job['id']} started ({job['status']}); follow it with: tt imports")
        return 0
    return finish_import(api, wait_import(api, job["id"], args), args)


def undo_import(args) -> int:
    if len(args.target) != 2 or not args.target[1].isdigit():
        raise CliError("usage: tt import undo ID", EXIT_USAGE)
    api = Api.from_settings()
    import_id = int(args.target[1])
    api.request("DELETE", f"/api/v1/imports/{import_id}")
    job = api.follow(f"/api/v1/imports/{import_id}", lambda j: j["status"] != "undoing")
    emit(args, job, f"import {import_id} {job['status']}")
    return 0 if job["status"] == "undone" else EXIT_FAILED


def imports_command(args) -> int:
    api = Api.from_settings()
    body = api.json("GET", "/api/v1/imports", params={"status": args.status, "per_page": args.per_page,
                                                      "page": args.page})
    if args.json:
        emit(args, body, None)
        return 0
    print(f"{'id':>6}  {'status':<10} {'type':<12} {'imported':>8} {'failed':>6} {'skipped':>7}  "
          f"{'created':<20} file")
    for job in body["imports"]:
        print(f"{job['id']:>6}  {job['status']:<10} {job['type']:<12} {job['successful']:>8} {job['failed']:>6} "
              f"{job['skipped']:>7}  {job['created_at'][:19]}  {job.get('filename') or ''}")
    pages = body["pagination"]
    print(f"page {pages.get('page')} of {pages.get('pages')}, {pages.get('total')} imports")
    return 0


def source_import(kind: str, args) -> int:
    """Toggl or Harvest straight from their APIs (their preview with --preview)."""
    token = args.token or os.environ.get("TOGGL_API_TOKEN" if kind == "toggl_api" else "HARVEST_PAT")
    if not token:
        raise CliError("no token: pass --token or set " + ("TOGGL_API_TOKEN" if kind == "toggl_api" else "HARVEST_PAT"),
                       EXIT_USAGE)
    body = {"type": kind, "api_token": token, "start_date": args.start_date}
    if args.end_date:
        body["end_date"] = args.end_date
    if args.account:
        body["workspace_id" if kind == "toggl_api" else "account_id"] = args.account
    api = Api.from_settings()
    if args.preview:
        preview = api.json("POST", "/api/v1/imports/preview", json=body)
        emit(args, preview, f"{preview.get('source_total', preview['rows'])} entries, "
                            f"{preview['date_range']['start'] if preview['date_range'] else '-'} to "
                            f"{preview['date_range']['end'] if preview['date_range'] else '-'}; projects to create: "
                            f"{', '.join(preview['projects_to_create']) or 'none'}")
        return 0
    started = api.json("POST", "/api/v1/imports", json=body)
    if not args.wait:
        emit(args, started, f"import {started['import_id']} started; follow it with: tt imports")
        return 0
    return finish_import(api, wait_import(api, started["import_id"], args), args)


# -- exports and backups ------------------------------------------------------------------------
def _wait_export(api: Api, started: dict, args) -> dict:
    bar = Bar(not args.json)
    job = api.follow(f"/api/export/status/{started['export_id']}",
                     lambda j: j["status"] in ("completed", "failed"),
                     lambda j: bar.show(1.0 if j["status"] == "completed" else 0.0, j["status"]))
    bar.end()
    if job["status"] == "failed":
        raise CliError(f"export {job['id']} failed: {job.get('error_message') or 'unknown error'}")
    return job


def save_export(api: Api, job: dict, output: str | None) -> Path:
    target = Path(output or job["filename"])
    if target.is_dir():
        target = target / job["filename"]
    link = api.json("GET", f"/api/export/download/{job['id']}", params={"redirect": "false"})
    size = api.download(link["url"], target)
    if size != job.get("file_size", size):
        raise CliError(f"{target}: {size} bytes downloaded, the export has {job['file_size']}")
    verify_file(target, job["export_format"])
    return target


def verify_file(path: Path, export_format: str) -> None:
    """A ZIP must open with every member's checksum right; a JSON file must parse."""
    try:
        if export_format == "zip":
            with zipfile.ZipFile(path) as archive:
                broken = archive.testzip()
            if broken:
                raise CliError(f"{path}: {broken} is damaged in the ZIP")
        elif export_format == "json":
            with open(path, "rb") as fh:
                json.load(fh)
    except (zipfile.BadZipFile, ValueError) as exc:
        raise CliError(f"{path} is not a valid {export_format} file: {exc}") from None


def _export_and_save(api: Api, path: str, body: dict | None, args) -> int:
    started = api.json("POST", path, json=body if body is not None else {})
    job = _wait_export(api, started, args)
    if getattr(args, "no_download", False):
        emit(args, job, f"export {job['id']} ready: tt backup download {job['id']} -o FILE")
        return 0
    target = save_export(api, job, args.output)
    emit(args, {**job, "saved_to": str(target)},
         f"export {job['id']}: {job['record_count']} records, {target} ({target.stat().st_size} bytes, verified)")
    return 0


def export_command(args) -> int:
    api = Api.from_settings()
    if args.kind == "gdpr":
        return _export_and_save(api, "/api/export/gdpr", {"format": args.format or "json"}, args)
    filters = {"start_date": args.start_date, "end_date": args.end_date, "project_id": args.project_id,
               "user_id": args.user_id, "billable_only": args.billable_only,
               "include_time_entries": not args.no_time_entries, "include_projects": args.projects}
    return _export_and_save(api, "/api/export/filtered", {"format": args.format or "json", "filters": filters}, args)


def backup_command(args) -> int:
    api = Api.from_settings()
    if args.action == "create":
        args.no_download = not args.output
        return _export_and_save(api, "/api/export/backup", None, args)
    if args.action == "download":
        if not args.target or not args.target.isdigit():
            raise CliError("usage: tt backup download ID [-o FILE]", EXIT_USAGE)
        job = api.json("GET", f"/api/export/status/{args.target}")
        target = save_export(api, job, args.output)
        emit(args, {**job, "saved_to": str(target)}, f"{target} ({target.stat().st_size} bytes, verified)")
        return 0
    return restore(api, args)


def _restore(api: Api, path: Path, dry_run: bool) -> dict:
    started = send_file(api, path, {"dry_run": dry_run}, endpoint="/api/backup/restore")
    return api.follow(started["status_url"], lambda r: r["status"] in ("completed", "failed"))


def _print_counts(job: dict) -> None:
    print(f"{'table':<22}{'in backup':>10}{'here now':>10}{'create':>8}{'replace':>9}{'delete':>8}")
    for table, c in sorted(job.get("counts", {}).items()):
        print(f"{table:<22}{c.get('in_backup', ''):>10}{c.get('existing', ''):>10}{c.get('to_create', ''):>8}"
              f"{c.get('to_replace', ''):>9}{c.get('to_delete', ''):>8}")


def restore(api: Api, args) -> int:
    if not args.target or not Path(args.target).is_file():
        raise CliError("usage: tt backup restore FILE [--dry-run] [--yes]", EXIT_USAGE)
    path = Path(args.target)
    dry = _restore(api, path, True)
    if dry["status"] == "failed" or args.dry_run:
        if args.json:
            emit(args, dry, None)
        else:
            reason = f" ({dry['error_message']})" if dry["error_message"] else ""
            print(f"dry run of {path}: {dry['status']}{reason}")
            for problem in dry.get("problems") or []:
                print(f"  line {problem['line']}: {problem['message']}")
            _print_counts(dry)
        return 0 if dry["status"] == "completed" else EXIT_FAILED
    if not args.yes:
        _print_counts(dry)
        if not sys.stdin.isatty():
            raise CliError("a restore replaces data: pass --yes (after --dry-run) to confirm", EXIT_USAGE)
        if input("Replace the data above with this backup? Type yes: ").strip() != "yes":
            raise CliError("not restored", EXIT_FAILED)
    job = _restore(api, path, False)
    emit(args, job, f"restore {job['id']} {job['status']}" + (
        f"; the data as it was is export {job['safety_export_id']}" if job.get("safety_export_id") else
        f": {job.get('error_message')}"))
    return 0 if job["status"] == "completed" else EXIT_FAILED


# -- the parsers ------------------------------------------------------------------------------
def add_parsers(commands, common) -> None:
    p = commands.add_parser("login", parents=[common], help="save the API's address and a token (mode 0600)")
    p.add_argument("--url", help=f"the API's base URL (default $TT_API_URL or {DEFAULT_URL})")
    p.add_argument("--token", help="an API token (default $TT_TOKEN, else asked for without echo)")
    p.set_defaults(run=login)

    p = commands.add_parser("import", parents=[common], help="import a CSV file; or: tt import undo ID")
    p.add_argument("target", nargs="+", metavar="FILE", help="the file (or: undo ID)")
    p.add_argument("--type", default="autodetect",
                   choices=["autodetect", "timetracker", "toggl", "clockify", "harvest", "noko", "generic"])
    p.add_argument("--date-format", choices=["DD/MM/YYYY", "MM/DD/YYYY"])
    p.add_argument("--timezone", help="for times without an offset, e.g. Europe/Berlin")
    p.add_argument("--no-create-projects", action="store_true", help="refuse rows naming an unknown project")
    p.add_argument("--skip-duplicates", action="store_true", help="skip rows that match an existing entry")
    p.add_argument("--wait", action="store_true", help="follow it to the end, then list the lines not imported")
    p.set_defaults(run=import_command)

    p = commands.add_parser("imports", parents=[common], help="your imports, newest first")
    p.add_argument("--status", choices=sorted(IMPORT_FINAL | {"pending", "processing", "waiting", "undoing"}))
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--per-page", type=int, default=20)
    p.set_defaults(run=imports_command)

    p = commands.add_parser("export", parents=[common], help="export to a file (waits, downloads, verifies)")
    p.add_argument("kind", choices=["gdpr", "filtered"])
    p.add_argument("--format", choices=["json", "zip", "csv"], help="gdpr: json|zip; filtered: json|csv")
    p.add_argument("-o", "--output", help="the file (default: the export's name, here)")
    p.add_argument("--start-date")
    p.add_argument("--end-date")
    p.add_argument("--project-id", type=int)
    p.add_argument("--user-id", type=int, help="admins: another user's entries")
    p.add_argument("--billable-only", action="store_true")
    p.add_argument("--projects", action="store_true", help="include projects")
    p.add_argument("--no-time-entries", action="store_true")
    p.set_defaults(run=export_command)

    p = commands.add_parser("backup", parents=[common], help="admins: create, download or restore backups")
    p.add_argument("action", choices=["create", "download", "restore"])
    p.add_argument("target", nargs="?", help="download: the export id; restore: the backup file")
    p.add_argument("-o", "--output", help="create/download: where to save the file")
    p.add_argument("--dry-run", action="store_true", help="restore: show what would change; change nothing")
    p.add_argument("--yes", action="store_true", help="restore: replace the data without asking")
    p.set_defaults(run=backup_command)

    for name, kind, account in (("toggl", "toggl_api", "--workspace-id"), ("harvest", "harvest_api", "--account-id")):
        source = commands.add_parser(name, help=f"import from {name.title()}'s API")
        actions = source.add_subparsers(dest="action", required=True)
        p = actions.add_parser("import", parents=[common], help=f"import time entries from {name.title()}")
        p.add_argument("--token", help="the API token (default $" + (
            "TOGGL_API_TOKEN" if name == "toggl" else "HARVEST_PAT") + "; better than the command line)")
        p.add_argument(account, dest="account", type=int, help="default: every one the token sees")
        p.add_argument("--start-date", required=True)
        p.add_argument("--end-date", help="default: today")
        p.add_argument("--preview", action="store_true", help="show what would be imported; import nothing")
        p.add_argument("--wait", action="store_true")
        p.set_defaults(run=lambda args, kind=kind: source_import(kind, args))
