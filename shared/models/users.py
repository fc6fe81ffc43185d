"""Users. Access: get by (org, id); list by org in id order (Query).
Unique usernames/emails are guarded in unique_names."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from shared.models.base import BaseMeta, Model, table_name


class UserModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("users")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    full_name = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    timezone = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
