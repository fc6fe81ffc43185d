"""Where a backup's files go: a directory (the command) or the data bucket (the scheduled
job). Every file is written whole or not at all: to a temporary name then renamed (a
killed run leaves no half file), or as one S3 object completed at the end. Each write
reports the file's sha256 for the run's manifest."""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


class _Hashing:
    def __init__(self, out):
        self.out, self.digest, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)


class DirectoryStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    @contextmanager
    def writing(self, path: str):
        """A binary file to write ``path``; on a clean exit it replaces the old one atomically.
        Yields an object whose ``digest`` is the content's sha256 once done."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw:
                out = _Hashing(raw)
                yield out
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, path: str) -> bool:
        return (self.root / path).is_file()

    def copy_previous(self, path: str) -> bool:
        """A directory backup keeps its files in place: an unchanged PDF is already there."""
        return self.exists(path)


class BucketStore:
    """Files under ``prefix`` in the data bucket; ``previous`` (an earlier run's prefix)
    lends unchanged PDFs by a server-side copy instead of a new download."""

    def __init__(self, prefix: str, previous: str | None = None):
        self.prefix, self.previous = prefix.rstrip("/") + "/", previous

    @contextmanager
    def writing(self, path: str):
        from shared.data import objects

        writer = objects.MultipartWriter(self.prefix + path, _content_type(path))
        try:
            out = _Hashing(writer)
            yield out
            writer.close()
        except BaseException:
            writer.abort()
            raise

    def read(self, path: str) -> bytes | None:
        from shared.data import objects

        return objects.read_if_any(self.prefix + path)

    def exists(self, path: str) -> bool:
        from shared.data import objects

        return objects.size_of(self.prefix + path) is not None

    def copy_previous(self, path: str) -> bool:
        from shared.data import objects

        if self.previous is None:
            return False
        source = self.previous.rstrip("/") + "/" + path
        if objects.size_of(source) is None:
            return False
        objects.copy_object(source, self.prefix + path)
        return True


def _content_type(path: str) -> str:
    return "application/pdf" if path.endswith(".pdf") else "application/json"


class DryRunStore(DirectoryStore):
    """Reads what a directory holds, writes nothing: remembers what it would have written."""

    def __init__(self, root: str | Path):
        super().__init__(root)
        self.planned: list[tuple[str, int]] = []

    @contextmanager
    def writing(self, path: str):
        out = _Hashing(_Sink())
        yield out
        self.planned.append((path, out.size))


class _Sink:
    def write(self, data: bytes) -> int:
        return len(data)
