"""Who may see whose records: time entries, imports and reports belong to their user;
admins see everyone's. One rule, used by every list and lookup."""
from __future__ import annotations

from shared.domain import Principal
from shared.errors import Forbidden


def whose(principal: Principal, requested_user_id: int | None, what: str) -> int | None:
    """The user a list is about: one's own; for admins, the one asked for, or None (everyone).
    Asking for someone else without being an admin is a 403."""
    if requested_user_id is not None and requested_user_id != principal.user_id and not principal.is_admin:
        raise Forbidden(f"Only admins may see other users' {what}")
    return requested_user_id if principal.is_admin else principal.user_id


def may_see(principal: Principal, owner_id: int) -> bool:
    """Whether one record is visible (callers answer 404 when not, so ids reveal nothing)."""
    return owner_id == principal.user_id or principal.is_admin
