"""Getting text out of a file's bytes: encodings, streamed lines, binary signatures."""
from __future__ import annotations

import codecs
import itertools
from typing import Iterable, Iterator


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
