"""The local stack's data on disk (.local/snapshot), so a restart keeps it.

A snapshot is one folder: ``dynamodb/<table>.jsonl`` (one item a line, DynamoDB's JSON)
and ``s3/`` (one file per object and ``manifest.json``). It is written beside the last
one and swapped in whole, so a crash while saving leaves the previous snapshot intact.

Saving costs what changed, not what is stored, and never walks the tables over HTTP:
- a table is written again only if it was written since the last snapshot (moto_tables
  counts writes per table); the others are hard-linked from the last snapshot. An idle
  stack saves nothing at all.
- changed tables are read from the emulator's memory by a forked child: the fork is
  taken while no DynamoDB request runs (the embedded server's lock), so the child holds a
  consistent copy of that instant and serialises it on another core while the stack
  goes on serving (copy-on-write: the child costs memory only for pages the stack
  changes meanwhile).
- objects are listed over S3's API and only new or changed ones (ETag, size) are read.

What a ``kill -9`` loses: the writes since the last completed snapshot, at most
``LocalStack.snapshot_interval`` (10 s) plus the snapshot's own time. Ctrl-C saves
once more after the gateway and pollers have stopped.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from contextlib import nullcontext
from pathlib import Path

from infra.local import moto_tables
from infra.local.aws import BUCKET, REGION
from shared.data import upgrades
from shared.models.wire import from_wire, to_wire  # imported here: the forked child must import nothing


def _backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


def _table_names() -> list[str]:
    from shared.data.schema import all_table_specs

    return [spec.name for spec in all_table_specs()]


def _item_lines(table):
    for item in table.all_items():
        yield json.dumps({name: to_wire(value) for name, value in item.attrs.items()})


def _dump(tables: dict, folder: Path) -> dict[str, int]:
    """Write each table's items, one per line; returns the count per table."""
    counts = {}
    for name, table in tables.items():
        n = 0
        with open(folder / f"{name}.jsonl", "w") as out:
            for line in _item_lines(table):
                out.write(line + "\n")
                n += 1
        counts[name] = n
    return counts


def _fork_dump(tables: dict, folder: Path) -> int:
    """_dump in a forked child (call it while no DynamoDB request runs); returns its pid."""
    pid = os.fork()
    if pid == 0:  # the child: no locks, no imports, no logging; only memory to files
        code = 1
        try:
            (folder / "counts.json").write_text(json.dumps(_dump(tables, folder)))
            code = 0
        finally:
            os._exit(code)
    return pid


def _child_counts(pid: int, folder: Path) -> dict[str, int]:
    result = folder / "counts.json"
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not result.exists():
        raise RuntimeError("the snapshot's child process failed")
    counts = json.loads(result.read_text())
    result.unlink()
    return counts


class Snapshots:
    """Saves and restores ``directory``; remembers what it last saved, to save only changes."""

    def __init__(self, directory: Path, lock=None):
        self.directory = directory
        self.lock = lock  # the embedded server's DynamoDB lock (None: nothing else runs)
        self.tables: dict[str, tuple] = {}  # name -> (table object, its write count) as last saved
        self.table_items: dict[str, int] = {}
        self.objects: dict[str, dict] = {}  # key -> manifest entry (with etag and size) as last saved
        self._saving = threading.Lock()  # one save at a time: the autosave and Ctrl-C's share a folder

    def _unchanged(self, name: str, table) -> bool:
        return (moto_tables.installed() and self.tables.get(name) == (id(table), moto_tables.generation(table))
                and (self.directory / "dynamodb" / f"{name}.jsonl").exists())

    def _remember_tables(self, names) -> None:
        backend = _backend()
        for name in names:
            table = backend.tables.get(name)
            if table is not None:
                self.tables[name] = (id(table), moto_tables.generation(table))

    def save(self) -> dict[str, int]:
        """Write what changed since the last save; returns the items and objects the snapshot holds."""
        with self._saving:
            return self._save()

    def _save(self) -> dict[str, int]:
        import boto3

        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "dynamodb").mkdir(parents=True)
        (tmp / "s3").mkdir()
        manifest, changed = self._save_objects(boto3.client("s3"), tmp / "s3")
        backend, child = _backend(), None
        # One instant for every table: which changed, and (forked) their contents, with no request half-way.
        with self.lock or nullcontext():
            current = {name: backend.tables[name] for name in _table_names() if name in backend.tables}
            dirty = {name: t for name, t in current.items() if not self._unchanged(name, t)}
            marks = {name: (id(t), moto_tables.generation(t)) for name, t in current.items()}
            if dirty and self.lock is not None and hasattr(os, "fork"):
                child = _fork_dump(dirty, tmp / "dynamodb")
        if not dirty and not changed and set(manifest) == set(self.objects) and self.directory.exists():
            shutil.rmtree(tmp, ignore_errors=True)
            return self._counts()
        for name in set(current) - set(dirty):
            os.link(self.directory / "dynamodb" / f"{name}.jsonl", tmp / "dynamodb" / f"{name}.jsonl")
        if dirty:
            counts = _child_counts(child, tmp / "dynamodb") if child else _dump(dirty, tmp / "dynamodb")
            self.table_items.update(counts)
        (tmp / "s3" / "manifest.json").write_text(json.dumps(list(manifest.values())))
        self._swap(tmp)
        self.tables = {name: marks[name] for name in current}
        self.objects = manifest
        return self._counts()

    def _save_objects(self, s3, folder: Path) -> tuple[dict[str, dict], bool]:
        """Every object in the snapshot's folder: new or changed ones read, others linked."""
        manifest, changed = {}, False
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for obj in page.get("Contents", []):
                key, name = obj["Key"], f"{len(manifest)}.bin"
                before = self.objects.get(key)
                if before and (before["etag"], before["size"]) == (obj["ETag"], obj["Size"]) and \
                        (self.directory / "s3" / before["file"]).exists():
                    os.link(self.directory / "s3" / before["file"], folder / name)
                    manifest[key] = {**before, "file": name}
                    continue
                got = s3.get_object(Bucket=BUCKET, Key=key)
                (folder / name).write_bytes(got["Body"].read())
                manifest[key] = {"key": key, "file": name, "content_type": got.get("ContentType"),
                                 "metadata": got.get("Metadata", {}), "etag": got["ETag"],
                                 "size": got["ContentLength"]}
                changed = True
        return manifest, changed

    def _swap(self, tmp: Path) -> None:
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)

    def _counts(self) -> dict[str, int]:
        return {"items": sum(self.table_items.get(name, 0) for name in self.tables), "objects": len(self.objects)}

    def restore(self) -> dict[str, int]:
        """Load the snapshot into the (empty) emulator, straight into its tables."""
        counts = {"items": 0, "objects": 0}
        if not self.directory.exists():
            return counts
        backend, loaded = _backend(), []
        for path in sorted((self.directory / "dynamodb").glob("*.jsonl")):
            table = backend.tables.get(path.stem)
            if table is None:
                continue  # a table the code no longer has
            n, stream, logical, upgraded = 0, table.stream_shard, upgrades.logical_name(path.stem), False
            table.stream_shard = None  # restored data is no change: its stream (webhooks) sees nothing
            try:
                with open(path) as lines:
                    for line in lines:
                        if line.strip():
                            stored = json.loads(line)
                            item = upgrades.upgrade(logical, stored) if logical else stored
                            upgraded = upgraded or (item is not stored and item != stored)
                            table.put_item({k: from_wire(v) for k, v in item.items()})
                            n += 1
            finally:
                table.stream_shard = stream
            self.table_items[path.stem] = n
            counts["items"] += n
            if not upgraded:  # an older snapshot's items (upgraded): the next snapshot saves today's shape
                loaded.append(path.stem)
        self._remember_tables(loaded)
        counts["objects"] = self._restore_objects()
        return counts

    def _restore_objects(self) -> int:
        import boto3

        s3 = boto3.client("s3")
        manifest_path = self.directory / "s3" / "manifest.json"
        for entry in json.loads(manifest_path.read_text()) if manifest_path.exists() else []:
            extra = {"ContentType": entry["content_type"]} if entry.get("content_type") else {}
            body = (self.directory / "s3" / entry["file"]).read_bytes()
            put = s3.put_object(Bucket=BUCKET, Key=entry["key"], Body=body, Metadata=entry.get("metadata") or {},
                                **extra)
            self.objects[entry["key"]] = {**entry, "etag": put["ETag"], "size": len(body)}
        return len(self.objects)
