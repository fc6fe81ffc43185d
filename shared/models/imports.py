"""Imports: one record per import, owned by its user.

Key: ``id``. History: Query by-user (user_id, created_key) or by-org (admins),
newest first. Counters are updated atomically by the workers; ``chunks_done``
reaching ``chunks_total`` lets exactly one worker set the final status.
"""
from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from shared.jobs.status import ImportStatus
from shared.models.base import BaseMeta, Model, StatusAttribute, history_indexes, table_name


class ImportModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("imports")
        stream_view_type = "NEW_AND_OLD_IMAGES"  # import/export .completed and .failed webhooks

    id = NumberAttribute(hash_key=True)
    org = UnicodeAttribute()
    user_id = NumberAttribute()
    created_key = UnicodeAttribute()  # created_at ISO + "#" + id: history in time order
    type = UnicodeAttribute()
    status = StatusAttribute(ImportStatus)
    filename = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)
    message = UnicodeAttribute(null=True)
    first_entry_id = NumberAttribute(null=True)  # entry id = first_entry_id + row index: (import, row) -> id
    total = NumberAttribute(default=0)
    processed = NumberAttribute(default=0)
    successful = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    chunks_total = NumberAttribute(null=True)
    chunks_done = NumberAttribute(default=0)
    options = MapAttribute(default=dict)
    projects_created = UnicodeSetAttribute(null=True)
    clients_created = UnicodeSetAttribute(null=True)
    # What the import created, by id: an undo deletes these (if unused) and nothing it merely matched.
    project_ids_created = NumberSetAttribute(null=True)
    client_ids_created = NumberSetAttribute(null=True)
    task_ids_created = NumberSetAttribute(null=True)
    projects_matched = UnicodeSetAttribute(null=True)
    users_not_found = UnicodeSetAttribute(null=True)  # as the file named them (email or name)
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    # Imports from an API (Toggl, Harvest): the sealed credentials (removed when the import
    # ends), the fetch steps done, what the source says it holds, and when a spent quota resets.
    secret = BinaryAttribute(null=True, legacy_encoding=False)
    fetch_step = NumberAttribute(default=0)
    source_total = NumberAttribute(null=True)
    resumes_at = UTCDateTimeAttribute(null=True)
    tags_imported = BooleanAttribute(null=True)  # set once an entry with tags was written

    by_user, by_org = history_indexes()


class ImportErrorModel(Model):
    """Per-line problems of an import: (import id, line) -> message and the parsed fields."""

    class Meta(BaseMeta):
        table_name = table_name("import_errors")

    import_id = NumberAttribute(hash_key=True)
    line = NumberAttribute(range_key=True)
    message = UnicodeAttribute()
    fields = MapAttribute(null=True)
