"""GET /api/openapi.json and /api/docs. The document is assembled from every
function's own resolver (their routes, parameters and schemas), on the first
request only, so no other function pays for it."""
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from shared import routes
from shared.api.app import ApiFunction
from shared.settings import get_settings

api = ApiFunction("docs")
FUNCTIONS_DIR = Path(__file__).resolve().parent.parent  # this folder's siblings: the other functions


SWAGGER_UI = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TimeTracker API v1</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true});</script>
</body></html>"""


def _function_app(function: str):
    spec = importlib.util.spec_from_file_location(f"docs_{function}", FUNCTIONS_DIR / function / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.api.app


@lru_cache(maxsize=1)
def openapi_document() -> str:
    # Imported here: only this route needs the OpenAPI models, and it pays once per container.
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer

    security_schemes = {
        "bearerAuth": HTTPBearer(description="Authorization: Bearer tt_..."),
        "apiKey": APIKey(name="X-API-Key", **{"in": APIKeyIn.header}),
    }
    document: dict = {
        "openapi": "3.1.0",
        "info": {"title": "TimeTracker API", "version": get_settings().app_version,
                 "description": "TimeTracker REST API v1. Authenticate with an API token (tt_...)."},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {}},
    }
    for function in routes.functions():
        app = api.app if function == "docs" else _function_app(function)
        part = json.loads(app.get_openapi_json_schema(title="TimeTracker API", openapi_version="3.1.0",
                                                      security_schemes=security_schemes))
        for path, operations in part.get("paths", {}).items():
            for operation in operations.values():
                # Powertools documents its default 422; this API answers 400 (documented per route).
                operation.get("responses", {}).pop("422", None)
            document["paths"].setdefault(path, {}).update(operations)
        for kind in ("schemas", "securitySchemes"):
            document["components"][kind].update(part.get("components", {}).get(kind, {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        document["components"]["schemas"].pop(unused, None)
    return json.dumps(document)


@api.route
def get_openapi_document():
    return Response(status_code=200, content_type="application/json", body=openapi_document())


@api.route
def get_swagger_ui():
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=SWAGGER_UI)


lambda_handler = api.lambda_handler
