"""Projects, clients and tasks: shared by the whole organisation.

Each lives in its own table keyed (org, id) so a list is a Query on the base
table; filters are Queries on sparse GSIs ranged by id, so every page comes back
in id order. ``version`` gives optimistic locking on update.
Streams carry old and new images for webhooks (status changes, tasks done).
"""
from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from shared.models.base import BaseMeta, Model, gsi, table_name


def _by(hash_name: str, hash_attr):
    """A GSI (hash_name, id) named by-<hash_name without _id>: filters that keep id order."""
    return gsi("by-" + hash_name.removesuffix("_id"), (hash_name, hash_attr), ("id", NumberAttribute(range_key=True)))


class CatalogModel(Model):
    """What every catalogue item has: its key, name, timestamps and version."""

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class ClientModel(CatalogModel):
    class Meta(BaseMeta):
        table_name = table_name("clients")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    email = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    default_hourly_rate = NumberAttribute(null=True)

    by_status = _by("status", UnicodeAttribute(hash_key=True))


class ProjectModel(CatalogModel):
    class Meta(BaseMeta):
        table_name = table_name("projects")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    client_id = NumberAttribute(null=True)
    hourly_rate = NumberAttribute(null=True)
    estimated_hours = NumberAttribute(null=True)
    billable = BooleanAttribute(default=True)

    by_status = _by("status", UnicodeAttribute(hash_key=True))
    by_client = _by("client_id", NumberAttribute(hash_key=True))


class TaskModel(CatalogModel):
    class Meta(BaseMeta):
        table_name = table_name("tasks")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    project_id = NumberAttribute()
    priority = UnicodeAttribute()
    estimated_hours = NumberAttribute(null=True)
    due_date = UnicodeAttribute(null=True)

    by_status = _by("status", UnicodeAttribute(hash_key=True))
    by_project = _by("project_id", NumberAttribute(hash_key=True))
