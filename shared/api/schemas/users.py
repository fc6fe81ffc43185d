"""API schemas for users."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from shared.api.schemas.common import Out, Pagination, Request, Short


class UserCreate(Request):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80,
                                               pattern=r"^[A-Za-z0-9_.@-]+$")]
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    full_name: Short | None = None
    role: Literal["admin", "user"] = "user"
    timezone: Short = "UTC"


class UserOut(Out):
    id: int
    username: str
    email: str
    full_name: str | None
    role: str
    timezone: str
    created_at: datetime


class UserEnvelope(BaseModel):
    user: UserOut


class UserList(BaseModel):
    users: list[UserOut]
    pagination: Pagination
