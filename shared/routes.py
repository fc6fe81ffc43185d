"""The route table: the single source of truth for the HTTP surface.

The CDK API construct and the local gateway are both built from ROUTES, and each
function's resolver registers its routes from here (shared/api/app.py), so a path
or a scope is written exactly once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource syntax: /api/v1/projects/{project_id}
    function: str  # folder under functions/
    scope: str | None  # None = no authentication
    operation: str  # the handler function's name, mirrored in shared/logic
    status: int = 200  # success status, documented in the OpenAPI document
    uploads: bool = False  # takes a file (multipart, CSV or JSON) up to API Gateway's limit, not just JSON
    statuses: tuple[int, ...] = ()  # what else it answers besides the common ones (documented in OpenAPI)

    @property
    def resolver_rule(self) -> str:
        """The same path in Powertools' resolver syntax (<param>)."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


def _r(method: str, path: str, function: str, scope: str | None, operation: str, status: int | None = None,
       uploads: bool = False, statuses: tuple[int, ...] = ()) -> Route:
    return Route(method, path, function, scope, operation,
                 status or (201 if operation.startswith("create_") else 200), uploads, statuses)


ROUTES: tuple[Route, ...] = (
    # system
    _r("GET", "/api/v1/info", "system", None, "get_info"),
    _r("GET", "/api/v1/health", "system", None, "get_health"),
    # docs (own function: the Swagger/OpenAPI machinery stays out of every other cold start)
    _r("GET", "/api/docs", "docs", None, "get_swagger_ui"),
    _r("GET", "/api/docs/{asset}", "docs", None, "get_docs_asset"),
    _r("GET", "/api/openapi.json", "docs", None, "get_openapi_document"),
    # users
    _r("GET", "/api/v1/users/me", "users", "read:users", "get_current_user"),
    _r("GET", "/api/v1/users", "users", "admin:all", "list_users"),
    _r("POST", "/api/v1/users", "users", "admin:all", "create_user"),
    # api tokens
    _r("GET", "/api/v1/api-tokens", "api_tokens", "admin:all", "list_api_tokens"),
    _r("POST", "/api/v1/api-tokens", "api_tokens", "admin:all", "create_api_token"),
    _r("DELETE", "/api/v1/api-tokens/{token_id}", "api_tokens", "admin:all", "revoke_api_token"),
    # projects
    _r("GET", "/api/v1/projects", "projects", "read:projects", "list_projects"),
    _r("POST", "/api/v1/projects", "projects", "write:projects", "create_project"),
    _r("GET", "/api/v1/projects/{project_id}", "projects", "read:projects", "get_project"),
    _r("PUT", "/api/v1/projects/{project_id}", "projects", "write:projects", "update_project"),
    _r("PATCH", "/api/v1/projects/{project_id}", "projects", "write:projects", "patch_project"),
    _r("DELETE", "/api/v1/projects/{project_id}", "projects", "write:projects", "archive_project"),
    # clients
    _r("GET", "/api/v1/clients", "clients", "read:clients", "list_clients"),
    _r("POST", "/api/v1/clients", "clients", "write:clients", "create_client"),
    _r("GET", "/api/v1/clients/{client_id}", "clients", "read:clients", "get_client"),
    _r("PUT", "/api/v1/clients/{client_id}", "clients", "write:clients", "update_client"),
    _r("PATCH", "/api/v1/clients/{client_id}", "clients", "write:clients", "patch_client"),
    _r("DELETE", "/api/v1/clients/{client_id}", "clients", "write:clients", "delete_client", statuses=(409,)),
    # tasks
    _r("GET", "/api/v1/tasks", "tasks", "read:tasks", "list_tasks"),
    _r("POST", "/api/v1/tasks", "tasks", "write:tasks", "create_task"),
    _r("GET", "/api/v1/tasks/{task_id}", "tasks", "read:tasks", "get_task"),
    _r("PUT", "/api/v1/tasks/{task_id}", "tasks", "write:tasks", "update_task"),
    _r("PATCH", "/api/v1/tasks/{task_id}", "tasks", "write:tasks", "patch_task"),
    _r("DELETE", "/api/v1/tasks/{task_id}", "tasks", "write:tasks", "delete_task"),
    # time entries
    _r("GET", "/api/v1/time-entries", "time_entries", "read:time_entries", "list_time_entries"),
    _r("POST", "/api/v1/time-entries", "time_entries", "write:time_entries", "create_time_entry",
       statuses=(422,)),
    _r("POST", "/api/v1/time-entries/bulk", "time_entries", "write:time_entries", "bulk_update_time_entries"),
    _r("POST", "/api/v1/time-entries/import-csv", "time_entries", "write:time_entries", "import_time_entries_csv",
       201, uploads=True, statuses=(202,)),
    _r("GET", "/api/v1/time-entries/{entry_id}", "time_entries", "read:time_entries", "get_time_entry"),
    _r("PUT", "/api/v1/time-entries/{entry_id}", "time_entries", "write:time_entries", "update_time_entry"),
    _r("PATCH", "/api/v1/time-entries/{entry_id}", "time_entries", "write:time_entries", "patch_time_entry"),
    _r("DELETE", "/api/v1/time-entries/{entry_id}", "time_entries", "write:time_entries", "delete_time_entry"),
    # timer
    _r("GET", "/api/v1/timer/status", "timer", "read:time_entries", "get_timer_status"),
    _r("POST", "/api/v1/timer/start", "timer", "write:time_entries", "start_timer", 201),
    _r("POST", "/api/v1/timer/stop", "timer", "write:time_entries", "stop_timer"),
    # reports
    _r("GET", "/api/v1/reports/summary", "reports", "read:reports", "get_summary_report"),
    # search
    _r("GET", "/api/v1/search", "search", "read:projects", "search"),
    # imports: TimeTracker's paths...
    _r("POST", "/api/import/csv", "imports", "write:time_entries", "import_csv", 202, uploads=True),
    _r("GET", "/api/import/status/{import_id}", "imports", "read:time_entries", "get_import_status"),
    _r("GET", "/api/import/history", "imports", "read:time_entries", "list_import_history"),
    _r("GET", "/api/import/template/csv", "imports", "read:time_entries", "get_import_template"),
    _r("POST", "/api/import/toggl", "imports", "write:time_entries", "import_toggl", 202),
    _r("POST", "/api/import/harvest", "imports", "write:time_entries", "import_harvest", 202),
    # ...and the imports resource
    _r("POST", "/api/v1/imports", "imports", "write:time_entries", "create_import", 202, uploads=True),
    _r("POST", "/api/v1/imports/preview", "imports", "write:time_entries", "preview_import", uploads=True),
    _r("POST", "/api/v1/imports/uploads", "imports", "write:time_entries", "create_import_upload", 201),
    _r("GET", "/api/v1/imports", "imports", "read:time_entries", "list_imports"),
    _r("GET", "/api/v1/imports/{import_id}", "imports", "read:time_entries", "get_import"),
    _r("GET", "/api/v1/imports/{import_id}/status", "imports", "read:time_entries", "get_import_progress"),
    _r("GET", "/api/v1/imports/{import_id}/details", "imports", "read:time_entries", "get_import_details",
       statuses=(204,)),
    _r("DELETE", "/api/v1/imports/{import_id}", "imports", "write:time_entries", "undo_import", 202, statuses=(409,)),
    _r("GET", "/api/v1/imports/{import_id}/entries", "imports", "read:time_entries", "list_import_entries"),
    _r("GET", "/api/v1/imports/{import_id}/tags", "imports", "read:time_entries", "list_import_tags"),
    _r("GET", "/api/v1/imports/{import_id}/projects", "imports", "read:time_entries", "list_import_projects"),
    # exports and backups (TimeTracker's paths)
    # 200: finished within EXPORT_WAIT_SECONDS; 202: still being built (follow status_url).
    _r("POST", "/api/export/gdpr", "exports", "read:time_entries", "create_gdpr_export", 202, statuses=(200,)),
    _r("POST", "/api/export/filtered", "exports", "read:time_entries", "create_filtered_export", 202,
       statuses=(200,)),
    _r("POST", "/api/export/backup", "exports", "admin:all", "create_backup", 202, statuses=(200,)),
    _r("GET", "/api/export/status/{export_id}", "exports", "read:time_entries", "get_export_status"),
    _r("GET", "/api/export/history", "exports", "read:time_entries", "list_export_history"),
    _r("GET", "/api/export/download/{export_id}", "exports", "read:time_entries", "download_export", 302,
       statuses=(200, 409, 410)),
    _r("POST", "/api/backup/restore", "exports", "admin:all", "create_restore", 202, uploads=True),
    _r("GET", "/api/backup/restore/{restore_id}", "exports", "admin:all", "get_restore"),
    # scheduled Harvest backups (admins)
    _r("POST", "/api/v1/harvest/connections", "harvest", "admin:all", "create_harvest_connection"),
    _r("GET", "/api/v1/harvest/connections", "harvest", "admin:all", "list_harvest_connections"),
    _r("DELETE", "/api/v1/harvest/connections/{connection_id}", "harvest", "admin:all",
       "delete_harvest_connection", 204),
    _r("POST", "/api/v1/harvest/backups", "harvest", "admin:all", "start_harvest_backup", 202),
    _r("GET", "/api/v1/harvest/backups", "harvest", "admin:all", "list_harvest_backups"),
    _r("GET", "/api/v1/harvest/backups/{run_id}", "harvest", "admin:all", "get_harvest_backup"),
    _r("POST", "/api/v1/harvest/backups/{run_id}/download", "harvest", "admin:all", "download_harvest_backup", 202,
       statuses=(200,)),
    # webhooks (TimeTracker's paths and scopes)
    _r("GET", "/api/v1/webhooks/events", "webhooks", "read:webhooks", "list_webhook_events"),
    _r("GET", "/api/v1/webhooks", "webhooks", "read:webhooks", "list_webhooks"),
    _r("POST", "/api/v1/webhooks", "webhooks", "write:webhooks", "create_webhook"),
    _r("GET", "/api/v1/webhooks/{webhook_id}", "webhooks", "read:webhooks", "get_webhook"),
    _r("PUT", "/api/v1/webhooks/{webhook_id}", "webhooks", "write:webhooks", "update_webhook"),
    _r("PATCH", "/api/v1/webhooks/{webhook_id}", "webhooks", "write:webhooks", "patch_webhook"),
    _r("DELETE", "/api/v1/webhooks/{webhook_id}", "webhooks", "write:webhooks", "delete_webhook", 204),
    _r("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret", "webhooks", "write:webhooks", "rotate_webhook_secret"),
    _r("POST", "/api/v1/webhooks/{webhook_id}/test", "webhooks", "write:webhooks", "test_webhook", 202),
    _r("GET", "/api/v1/webhooks/{webhook_id}/deliveries", "webhooks", "read:webhooks", "list_webhook_deliveries"),
    _r("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", "webhooks", "write:webhooks",
       "retry_webhook_delivery", 202, statuses=(409,)),
    # inventory (TimeTracker's module: off until an admin enables it; read:/write:projects grant its scopes)
    _r("GET", "/api/v1/settings/modules", "inventory", "admin:all", "get_modules"),
    _r("PUT", "/api/v1/settings/modules", "inventory", "admin:all", "set_modules"),
    *(_r(m, "/api/v1/inventory/" + p, "inventory", s, op, **kw) for m, p, s, op, kw in (
        ("GET", "items", "read:inventory", "list_stock_items", {}),
        ("POST", "items", "write:inventory", "create_stock_item", {"statuses": (409,)}),
        ("GET", "items/{item_id}", "read:inventory", "get_stock_item", {}),
        ("PUT", "items/{item_id}", "write:inventory", "update_stock_item", {"statuses": (409,)}),
        ("PATCH", "items/{item_id}", "write:inventory", "patch_stock_item", {"statuses": (409,)}),
        ("DELETE", "items/{item_id}", "write:inventory", "delete_stock_item", {}),
        ("GET", "items/{item_id}/availability", "read:inventory", "get_stock_item_availability", {}),
        ("GET", "warehouses", "read:inventory", "list_warehouses", {}),
        ("POST", "warehouses", "write:inventory", "create_warehouse", {"statuses": (409,)}),
        ("GET", "warehouses/{warehouse_id}", "read:inventory", "get_warehouse", {}),
        ("PUT", "warehouses/{warehouse_id}", "write:inventory", "update_warehouse", {"statuses": (409,)}),
        ("PATCH", "warehouses/{warehouse_id}", "write:inventory", "patch_warehouse", {"statuses": (409,)}),
        ("DELETE", "warehouses/{warehouse_id}", "write:inventory", "delete_warehouse", {}),
        ("GET", "stock-levels", "read:inventory", "list_stock_levels", {}),
        ("POST", "movements", "write:inventory", "create_stock_movement", {"status": 201, "statuses": (409,)}),
        ("GET", "transfers", "read:inventory", "list_transfers", {}),
        ("POST", "transfers", "write:inventory", "create_transfer", {"statuses": (409,)}),
        ("GET", "transfers/{reference_id}", "read:inventory", "get_transfer", {}),
        ("GET", "reports/valuation", "read:inventory", "get_valuation_report", {}),
        ("GET", "reports/movement-history", "read:inventory", "get_movement_history_report", {}),
        ("GET", "reports/turnover", "read:inventory", "get_turnover_report", {}),
        ("GET", "reports/low-stock", "read:inventory", "get_low_stock_report", {}),
    )),
)


@dataclass(frozen=True)
class EventSource:
    """An SQS queue feeding a worker function (a Lambda event source mapping)."""

    queue: str  # logical queue name (infra: the queue construct; local: infra/local/aws.py QUEUES)
    function: str
    batch_size: int = 10


EVENT_SOURCES: tuple[EventSource, ...] = (
    EventSource("imports", "import_worker", batch_size=5),
    # What the import queue gave up on (after its retries): settle it instead of leaving the import hanging.
    EventSource("imports_dlq", "import_dead_letters", batch_size=10),
    # One export (or restore step) per invocation: each streams a whole file.
    EventSource("exports", "export_worker", batch_size=1),
    EventSource("exports_dlq", "export_dead_letters", batch_size=10),
    # One POST per message; ten at a time, side by side.
    EventSource("webhooks", "webhook_worker", batch_size=10),
    EventSource("webhooks_dlq", "webhook_dead_letters", batch_size=10),
)


@dataclass(frozen=True)
class StreamSource:
    """A table's DynamoDB stream feeding a function (a Lambda event source mapping; locally
    infra/local/streams.py polls the emulator's streams the same way)."""

    table: str  # logical table name (shared/models)
    function: str
    batch_size: int = 100
    batching_window_seconds: int = 1  # gather a bulk write's records into few invocations


# Webhook events come from the data's own change streams, never from inside a request.
STREAM_SOURCES: tuple[StreamSource, ...] = tuple(
    StreamSource(table, "webhook_dispatcher")
    for table in ("time_entries", "projects", "tasks", "clients", "imports", "exports", "webhooks", "stock_movements",
                  "stock_levels"))


@dataclass(frozen=True)
class Schedule:
    """A function run on a timer (an EventBridge rule in the cloud, a thread in the local stack)."""

    function: str
    minutes: int  # the rule's rate

    @property
    def expression(self) -> str:
        return f"rate({self.minutes} minutes)" if self.minutes != 60 else "rate(1 hour)"


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("harvest_scheduler", 60),  # starts the Harvest backups whose schedule is due
)


def workers() -> list[str]:
    return list(dict.fromkeys(s.function for s in EVENT_SOURCES))


def functions() -> list[str]:
    """Every API function, in route-table order."""
    return list(dict.fromkeys(r.function for r in ROUTES))


def routes_of(function: str) -> list[Route]:
    return [r for r in ROUTES if r.function == function]


def find(method: str, resource: str) -> Route | None:
    """The route for an API Gateway (method, resource template) pair."""
    return _by_key().get((method.upper(), resource))


def methods_for(resource: str) -> list[str]:
    return [r.method for r in ROUTES if r.path == resource]


def resources() -> list[str]:
    return list(dict.fromkeys(r.path for r in ROUTES))


def match_path(path: str) -> tuple[str, dict[str, str]] | None:
    """Which resource template a concrete path belongs to, with its path parameters.

    Literal segments win over parameters (/users/me before /users/{id}), as in API Gateway.
    """
    for resource, pattern in _patterns():
        m = pattern.fullmatch(path)
        if m:
            return resource, m.groupdict()
    return None


@lru_cache(maxsize=1)
def _by_key() -> dict[tuple[str, str], Route]:
    return {(r.method, r.path): r for r in ROUTES}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    def regex(resource: str) -> re.Pattern[str]:
        return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(resource)))

    # Fewer parameters first, so literal segments take precedence.
    ordered = sorted(resources(), key=lambda p: p.count("{"))
    return [(p, regex(p)) for p in ordered]


# Bodies API Gateway passes base64-encoded (the REST API's binaryMediaTypes);
# everything else arrives as UTF-8 text.
BINARY_MEDIA_TYPES = ("multipart/form-data", "application/octet-stream", "application/zip", "application/gzip")
MAX_REQUEST_BYTES = 6 * 1024 * 1024  # what API Gateway can hand a Lambda function (6 MB invoke payload)


PROXY = "{proxy+}"


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


@lru_cache(maxsize=1)
def gateway_resources() -> dict[str, str]:
    """The API Gateway resources (each answering ANY) and the function behind each, as the CDK app
    creates them and the local gateway matches them: a function's routes fold under the shortest
    path prefix no other function's route shares, as ``<prefix>`` (a route at the prefix itself)
    and ``<prefix>/{proxy+}`` (the routes below it). The API then holds a few dozen resources, not
    three per route (a stack holds at most 500); the function routes within its prefix itself."""
    folded: dict[str, str] = {}
    for route in ROUTES:
        segments = route.path.strip("/").split("/")
        for depth in range(1, len(segments) + 1):
            prefix = "/" + "/".join(segments[:depth])
            if {r.function for r in ROUTES if _under(r.path, prefix)} == {route.function}:
                break
        folded[prefix if route.path == prefix else f"{prefix}/{PROXY}"] = route.function
    return folded


def gateway_match(path: str) -> tuple[str, str, dict[str, str]] | None:
    """(resource, function, path parameters) as API Gateway matches ``path`` against
    gateway_resources(): literal resources before parameters, and a proxy's path in ``proxy``."""
    for resource, pattern in _gateway_patterns():
        m = pattern.fullmatch(path)
        if m:
            return resource, gateway_resources()[resource], m.groupdict()
    return None


@lru_cache(maxsize=1)
def _gateway_patterns() -> list[tuple[str, re.Pattern[str]]]:
    def regex(resource: str) -> re.Pattern[str]:
        escaped = re.escape(resource).replace(re.escape("/" + PROXY), "/(?P<proxy>.+)")
        return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", escaped))

    # Exact resources first, then proxies, longest (most specific) first.
    ordered = sorted(gateway_resources(), key=lambda p: (PROXY in p, p.count("{"), -len(p)))
    return [(p, regex(p)) for p in ordered]


def function_for(resource: str) -> str | None:
    """The function behind a resource; it also answers methods the resource lacks (405)."""
    return next((r.function for r in ROUTES if r.path == resource), None)
