"""Users' access patterns: get by id, list by org (Query), find by username via its name guard."""
from __future__ import annotations

from dataclasses import fields as dc_fields

from shared.clock import utcnow
from shared.data import counters, unique_names
from shared.data.common import fetch_page, transaction
from shared.domain import Page, User
from shared.errors import Conflict
from shared.models.base import ORG
from shared.models.users import UserModel

_FIELDS = [f.name for f in dc_fields(User)]


def _to_domain(item: UserModel) -> User:
    return User(**{n: getattr(item, n) for n in _FIELDS})


def put_user(values: dict) -> User:
    item = UserModel(ORG, counters.next_id("user"), created_at=utcnow(), **values)
    taken = [
        None,
        Conflict(f"Username '{item.username}' is already taken", "duplicate_username"),
        Conflict(f"Email '{item.email}' is already registered", "duplicate_email"),
    ]
    with transaction(taken) as t:
        t.save(item, condition=UserModel.id.does_not_exist())
        unique_names.claim(t, unique_names.name_key("username", item.username), item.id)
        unique_names.claim(t, unique_names.name_key("email", item.email), item.id)
    return _to_domain(item)


def get_user(user_id: int) -> User | None:
    try:
        return _to_domain(UserModel.get(ORG, user_id))
    except UserModel.DoesNotExist:
        return None


def make_admin(user_id: int) -> None:
    UserModel(ORG, user_id).update(actions=[UserModel.role.set("admin")])


def find_user_by_username(username: str) -> User | None:
    user_id = unique_names.lookup(unique_names.name_key("username", username))
    return get_user(user_id) if user_id is not None else None


def find_user_by_email(email: str) -> User | None:
    user_id = unique_names.lookup(unique_names.name_key("email", email))
    return get_user(user_id) if user_id is not None else None


def list_users(*, page: int, per_page: int) -> Page:
    return fetch_page(UserModel, ORG, page=page, per_page=per_page, to_domain=_to_domain)
