"""Common storage-model settings. Table names come from shared.settings.

Access patterns are written next to each model. The endpoint is botocore's own
resolution (AWS_ENDPOINT_URL locally, the regional endpoint in AWS), so no model
knows where it runs.
"""
from pynamodb.models import Model

from shared.settings import get_settings

ORG = "default"  # single-organisation deployment; the partition key leaves room for more


class BaseMeta:
    region = get_settings().region
    connect_timeout_seconds = 2
    read_timeout_seconds = 5
    max_retry_attempts = 3
    stream_view_type: str | None = None  # read by the CDK data construct


def table_name(logical: str) -> str:
    return get_settings().table(logical)


__all__ = ["Model", "BaseMeta", "ORG", "table_name"]
