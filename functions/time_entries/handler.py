"""/api/v1/time-entries: a user's time entries (admins see everyone's)."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from shared.api import idempotency
from shared.api.app import ApiFunction
from shared.api.schemas.common import Id, Message, PageQuery, Pagination, PerPageQuery, time_query
from shared.api.schemas.time_entries import (
    BulkRequest,
    BulkResult,
    CsvImportResult,
    ImportAccepted,
    TimeEntryCreate,
    TimeEntryEnvelope,
    TimeEntryList,
    TimeEntryOut,
    TimeEntrySaved,
    TimeEntryUpdate,
)
from shared.logic import time_entries
from shared.logic.paging import Paging

api = ApiFunction("time_entries")


@api.route
def list_time_entries(
    project_id: Annotated[Id | None, Query()] = None,
    user_id: Annotated[Id | None, Query(description="Admins only")] = None,
    start_date: Annotated[str | None, time_query()] = None,
    end_date: Annotated[str | None, time_query("A date includes that whole day")] = None,
    billable: Annotated[bool | None, Query()] = None,
    include_active: Annotated[bool, Query()] = False,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> TimeEntryList:
    filters = time_entries.EntryFilters(user_id, project_id, start_date, end_date, billable, include_active)
    result = time_entries.list_time_entries(api.principal(), filters, Paging.of(page, per_page))
    return TimeEntryList(time_entries=[TimeEntryOut.of(e) for e in result.items], pagination=Pagination.of(result))


@api.route
def get_time_entry(entry_id: int) -> TimeEntryEnvelope:
    return TimeEntryEnvelope(time_entry=TimeEntryOut.of(time_entries.get_time_entry(api.principal(), entry_id)))


@api.route
def create_time_entry(
    time_entry: TimeEntryCreate,
    idempotency_key: Annotated[str | None, Header(
        max_length=idempotency.MAX_KEY_LENGTH,
        description="Retries with the same key (per token, 24 h) return the first response")] = None,
) -> Response[TimeEntrySaved]:
    """Without `end_time` the entry is a running timer."""
    principal = api.principal()

    def produce() -> tuple[int, dict]:
        created = time_entries.create_time_entry(principal, time_entry.values())
        body = TimeEntrySaved(message="Time entry created successfully", time_entry=TimeEntryOut.of(created))
        return 201, body.model_dump(mode="json")

    if idempotency_key is None:
        status, body = produce()
    else:
        status, body = idempotency.once(principal.token_id, idempotency.check_key(idempotency_key),
                                        time_entry.model_dump(mode="json"), produce, api.app.lambda_context)
    return Response(status_code=status, content_type="application/json", body=body)


@api.route
def bulk_update_time_entries(request: BulkRequest) -> BulkResult:
    """Up to 500 ids; running entries are skipped; any id of another user's refuses the whole call."""
    affected, skipped = time_entries.bulk_update_time_entries(api.principal(), request.entry_ids, request.action,
                                                              request.value)
    return BulkResult(success=True, affected=affected, skipped=skipped)


@api.route
def import_time_entries_csv() -> Response[CsvImportResult | ImportAccepted]:
    """Send the CSV as multipart field `file`, as JSON `{"csv": "..."}` / `{"data": "..."}`, or as a
    `text/csv` body. Up to 1 MB and 10,000 rows it is imported now (201 with per-line errors); bigger
    files are imported in the background (202 with `status_url`)."""
    # Imported on first use: the CSV and pipeline machinery stays out of this function's cold start.
    from shared.api.uploads import upload_bytes
    from shared.logic import csv_import

    event = api.app.current_event
    raw = upload_bytes(event.body, event.is_base64_encoded, event.headers.get("content-type", ""))
    result = csv_import.import_time_entries_csv(api.principal(), raw)
    if isinstance(result, csv_import.ImportSummary):
        body = CsvImportResult(success=result.failed == 0, message=f"Imported {result.created} of {result.total} rows",
                               **vars(result))
        return Response(status_code=201, content_type="application/json", body=body)
    accepted = ImportAccepted(message="The file is being imported", import_id=result.id, status=result.status,
                              status_url=f"/api/import/status/{result.id}")
    return Response(status_code=202, content_type="application/json", body=accepted)


@api.route
def update_time_entry(entry_id: int, time_entry: TimeEntryUpdate) -> TimeEntrySaved:
    updated = time_entries.update_time_entry(api.principal(), entry_id, time_entry.changes())
    return TimeEntrySaved(message="Time entry updated successfully", time_entry=TimeEntryOut.of(updated))


@api.route
def patch_time_entry(entry_id: int, time_entry: TimeEntryUpdate) -> TimeEntrySaved:
    return update_time_entry(entry_id, time_entry)


@api.route
def delete_time_entry(entry_id: int) -> Message:
    time_entries.delete_time_entry(api.principal(), entry_id)
    return Message(message="Time entry deleted successfully")


lambda_handler = api.lambda_handler
