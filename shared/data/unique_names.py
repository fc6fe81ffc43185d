"""Name guards: claim and release normalised names inside a transaction."""
from __future__ import annotations

from shared.domain import normalize_name
from shared.models.registry import UniqueNameModel


def name_key(kind: str, name: str, scope: str = "") -> str:
    """``project:website redesign``; ``task:7:design`` (tasks are unique per project)."""
    return f"{kind}:{scope + ':' if scope else ''}{normalize_name(name)}"


def claim(t, key: str, ref_id: int) -> None:
    t.save(UniqueNameModel(key, ref_id=ref_id), condition=UniqueNameModel.key.does_not_exist())


def release(t, key: str) -> None:
    t.delete(UniqueNameModel(key))


def lookup(key: str) -> int | None:
    try:
        return int(UniqueNameModel.get(key, consistent_read=True).ref_id)
    except UniqueNameModel.DoesNotExist:
        return None


def lookup_many(keys) -> dict[str, int]:
    """key -> id for the keys that are claimed: BatchGetItem, 100 keys a call."""
    keys = list(dict.fromkeys(keys))
    return {item.key: int(item.ref_id) for item in UniqueNameModel.batch_get(keys, consistent_read=True)} if keys \
        else {}


def release_if_pointing_to(key: str, ref_id: int) -> bool:
    """Delete a guard only if it still names ``ref_id`` (repairing a stale guard)."""
    from pynamodb.exceptions import DeleteError

    try:
        UniqueNameModel(key).delete(condition=UniqueNameModel.ref_id == ref_id)
    except DeleteError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True
