"""API schemas for clients."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from shared.api.schemas.common import Money, Name, Out, Pagination, Request, Short, Text

ClientStatus = Literal["active", "inactive"]


class ClientCreate(Request):
    name: Name
    email: Short | None = None
    company: Short | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    description: Text | None = None
    default_hourly_rate: Money | None = None
    status: ClientStatus = "active"


class ClientUpdate(Request):
    name: Name = None  # type: ignore[assignment]  # optional, but never null
    email: Short | None = None
    company: Short | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    description: Text | None = None
    default_hourly_rate: Money | None = None
    status: ClientStatus = None  # type: ignore[assignment]


class ClientOut(Out):
    id: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    description: str | None
    default_hourly_rate: float | None
    status: str
    created_at: datetime
    updated_at: datetime


class ClientEnvelope(BaseModel):
    client: ClientOut


class ClientSaved(ClientEnvelope):
    message: str


class ClientList(BaseModel):
    clients: list[ClientOut]
    pagination: Pagination
