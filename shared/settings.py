"""Configuration, read once from the environment into a typed object.

The CDK stack and the local stack set the same variables (names below), so a
function cannot tell which of the two it runs in.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

# Environment variable holding each table's name, keyed by the storage model's logical name.
TABLE_ENV = {
    "users": "TABLE_USERS",
    "api_tokens": "TABLE_API_TOKENS",
    "projects": "TABLE_PROJECTS",
    "clients": "TABLE_CLIENTS",
    "tasks": "TABLE_TASKS",
    "counters": "TABLE_COUNTERS",
    "unique_names": "TABLE_UNIQUE_NAMES",
    "rate_limits": "TABLE_RATE_LIMITS",
    "time_entries": "TABLE_TIME_ENTRIES",
    "idempotency": "TABLE_IDEMPOTENCY",
    "search_terms": "TABLE_SEARCH_TERMS",
    "imports": "TABLE_IMPORTS",
    "import_errors": "TABLE_IMPORT_ERRORS",
    "exports": "TABLE_EXPORTS",
    "restores": "TABLE_RESTORES",
    "harvest_connections": "TABLE_HARVEST_CONNECTIONS",
    "harvest_runs": "TABLE_HARVEST_RUNS",
}
BUCKET_ENV = "DATA_BUCKET"
# Environment variable holding each work queue's URL, keyed by the queue's logical name.
QUEUE_ENV = {"imports": "IMPORT_QUEUE_URL", "exports": "EXPORT_QUEUE_URL"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Settings:
    tables: dict[str, str]
    region: str
    data_bucket: str
    queue_urls: dict[str, str]
    rate_limit_per_minute: int
    rate_limit_per_hour: int
    token_cache_seconds: int
    max_json_body_bytes: int
    app_version: str
    allow_multiple_timers: bool
    dynamodb_read_timeout_seconds: int
    export_wait_seconds: int
    credentials_key: str
    toggl_api_url: str
    harvest_api_url: str
    harvest_id_url: str
    harvest_pdf_url: str

    def table(self, logical: str) -> str:
        return self.tables[logical]

    def queue_url(self, logical: str) -> str:
        return self.queue_urls[logical]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    prefix = os.environ.get("TABLE_PREFIX", "tt-")
    return Settings(
        tables={logical: os.environ.get(env, f"{prefix}{logical}") for logical, env in TABLE_ENV.items()},
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        data_bucket=os.environ.get(BUCKET_ENV, "tt-data"),
        queue_urls={logical: os.environ.get(env, "") for logical, env in QUEUE_ENV.items()},
        rate_limit_per_minute=_int("API_TOKEN_RATE_LIMIT_PER_MINUTE", 100),
        rate_limit_per_hour=_int("API_TOKEN_RATE_LIMIT_PER_HOUR", 1000),
        # A revoked token stops working once every warm container's cache entry expires.
        token_cache_seconds=_int("TOKEN_CACHE_SECONDS", 30),
        max_json_body_bytes=_int("MAX_JSON_BODY_BYTES", 1024 * 1024),
        app_version=os.environ.get("APP_VERSION", "1.0.0"),
        allow_multiple_timers=os.environ.get("ALLOW_MULTIPLE_TIMERS", "false").strip().lower() in ("1", "true", "yes"),
        dynamodb_read_timeout_seconds=_int("DYNAMODB_READ_TIMEOUT_SECONDS", 5),
        # How long a POST for an export waits for the worker: a small export is answered finished (200).
        export_wait_seconds=_int("EXPORT_WAIT_SECONDS", 5),
        # The KMS key sealing third-party credentials while an import from an API runs.
        credentials_key=os.environ.get("CREDENTIALS_KEY_ID", "alias/tt-credentials"),
        # Where the API importers reach the services (tests point them at loopback servers).
        toggl_api_url=os.environ.get("TOGGL_API_URL", "https://api.track.toggl.com"),
        harvest_api_url=os.environ.get("HARVEST_API_URL", "https://api.harvestapp.com"),
        harvest_id_url=os.environ.get("HARVEST_ID_URL", "https://id.getharvest.com"),
        harvest_pdf_url=os.environ.get("HARVEST_PDF_URL", "https://{subdomain}.harvestapp.com"),
    )
