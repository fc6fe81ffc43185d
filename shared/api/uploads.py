"""An uploaded file, from any of the three ways the contract allows a request to carry
one: a multipart field, a JSON string, or the raw body (the HTTP edge; the file's
contents are read by shared/tracker_files)."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from shared.errors import UnsupportedMediaType, ValidationFailed


@dataclass
class Upload:
    data: bytes
    filename: str | None = None
    options: dict[str, str] = field(default_factory=dict)  # the form's other fields, or the JSON's other keys


def _multipart(body: bytes, content_type: str, file_field: str) -> Upload:
    # The email package costs ~20 ms to import; only multipart uploads need it.
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
    if not message.is_multipart():
        raise ValidationFailed.field(file_field, "The multipart body could not be read")
    upload: Upload | None = None
    options: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name == file_field:
            upload = Upload(payload, part.get_filename())
        elif name:
            options[name] = payload.decode("utf-8", "replace").strip()
    if upload is None:
        raise ValidationFailed.field(file_field, f"Send the file as the multipart field '{file_field}'")
    upload.options = options
    return upload


def read_upload(body: str | None, is_base64: bool, content_type: str, file_field: str = "file",
                json_keys: tuple[str, ...] = ("csv", "data")) -> Upload:
    """The uploaded file, from any of the three ways the contract allows: a multipart
    field, a JSON string under one of ``json_keys``, or the raw body."""
    raw = base64.b64decode(body) if is_base64 and body else (body or "").encode()
    media = content_type.split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return _multipart(raw, content_type, file_field)
    if media == "application/json":
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            raise ValidationFailed.field("body", "The body is not valid JSON") from None
        if not isinstance(payload, dict):
            raise ValidationFailed.field("body", "Send a JSON object")
        text = next((payload[k] for k in json_keys if isinstance(payload.get(k), str) and payload[k]), None)
        if text is None:
            raise ValidationFailed.field(json_keys[0], f"Give the CSV text as {' or '.join(json_keys)}")
        options = {k: (None if v is None else str(v)) for k, v in payload.items() if k not in json_keys}
        return Upload(text.encode(), payload.get("filename"), options)
    if media.startswith("text/") or media in ("application/csv", "application/octet-stream", ""):
        return Upload(raw)
    raise UnsupportedMediaType(f"Send CSV as multipart/form-data, JSON or text/csv (got '{media}')")


def upload_bytes(body: str | None, is_base64: bool, content_type: str) -> bytes:
    return read_upload(body, is_base64, content_type).data
