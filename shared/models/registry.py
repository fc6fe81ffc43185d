"""Small bookkeeping tables.

counters: one item per kind ("project", "user", ...); ids come from an atomic
  ADD, and a bulk writer reserves a block of n ids with one UpdateItem.
unique_names: one item per normalised name ("project:website redesign"); written
  in the same transaction as the thing it names, so two writers (API calls or
  import workers) can never create the same name twice.
rate_limits: one item per (token, hour) with an hour counter and one counter per
  minute of that hour; one conditional UpdateItem checks and counts both windows.
"""
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from shared.models.base import BaseMeta, Model, table_name


class CounterModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("counters")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)


class UniqueNameModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("unique_names")

    key = UnicodeAttribute(hash_key=True)
    ref_id = NumberAttribute()


class IdempotencyModel(Model):
    """Written by Powertools' idempotency utility (its DynamoDB persistence layer);
    declared here so the CDK app and the local stack create the table it expects."""

    class Meta(BaseMeta):
        table_name = table_name("idempotency")

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)


class RateLimitModel(Model):
    """Written with raw UpdateItem (per-minute attribute names are dynamic); the
    model declares the table for the CDK app and the local stack."""

    class Meta(BaseMeta):
        table_name = table_name("rate_limits")

    key = UnicodeAttribute(hash_key=True)
    expires_at = TTLAttribute()




class SearchTermModel(Model):
    """The search index: one item per (searchable thing, word it contains).

    ``bucket`` is ``<kind>:<scope>:<first two letters>`` (scope: the owner's user id
    for time entries, empty for the shared catalogue); ``term`` is ``<word>#<id>``.
    A query word is then one Query: the bucket of its first two letters, with
    ``term`` beginning with the word. Nothing is ever scanned.

    Bulk writes (imports) write postings instead: per bucket, one item for the whole
    batch, ``term`` = ``~<first id>#<part>``, ``postings`` = "word id id ...\n" lines
    (ids as offsets from ``ref_id``): a 1,000-row chunk costs a few items, not ~5 per row.
    """

    class Meta(BaseMeta):
        table_name = table_name("search_terms")

    bucket = UnicodeAttribute(hash_key=True)
    term = UnicodeAttribute(range_key=True)
    ref_id = NumberAttribute()
    postings = UnicodeAttribute(null=True)
