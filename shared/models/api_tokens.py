"""API tokens, keyed by the SHA-256 of the token (the plaintext is never stored).

Access: authenticate = one UpdateItem on token_hash (touches last_used_at and
returns the item); list / revoke by id = Query on by-id (org, id); a user's
tokens = Query on by-user. Expired tokens are purged by TTL 30 days after expiry.
"""
from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from shared.models.base import BaseMeta, Model, gsi, table_name


class ApiTokenModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("api_tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    org = UnicodeAttribute()
    id = NumberAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    user_id = NumberAttribute()
    user_role = UnicodeAttribute()
    token_prefix = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    last_used_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    purge_at = TTLAttribute(null=True)

    by_id = gsi("by-id", ("org", UnicodeAttribute(hash_key=True)), ("id", NumberAttribute(range_key=True)))
    by_user = gsi("by-user", ("user_id", NumberAttribute(hash_key=True)), ("id", NumberAttribute(range_key=True)))
