"""Time, in one place so tests can pin it."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    # Second precision: the API speaks "2024-01-15T14:30:00Z".
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: how the API and the sort keys write instants."""
    if moment.tzinfo is not timezone.utc:
        moment = moment.astimezone(timezone.utc)
    return moment.isoformat()[:19] + "Z"  # to the second either way; no timespec is faster
