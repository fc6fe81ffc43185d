"""Imports: TimeTracker's /api/import paths and the /api/v1/imports resource. Files are
imported in the background (shared/logic/imports.py starts them, import_results.py reads them)."""
import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import Id, PageQuery, Pagination, PerPageQuery, time_query
from shared.api.schemas.imports import (
    CsvImportStarted,
    CsvImportSummary,
    ImportDetails,
    ImportEnvelope,
    ImportHistory,
    ImportOut,
    ImportPreview,
    ImportProgress,
    ImportProject,
    ImportProjects,
    ImportStatus,
    ImportTag,
    ImportTags,
    ImportUpload,
    LineProblem,
    SourceImportStarted,
)
from shared.api.schemas.time_entries import TimeEntryList, TimeEntryOut
from shared.api.uploads import read_upload
from shared.logic import import_results, imports, source_imports, uploads
from shared.logic.paging import Paging
from shared.tracker_files.dialects import TIMETRACKER_TEMPLATE

api = ApiFunction("imports")


def _upload():
    event = api.app.current_event
    return read_upload(event.body, event.is_base64_encoded, event.headers.get("content-type", ""))


def _problems(errors) -> list[LineProblem]:
    return [LineProblem(line=line, message=message, fields=fields) for line, message, fields in errors]


def _started(job) -> Response:
    body = ImportEnvelope(message="The file is being imported", status_url=f"/api/v1/imports/{job.id}/status",
                          import_=ImportOut.of(job))
    return Response(status_code=202, content_type="application/json", body=body.model_dump(mode="json",
                                                                                            by_alias=True))


@api.route
def import_csv() -> Response[CsvImportStarted]:
    """Multipart field `file`; imported in the background (202). Answers as the import/export guide
    documents (`success`, `import_id`, `summary`), the summary as of the answer."""
    upload = _upload()
    job = imports.start_csv_import(api.principal(), upload.data, upload.filename)
    body = CsvImportStarted(message="The file is being imported", status_url=f"/api/import/status/{job.id}",
                            import_=ImportOut.of(job), import_id=job.id, summary=CsvImportSummary(
                                total=job.total, successful=job.successful, failed=job.failed, errors=[]))
    return Response(status_code=202, content_type="application/json",
                    body=body.model_dump(mode="json", by_alias=True))


def _json_body() -> dict | None:
    event = api.app.current_event
    if not event.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(event.decoded_body or "{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _source_started(kind: str, body: dict | None) -> Response:
    job = source_imports.start_source_import(api.principal(), kind, body or {})
    out = SourceImportStarted(message=f"Importing from {source_imports.SOURCE_NAMES[kind]} in the background",
                              status_url=f"/api/v1/imports/{job.id}/status", import_=ImportOut.of(job),
                              import_id=job.id)
    return Response(status_code=202, content_type="application/json", body=out.model_dump(mode="json",
                                                                                           by_alias=True))


@api.route
def import_toggl() -> Response[SourceImportStarted]:
    """JSON `{"api_token", "workspace_id", "start_date", "end_date"}` (the guide's body; `workspace_id`
    omitted: every workspace the token sees; `end_date` default today), plus the import options. Entries
    come from Toggl's Reports API in the background (202; follow `status_url`); an entry imported before
    is recognised, never doubled."""
    return _source_started("toggl_api", _json_body())


@api.route
def import_harvest() -> Response[SourceImportStarted]:
    """JSON `{"account_id", "api_token", "start_date", "end_date"}` (`account_id` omitted: every Harvest
    account of the token), plus the import options. In the background (202)."""
    return _source_started("harvest_api", _json_body())


@api.route
def create_import() -> Response[SourceImportStarted | ImportEnvelope]:
    """Multipart `file` (other form fields: `type`), JSON `{"csv": ..., "type": ...}` or
    `{"upload_id": ..., "type": ...}` for a file PUT to an upload URL, or a raw CSV body (`?type=`).
    `type`: autodetect (default), timetracker, toggl, clockify, harvest, noko, generic. Options (form fields,
    JSON keys or query parameters): `field_delimiter` (, ; | tab), `date_format` (DD/MM/YYYY | MM/DD/YYYY),
    `timezone` (for times without an offset), `create_projects` (default true; false rejects rows naming an
    unknown project), `fallback_user` (a user id for rows whose user is not found; default the caller; `null`
    skips those rows), `skip_duplicates` (default false: rows matching an entry's user, start, end, project and
    notes are skipped)."""
    event = api.app.current_event
    body = _json_body()
    if body is not None and body.get("type") in source_imports.SOURCE_NAMES:
        return _source_started(body["type"], body)
    reference = _upload_reference(event)
    if reference is not None:
        return _started(imports.start_upload_import(api.principal(), str(reference.get("upload_id") or ""),
                                                    reference.get("type") or "autodetect", reference.get("filename"),
                                                    options=reference))
    upload = _upload()
    options = {**(event.query_string_parameters or {}), **upload.options}
    return _started(imports.start_csv_import(api.principal(), upload.data, upload.filename,
                                             options.get("type") or "autodetect", options=options))


def _upload_reference(event) -> dict | None:
    """A JSON body naming an upload_id, or None for a file sent in the request."""
    body = _json_body()
    return body if body is not None and "upload_id" in body else None


@api.route
def create_import_upload() -> Response[ImportUpload]:
    """A presigned URL to PUT a file of up to 200 MB; then create the import with its upload_id."""
    return Response(status_code=201, content_type="application/json",
                    body=ImportUpload(**uploads.create_upload(api.principal())))


@api.route
def preview_import() -> ImportPreview:
    """What importing this file would do; nothing is written. With JSON `{"type": "toggl_api" |
    "harvest_api", ...the source fields}`: what an import from that API would bring, read from it."""
    body = _json_body()
    if body is not None and body.get("type") in source_imports.SOURCE_NAMES:
        return ImportPreview(**source_imports.preview_source(api.principal(), body["type"], body))
    upload = _upload()
    options = {**(api.app.current_event.query_string_parameters or {}), **upload.options}
    return ImportPreview(**imports.preview_import(api.principal(), upload.data, options.get("type") or "autodetect",
                                                  options))


@api.route
def list_imports(
    type: Annotated[str | None, Query(max_length=20)] = None,  # noqa: A002 - the API's parameter name
    status: Annotated[str | None, Query(max_length=20)] = None,
    user: Annotated[Id | None, Query(description="Admins only")] = None,
    from_: Annotated[str | None, time_query(alias="from")] = None,
    to: Annotated[str | None, time_query()] = None,
    fallback_user: Annotated[str | None, Query(max_length=20, description="A user id, or `null`: imports that "
                                                                          "skipped rows of users not found")] = None,
    import_tags: Annotated[bool | None, Query(description="Imports that brought tags (true) or none")] = None,
    autocreate_projects: Annotated[bool | None, Query(description="Imports allowed to create projects")] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ImportHistory:
    """The imports spec's filters: `type`, `status`, `user` (admins), `from`/`to`, `fallback_user`,
    `import_tags`, `autocreate_projects`."""
    filters = import_results.ImportFilters(user_id=user, type=type, status=status, start=from_, end=to,
                                           fallback_user=fallback_user, import_tags=import_tags,
                                           autocreate_projects=autocreate_projects)
    result = import_results.list_imports(api.principal(), filters, Paging.of(page, per_page))
    return ImportHistory(imports=[ImportOut.of(j) for j in result.items], pagination=Pagination.of(result))


@api.route
def get_import(import_id: int) -> ImportOut:
    return ImportOut.of(import_results.get_import(api.principal(), import_id))


@api.route
def get_import_progress(import_id: int) -> ImportProgress:
    job = import_results.get_import(api.principal(), import_id)
    return ImportProgress(id=job.id, status="complete" if job.finished else "in_progress", import_status=job.status,
                          **ImportProgress.values_of(job))


@api.route
def get_import_details(import_id: int) -> Response[ImportDetails | None]:
    """204 while the import runs."""
    found = import_results.get_import_details(api.principal(), import_id)
    if found is None:
        return Response(status_code=204, content_type="application/json", body=None)
    job, errors = found
    body = ImportDetails(id=job.id, status=job.status, imported=job.successful, discarded=job.failed,
                         skipped=job.skipped, users_not_found=sorted(job.users_not_found, key=str.casefold),
                         projects_matched=sorted(job.projects_matched, key=str.casefold),
                         projects_created=sorted(job.projects_created, key=str.casefold), errors=_problems(errors))
    return Response(status_code=200, content_type="application/json", body=body)


@api.route
def undo_import(import_id: int) -> Response[ImportEnvelope]:
    """Removes the entries the import created, then the projects and clients it created unless they now
    hold other work. In the background (202); repeating it changes nothing."""
    job = imports.undo_import(api.principal(), import_id)
    body = ImportEnvelope(message="The import is being undone", status_url=f"/api/v1/imports/{job.id}",
                          import_=ImportOut.of(job))
    return Response(status_code=202, content_type="application/json",
                    body=body.model_dump(mode="json", by_alias=True))


@api.route
def list_import_entries(
    import_id: int,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> TimeEntryList:
    result = import_results.list_import_entries(api.principal(), import_id, Paging.of(page, per_page))
    return TimeEntryList(time_entries=[TimeEntryOut.of(e) for e in result.items], pagination=Pagination.of(result))


@api.route
def list_import_tags(import_id: int) -> ImportTags:
    return ImportTags(tags=[ImportTag(**t) for t in import_results.import_tags(api.principal(), import_id)])


@api.route
def list_import_projects(import_id: int) -> ImportProjects:
    found = import_results.import_projects(api.principal(), import_id)
    return ImportProjects(projects=[ImportProject(**p) for p in found])


@api.route
def get_import_status(import_id: int) -> ImportStatus:
    job, errors = import_results.get_import_status(api.principal(), import_id)
    return ImportStatus.of_job(job, _problems(errors))


@api.route
def list_import_history(
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ImportHistory:
    result = import_results.list_import_history(api.principal(), Paging.of(page, per_page))
    return ImportHistory(imports=[ImportOut.of(j) for j in result.items], pagination=Pagination.of(result))


@api.route
def get_import_template():
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=TIMETRACKER_TEMPLATE,
                    headers={"Content-Disposition": 'attachment; filename="timetracker_import_template.csv"'})


lambda_handler = api.lambda_handler
