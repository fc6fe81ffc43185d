"""Users: creation (admin), listing (admin), the current user."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.data import users as users_data
from shared.domain import Page, Principal, User
from shared.errors import NotFound, ValidationFailed
from shared.logic.paging import Paging


def validate_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed.field("timezone", f"Unknown time zone '{name}'") from None


def create_user(values: dict) -> User:
    validate_timezone(values.get("timezone", "UTC"))
    return users_data.put_user(values)


def list_users(paging: Paging) -> Page:
    return users_data.list_users(page=paging.page, per_page=paging.per_page)


def get_current_user(principal: Principal) -> User:
    user = users_data.get_user(principal.user_id)
    if user is None:
        raise NotFound("The token's user no longer exists")
    return user
