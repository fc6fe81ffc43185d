"""Getting text out of an upload: multipart form, JSON, or a raw body; encodings."""
from __future__ import annotations

import base64
import codecs
import itertools
import json
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from shared.errors import UnsupportedMediaType, ValidationFailed


def text_encoding(head: bytes) -> str:
    """The encoding of a file from its first bytes: UTF-16 by BOM, UTF-8 (BOM or not) if
    they decode, else Windows-1252."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return "cp1252"
    return "utf-8-sig"


def stream_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Decoded lines, line endings kept (csv needs them inside quoted fields), from byte
    chunks of any size: the whole file is never in memory."""
    chunks = iter(chunks)
    head = next(chunks, b"")
    decoder = codecs.getincrementaldecoder(text_encoding(head[:65536]))(errors="replace")
    pending = ""
    for piece in itertools.chain([head], chunks):
        pending += decoder.decode(piece)
        lines = pending.splitlines(keepends=True)
        # the last piece may be a partial line, or a "\r" whose "\n" is in the next chunk
        pending = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


_SIGNATURES = ((b"\x89PNG", "a PNG image"), (b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "a ZIP archive"),
               (b"%PDF", "a PDF document"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
               (b"\x1f\x8b", "a gzip archive"), (b"\xd0\xcf\x11\xe0", "an old-style Office document"))


def binary_kind(head: bytes) -> str | None:
    """What a file is when it is not text at all (None for text): by its signature, or
    NUL bytes (which no CSV in UTF-8 or Windows-1252 holds; UTF-16 is recognised by its BOM)."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in head:
        return "binary data (it holds NUL bytes)"
    return None


def head_lines(raw: bytes, limit: int = 64 * 1024, count: int = 50) -> list[str]:
    """The first complete lines of a file (line endings kept), decoded as the whole file would be."""
    head = raw if len(raw) <= limit else raw[:limit].rsplit(b"\n", 1)[0] + b"\n"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and len(head) % 2:
        head = head[:-1]
    return decode_text(head).splitlines(keepends=True)[:count]


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


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
