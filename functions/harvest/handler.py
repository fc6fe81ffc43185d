"""Scheduled Harvest backups (admins): stored connections, runs, and a run as one ZIP
through the export machinery (shared/logic/harvest_backups.py)."""
from aws_lambda_powertools.event_handler import Response

from shared.api.app import ApiFunction
from shared.api.export_answers import started
from shared.api.schemas.exports import ExportStarted
from shared.api.schemas.harvest import (
    HarvestBackupIn,
    HarvestConnectionIn,
    HarvestConnectionOut,
    HarvestConnections,
    HarvestRunOut,
    HarvestRuns,
)
from shared.logic import exports, harvest_backups

api = ApiFunction("harvest")


def _connection(c) -> HarvestConnectionOut:
    return HarvestConnectionOut(id=c.id, schedule=c.schedule, hour=c.hour, accounts=sorted(c.accounts),
                                created_at=c.created_at, last_run_id=c.last_run_id, last_run_at=c.last_run_at,
                                next_run_at=harvest_backups.next_run_at(c))


@api.route
def create_harvest_connection(request: HarvestConnectionIn) -> Response[HarvestConnectionOut]:
    """Store a Harvest token (checked with Harvest first: 400 with its message if refused) and its schedule;
    the first scheduled run starts at the scheduler's next tick. The token is never returned."""
    connection = _connection(harvest_backups.create_connection(api.principal(), request.values()))
    return Response(status_code=201, content_type="application/json", body=connection)


@api.route
def list_harvest_connections() -> HarvestConnections:
    return HarvestConnections(connections=[_connection(c) for c in
                                           harvest_backups.list_connections(api.principal())])


@api.route
def delete_harvest_connection(connection_id: int) -> Response[None]:
    """Forget the token (runs and their files stay)."""
    harvest_backups.delete_connection(api.principal(), connection_id)
    return Response(status_code=204, content_type="application/json", body=None)


@api.route
def start_harvest_backup(request: HarvestBackupIn) -> Response[HarvestRunOut]:
    """Back up every account of the connection now (202; follow GET /api/v1/harvest/backups/{id})."""
    run = harvest_backups.start_run(api.principal(), request.connection_id)
    return Response(status_code=202, content_type="application/json", body=HarvestRunOut.of(run))


@api.route
def list_harvest_backups() -> HarvestRuns:
    """Runs, newest first: status, counts, size, where the files are."""
    return HarvestRuns(runs=[HarvestRunOut.of(r) for r in harvest_backups.list_runs(api.principal())])


@api.route
def get_harvest_backup(run_id: int) -> HarvestRunOut:
    return HarvestRunOut.of(harvest_backups.get_run(api.principal(), run_id))


@api.route
def download_harvest_backup(run_id: int) -> Response[ExportStarted]:
    """A completed run as one ZIP (every account in `tt harvest-backup`'s layout), built as an export:
    follow `download_url` (a presigned link; the file expires after 7 days like every export)."""
    harvest_backups.require_completed(api.principal(), run_id)
    return started(exports.start_harvest_download(api.principal(), run_id))


lambda_handler = api.lambda_handler
