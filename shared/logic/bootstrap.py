"""The first admin and its token: what a fresh deployment needs before anyone can call the API."""
from __future__ import annotations

from shared.auth.tokens import ADMIN_SCOPE, hash_token, is_well_formed
from shared.clock import utcnow
from shared.data import api_tokens as tokens_data
from shared.data import users as users_data
from shared.domain import User
from shared.logic import api_tokens, users


def ensure_admin(username: str, email: str, token: str | None) -> tuple[User, str | None]:
    """Create the admin if missing; install ``token`` for it unless that token exists.

    Returns the admin and the plaintext of a token that now works (None when no
    token was asked for and none was issued).
    """
    if token is not None and not is_well_formed(token):
        raise ValueError("TT_ADMIN_TOKEN must look like tt_ followed by 32 URL-safe characters")
    admin = users_data.find_user_by_username(username) or users.create_user(
        {"username": username, "email": email, "full_name": "Administrator", "role": "admin", "timezone": "UTC"}
    )
    if token is not None:
        existing = tokens_data.touch_token(hash_token(token), utcnow())
        if existing is not None:
            if not existing.is_active(utcnow()):
                raise ValueError("TT_ADMIN_TOKEN was revoked or has expired; choose another token")
            return admin, token
    plaintext, _ = api_tokens.create_api_token(
        {"name": "bootstrap admin", "description": "Issued at bootstrap", "user_id": admin.id,
         "scopes": [ADMIN_SCOPE]},
        utcnow(),
        plaintext=token,
    )
    return admin, plaintext
