"""Webhooks: subscriptions, and the log of every delivery attempt.

webhooks: key ``id``; a user's through by-user, everyone's (the dispatcher: one Query
per stream batch, never a Scan) through by-org. ``secret`` holds the signing secrets
sealed with KMS: the current one and, for 24 h after a rotation, the previous one.
The table streams, so ``webhook.disabled`` is an event like any other.

webhook_deliveries: one item per attempt, under its webhook: ``attempt_key`` is
``<delivery id>#<attempt, 2 digits>`` and delivery ids are ordered by time, so a
webhook's log reads newest first and one delivery's attempts are a key prefix.
Attempts expire after 30 days (TTL).
"""
from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from shared.models.base import BaseMeta, Model, history_indexes, table_name


class WebhookModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("webhooks")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    id = NumberAttribute(hash_key=True)
    org = UnicodeAttribute()
    user_id = NumberAttribute()
    created_key = UnicodeAttribute()
    sees_all = BooleanAttribute(default=False)  # made by an admin: events on everyone's data
    name = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    description = UnicodeAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    secret = BinaryAttribute(legacy_encoding=False)
    secret_rotated_at = UTCDateTimeAttribute(null=True)
    disabled_reason = UnicodeAttribute(null=True)
    failing_since = UTCDateTimeAttribute(null=True)  # the first failure since the last success
    last_delivery_at = UTCDateTimeAttribute(null=True)  # both kept to the minute, not written per delivery
    last_success_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    by_user, by_org = history_indexes()


class WebhookDeliveryModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("webhook_deliveries")

    webhook_id = NumberAttribute(hash_key=True)
    attempt_key = UnicodeAttribute(range_key=True)
    delivery_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event = UnicodeAttribute()
    attempt = NumberAttribute()
    status = UnicodeAttribute()  # delivered | retrying | failed
    response_code = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)  # the first 1 KB
    error = UnicodeAttribute(null=True)
    duration_ms = NumberAttribute(default=0)
    next_retry_at = UTCDateTimeAttribute(null=True)
    payload = UnicodeAttribute()  # the body sent (a manual retry sends it again)
    attempted_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
