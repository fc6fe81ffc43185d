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
from shared.errors import NotFound
from shared.settings import get_settings

api = ApiFunction("docs")
FUNCTIONS_DIR = Path(__file__).resolve().parent.parent  # this folder's siblings: the other functions


# Swagger UI from a pinned PyPI package (requirements), served by this function: no CDN, so the
# page works offline and under a strict CSP. Relative URLs keep working under an API Gateway stage.
SWAGGER_UI = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TimeTracker API v1</title>
<link rel="stylesheet" href="docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body></html>"""
# No persistAuthorization: it would keep the pasted token in localStorage.
INIT_JS = 'window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui"});\n'
ASSETS = {"swagger-ui.css": "text/css; charset=utf-8", "swagger-ui-bundle.js": "text/javascript; charset=utf-8"}
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    from swagger_ui_bundle import swagger_ui_path

    return (swagger_ui_path / name).read_text(encoding="utf-8")


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
            for method, operation in operations.items():
                _describe(routes.find(method, path), operation)
            document["paths"].setdefault(path, {}).update(operations)
        for kind in ("schemas", "securitySchemes"):
            document["components"][kind].update(part.get("components", {}).get(kind, {}))
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        document["components"]["schemas"].pop(unused, None)
    return json.dumps(document)


# What the routes that are not JSON in or out send and take: the resolver only knows JSON.
_MEDIA = {"get_swagger_ui": "text/html", "get_import_template": "text/csv"}
_UPLOAD = {
    "multipart/form-data": {"schema": {"type": "object", "description": "Other form fields carry the options",
                                       "properties": {"file": {"type": "string", "format": "binary"}},
                                       "additionalProperties": {"type": "string"}, "required": ["file"]}},
    "text/csv": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "description": (
        "The file as a string (`csv`, `data`) or a reference (`upload_id`, `export_id`), and options")}},
}


def _describe(route, operation: dict) -> None:
    """Say in the document what the resolver cannot see: the real error body of a 500 (Powertools
    documents its response-validation body), non-JSON answers and the bodies uploads take."""
    responses = operation.setdefault("responses", {})
    # Powertools always writes its response-validation body here; a 500 of this API is its error body.
    responses["500"] = {"description": "Internal error (ours, logged)",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    if route is None or 422 not in route.statuses:
        responses.pop("422", None)  # Powertools' default; this API answers bad input with a 400
    if route is None:
        return
    success = responses.get(str(route.status), {})
    if route.operation in _MEDIA:
        success["content"] = {_MEDIA[route.operation]: {"schema": {"type": "string"}}}
    elif route.operation == "get_docs_asset":
        success["content"] = {media.split(";")[0]: {"schema": {"type": "string"}} for media in ASSETS.values()}
    if route.uploads:
        binary = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
        operation["requestBody"] = {"required": True, "content": {**_UPLOAD, **binary}}


@api.route
def get_openapi_document():
    return Response(status_code=200, content_type="application/json", body=openapi_document())


def _page(body: str, content_type: str = "text/html; charset=utf-8", cache: bool = False) -> Response:
    headers = {**PAGE_HEADERS, **({"Cache-Control": "public, max-age=86400"} if cache else {})}
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)


@api.route
def get_swagger_ui():
    return _page(SWAGGER_UI)


@api.route
def get_docs_asset(asset: str):
    """Swagger UI's stylesheet and script, and the page's start-up script."""
    if asset == "init.js":
        return _page(INIT_JS, "text/javascript; charset=utf-8", cache=True)
    if asset not in ASSETS:
        raise NotFound(f"No such documentation asset: {asset}")
    return _page(_asset(asset), ASSETS[asset], cache=True)


lambda_handler = api.lambda_handler
