"""Exports and backups: TimeTracker's /api/export paths and /api/backup/restore. Files are
built in the background (shared/logic/export_builds.py, restores.py); these routes start
them, follow them and hand out short-lived download URLs."""
import base64
import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.export_answers import export_out, started
from shared.api.schemas.common import PageQuery, Pagination, PerPageQuery
from shared.api.schemas.exports import (
    ExportHistory,
    ExportLink,
    ExportOut,
    ExportStarted,
    FilteredExportIn,
    GdprExportIn,
    RestoreOut,
    RestoreReferenceIn,
    RestoreStarted,
)
from shared.api.uploads import read_upload
from shared.domain import ExportFilters
from shared.errors import ValidationFailed
from shared.logic import exports, restores
from shared.logic.paging import Paging

api = ApiFunction("exports")


@api.route
def create_gdpr_export(request: GdprExportIn | None = None) -> Response[ExportStarted]:
    """Everything your account holds: profile, time entries, the projects, tasks and clients they refer to,
    tags, import and export history, API tokens (never their secrets). `json`: one document; `zip`:
    export.json plus one CSV per record type."""
    return started(exports.start_gdpr_export(api.principal(), (request or GdprExportIn()).format))


@api.route
def create_filtered_export(request: FilteredExportIn | None = None) -> Response[ExportStarted]:
    """Time entries and/or projects matching the filters; dates are days in your time zone, end_date
    included. CSV: UTF-8 with BOM and CRLF (opens in Excel), formulas neutralised."""
    request = request or FilteredExportIn()
    f = request.filters
    filters = ExportFilters(include_time_entries=f.include_time_entries, include_projects=f.include_projects,
                            start_date=f.start_date, end_date=f.end_date, project_id=f.project_id,
                            billable_only=f.billable_only, user_id=f.user_id)
    return started(exports.start_filtered_export(api.principal(), request.format, filters))


@api.route
def create_backup() -> Response[ExportStarted]:
    """Admins: every table, with a versioned header (backup_info: format version, created_at, created_by,
    counts). Restore it with POST /api/backup/restore."""
    return started(exports.start_backup(api.principal()))


@api.route
def get_export_status(export_id: int) -> ExportOut:
    return export_out(exports.get_export(api.principal(), export_id))


@api.route
def list_export_history(
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ExportHistory:
    """Yours, newest first; admins see everyone's."""
    result = exports.list_export_history(api.principal(), Paging.of(page, per_page))
    return ExportHistory(exports=[export_out(j) for j in result.items], pagination=Pagination.of(result))


@api.route
def download_export(export_id: int, redirect: Annotated[bool, Query(
        description="false: answer 200 with the URL as JSON instead of the 302 (for a page, which cannot "
                    "read a redirect's Location)")] = True) -> Response[ExportLink | None]:
    """302 to a presigned URL valid for 5 minutes; 409 until ready, 410 once expired."""
    url = exports.download_url(api.principal(), export_id)
    if not redirect:
        return Response(status_code=200, content_type="application/json", headers={"Cache-Control": "no-store"},
                        body=ExportLink(url=url, expires_in=exports.DOWNLOAD_URL_SECONDS))
    return Response(status_code=302, content_type="application/json", body=None,
                    headers={"Location": url, "Cache-Control": "no-store"})


@api.route
def create_restore() -> Response[RestoreStarted]:
    """Admins: `{"export_id": ...}` of a backup, `{"upload_id": ...}` of a file PUT to an upload URL
    (POST /api/v1/imports/uploads), or the backup file itself (JSON body or multipart `file`); `dry_run`
    (body, form field or query) reports what would change and writes nothing. A real run replaces the data."""
    event = api.app.current_event
    query_dry_run = (event.get_query_string_value("dry_run") or "").lower() in ("1", "true", "yes")
    reference = _reference(event)
    if reference is not None:
        job = restores.start_restore(api.principal(), export_id=reference.export_id, upload_id=reference.upload_id,
                                     dry_run=reference.dry_run or query_dry_run)
    else:
        raw, options = _backup_file(event)
        dry_run = query_dry_run or (options.get("dry_run") or "").lower() in ("1", "true", "yes")
        job = restores.start_restore(api.principal(), raw=raw, dry_run=dry_run)
    body = RestoreStarted(message="The restore has started" + (" (dry run)" if job.dry_run else ""),
                          restore_id=job.id, status_url=f"/api/backup/restore/{job.id}", restore=RestoreOut.of(job))
    return Response(status_code=202, content_type="application/json", body=body)


def _backup_file(event) -> tuple[bytes, dict]:
    """The backup in the request: multipart field ``file`` (other fields as options), or the body."""
    content_type = event.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        upload = read_upload(event.body, event.is_base64_encoded, content_type)
        return upload.data, upload.options
    body = event.body or ""
    return (base64.b64decode(body) if event.is_base64_encoded else body.encode()), {}


def _reference(event) -> RestoreReferenceIn | None:
    """A small JSON body naming a backup (not the backup itself), validated; else None."""
    if not event.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(event.decoded_body or "{}")
    except ValueError:
        raise ValidationFailed.field("body", "The body is not valid JSON") from None
    if not isinstance(body, dict) or "backup_info" in body:
        return None
    try:
        return RestoreReferenceIn.model_validate(body)
    except ValueError as exc:
        raise ValidationFailed({"body": [str(e["msg"]) for e in exc.errors()]}) from None


@api.route
def get_restore(restore_id: int) -> RestoreOut:
    return RestoreOut.of(restores.get_restore(api.principal(), restore_id))


lambda_handler = api.lambda_handler
