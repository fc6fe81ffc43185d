"""Exports and restores: one record per job, owned by the user who asked.

Exports: key ``id``; history by-user / by-org (admins), newest first, ranged by
``created_key``. The file lives under ``exports/`` in the data bucket, which the
bucket's lifecycle rule expires after 7 days; ``purge_at`` lets DynamoDB's TTL drop
the record a day after that (the API refuses anything past ``expires_at`` itself,
since both expiries are lazy).

Restores: key ``id``; kept apart from the tables a restore replaces, so a restore
can report on itself while it rewrites everything else. Item 0 is a lock: one restore
replaces the data at a time.
"""
from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from shared.jobs.status import ExportStatus, RestoreStatus
from shared.models.base import BaseMeta, Model, StatusAttribute, history_indexes, table_name


class ExportModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("exports")
        stream_view_type = "NEW_AND_OLD_IMAGES"  # import/export .completed and .failed webhooks

    id = NumberAttribute(hash_key=True)
    org = UnicodeAttribute()
    user_id = NumberAttribute()
    created_key = UnicodeAttribute()  # created_at ISO + "#" + id
    export_type = UnicodeAttribute()  # gdpr | filtered | backup
    export_format = UnicodeAttribute()  # json | zip | csv
    status = StatusAttribute(ExportStatus)
    filters = MapAttribute(default=dict)
    filename = UnicodeAttribute()
    object_key = UnicodeAttribute()
    record_count = NumberAttribute(null=True)
    file_size = NumberAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    # Only on item 0, the lock: the restore replacing the data now, and until when it holds the lock.
    holder = NumberAttribute(null=True)
    held_until = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    purge_at = TTLAttribute(null=True)
    harvest_run = NumberAttribute(null=True)  # export_type harvest_backup: the run zipped

    by_user, by_org = history_indexes()


class RestoreModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("restores")

    id = NumberAttribute(hash_key=True)
    user_id = NumberAttribute()
    source_key = UnicodeAttribute()  # the backup file in the data bucket
    dry_run = BooleanAttribute(default=False)
    status = StatusAttribute(RestoreStatus)
    phase = UnicodeAttribute(null=True)  # start | safety | clear | load | finish (restores.py)
    cursor = UnicodeAttribute(null=True)  # where the next step starts (JSON); a step moves it exactly once
    token_id = NumberAttribute(null=True)  # the token that started it: it still works afterwards
    problems = UnicodeAttribute(null=True)  # JSON: what the file check found, [{"line", "message"}]
    safety_export_id = NumberAttribute(null=True)  # the backup of the data as it was before
    rollback_reason = UnicodeAttribute(null=True)  # set once the load failed and the old data goes back
    work = UnicodeAttribute(null=True)  # JSON the steps carry: max ids, the restorer's user and token
    backup_info = MapAttribute(null=True)
    counts = MapAttribute(default=dict)  # per table: what was (or would be) written, replaced, removed
    error_message = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)
    # Only on item 0, the lock: the restore replacing the data now, and until when it holds the lock.
    holder = NumberAttribute(null=True)
    held_until = UTCDateTimeAttribute(null=True)
