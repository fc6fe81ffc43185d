"""API schemas for API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from shared.api.schemas.common import Id, Name, Out, Pagination, Request, Text


class ApiTokenCreate(Request):
    name: Name
    description: Text | None = None
    user_id: Id | None = Field(default=None, description="Defaults to the caller")
    scopes: list[str] = Field(min_length=1, max_length=20)
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class ApiTokenOut(Out):
    id: int
    name: str
    description: str | None
    user_id: int
    token_prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool

    @classmethod
    def of(cls, token, now: datetime) -> "ApiTokenOut":
        return cls.model_validate({**{f: getattr(token, f) for f in cls.model_fields if f != "is_active"},
                                   "is_active": token.is_active(now)})


class ApiTokenCreated(BaseModel):
    message: str
    token: str = Field(description="The plaintext token. Shown once; store it now.")
    api_token: ApiTokenOut


class ApiTokenEnvelope(BaseModel):
    message: str
    api_token: ApiTokenOut


class ApiTokenList(BaseModel):
    api_tokens: list[ApiTokenOut]
    pagination: Pagination
