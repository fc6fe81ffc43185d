"""Domain exceptions. They know nothing of HTTP; shared/api/errors.py maps them."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error a caller can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Unauthorized(DomainError):
    def __init__(self, message: str = "The provided API token is invalid or expired", error: str = "Invalid token"):
        super().__init__(message)
        self.error = error


class Forbidden(DomainError):
    def __init__(self, message: str, required_scope: str | None = None, available_scopes: list[str] | None = None):
        super().__init__(message)
        self.required_scope = required_scope
        self.available_scopes = available_scopes


class NotFound(DomainError):
    def __init__(self, message: str, error_code: str = "not_found"):
        super().__init__(message)
        self.error_code = error_code


class Conflict(DomainError):
    def __init__(self, message: str, error_code: str = "conflict"):
        super().__init__(message)
        self.error_code = error_code


class Gone(DomainError):
    """It existed, and is no longer available (an expired export)."""

    def __init__(self, message: str, error_code: str = "gone"):
        super().__init__(message)
        self.error_code = error_code


class ValidationFailed(DomainError):
    """Field-level problems: ``errors`` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]], message: str = "Validation failed"):
        super().__init__(message)
        self.errors = errors

    @classmethod
    def field(cls, name: str, message: str) -> "ValidationFailed":
        return cls({name: [message]})


class InvalidState(DomainError):
    """A well-formed request the current state cannot honour (400 with a specific code)."""

    def __init__(self, message: str, error_code: str):
        super().__init__(message)
        self.error_code = error_code


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came back with a different body."""


class PayloadTooLarge(DomainError):
    pass


class UnsupportedMediaType(DomainError):
    pass


class Unavailable(DomainError):
    """Something the request depends on outside this system (Toggl, Harvest) could not be reached."""

    def __init__(self, message: str, error_code: str, retry_after: int = 60):
        super().__init__(message)
        self.error_code, self.retry_after = error_code, retry_after


class RateLimited(DomainError):
    def __init__(self, message: str, retry_after: int, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = headers or {"Retry-After": str(retry_after)}
