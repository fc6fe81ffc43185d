"""S3 objects in the data bucket (uploads and exports). Private; reached only here."""
from __future__ import annotations

from functools import lru_cache

from shared.data.retries import patiently
from shared.settings import get_settings


@lru_cache(maxsize=1)
def _s3():
    import boto3  # only the functions that touch S3 pay for boto3's import
    from botocore.config import Config

    # Signature V4: presigned URLs then carry an explicit X-Amz-Expires (at most 7 days) and work with SSE-KMS.
    return boto3.client("s3", region_name=get_settings().region, config=Config(signature_version="s3v4"))


def put_object(key: str, body: bytes, content_type: str = "application/octet-stream") -> None:
    _s3().put_object(Bucket=get_settings().data_bucket, Key=key, Body=body, ContentType=content_type)


def open_object(key: str):
    """A streaming body: read it in pieces, never whole unless it is small."""
    return _s3().get_object(Bucket=get_settings().data_bucket, Key=key)["Body"]


def read_if_any(key: str) -> bytes | None:
    """The object's bytes, or None if there is no such object (one request, not a HEAD first)."""
    from botocore.exceptions import ClientError

    try:
        return open_object(key).read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


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


def presigned_get(key: str, expires_in: int, filename: str, content_type: str) -> str:
    """A short-lived download URL that names the file for the browser."""
    return _s3().generate_presigned_url("get_object", ExpiresIn=expires_in, Params={
        "Bucket": get_settings().data_bucket, "Key": key, "ResponseContentType": content_type,
        "ResponseContentDisposition": f'attachment; filename="{filename}"'})


def stream_from(key: str, offset: int, chunk_size: int = 1 << 20):
    """Byte chunks of an object from ``offset`` on (an S3 range read): a resumed step
    reads only what is left."""
    got = _s3().get_object(Bucket=get_settings().data_bucket, Key=key, Range=f"bytes={offset}-")
    return got["Body"].iter_chunks(chunk_size)


class MultipartWriter:
    """A write-only file object that streams to one S3 object: bytes are buffered up to
    PART_BYTES and sent as a multipart upload part, so memory stays flat whatever the
    size. A small file becomes one PutObject. ``close()`` completes the object; ``abort()``
    (or leaving the ``with`` block by an exception) leaves no object and no parts behind.
    Writers are workers: a call S3 throttles (SlowDown) is made again after a pause, and the
    upload goes on with the parts it has."""

    PART_BYTES = 5 * 2**20  # S3's minimum part (all but the last); 10,000 parts make a 50 GB file

    def __init__(self, key: str, content_type: str):
        self.key, self.content_type = key, content_type
        self.size = 0
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self.closed = False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def write(self, data: bytes | str) -> int:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= self.PART_BYTES:
            self._send_part()
        return len(data)

    def flush(self) -> None:
        """Parts go out when full; S3 needs every part but the last to be at least 5 MiB."""

    def _send_part(self) -> None:
        bucket = get_settings().data_bucket
        if self._upload_id is None:
            self._upload_id = patiently(lambda: _s3().create_multipart_upload(
                Bucket=bucket, Key=self.key, ContentType=self.content_type))["UploadId"]
        number = len(self._parts) + 1
        etag = patiently(lambda: _s3().upload_part(
            Bucket=bucket, Key=self.key, UploadId=self._upload_id, PartNumber=number,
            Body=self._buffer))["ETag"]  # the buffer itself: no second copy of the part
        self._parts.append({"ETag": etag, "PartNumber": number})
        self._buffer.clear()

    def close(self) -> None:
        if self.closed:
            return
        bucket = get_settings().data_bucket
        if self._upload_id is None:
            patiently(lambda: _s3().put_object(Bucket=bucket, Key=self.key, Body=bytes(self._buffer),
                                               ContentType=self.content_type))
        else:
            if self._buffer:
                self._send_part()
            patiently(lambda: _s3().complete_multipart_upload(Bucket=bucket, Key=self.key, UploadId=self._upload_id,
                                                              MultipartUpload={"Parts": self._parts}))
        self._buffer.clear()
        self.closed = True

    def abort(self) -> None:
        if self._upload_id is not None and not self.closed:
            _s3().abort_multipart_upload(Bucket=get_settings().data_bucket, Key=self.key, UploadId=self._upload_id)
        self._buffer.clear()
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is not None:
            self.abort()
            return
        try:
            self.close()
        except BaseException:
            self.abort()
            raise


def copy_object(source_key: str, key: str) -> None:
    """A server-side copy within the data bucket (no bytes through the function)."""
    bucket = get_settings().data_bucket
    _s3().copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": source_key})


def delete_keys(keys: list[str]) -> None:
    """Delete objects, 1,000 a request (S3's limit)."""
    bucket = get_settings().data_bucket
    for i in range(0, len(keys), 1000):
        _s3().delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]],
                                                    "Quiet": True})
