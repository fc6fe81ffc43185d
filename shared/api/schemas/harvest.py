"""API schemas for scheduled Harvest backups (the token is accepted, never returned)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.api.schemas.common import Request


class HarvestConnectionIn(Request):
    pat: str = Field(description="A Harvest Personal Access Token; kept sealed with KMS, never returned")
    schedule: Literal["daily", "weekly", "manual"] = "daily"
    hour: int = Field(3, ge=0, le=23, description="The UTC hour scheduled runs start in")
    user_agent: str | None = Field(None, description="What Harvest sees: 'App (contact)'")


class HarvestConnectionOut(BaseModel):
    id: int
    schedule: str
    hour: int
    accounts: list[int]
    created_at: datetime
    last_run_id: int | None
    last_run_at: datetime | None
    next_run_at: datetime | None


class HarvestConnections(BaseModel):
    connections: list[HarvestConnectionOut]


class HarvestBackupIn(Request):
    connection_id: int


class HarvestRunOut(BaseModel):
    id: int
    connection_id: int
    trigger: str
    status: str
    run_date: str | None
    accounts: list[int]
    parts_total: int | None
    parts_done: int
    items: int
    files: int
    bytes: int
    skipped: int
    message: str | None
    created_at: datetime
    completed_at: datetime | None
    locations: list[str] = Field(description="Where each account's files are in the data bucket")

    @classmethod
    def of(cls, run) -> "HarvestRunOut":
        from shared.data.bucket_layout import harvest_run

        return cls(**{f: getattr(run, f) for f in cls.model_fields if f not in ("accounts", "locations")},
                   accounts=sorted(run.accounts), locations=[harvest_run(a, run.run_date) for a in sorted(
                       run.accounts)] if run.run_date else [])


class HarvestRuns(BaseModel):
    runs: list[HarvestRunOut]
