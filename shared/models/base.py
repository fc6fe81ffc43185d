"""Common storage-model settings. Table names come from shared.settings.

Access patterns are written next to each model. The endpoint is botocore's own
resolution (AWS_ENDPOINT_URL locally, the regional endpoint in AWS), so no model
knows where it runs.
"""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from shared.models import wire
from shared.settings import get_settings

wire.install()  # before PynamoDB makes its client: attribute values pass botocore as they are

ORG = "default"  # single-organisation deployment; the partition key leaves room for more


class BaseMeta:
    region = get_settings().region
    connect_timeout_seconds = 2
    # DynamoDB answers a 1 MB page in well under a second; moto (the local stack) can take seconds.
    read_timeout_seconds = get_settings().dynamodb_read_timeout_seconds
    max_retry_attempts = 3
    # A wide key is read with one Query per shard at once (shared/data/sharded.py: 32) through the
    # model's one client: with PynamoDB's 10 pooled connections, each read opened (on AWS, with a TLS
    # handshake) and dropped a connection for every thread past the tenth.
    max_pool_connections = 40
    stream_view_type: str | None = None  # read by the CDK data construct


def table_name(logical: str) -> str:
    return get_settings().table(logical)


def history_indexes() -> tuple[GlobalSecondaryIndex, GlobalSecondaryIndex]:
    """by-user and by-org, ranged by ``created_key`` (created_at ISO + "#" + id): a job
    record's history in time order, a user's or everyone's."""
    def created():
        return UnicodeAttribute(range_key=True)

    return (gsi("by-user", ("user_id", NumberAttribute(hash_key=True)), ("created_key", created())),
            gsi("by-org", ("org", UnicodeAttribute(hash_key=True)), ("created_key", created())))


def gsi(name: str, hash_key: tuple, range_key: tuple) -> GlobalSecondaryIndex:
    """A global secondary index projecting every attribute; keys as (attribute name, attribute)."""
    meta = type("Meta", (), {"index_name": name, "projection": AllProjection()})
    attrs = {"Meta": meta, hash_key[0]: hash_key[1], range_key[0]: range_key[1]}
    return type(name.title().replace("-", ""), (GlobalSecondaryIndex,), attrs)()


class StatusAttribute(UnicodeAttribute):
    """A job's status, read back as its enum (shared/jobs/status.py). Writes go through
    shared/data/jobs.py, which checks each move against the enum's transition table."""

    def __init__(self, enum, **kwargs):
        super().__init__(**kwargs)
        self.enum = enum

    def deserialize(self, value):
        return self.enum(value)


__all__ = ["Model", "BaseMeta", "ORG", "StatusAttribute", "table_name", "gsi", "history_indexes"]
