"""Harvest connections and backup runs (models: shared/models/harvest.py)."""
from __future__ import annotations

from dataclasses import fields as dc_fields

from pynamodb.exceptions import DeleteError

from shared.clock import iso_z, utcnow
from shared.data import counters, jobs, unique_names
from shared.data.common import is_conditional_failure, transaction
from shared.domain import BackupRun, HarvestConnection
from shared.errors import Conflict
from shared.jobs.status import BackupStatus
from shared.models.base import ORG
from shared.models.harvest import HarvestConnectionModel, HarvestRunModel

_CONNECTION = [f.name for f in dc_fields(HarvestConnection)]
_RUN = [f.name for f in dc_fields(BackupRun)]


def _connection(item: HarvestConnectionModel) -> HarvestConnection:
    values = {n: getattr(item, n) for n in _CONNECTION}
    values["accounts"] = frozenset(int(a) for a in item.accounts or ())
    values["previous"] = item.previous.as_dict() if item.previous else {}
    return HarvestConnection(**values)


def _run(item: HarvestRunModel) -> BackupRun:
    values = {n: getattr(item, n) for n in _RUN}
    values["accounts"] = frozenset(int(a) for a in item.accounts or ())
    return BackupRun(**values)


# -- connections ---------------------------------------------------------------------------
def put_connection(user_id: int, sealed_for, schedule: str, hour: int, accounts: list[int]) -> HarvestConnection:
    """``sealed_for(id)`` seals the token bound to the new record's id."""
    connection_id = counters.next_id("harvest_connection")
    now = utcnow()
    item = HarvestConnectionModel(connection_id, org=ORG, user_id=user_id, created_at=now,
                                  created_key=f"{iso_z(now)}#{connection_id:012d}",
                                  secret=sealed_for(connection_id), schedule=schedule, hour=hour,
                                  accounts=set(accounts) or None)
    item.save(condition=HarvestConnectionModel.id.does_not_exist())
    return _connection(item)


def get_connection(connection_id: int) -> HarvestConnection | None:
    item = jobs.get(HarvestConnectionModel, connection_id)
    return _connection(item) if item else None


def get_connection_and_secret(connection_id: int) -> tuple[HarvestConnection | None, bytes | None]:
    """The connection and its sealed token, in one read."""
    item = jobs.get(HarvestConnectionModel, connection_id)
    return (_connection(item), item.secret) if item else (None, None)


def list_connections() -> list[HarvestConnection]:
    return [_connection(i) for i in HarvestConnectionModel.by_org.query(ORG, scan_index_forward=False)]


def delete_connection(connection_id: int) -> bool:
    try:
        HarvestConnectionModel(connection_id).delete(condition=HarvestConnectionModel.id.exists())
    except DeleteError as exc:
        if is_conditional_failure(exc):
            return False
        raise
    return True


def note_run(connection_id: int, run_id: int, started_at) -> None:
    HarvestConnectionModel(connection_id).update(actions=[HarvestConnectionModel.last_run_id.set(run_id),
                                                          HarvestConnectionModel.last_run_at.set(started_at)],
                                                 condition=HarvestConnectionModel.id.exists())


def note_completed(connection_id: int, prefixes: dict[str, str]) -> None:
    """The run's prefixes become where the next run copies unchanged PDFs from."""
    HarvestConnectionModel(connection_id).update(actions=[
        HarvestConnectionModel.previous[account].set(prefix) for account, prefix in prefixes.items()],
        condition=HarvestConnectionModel.id.exists())


# -- runs -----------------------------------------------------------------------------------
def put_run(user_id: int, connection_id: int, trigger: str) -> BackupRun:
    run_id = counters.next_id("harvest_run")
    return _run(jobs.put_pending(HarvestRunModel, run_id, {"user_id": user_id, "connection_id": connection_id,
                                                           "trigger": trigger}))


def get_run(run_id: int) -> BackupRun | None:
    item = jobs.get(HarvestRunModel, run_id)
    return _run(item) if item else None


def list_runs(limit: int = 100) -> list[BackupRun]:
    return [_run(i) for i in HarvestRunModel.by_org.query(ORG, scan_index_forward=False, limit=limit)]


def begin_run(run_id: int, run_date: str, accounts: list[int], parts: int) -> bool:
    return jobs.move(HarvestRunModel, run_id, [HarvestRunModel.run_date.set(run_date),
                                               HarvestRunModel.accounts.set(set(accounts) or None),
                                               HarvestRunModel.parts_total.set(parts)], to=BackupStatus.PROCESSING)


class PartAlreadyCounted(Conflict):
    def __init__(self):
        super().__init__("This part of the backup was counted before", "part_already_counted")


def count_part(run_id: int, part: str, *, items: int, files: int, size: int, skipped: int) -> bool:
    """One account-and-endpoint part done, exactly once (its marker moves with the counters)."""
    try:
        with transaction([PartAlreadyCounted, None]) as t:
            unique_names.claim(t, f"harvest_run:{run_id}:{part}", run_id)
            t.update(HarvestRunModel(run_id), condition=HarvestRunModel.id.exists(), actions=[
                HarvestRunModel.parts_done.add(1), HarvestRunModel.items.add(items),
                HarvestRunModel.files.add(files), HarvestRunModel.bytes.add(size),
                HarvestRunModel.skipped.add(skipped)])
    except PartAlreadyCounted:
        return False
    return True


def finish_run(run_id: int) -> BackupRun | None:
    """completed once every part is counted; exactly one caller wins."""
    run = get_run(run_id)
    if run is None or run.status != BackupStatus.PROCESSING or run.parts_done < (run.parts_total or 0):
        return None
    if not jobs.move(HarvestRunModel, run_id, [HarvestRunModel.completed_at.set(utcnow())],
                     to=BackupStatus.COMPLETED, also=HarvestRunModel.parts_done >= HarvestRunModel.parts_total):
        return None
    return get_run(run_id)


def fail_run(run_id: int, message: str) -> bool:
    return jobs.move(HarvestRunModel, run_id, [HarvestRunModel.message.set(message[:1000]),
                                               HarvestRunModel.completed_at.set(utcnow())], to=BackupStatus.FAILED)
