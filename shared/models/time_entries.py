"""Time entries: each belongs to one user.

Key: ``id`` (GetItem). Every list is a Query on a GSI ranged by ``start_key``
(the UTC start, ISO 8601, then the zero-padded id, so keys are unique and sort by
time): by-user (a user's entries), by-org (an admin's view across users),
by-project (a project's entries across users) and by-active (sparse: only running
timers carry ``active_user_id``), plus by-import (sparse, ranged by id) for an import's
entries. by-user, by-org, by-project and by-import are write-sharded, keyed ``<user>#<shard>``
and so on (shared/data/sharded.py): shard 00 until a bulk write marks the key wide, then
``<id mod 32>`` for bulk writes, so one import spreads over 32 partition keys. The table
streams old and new images (for webhooks).
"""
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from shared.models.base import BaseMeta, Model, gsi, table_name


def _by(name: str, hash_name: str, hash_attr):
    return gsi(name, (hash_name, hash_attr), ("start_key", UnicodeAttribute(range_key=True)))


class TimeEntryModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("time_entries")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    id = NumberAttribute(hash_key=True)
    org = UnicodeAttribute()
    user_id = NumberAttribute()
    start_key = UnicodeAttribute()
    project_id = NumberAttribute(null=True)
    task_id = NumberAttribute(null=True)
    start_time = UTCDateTimeAttribute()
    end_time = UTCDateTimeAttribute(null=True)
    active_user_id = NumberAttribute(null=True)  # set while running: the by-active index is sparse
    import_id = NumberAttribute(null=True)  # set on imported entries
    # The sharded indexes' keys, derived from the fields above and the id (data/time_entries._derive_keys).
    user_key = UnicodeAttribute()
    org_key = UnicodeAttribute()
    project_key = UnicodeAttribute(null=True)  # sparse, as project_id
    import_key = UnicodeAttribute(null=True)  # sparse, as import_id
    notes = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, null=True)
    billable = BooleanAttribute(default=True)
    paid = BooleanAttribute(default=False)
    source = UnicodeAttribute()
    source_id = UnicodeAttribute(null=True)  # imports from APIs: the entry's id at its source
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_user = _by("by-user", "user_key", UnicodeAttribute(hash_key=True))
    by_org = _by("by-org", "org_key", UnicodeAttribute(hash_key=True))
    by_project = _by("by-project", "project_key", UnicodeAttribute(hash_key=True))
    by_active = _by("by-active", "active_user_id", NumberAttribute(hash_key=True))
    by_import = gsi("by-import", ("import_key", UnicodeAttribute(hash_key=True)),
                    ("id", NumberAttribute(range_key=True)))


def start_key(start_iso: str, entry_id: int) -> str:
    return f"{start_iso}#{entry_id:012d}"
