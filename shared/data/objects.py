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


def get_json(key: str):
    import json

    return json.loads(open_object(key).read())


def put_json(key: str, value) -> None:
    import json

    put_object(key, json.dumps(value, separators=(",", ":")).encode(), "application/json")


def size_of(key: str) -> int | None:
    """The object's size, or None if there is no such object."""
    from botocore.exceptions import ClientError

    try:
        return _s3().head_object(Bucket=get_settings().data_bucket, Key=key)["ContentLength"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def presigned_put(key: str, expires_in: int) -> str:
    return _s3().generate_presigned_url("put_object", Params={"Bucket": get_settings().data_bucket, "Key": key},
                                        ExpiresIn=expires_in)


def stream(key: str, chunk_size: int = 1 << 20):
    """(size, byte chunks) of an object, read piece by piece."""
    got = _s3().get_object(Bucket=get_settings().data_bucket, Key=key)
    return got["ContentLength"], got["Body"].iter_chunks(chunk_size)
