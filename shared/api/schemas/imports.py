"""API schemas for imports."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.api.schemas.common import Pagination
from shared.domain import ImportJob


class ImportOut(BaseModel):
    id: int
    user_id: int
    type: str
    status: str
    filename: str | None
    message: str | None
    total: int
    processed: int
    successful: int
    failed: int
    skipped: int
    percentage: float
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, job: ImportJob) -> "ImportOut":
        return cls.model_validate({**{f: getattr(job, f) for f in cls.model_fields}})


class LineProblem(BaseModel):
    line: int
    message: str
    fields: dict[str, str]


class ImportStatus(ImportOut):
    errors: list[LineProblem]


class ImportHistory(BaseModel):
    imports: list[ImportOut]
    pagination: Pagination
