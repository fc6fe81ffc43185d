"""S3 objects in the data bucket (uploads and exports). Private; reached only here."""
from __future__ import annotations

from functools import lru_cache

from shared.settings import get_settings


@lru_cache(maxsize=1)
def _s3():
    import boto3  # only the functions that touch S3 pay for boto3's import

    return boto3.client("s3", region_name=get_settings().region)


def put_object(key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    _s3().put_object(Bucket=get_settings().data_bucket, Key=key, Body=body, ContentType=content_type)


def open_object(key: str):
    """A streaming body: read it in pieces, never whole unless it is small."""
    return _s3().get_object(Bucket=get_settings().data_bucket, Key=key)["Body"]
