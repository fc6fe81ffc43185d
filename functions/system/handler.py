"""GET /api/v1/info and /api/v1/health: no authentication."""
from shared.api.app import ApiFunction
from shared.logic import system

api = ApiFunction("system")


@api.route
def get_info() -> dict:
    return system.get_info()


@api.route
def get_health() -> dict:
    return system.get_health()


lambda_handler = api.lambda_handler
