"""Schema building blocks every aggregate uses. Requests reject unknown fields
(``extra="forbid"``): a typo in a field name is a 400, never silently ignored."""
from __future__ import annotations

import math
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.domain import Page
from shared.logic.paging import DEFAULT_PER_PAGE

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Id = Annotated[int, Field(ge=1)]


def _storable(value: float) -> float:
    """DynamoDB stores no number below 1e-130 in magnitude (and no NaN): amounts are kept to
    hundredths of a cent, so a tiny positive value is refused rather than a 500 at write time."""
    if value and abs(value) < 1e-6:
        raise ValueError("must be 0 or at least 0.000001")
    return value


def _real_date(value: str) -> str:
    date.fromisoformat(value)  # ValueError for 2024-02-30 or 2024-13-45
    return value


DateText = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_real_date)]
Money = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False), AfterValidator(_storable)]
Hours = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False), AfterValidator(_storable)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def values(self) -> dict:
        """Every field, defaults filled in: what a create stores."""
        return self.model_dump()

    def changes(self) -> dict:
        """Only the fields the caller sent (explicit nulls included): what an update applies."""
        return self.model_dump(exclude_unset=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Pagination(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int
    has_next: bool
    has_prev: bool
    next_page: int | None
    prev_page: int | None

    @classmethod
    def of(cls, page: Page) -> "Pagination":
        pages = math.ceil(page.total / page.per_page) if page.total else 0
        return cls(page=page.page, per_page=page.per_page, total=page.total, pages=pages,
                   has_next=page.page < pages, has_prev=page.page > 1,
                   next_page=page.page + 1 if page.page < pages else None,
                   prev_page=page.page - 1 if page.page > 1 else None)


# Time filters take a date (the whole day) or a date-time (ISO 8601); the document says both.
DATE_OR_TIME = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time",
                                                                 "maxLength": 40}]}


def time_query(description: str | None = None, alias: str | None = None):
    """A query parameter that is a date or a date-time."""
    from aws_lambda_powertools.event_handler.openapi.params import Query

    return Query(alias=alias, max_length=40, description=description, json_schema_extra=DATE_OR_TIME)

PageQuery = Annotated[int, Field(ge=1, description="Page number (default 1)")]
PerPageQuery = Annotated[int, Field(ge=1, description=f"Items per page (default {DEFAULT_PER_PAGE}, max 100)")]


class Message(BaseModel):
    message: str


class ErrorBody(BaseModel):
    """The contract's error format."""

    error: str
    message: str
    error_code: str
    errors: dict[str, list[str]] | None = Field(default=None, description="Field-level messages (400)")
    required_scope: str | None = Field(default=None, description="The scope the endpoint needs (403)")
    available_scopes: list[str] | None = Field(default=None, description="The token's scopes (403)")
