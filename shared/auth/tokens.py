"""API token format, hashing and scope rules. Pure functions, no I/O."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string

TOKEN_PREFIX = "tt_"
TOKEN_BODY_LENGTH = 32
PREFIX_LENGTH = 8  # characters kept in clear so people can tell their tokens apart
_ALPHABET = string.ascii_letters + string.digits + "-_"  # URL-safe
_TOKEN_RE = re.compile(r"tt_[A-Za-z0-9_-]{32}")

SCOPES = (
    "read:projects",
    "write:projects",
    "read:time_entries",
    "write:time_entries",
    "read:tasks",
    "write:tasks",
    "read:clients",
    "write:clients",
    "read:reports",
    "read:users",
    "read:webhooks",
    "write:webhooks",
    "read:inventory",
    "write:inventory",
    "admin:all",
)
# The contract's inventory endpoints "use read:projects and write:projects": those grant the
# inventory scopes too, so tokens made for them keep working.
IMPLIED_BY = {"read:inventory": "read:projects", "write:inventory": "write:projects"}
WILDCARDS = ("read:*", "write:*")
ADMIN_SCOPE = "admin:all"


def generate_token() -> str:
    return TOKEN_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_BODY_LENGTH))


def is_well_formed(token: str) -> bool:
    return bool(_TOKEN_RE.fullmatch(token))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[:PREFIX_LENGTH]


def hashes_match(stored: str, presented: str) -> bool:
    return hmac.compare_digest(stored.encode(), presented.encode())


def unknown_scopes(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in SCOPES and s not in WILDCARDS]


def grants(scopes: list[str] | tuple[str, ...], required: str) -> bool:
    """Whether a token's scopes allow ``required``; admin:all allows everything."""
    if ADMIN_SCOPE in scopes or required in scopes or IMPLIED_BY.get(required) in scopes:
        return True
    action = required.split(":", 1)[0]
    return action in ("read", "write") and f"{action}:*" in scopes


def extract_token(headers: dict[str, str]) -> str | None:
    """The token from ``Authorization: Bearer`` or ``X-API-Key`` (header names case-insensitive)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    auth = lowered.get("authorization", "").strip()
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    api_key = lowered.get("x-api-key", "").strip()
    return api_key or None
