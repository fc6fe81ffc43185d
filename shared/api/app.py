"""ApiFunction: one Lambda's HTTP front door.

Before Powertools' resolver sees a request, the route table decides what it
needs: the token is authenticated (≤ 1 DynamoDB round trip, 0 when cached), the
request counted against the token's limits (1 round trip) and the scope checked;
then the resolver validates input and runs the route. Rate-limit headers are
added to whatever comes back, errors included.
"""
from __future__ import annotations

import base64
from typing import Callable, get_args

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths

from shared import routes
from shared.api import errors
from shared.clock import utcnow
from shared.data.retries import is_transient
from shared.domain import Principal
from shared.errors import DomainError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from shared.logic import auth, rate_limit
from shared.observability import logger, metrics
from shared.settings import get_settings

_BODY_METHODS = ("POST", "PUT", "PATCH")
MAX_JSON_DEPTH = 64  # no request body of this API nests deeper; deeper is an attack or a bug




class ApiFunction:
    def __init__(self, function: str):
        self.function = function
        # A response that fails its own schema is our bug: a 500, never a 400 blamed on the caller
        # (Powertools' default reports it as a request validation error).
        self.app = APIGatewayRestResolver(enable_validation=True, response_validation_error_http_code=500)
        errors.register(self.app)
        self._routes = {r.operation: r for r in routes.routes_of(function)}
        self.lambda_handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
            metrics.log_metrics(self.handle)
        )

    # -- registration -------------------------------------------------------
    def route(self, fn: Callable) -> Callable:
        """Register ``fn`` for the route-table entry whose operation is ``fn.__name__``."""
        route = self._routes.get(fn.__name__)
        if route is None:
            raise LookupError(f"{fn.__name__} is not an operation of '{self.function}' in shared/routes.py")
        return self.app.route(
            rule=route.resolver_rule,
            method=route.method,
            operation_id=route.operation,
            tags=[self.function],
            summary=route.operation.replace("_", " ").capitalize(),
            description=" ".join(filter(None, [
                " ".join((fn.__doc__ or "").split()),
                f"Requires the `{route.scope}` scope." if route.scope else "No authentication.",
            ])),
            security=[{"bearerAuth": []}, {"apiKey": []}] if route.scope else None,
            responses=_documented_responses(route, fn),
        )(fn)

    def registered_operations(self) -> set[str]:
        return {r.operation for r in self._routes.values() if self._is_registered(r)}

    def _is_registered(self, route: routes.Route) -> bool:
        # Powertools keys a rule without its trailing slash, so the root "/" is plain "GET".
        return f"{route.method}{route.resolver_rule.rstrip('/')}" in self.app._route_keys

    def principal(self) -> Principal:
        return self.app.context["principal"]

    # -- invocation ---------------------------------------------------------
    def handle(self, event: dict, context) -> dict:
        method = (event.get("httpMethod") or "").upper()
        # API Gateway names the folded resource (.../{proxy+}); the route is the path's own template.
        resource = (routes.match_path(event.get("path", "")) or (event.get("resource") or "",))[0]
        route = routes.find(method, resource)
        if route is None:
            return self._no_route(resource)
        rate_headers: dict[str, str] = {}
        principal = None
        try:
            if route.scope:
                now = utcnow()
                principal = auth.authenticate(_headers(event), now)
                rate_headers = rate_limit.consume(principal.token_id, int(now.timestamp())).headers()
                auth.authorize(principal, route.scope)
            if method in _BODY_METHODS and not route.uploads:  # uploads are read by their route
                _check_json_body(event)
        except DomainError as exc:
            status, payload, headers = errors.from_domain(exc)
            return errors.proxy_response(status, payload, {**rate_headers, **headers})
        except Exception as exc:
            if is_transient(exc):  # e.g. DynamoDB unreachable or throttled while reading the token: retry
                logger.exception("request failed before reaching its route")
                return errors.proxy_response(*errors.unavailable())
            # a bug of ours: a 500, logged as one, never dressed up as an outage
            logger.exception("unhandled error before reaching the route")
            return errors.proxy_response(500, errors.body(500, "Internal server error", "internal_error"))
        self.app.append_context(principal=principal)  # cleared by resolve() when it returns
        response = self.app.resolve(event, context)
        if response.get("statusCode") == 204:
            response["body"] = ""  # a 204 has no body (Powertools serialises None as "null")
        _add_headers(response, rate_headers)
        return response

    @staticmethod
    def _no_route(resource: str) -> dict:
        allowed = routes.methods_for(resource)
        if allowed:
            return errors.proxy_response(
                405, errors.body(405, f"Allowed methods: {', '.join(allowed)}", "method_not_allowed"),
                {"Allow": ", ".join(allowed)},
            )
        return errors.proxy_response(404, errors.body(404, "No such resource", "not_found"))


_ERRORS = {
    400: "Invalid input (validation_error, with field-level errors)",
    401: "Missing, invalid, expired or revoked token",
    403: "The token lacks the required scope",
    404: "Not found",
    409: "Conflict (duplicate name, concurrent update)",
    410: "Gone: the export has expired",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Idempotency-Key reused with a different body (idempotency_key_reused)",
    429: "Rate limit exceeded (see Retry-After)",
    503: "An AWS service is unavailable; retry after Retry-After",
}
_OTHER_SUCCESS = {200: "Done within the request: the result is ready", 201: "Created",
                  202: "Accepted: continues in the background", 204: "Nothing to show yet",
                  302: "Found: the Location header holds a short-lived download URL"}


def _documented_responses(route: routes.Route, fn: Callable) -> dict:
    from shared.api.schemas.common import ErrorBody

    annotation = fn.__annotations__.get("return")
    model = (get_args(annotation) or (annotation,))[0] if annotation is not None else None
    success: dict = {"description": "Success"}
    if isinstance(model, type) and model is not dict:
        success["content"] = {"application/json": {"model": model}}
    # (The 500 is written by the docs function: Powertools replaces any given here with its own.)
    common = [400, 404] if route.scope is None else [c for c in _ERRORS if c not in (410, 422)]
    if route.method not in _BODY_METHODS:
        common = [c for c in common if c not in (409, 413, 415)]
    error = {"application/json": {"model": ErrorBody}}
    responses: dict = {route.status: success}
    responses.update({c: {"description": _OTHER_SUCCESS[c],  # 200 and 201 carry the same body as the success
                          **({"content": success["content"]} if c in (200, 201) and "content" in success else {})}
                      for c in route.statuses if c in _OTHER_SUCCESS})
    responses.update({c: {"description": _ERRORS[c], "content": error}
                      for c in [*common, *route.statuses] if c in _ERRORS})
    return responses


def _headers(event: dict) -> dict[str, str]:
    return {k.lower(): v for k, v in (event.get("headers") or {}).items() if v is not None}


def _check_json_body(event: dict) -> None:
    raw = event.get("body")
    if not raw:
        return
    size = len(base64.b64decode(raw)) if event.get("isBase64Encoded") else len(raw.encode())
    limit = get_settings().max_json_body_bytes
    if size > limit:
        raise PayloadTooLarge(f"Request bodies are limited to {limit} bytes; this one has {size}")
    content_type = _headers(event).get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"Send JSON with 'Content-Type: application/json' (got '{content_type or 'none'}')"
        )
    text = raw
    if event.get("isBase64Encoded"):  # bytes that were not UTF-8 (the gateway sends those as API Gateway does)
        try:
            text = base64.b64decode(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed.field("body", f"The body is not valid UTF-8 (byte {exc.start})") from None
    check_json_shape(text)


def check_json_shape(text: str) -> None:
    """A JSON body is an object (an array is never taken for its first element) nested at most
    MAX_JSON_DEPTH deep, checked without parsing it (the resolver parses it once, and answers
    malformed JSON with its own 400)."""
    if _depth_exceeds(text, MAX_JSON_DEPTH):
        raise ValidationFailed.field("body", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if text.lstrip()[:1] not in ("{", ""):
        raise ValidationFailed.field("body", "The body must be a JSON object")


def _depth_exceeds(text: str, limit: int) -> bool:
    """Bracket depth outside strings, without parsing (a parser would recurse into it)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # the usual case: too few brackets to nest that deep
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _add_headers(response: dict, headers: dict[str, str]) -> None:
    if not headers:
        return
    if "multiValueHeaders" in response:
        response["multiValueHeaders"].update({k: [v] for k, v in headers.items()})
    else:
        response.setdefault("headers", {}).update(headers)
