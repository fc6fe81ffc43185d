"""API tokens: issue (plaintext shown once), list, revoke."""
from __future__ import annotations

from datetime import datetime, timedelta

from shared.auth.tokens import ADMIN_SCOPE, generate_token, hash_token, token_prefix, unknown_scopes
from shared.data import api_tokens as tokens_data
from shared.data import counters
from shared.data import users as users_data
from shared.domain import ApiToken, Page
from shared.errors import NotFound, ValidationFailed
from shared.logic import auth
from shared.logic.paging import Paging


def create_api_token(values: dict, now: datetime, plaintext: str | None = None) -> tuple[str, ApiToken]:
    """Issue a token for ``values['user_id']``; returns (plaintext, token). ``plaintext``
    lets the local stack's bootstrap install a token the operator chose."""
    user = users_data.get_user(values["user_id"])
    if user is None:
        raise ValidationFailed.field("user_id", f"User {values['user_id']} not found")
    scopes = list(dict.fromkeys(values["scopes"]))
    errors = []
    if not scopes:
        errors.append("At least one scope is required")
    errors += [f"Unknown scope '{s}'" for s in unknown_scopes(scopes)]
    if ADMIN_SCOPE in scopes and not user.is_admin:
        errors.append("admin:all can only be granted to admin users")
    if errors:
        raise ValidationFailed({"scopes": errors})
    plaintext = plaintext or generate_token()
    days = values.get("expires_in_days")
    token = ApiToken(
        id=counters.next_id("api_token"),
        name=values["name"],
        description=values.get("description"),
        user_id=user.id,
        user_role=user.role,
        token_prefix=token_prefix(plaintext),
        token_hash=hash_token(plaintext),
        scopes=tuple(scopes),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    tokens_data.put_token(token)
    return plaintext, token


def list_api_tokens(user_id: int | None, paging: Paging) -> Page:
    return tokens_data.list_tokens(user_id=user_id, page=paging.page, per_page=paging.per_page)


def revoke_api_token(token_id: int, now: datetime) -> ApiToken:
    """Idempotent: revoking a revoked token succeeds and keeps the first revocation time.
    Other warm containers notice within TOKEN_CACHE_SECONDS (30 s by default)."""
    token = tokens_data.get_token(token_id)
    if token is None:
        raise NotFound(f"API token {token_id} not found")
    tokens_data.revoke_token(token.token_hash, now)
    auth.forget(token.token_hash)
    return tokens_data.get_token(token_id) or token
