"""What the API says about itself."""
from shared.clock import utcnow
from shared.settings import get_settings


def get_info() -> dict:
    return {
        "api_version": "v1",
        "app_version": get_settings().app_version,
        "documentation_url": "/api/docs",
        "openapi_url": "/api/openapi.json",
        "endpoints": {
            "projects": "/api/v1/projects",
            "time_entries": "/api/v1/time-entries",
            "tasks": "/api/v1/tasks",
            "clients": "/api/v1/clients",
            "users": "/api/v1/users",
            "api_tokens": "/api/v1/api-tokens",
        },
    }


def get_health() -> dict:
    # Liveness of the function itself; it deliberately touches no table, so an
    # unauthenticated caller cannot turn health checks into DynamoDB load.
    return {"status": "healthy", "api_version": "v1", "timestamp": utcnow().isoformat().replace("+00:00", "Z")}
