"""The one place that turns exceptions into the contract's error bodies:
{"error", "message", "error_code"}, plus "errors" for validation, and
"required_scope"/"available_scopes" for scope failures."""
from __future__ import annotations

import json
from http import HTTPStatus

from shared import errors as domain
from shared.observability import logger

JSON = "application/json"

_STATUS = {
    domain.Unauthorized: (401, "unauthorized"),
    domain.Forbidden: (403, "forbidden"),
    domain.NotFound: (404, "not_found"),
    domain.Conflict: (409, "conflict"),
    domain.Gone: (410, "gone"),
    domain.ValidationFailed: (400, "validation_error"),
    domain.InvalidState: (400, "invalid_state"),
    domain.IdempotencyKeyReused: (422, "idempotency_key_reused"),
    domain.PayloadTooLarge: (413, "payload_too_large"),
    domain.UnsupportedMediaType: (415, "unsupported_media_type"),
    domain.RateLimited: (429, "rate_limited"),
    domain.Unavailable: (503, "unavailable"),
}
_TITLES = {
    401: "Invalid token",
    403: "Insufficient permissions",
    400: "Validation failed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def body(status: int, message: str, error_code: str, error: str | None = None, **extra) -> dict:
    return {"error": error or _TITLES.get(status, HTTPStatus(status).phrase), "message": message,
            "error_code": error_code, **extra}


def from_domain(exc: domain.DomainError) -> tuple[int, dict, dict[str, str]]:
    """(status, body, headers) for a domain exception."""
    status, code = next(v for k, v in _STATUS.items() if isinstance(exc, k))
    extra: dict = {}
    headers: dict[str, str] = {}
    if isinstance(exc, domain.Unauthorized):
        return status, body(status, exc.message, code, error=exc.error), {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, (domain.Conflict, domain.InvalidState, domain.Gone, domain.NotFound)):
        code = exc.error_code
    if isinstance(exc, domain.Forbidden) and exc.required_scope:
        extra = {"required_scope": exc.required_scope, "available_scopes": exc.available_scopes or []}
    if isinstance(exc, domain.ValidationFailed):
        extra = {"errors": exc.errors}
    if isinstance(exc, domain.RateLimited):
        headers = exc.headers
    if isinstance(exc, domain.Unavailable):
        code, headers = exc.error_code, {"Retry-After": str(exc.retry_after)}
    return status, body(status, exc.message, code, **extra), headers


_MESSAGES = {
    "missing": "This field is required",
    "extra_forbidden": "Unknown field",
    "json_invalid": "The body is not valid JSON",
}


def from_validation(errors: list[dict]) -> dict[str, list[str]]:
    """Pydantic/Powertools error list → {"field": ["message", ...]} (nested fields dotted)."""
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        if err.get("type") == "json_invalid":
            loc = []
        name = ".".join(loc) or "body"
        if err.get("loc", ("",))[0] == "header":  # Powertools lowercases them; answer as clients write them
            name = "-".join(part.capitalize() for part in name.split("-"))
        if name == "body" and err.get("type") == "missing":
            message = "A JSON object body is required"
        else:
            message = _MESSAGES.get(err.get("type", ""), err.get("msg", "Invalid value"))
        fields.setdefault(name, []).append(message)
    return fields


def proxy_response(status: int, payload: dict, headers: dict[str, str] | None = None) -> dict:
    """An API Gateway proxy response, for answers given before the resolver runs."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON, **(headers or {})},
        "body": json.dumps(payload),
        "isBase64Encoded": False,
    }


RETRY_AFTER_SECONDS = 1


def unavailable() -> tuple[int, dict, dict[str, str]]:
    return (503, body(503, "The service is busy or briefly unavailable; retry after Retry-After seconds",
                      "service_unavailable"), {"Retry-After": str(RETRY_AFTER_SECONDS)})


def register(app) -> None:
    """Install the mapping on a Powertools resolver."""
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError
    from aws_lambda_powertools.event_handler.openapi.exceptions import (
        RequestValidationError,
        ResponseValidationError,
    )

    from shared.data.retries import is_transient

    def respond(status: int, payload: dict, headers: dict | None = None) -> Response:
        return Response(status_code=status, content_type=JSON, body=payload, headers=headers or {})

    @app.exception_handler(domain.DomainError)
    def _domain(exc: domain.DomainError):
        return respond(*from_domain(exc))

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError):
        fields = from_validation(list(exc.errors()))
        return respond(400, body(400, "Validation failed", "validation_error", errors=fields))

    @app.exception_handler(ResponseValidationError)
    def _bad_response(exc: ResponseValidationError):
        logger.error("response failed its schema", extra={"validation_errors": str(exc.errors())[:2000]})
        return respond(500, body(500, "An unexpected error occurred", "internal_error"))

    @app.not_found
    def _not_found(exc: NotFoundError):
        return respond(404, body(404, "No such resource", "not_found"))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception):
        if is_transient(exc):  # throttled or briefly unavailable: the client should retry, not file a bug
            logger.warning("AWS throttled or unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})
            return respond(*unavailable())
        logger.exception("unhandled error")
        return respond(500, body(500, "An unexpected error occurred", "internal_error"))
