"""What import, export and restore records share (their models: shared/models/imports.py
and exports.py): written once ``pending`` under a reserved id, read consistently, listed
newest first (a user's, by-user; everyone's, by-org), and moved on only along the
transitions of their status table (shared/jobs/status.py)."""
from __future__ import annotations

from shared.clock import iso_z, utcnow
from shared.data.common import update_if
from shared.jobs.status import JobStatus, allowed_from
from shared.models.base import ORG


def put_pending(model, record_id: int, values: dict, *, listed: bool = True):
    """The record, ``pending``; ``listed`` ones carry the keys of the history indexes."""
    now = utcnow()
    history = {"org": ORG, "created_key": f"{iso_z(now)}#{record_id:012d}"} if listed else {}
    item = model(record_id, created_at=now, status=model.status.enum.PENDING, **history, **values)
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


def move(model, record_id: int, actions: list, *, to: JobStatus | None = None,
         when: tuple[JobStatus, ...] | None = None, also=None) -> bool:
    """Apply ``actions`` in one conditional UpdateItem, setting the status ``to`` (when
    given) only from a status the transition table allows (narrowed to ``when``); without
    ``to``, the status stays and ``when`` says in which it may. ``also``: a further
    condition. False, and nothing written, when the record is elsewhere; IllegalTransition
    (before anything is written) when the table has no such move."""
    if to is not None:
        when = allowed_from(model.status.enum(to), when)
        actions = [model.status.set(to), *actions]
    elif not when:
        raise ValueError("say in which statuses the record may be updated")
    condition = model.status.is_in(*when)
    if also is not None:
        condition &= also
    return update_if(model(record_id), actions, condition)
