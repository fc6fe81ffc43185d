"""Write-sharded indexes: one logical key spread over up to ``SHARDS`` partition keys.

DynamoDB serves one partition key at most 1,000 write units a second, however warm the
table. A user's million-row import written under ``by-user[user]`` would take 1,000 s
whatever else is done (docs/SCALING.md). So the hot indexes of time entries are keyed
``<value>#<shard>``:

- a key starts **narrow**: everything under ``<value>#00``, read with one Query as before;
- a **bulk write** (``BULK`` items or more: an import's chunk) first marks each key it
  touches **wide** (a flag in ``counters``, set before any item is written under another
  shard, and never unset), then writes each item under ``<value>#<id mod SHARDS>``: an
  import's contiguous ids spread evenly over the shards;
- single writes always use shard 00, which every reader reads;
- a read looks the flag up (a consistent GetItem, skipped once a key is known wide: that never
  changes back) and queries every shard of a wide key at once (threads), merging them on the
  range key, which is unique (start time then id, or the id), so pages, ranges and filters mean
  what they meant on one key.

32 shards leave headroom over the 17 a 60-second million-row import needs, for shard keys
that DynamoDB hashes into the same partition.
"""
from __future__ import annotations

import heapq
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from itertools import islice
from typing import Callable, Iterator

from shared.data import counters
from shared.data.retries import patiently
from shared.domain import Page

SHARDS = 32
BULK = 100  # a write of this many items or more spreads them over the shards


def shard_key(value, shard: int) -> str:
    return f"{value}#{shard:02d}"


def shard_of(item_id: int, bulk: bool) -> int:
    return item_id % SHARDS if bulk else 0


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=SHARDS, thread_name_prefix="shard")


_END = object()


class ShardedIndex:
    """A PynamoDB index whose hash key is a shard key; ``range_attr`` is its range key's
    stored name, ``numeric`` whether that is a number."""

    def __init__(self, index, range_attr: str, numeric: bool = False):
        self.index, self.range_attr, self.numeric = index, range_attr, numeric
        self.name = f"shards:{index._model.__name__}.{index.Meta.index_name}"
        self._wide: set[str] = set()  # values known wide in this process (a flag that is never unset)

    def widen(self, values) -> None:
        """Mark the keys of ``values`` wide, before a bulk write puts items under their other shards
        (written each time, at once: a restore may have replaced the flags since this process saw them)."""
        fresh = list(dict.fromkeys(str(v) for v in values))

        def flag(value):
            counters.raise_to(f"{self.name}:{value}", SHARDS)

        if fresh:
            flag(fresh[0])  # alone first: it makes the client the threads then share
            list(_pool().map(flag, fresh[1:]))
        self._wide.update(fresh)

    def shard_keys(self, value) -> list[str]:
        """The partition keys that may hold ``value``'s items."""
        value = str(value)
        if value not in self._wide:
            if counters.value_of(f"{self.name}:{value}") is None:
                return [shard_key(value, 0)]
            self._wide.add(value)
        return [shard_key(value, shard) for shard in range(SHARDS)]

    def _per_shard(self, function: Callable, keys: list[str]) -> list:
        """``function(key)`` for each of the shard keys, at once when there are several."""
        if len(keys) == 1:
            return [function(keys[0])]
        _ = self.index._model._get_connection().connection.client  # made once, before the threads share it
        return list(_pool().map(function, keys))

    def _sort_key(self, raw: dict):
        value = raw[self.range_attr]
        return int(value["N"]) if self.numeric else value["S"]

    def _streams(self, keys: list[str], *, newest_first: bool, page_size: int | None, patience: float = 0,
                 **conditions) -> list:
        """Every shard's Query (raw items: merged on their range key, then read, without a model
        built per item), its first page read in parallel. With ``patience``, a throttled page is
        asked for again after a pause, from where the shard had reached (a worker's bulk read)."""
        def first(key):
            iterator = self.index.query(key, scan_index_forward=not newest_first, page_size=page_size, **conditions)
            iterator._map_fn = None  # pinned PynamoDB (requirements/constraints.txt): its iterator maps each item
            return _resumable(iterator, patience)

        return self._per_shard(first, keys)

    def _merge(self, streams: list, newest_first: bool) -> Iterator[dict]:
        live = [(rest, head) for rest, head in streams if head is not _END]
        if all(rest.complete for rest, _ in live):
            # Every shard's last page has arrived (an export of 10,000 entries: one page each): one sort
            # of those sorted runs, in C, instead of merging them an item at a time.
            return iter(sorted((item for rest, head in live for item in _chain(head, rest)), key=self._sort_key,
                               reverse=newest_first))
        chains = [_chain(head, rest) for rest, head in live]
        return heapq.merge(*chains, key=self._sort_key, reverse=newest_first)

    def query(self, value, to_domain: Callable, *, newest_first: bool = False, page_size: int | None = None,
              wanted: int | None = None, patience: float = 0, **conditions) -> Iterator:
        """Every matching item in range-key order, read lazily (``to_domain`` takes the raw item).
        ``wanted``: how many the caller will read, which sizes each shard's pages."""
        keys = self.shard_keys(value)
        if wanted is not None:
            page_size = _share(wanted, len(keys))
        streams = self._streams(keys, newest_first=newest_first, page_size=page_size, patience=patience,
                                **conditions)
        return map(to_domain, self._merge(streams, newest_first))

    def any(self, value, **conditions) -> bool:
        """Whether any shard holds a matching item (each read up to its first match)."""
        def found(key):
            return next(iter(self.index.query(key, attributes_to_get=[self.range_attr], **conditions)), None)

        return any(item is not None for item in self._per_shard(found, self.shard_keys(value)))

    def page(self, value, *, page: int, per_page: int, to_domain: Callable, range_key_condition=None,
             filter_condition=None, newest_first: bool = False) -> Page:
        """The contract's page/per_page/total over the merged shards. Each shard is read in
        pages of about its share of what the page needs (the merge reads on where a shard
        runs ahead); a shard whose first page was its last has its count from that page,
        the others are counted with a COUNT query (in parallel)."""
        conditions = {"range_key_condition": range_key_condition, "filter_condition": filter_condition}
        offset = (page - 1) * per_page
        keys = self.shard_keys(value)
        streams = self._streams(keys, newest_first=newest_first, page_size=_share(offset + per_page, len(keys)),
                                **conditions)
        open_keys = [key for key, (rest, head) in zip(keys, streams, strict=True) if head is not _END
                     and not rest.complete]
        known = sum(rest.iterator.total_count for rest, head in streams if head is not _END and rest.complete)
        total = known + sum(self._per_shard(lambda key: self.index.count(key, **conditions), open_keys))
        items = [] if offset >= total else [
            to_domain(raw) for raw in islice(self._merge(streams, newest_first), offset, offset + per_page)]
        return Page(items=items, total=total, page=page, per_page=per_page)


def _share(wanted: int, shards: int) -> int:
    """A shard's page size when ``wanted`` items are read from ``shards`` merged ones: about twice its
    share (the merge reads on where one runs ahead), all of them from a single key; 500 at most."""
    return min(500, wanted if shards == 1 else 2 * wanted // shards + 8)


class _Rest:
    """A shard's items after its first: each read again after a pause while throttled (within
    ``patience``). PynamoDB's iterator moves its start key on only after a page arrived, so
    reading again asks for the same page."""

    def __init__(self, iterator, patience: float):
        self.iterator, self.patience = iterator, patience

    @property
    def complete(self) -> bool:
        """Whether the shard's last page has arrived."""
        return self.iterator.page_iter.last_evaluated_key is None

    def next(self):
        if not self.patience:
            return next(self.iterator, _END)
        return patiently(lambda: next(self.iterator, _END), self.patience)


def _resumable(iterator, patience: float) -> tuple:
    rest = _Rest(iterator, patience)
    return rest, rest.next()


def _chain(head, rest: _Rest):
    """A shard's items in order: the rest of a page that has arrived is taken from PynamoDB's
    iterator at once (the iterators here have no limit and map nothing), not one call an item."""
    iterator = rest.iterator
    while head is not _END:
        yield head
        start, end = iterator._index, iterator._count
        if start < end:
            iterator._index = end
            yield from iterator._items[start:end]
        head = rest.next()
