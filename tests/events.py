"""Event builders shared by the suites: API Gateway REST proxy events, as the gateway makes them."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from infra.local.gateway import build_event


def api_event(method: str, path: str, *, token: str | None = None, body=None, query: dict | None = None,
              headers: dict | None = None, content_type: str = "application/json") -> tuple[str | None, dict]:
    """(function, event) for a request, built by the same code the local gateway uses."""
    hdrs = {"Host": "api.test", "User-Agent": "pytest"}
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    raw = b""
    if body is not None:
        raw = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        if content_type:
            hdrs["Content-Type"] = content_type
    hdrs.update(headers or {})
    url = path + (f"?{urlencode(query)}" if query else "")
    return build_event(method, url, list(hdrs.items()), raw)
