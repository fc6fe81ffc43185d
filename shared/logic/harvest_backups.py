"""Scheduled Harvest backups into the data bucket: the API side (connections, runs,
downloads), the scheduler, and the steps the export worker runs.

A run (HarvestBackupRun) discovers the connection's accounts and queues one
HarvestBackupStep per account and endpoint. A step fetches at most PAGES_PER_STEP pages,
writes their items' files and a part of the list, and queues the next part; the last part
writes list.json from the parts, the sub-resources and the PDFs (an unchanged PDF is
copied from the previous run, not downloaded). Each account-and-endpoint is counted once
(a marker), and the step that counts the last one writes each account's manifest.json.
The engine is the one `tt harvest-backup` uses (shared/harvest_backup); here it writes
through a BucketStore under ``harvest-backups/<account>/<run date>/``.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from shared.clock import utcnow
from shared.data import bucket_layout, objects, secrets, work_queue
from shared.data import harvest_backups as backups_data
from shared.domain import BackupRun, HarvestConnection, Principal
from shared.errors import Conflict, Forbidden, InvalidState, NotFound, Unavailable, ValidationFailed
from shared.harvest_backup.endpoints import BY_FOLDER, ENDPOINTS
from shared.harvest_backup.engine import RUN_MANIFEST, Backup, dumps, item_hash, subdomain_of
from shared.harvest_backup.stores import BucketStore
from shared.jobs.messages import HarvestBackupRun, HarvestBackupStep
from shared.jobs.registry import handles, settles
from shared.jobs.status import BACKUP_ACTIVE, BackupStatus
from shared.logic.source_adapters import harvest_limiter
from shared.settings import get_settings
from shared.sources.harvest import USER_AGENT, Harvest
from shared.sources.http import SourceError, SourceUnavailable, header_safe

SCHEDULES = {"daily": timedelta(days=1), "weekly": timedelta(days=7), "manual": None}
PAGES_PER_STEP = 5  # 10,000 items a step: well inside Lambda's 15 minutes, files included
PARTS = ".parts"


def _context(connection_id: int) -> dict[str, str]:
    return {"harvest_connection": str(connection_id)}


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only admins may manage Harvest backups")


def _client(secret: dict) -> Harvest:
    s = get_settings()
    return Harvest(secret["pat"], s.harvest_api_url, s.harvest_id_url,
                   user_agent=secret.get("user_agent") or USER_AGENT, before=harvest_limiter(secret["pat"]))


# -- connections (API) ----------------------------------------------------------------------
def create_connection(principal: Principal, body: dict) -> HarvestConnection:
    """Check the token with Harvest (400 with Harvest's words if refused), then keep it sealed."""
    _admin(principal)
    pat = body.get("pat")
    if not isinstance(pat, str) or not pat.strip() or len(pat) > 500:
        raise ValidationFailed.field("pat", "Required: a Harvest Personal Access Token")
    if not header_safe(pat.strip()):
        raise ValidationFailed.field("pat", "A Personal Access Token is printable ASCII (letters, digits, punctuation)")
    schedule = str(body.get("schedule") or "daily").lower()
    if schedule not in SCHEDULES:
        raise ValidationFailed.field("schedule", f"Choose one of {', '.join(SCHEDULES)}")
    try:
        hour = int(body.get("hour", 3))
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        raise ValidationFailed.field("hour", "The UTC hour scheduled runs start in, 0 to 23")
    user_agent = body.get("user_agent")
    if user_agent is not None and (not isinstance(user_agent, str) or "(" not in user_agent
                                   or not header_safe(user_agent) or len(user_agent) > 300):
        raise ValidationFailed.field("user_agent", "Name the app and a contact: 'App (you@example.com)'")
    secret = {"pat": pat.strip(), "user_agent": user_agent}
    try:
        accounts = [a["id"] for a in _client(secret).accounts()]
    except SourceUnavailable as exc:
        raise Unavailable(exc.message, "source_unavailable") from None
    except SourceError as exc:
        raise InvalidState(exc.message, "source_refused" if exc.status in (401, 403) else "source_error") from None
    return backups_data.put_connection(principal.user_id, lambda cid: secrets.seal(secret, _context(cid)),
                                       schedule, hour, accounts)


def list_connections(principal: Principal) -> list[HarvestConnection]:
    _admin(principal)
    return backups_data.list_connections()


def delete_connection(principal: Principal, connection_id: int) -> None:
    _admin(principal)
    if not backups_data.delete_connection(connection_id):
        raise NotFound(f"Harvest connection {connection_id} not found")


def next_run_at(connection: HarvestConnection) -> datetime | None:
    period = SCHEDULES[connection.schedule]
    if period is None:
        return None
    if connection.last_run_at is None:
        return connection.created_at  # never run: due since it was stored (never "now", which moves on)
    due = (connection.last_run_at + period).replace(hour=connection.hour, minute=0, second=0)
    return max(due, connection.last_run_at + timedelta(hours=1))


# -- runs (API and scheduler) ---------------------------------------------------------------
def start_run(principal: Principal | None, connection_id: int, trigger: str = "manual") -> BackupRun:
    if principal is not None:
        _admin(principal)
    connection = backups_data.get_connection(connection_id)
    if connection is None:
        raise NotFound(f"Harvest connection {connection_id} not found")
    run = backups_data.put_run(principal.user_id if principal else connection.user_id, connection_id, trigger)
    backups_data.note_run(connection_id, run.id, run.created_at)
    work_queue.send([HarvestBackupRun(run.id)])
    return run


def list_runs(principal: Principal) -> list[BackupRun]:
    _admin(principal)
    return backups_data.list_runs()


def get_run(principal: Principal, run_id: int) -> BackupRun:
    _admin(principal)
    run = backups_data.get_run(run_id)
    if run is None:
        raise NotFound(f"Harvest backup run {run_id} not found")
    return run


def require_completed(principal: Principal, run_id: int) -> BackupRun:
    run = get_run(principal, run_id)
    if run.status != BackupStatus.COMPLETED:
        raise Conflict(f"Run {run_id} is {run.status}; only a completed run can be downloaded", "backup_not_ready")
    return run


def start_due_runs(now: datetime | None = None) -> list[BackupRun]:
    """The scheduler's tick: a run for each connection whose schedule is due."""
    now = now or utcnow()
    started = []
    for connection in backups_data.list_connections():
        due = next_run_at(connection)
        if due is not None and due <= now:
            started.append(start_run(None, connection.id, "schedule"))
    return started


# -- the worker's steps ---------------------------------------------------------------------
def _open(run: BackupRun) -> tuple[HarvestConnection, dict] | None:
    connection, sealed = backups_data.get_connection_and_secret(run.connection_id)
    if connection is None or sealed is None:
        backups_data.fail_run(run.id, "The Harvest connection was deleted")
        return None
    try:
        return connection, secrets.open_sealed(sealed, _context(connection.id))
    except secrets.SealBroken:
        backups_data.fail_run(run.id, "The stored token can no longer be read (the key changed); store it again")
        return None


@handles(HarvestBackupRun)
def begin(message: HarvestBackupRun) -> None:
    run = backups_data.get_run(message.run_id)
    if run is None or run.status not in BACKUP_ACTIVE:
        return
    opened = _open(run)
    if opened is None:
        return
    connection, secret = opened
    client = _client(secret)
    try:
        accounts = client.accounts()
    except SourceError as exc:
        backups_data.fail_run(run.id, exc.message)
        return
    run_date = run.created_at.strftime("%Y-%m-%dT%H%M%SZ")  # the run's date and time: runs never share a folder
    for account in accounts:  # each account's folder lists every account, as accounts.json does at the root
        objects.put_object(bucket_layout.harvest_run(account["id"], run_date) + "accounts.json", dumps(accounts),
                           "application/json")
    ids = [a["id"] for a in accounts]
    backups_data.begin_run(run.id, run_date, ids, len(ids) * len(ENDPOINTS))
    if not ids:
        backups_data.finish_run(run.id)
        return
    work_queue.send([HarvestBackupStep(run.id, account, e.folder) for account in ids for e in ENDPOINTS])


@handles(HarvestBackupStep)
def step(message: HarvestBackupStep) -> None:
    run = backups_data.get_run(message.run_id)
    if run is None or run.status != BackupStatus.PROCESSING:
        return
    opened = _open(run)
    if opened is None:
        return
    connection, secret = opened
    account, endpoint = message.account, BY_FOLDER[message.folder]
    prefix = bucket_layout.harvest_run(account, run.run_date)
    previous = connection.previous.get(str(account))
    store = BucketStore(prefix, previous if previous != prefix else None)
    backup = Backup(_client(secret).for_account(account), store, get_settings().harvest_pdf_url)
    try:
        if endpoint.key is None:
            backup.write(f"{endpoint.folder}/data.json", dumps(backup.client.http.get_json(
                f"{backup.client.api}{endpoint.path}")))
            _part_done(run, account, endpoint.folder, backup, items=1, parts=0)
            return
        url = message.url or f"{backup.client.api}{endpoint.path}"
        items = []
        for _ in range(PAGES_PER_STEP):
            page, url = backup.page(url, endpoint.key)
            backup.write_items(endpoint.folder, endpoint, page)
            items += page
            if not url:
                break
        part = f"{PARTS}/{endpoint.folder}/{message.part:05d}"
        objects.put_object(prefix + part + ".json", json.dumps(items).encode(), "application/json")
        objects.put_object(prefix + part + ".files.json", json.dumps(backup.result.files.as_dict()).encode(),
                           "application/json")
        if url:
            work_queue.send([HarvestBackupStep(run.id, account, endpoint.folder, url, message.part + 1)])
            return
        _last_part(run, account, endpoint, backup, message.part)
    except SourceUnavailable:
        raise  # 5xx or the network, after the client's own retries: the queue retries the step
    except SourceError as exc:
        if exc.status in (401, 403):  # the token was revoked: no retry can help
            backups_data.fail_run(run.id, exc.message)
            return
        # Harvest refused this endpoint only (as the command does: noted, the rest backed up)
        backup.result.failed.append(f"{account}/{endpoint.folder}")
        backup.skip(account, endpoint.folder, exc.message)
        _part_done(run, account, endpoint.folder, backup, items=0, parts=0)


def _last_part(run: BackupRun, account: int, endpoint, backup: Backup, last: int) -> None:
    """list.json from the parts, then the items' sub-resources and PDFs."""
    prefix = backup.store.prefix
    ids, pdfs = [], []

    def items():  # the parts' items, in order (their own files were written by their steps)
        for n in range(last + 1):
            for item in objects.get_json(f"{prefix}{PARTS}/{endpoint.folder}/{n:05d}.json"):
                ids.append(item["id"])
                if endpoint.pdf and item.get("client_key"):
                    pdfs.append((item["id"], item["client_key"], item_hash(item)))
                yield item

    count = backup.write_list(f"{endpoint.folder}/list.json", items())
    backup.sub_resources(account, endpoint.folder, endpoint, ids)
    if endpoint.pdf:
        key = bucket_layout.harvest_artifacts(account, endpoint.folder)
        known = objects.read_if_any(key)
        backup.artifacts = {str(account): json.loads(known) if known is not None else {}}
        company = backup.client.http.get_json(f"{backup.client.api}/v2/company")
        backup.pdfs_of(account, endpoint.folder, endpoint, subdomain_of(company), pdfs)
        objects.put_json(key, backup.artifacts.get(str(account), {}))
    _part_done(run, account, endpoint.folder, backup, items=count, parts=last + 1)


def _part_done(run: BackupRun, account: int, folder: str, backup: Backup, *, items: int, parts: int) -> None:
    prefix = backup.store.prefix
    files = backup.result.files.as_dict()
    for n in range(parts):  # what the earlier parts wrote (this step's own are in backup.result)
        files.update(objects.get_json(f"{prefix}{PARTS}/{folder}/{n:05d}.files.json"))
    objects.put_json(f"{prefix}{PARTS}/{folder}.done.json", {"items": items, "files": files, "parts": parts,
                                                             "skipped": backup.result.skipped,
                                                             "failed": backup.result.failed})
    counted = backups_data.count_part(run.id, f"{account}:{folder}", items=items, files=len(files),
                                      size=sum(f["bytes"] for f in files.values()),
                                      skipped=len(backup.result.skipped))
    if counted and backups_data.finish_run(run.id):
        _write_manifests(backups_data.get_run(run.id))


def _write_manifests(run: BackupRun) -> None:
    """Each account's manifest.json (its files with sha256, counts, what was skipped), then the
    run's working parts go; the connection remembers where this run's PDFs are."""
    prefixes = {}
    for account in sorted(run.accounts):
        prefix = bucket_layout.harvest_run(account, run.run_date)
        manifest = {"tool": "TimeTracker scheduled Harvest backup", "run_id": run.id, "account": account,
                    "started_at": run.created_at.isoformat(), "endpoints": {}, "files": {}, "skipped": [],
                    "failed": []}
        leftovers = []
        for endpoint in ENDPOINTS:
            done_key = f"{prefix}{PARTS}/{endpoint.folder}.done.json"
            done = objects.get_json(done_key)
            manifest["endpoints"][endpoint.folder] = done["items"]
            manifest["files"].update(done["files"])
            manifest["skipped"] += done["skipped"]
            manifest["failed"] += done.get("failed", [])
            leftovers += [done_key] + [f"{prefix}{PARTS}/{endpoint.folder}/{n:05d}{suffix}"
                                       for n in range(done["parts"]) for suffix in (".json", ".files.json")]
        objects.put_object(prefix + RUN_MANIFEST, dumps(manifest), "application/json")
        objects.delete_keys(leftovers)
        prefixes[str(account)] = prefix
    backups_data.note_completed(run.connection_id, prefixes)


@settles(HarvestBackupRun)
def settle_run(message: HarvestBackupRun) -> None:
    backups_data.fail_run(message.run_id, "The run could not start after repeated attempts")


@settles(HarvestBackupStep)
def settle_step(message: HarvestBackupStep) -> None:
    backups_data.fail_run(message.run_id, f"Account {message.account}'s {message.folder} could not be backed up "
                                          "after repeated attempts")
