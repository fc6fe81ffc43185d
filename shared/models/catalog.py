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
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from shared.models.base import BaseMeta, Model, table_name


def _index(name: str, hash_attr, range_attr):
    """A GSI class (hash_attr, id) with all attributes projected."""
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    return type(name.title().replace("-", ""), (GlobalSecondaryIndex,), {
        "Meta": meta, hash_attr[0]: hash_attr[1], range_attr[0]: range_attr[1],
    })


class ClientModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("clients")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    default_hourly_rate = NumberAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_status = _index("by-status", ("status", UnicodeAttribute(hash_key=True)),
                       ("id", NumberAttribute(range_key=True)))()


class ProjectModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("projects")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    client_id = NumberAttribute(null=True)
    hourly_rate = NumberAttribute(null=True)
    estimated_hours = NumberAttribute(null=True)
    billable = BooleanAttribute(default=True)
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_status = _index("by-status", ("status", UnicodeAttribute(hash_key=True)),
                       ("id", NumberAttribute(range_key=True)))()
    by_client = _index("by-client", ("client_id", NumberAttribute(hash_key=True)),
                       ("id", NumberAttribute(range_key=True)))()


class TaskModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("tasks")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    project_id = NumberAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    estimated_hours = NumberAttribute(null=True)
    due_date = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    by_status = _index("by-status", ("status", UnicodeAttribute(hash_key=True)),
                       ("id", NumberAttribute(range_key=True)))()
    by_project = _index("by-project", ("project_id", NumberAttribute(hash_key=True)),
                        ("id", NumberAttribute(range_key=True)))()
