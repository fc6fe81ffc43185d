"""What import and export records share (their models: shared/models/imports.py and
exports.py): written once ``pending`` under a reserved id, read consistently, listed
newest first (a user's, by-user; everyone's, by-org), and moved on only from the
states a step expects."""
from __future__ import annotations

from shared.clock import iso_z, utcnow
from shared.data.common import update_if
from shared.models.base import ORG


def put_pending(model, record_id: int, values: dict):
    now = utcnow()
    item = model(record_id, org=ORG, created_at=now, created_key=f"{iso_z(now)}#{record_id:012d}",
                 status="pending", **values)
    item.save(condition=model.id.does_not_exist())
    return item


def get(model, record_id: int):
    try:
        return model.get(record_id, consistent_read=True)
    except model.DoesNotExist:
        return None


def history(model, user_id: int | None) -> tuple:
    """(index, hash key) of a user's records, or everyone's when ``user_id`` is None."""
    return (model.by_org, ORG) if user_id is None else (model.by_user, user_id)


def move(model, record_id: int, actions: list, when: tuple[str, ...]) -> bool:
    """Apply ``actions`` only while the record's status is one of ``when``."""
    return update_if(model(record_id), actions, model.status.is_in(*when))
