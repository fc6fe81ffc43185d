"""Who is calling, and may they? Authentication costs at most one DynamoDB round
trip, and none while the token is in this container's short cache."""
from __future__ import annotations

import threading
import time
from datetime import datetime

from shared.auth.tokens import extract_token, grants, hash_token, hashes_match, is_well_formed
from shared.data import api_tokens as tokens_data
from shared.domain import ApiToken, Principal
from shared.errors import Forbidden, Unauthorized
from shared.settings import get_settings

_cache: dict[str, tuple[float, ApiToken]] = {}
_lock = threading.Lock()


def authenticate(headers: dict[str, str], now: datetime) -> Principal:
    raw = extract_token(headers)
    if raw is None:
        raise Unauthorized(
            "Provide an API token as 'Authorization: Bearer <token>' or 'X-API-Key: <token>'",
            error="Authentication required",
        )
    if not is_well_formed(raw):
        raise Unauthorized()
    token = _lookup(hash_token(raw), now)
    if token is None or not token.is_active(now):
        raise Unauthorized()
    return Principal(token_id=token.id, user_id=token.user_id, role=token.user_role, scopes=token.scopes)


def authorize(principal: Principal, required_scope: str) -> None:
    if not grants(principal.scopes, required_scope):
        raise Forbidden(
            f"This endpoint requires the '{required_scope}' scope",
            required_scope=required_scope,
            available_scopes=list(principal.scopes),
        )


def forget(token_hash: str) -> None:
    """Drop a token from this container's cache (revocation in the same container)."""
    with _lock:
        _cache.pop(token_hash, None)


def _lookup(token_hash: str, now: datetime) -> ApiToken | None:
    ttl = get_settings().token_cache_seconds
    with _lock:
        hit = _cache.get(token_hash)
    if hit and hit[0] > time.monotonic():
        token = hit[1]
    else:
        token = tokens_data.touch_token(token_hash, now)  # also records last_used_at
        if token is None:
            return None
        with _lock:
            _cache[token_hash] = (time.monotonic() + ttl, token)
    # The key lookup already matched; compare again in constant time so no code
    # path ever decides on a variable-time string comparison.
    return token if hashes_match(token.token_hash, token_hash) else None
