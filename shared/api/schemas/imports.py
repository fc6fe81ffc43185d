"""API schemas for imports."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.api.schemas.common import Pagination
from shared.domain import ImportJob


class ImportCounts(BaseModel):
    """How far an import has got; shared by the import object and its progress."""

    total: int
    processed: int
    successful: int
    failed: int
    skipped: int
    percentage: float

    @staticmethod
    def values_of(job: ImportJob) -> dict:
        return {f: getattr(job, f) for f in ImportCounts.model_fields}


class ImportOut(ImportCounts):
    id: int
    user_id: int
    type: str
    status: str
    filename: str | None
    message: str | None
    created_at: datetime
    completed_at: datetime | None
    projects_created: list[str]
    source_total: int | None = Field(None, description="Imports from an API: the entries the source says it holds")
    resumes_at: datetime | None = Field(None, description="While `waiting`: when the source's quota resets")

    @classmethod
    def of(cls, job: ImportJob) -> "ImportOut":
        values = {f: getattr(job, f) for f in cls.model_fields if f != "projects_created"}
        return cls.model_validate({**values, "projects_created": sorted(job.projects_created)})


class LineProblem(BaseModel):
    line: int
    message: str
    fields: dict[str, str]


class ImportStatus(ImportOut):
    """The import, with the names the import/export guide's status answer uses besides ours."""

    errors: list[LineProblem]
    import_type: str
    total_records: int
    successful_records: int
    failed_records: int
    started_at: datetime

    @classmethod
    def of_job(cls, job: ImportJob, errors: list[LineProblem]) -> "ImportStatus":
        out = ImportOut.of(job)
        return cls(**out.model_dump(), errors=errors, import_type=out.type, total_records=out.total,
                   successful_records=out.successful, failed_records=out.failed, started_at=out.created_at)


class ImportHistory(BaseModel):
    imports: list[ImportOut]
    pagination: Pagination


class ImportEnvelope(BaseModel):
    message: str | None = None
    status_url: str | None = None
    import_: ImportOut = Field(alias="import", serialization_alias="import")

    model_config = {"populate_by_name": True}


class SourceImportStarted(ImportEnvelope):
    """An import from Toggl's or Harvest's API, started: as the import/export guide answers."""

    success: bool = True
    import_id: int


class CsvImportSummary(BaseModel):
    total: int
    successful: int
    failed: int
    errors: list[LineProblem]


class CsvImportStarted(ImportEnvelope):
    """The import/export guide's answer to POST /api/import/csv (the counts as of the answer:
    the file is imported in the background; follow ``status_url``), plus the import itself."""

    success: bool = True
    import_id: int
    summary: CsvImportSummary


class ImportProgress(ImportCounts):
    id: int
    status: Literal["in_progress", "complete"]
    import_status: str


class ImportDetails(BaseModel):
    id: int
    status: str
    imported: int
    discarded: int = Field(description="Rows that failed")
    skipped: int = Field(description="Duplicates (skip_duplicates) and rows of users not found (fallback_user null)")
    users_not_found: list[str] = Field(description="Users the file named who are not in this system (or whom "
                                                   "the caller may not import for), as the file wrote them")
    projects_matched: list[str]
    projects_created: list[str]
    errors: list[LineProblem]


class DateRange(BaseModel):
    start: str
    end: str


class ImportPreview(BaseModel):
    type: str
    rows: int
    valid_rows: int
    invalid_rows: int
    date_range: DateRange | None
    projects_matched: list[str]
    projects_to_create: list[str]
    users_not_found: list[str]
    problems: list[LineProblem]
    # previews of an import from an API (Toggl, Harvest)
    running_entries_skipped: int | None = None
    complete: bool | None = Field(None, description="False: the source holds more than the preview read")
    source_total: int | None = None
    clients: list[str] | None = None
    tasks: list[str] | None = None
    tags: list[str] | None = None


class ImportUpload(BaseModel):
    upload_id: str
    method: str
    url: str = Field(description="PUT the file here, then POST /api/v1/imports {\"upload_id\": ...}")
    expires_at: str
    max_bytes: int


class ImportTag(BaseModel):
    name: str
    entries: int


class ImportProject(BaseModel):
    id: int
    name: str
    entries: int
    created: bool = Field(description="Created by this import (an undo removes it unless it holds other work)")


class ImportTags(BaseModel):
    tags: list[ImportTag]


class ImportProjects(BaseModel):
    projects: list[ImportProject]
