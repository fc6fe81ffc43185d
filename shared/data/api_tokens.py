"""API tokens' access patterns (keys and indexes in shared/models/api_tokens.py)."""
from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from shared.data.common import fetch_page, is_conditional_failure, update_if
from shared.domain import ApiToken, Page
from shared.models.api_tokens import ApiTokenModel
from shared.models.base import ORG

PURGE_AFTER_EXPIRY = timedelta(days=30)  # expired tokens stay listable for a month
_FIELDS = [f.name for f in dc_fields(ApiToken)]


def _to_domain(item: ApiTokenModel) -> ApiToken:
    values = {n: getattr(item, n) for n in _FIELDS}
    values["scopes"] = tuple(values["scopes"] or ())
    return ApiToken(**values)


def put_token(token: ApiToken) -> None:
    values = {n: getattr(token, n) for n in _FIELDS if n != "token_hash"}
    values["scopes"] = list(token.scopes)
    purge_at = token.expires_at + PURGE_AFTER_EXPIRY if token.expires_at else None
    item = ApiTokenModel(token.token_hash, org=ORG, purge_at=purge_at, **values)
    item.save(condition=ApiTokenModel.token_hash.does_not_exist())


def touch_token(token_hash: str, now: datetime) -> ApiToken | None:
    """Record use and read the token in one round trip (UpdateItem, ALL_NEW).

    The condition keeps unknown hashes from creating items, and leaves a refused token
    (revoked, expired) untouched: its last_used_at says when it last worked.
    """
    item = ApiTokenModel(token_hash)
    usable = (ApiTokenModel.token_hash.exists() & ApiTokenModel.revoked_at.does_not_exist()
              & (ApiTokenModel.expires_at.does_not_exist() | (ApiTokenModel.expires_at > now)))
    try:
        item.update(actions=[ApiTokenModel.last_used_at.set(now)], condition=usable)
    except UpdateError as exc:
        if is_conditional_failure(exc):
            return None
        raise
    return _to_domain(item)


def find_token(token_hash: str) -> ApiToken | None:
    """By hash, without touching it (a consistent read)."""
    try:
        return _to_domain(ApiTokenModel.get(token_hash, consistent_read=True))
    except ApiTokenModel.DoesNotExist:
        return None


def get_token(token_id: int) -> ApiToken | None:
    found = next(iter(ApiTokenModel.by_id.query(ORG, ApiTokenModel.id == token_id, limit=1)), None)
    return _to_domain(found) if found else None


def list_tokens(*, user_id: int | None, page: int, per_page: int) -> Page:
    if user_id is not None:
        return fetch_page(ApiTokenModel.by_user, user_id, page=page, per_page=per_page, to_domain=_to_domain)
    return fetch_page(ApiTokenModel.by_id, ORG, page=page, per_page=per_page, to_domain=_to_domain)


def iter_tokens(user_id: int):
    return (_to_domain(item) for item in ApiTokenModel.by_user.query(user_id))


def revoke_token(token_hash: str, now: datetime) -> bool:
    """Set revoked_at once; False if it was already revoked (or is gone)."""
    return update_if(ApiTokenModel(token_hash), [ApiTokenModel.revoked_at.set(now)],
                     ApiTokenModel.token_hash.exists() & ApiTokenModel.revoked_at.does_not_exist())
