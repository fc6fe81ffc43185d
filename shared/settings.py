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
    "webhooks": "TABLE_WEBHOOKS",
    "webhook_deliveries": "TABLE_WEBHOOK_DELIVERIES",
    "settings": "TABLE_SETTINGS",
    "stock_items": "TABLE_STOCK_ITEMS",
    "warehouses": "TABLE_WAREHOUSES",
    "stock_levels": "TABLE_STOCK_LEVELS",
    "stock_movements": "TABLE_STOCK_MOVEMENTS",
}
BUCKET_ENV = "DATA_BUCKET"
# Environment variable holding each work queue's URL, keyed by the queue's logical name.
QUEUE_ENV = {"imports": "IMPORT_QUEUE_URL", "exports": "EXPORT_QUEUE_URL", "webhooks": "WEBHOOK_QUEUE_URL"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _flag(name: str) -> bool:
    return os.environ.get(name, "false").strip().lower() in ("1", "true", "yes")


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
    webhook_retry_delays: tuple[int, ...]
    webhook_disable_after_seconds: int
    webhook_timeout_seconds: float
    webhooks_allow_loopback: bool

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
        allow_multiple_timers=_flag("ALLOW_MULTIPLE_TIMERS"),
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
        # Standard Webhooks' schedule after a failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
        webhook_retry_delays=tuple(int(d) for d in os.environ.get(
            "WEBHOOK_RETRY_DELAYS", "5,300,1800,7200,18000,36000,36000").split(",") if d.strip()),
        # An endpoint failing every delivery for this long is disabled (3 days).
        webhook_disable_after_seconds=_int("WEBHOOK_DISABLE_AFTER_SECONDS", 3 * 24 * 3600),
        webhook_timeout_seconds=float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS") or 10),
        # Set by `make run` only: lets webhooks call http://127.0.0.1 so people can try them. Never in the cloud.
        webhooks_allow_loopback=_flag("WEBHOOKS_ALLOW_LOOPBACK"),
    )
