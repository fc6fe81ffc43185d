"""Time, in one place so tests can pin it."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    # Second precision: the API speaks "2024-01-15T14:30:00Z".
    return datetime.now(timezone.utc).replace(microsecond=0)
