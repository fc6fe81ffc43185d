"""Scheduled Harvest backups: an admin's stored connection (the PAT sealed with KMS) and
each run of a backup. Both keyed ``id``, listed newest first through by-org (admins only)."""
from pynamodb.attributes import (
    BinaryAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from shared.jobs.status import BackupStatus
from shared.models.base import BaseMeta, Model, StatusAttribute, history_indexes, table_name


class HarvestConnectionModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("harvest_connections")

    id = NumberAttribute(hash_key=True)
    org = UnicodeAttribute()
    user_id = NumberAttribute()  # the admin who stored it
    created_key = UnicodeAttribute()
    secret = BinaryAttribute(legacy_encoding=False)  # {"pat", "user_agent"} sealed with KMS
    schedule = UnicodeAttribute()  # daily | weekly | manual
    hour = NumberAttribute(default=3)  # the UTC hour scheduled runs start in
    accounts = NumberSetAttribute(null=True)  # as discovered when stored (and at each run)
    created_at = UTCDateTimeAttribute()
    last_run_id = NumberAttribute(null=True)
    last_run_at = UTCDateTimeAttribute(null=True)
    previous = MapAttribute(default=dict)  # account -> the last completed run's prefix (PDFs copied from it)

    by_user, by_org = history_indexes()


class HarvestRunModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("harvest_runs")

    id = NumberAttribute(hash_key=True)
    org = UnicodeAttribute()
    user_id = NumberAttribute()
    created_key = UnicodeAttribute()
    connection_id = NumberAttribute()
    trigger = UnicodeAttribute()  # schedule | manual
    status = StatusAttribute(BackupStatus)
    run_date = UnicodeAttribute(null=True)
    accounts = NumberSetAttribute(null=True)
    parts_total = NumberAttribute(null=True)  # one per account and endpoint
    parts_done = NumberAttribute(default=0)
    items = NumberAttribute(default=0)
    files = NumberAttribute(default=0)
    bytes = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    message = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)

    by_user, by_org = history_indexes()
