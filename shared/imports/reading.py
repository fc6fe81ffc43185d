"""Getting text out of an upload: multipart form, JSON, or a raw body; encodings."""
from __future__ import annotations

import base64
import json

from shared.errors import UnsupportedMediaType, ValidationFailed


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _multipart_file(body: bytes, content_type: str, field: str) -> bytes:
    # The email package costs ~20 ms to import; only multipart uploads need it.
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
    if not message.is_multipart():
        raise ValidationFailed.field(field, "The multipart body could not be read")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field:
            return part.get_payload(decode=True) or b""
    raise ValidationFailed.field(field, f"Send the CSV as the multipart field '{field}'")


def upload_bytes(body: str | None, is_base64: bool, content_type: str, field: str = "file",
                 json_keys: tuple[str, ...] = ("csv", "data")) -> bytes:
    """The uploaded file's bytes, from any of the three ways the contract allows."""
    raw = base64.b64decode(body) if is_base64 and body else (body or "").encode()
    media = content_type.split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return _multipart_file(raw, content_type, field)
    if media == "application/json":
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            raise ValidationFailed.field("body", "The body is not valid JSON") from None
        text = next((payload.get(k) for k in json_keys if isinstance(payload, dict) and payload.get(k)), None)
        if not isinstance(text, str):
            raise ValidationFailed.field(json_keys[0], f"Give the CSV text as {' or '.join(json_keys)}")
        return text.encode()
    if media.startswith("text/") or media in ("application/csv", "application/octet-stream", ""):
        return raw
    raise UnsupportedMediaType(f"Send CSV as multipart/form-data, JSON or text/csv (got '{media}')")
