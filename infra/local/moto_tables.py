"""moto's DynamoDB tables at a working day's scale: the same answers, without three costs
that grow with the table (measured with moto 5.2.5 and 50,000 time entries):

- **A leak.** moto's models append every instance they create to a class-level list
  (``instances_tracked``, for its dashboard), so each item copy a Scan or Query returns
  lives forever: ~70 MB per Scan of 50,000 entries, ~300 MB per snapshot at 146,000.
  Items are no longer tracked (nothing of this project reads that list).
- **Transactions copied whole tables.** ``TransactWriteItems`` deep-copied every table it
  touched, to roll back on failure: at 150,000 entries every guarded write (a timer
  start) copied them all. It now keeps the items it touches and puts those back.
- **Queries walked the table.** A Query looked at every item of the table, even on the
  base table's own key, and sorted them all for an index. A base-table Query now reads its
  partition; an index Query reads the items under its hash key from a grouping of the
  table built on first use and kept in step with every write (each group sorted as moto
  sorts, again only after it changed), a key condition on the index's range key keeps the
  run of the group a binary search finds (moto then need not compare each item), and a page
  after the first starts where a binary search puts it instead of comparing every earlier item. Its
  results are no longer deep-copied (the response only reads them, inside the request),
  a projection of top-level attributes picks the item's values, and an item's size is
  computed once until ``update_item`` changes it.

Each change only narrows what moto looks at or keeps: moto's own code still filters,
sorts, pages, projects and checks conditions. tests/unit/test_moto_tables.py runs
random writes and compares every Query with moto's own code. Installed by
moto_speedups.install (the same version guard and ``TT_MOTO_SPEEDUPS=0``).
"""
from __future__ import annotations

import copy
import threading
from contextlib import contextmanager

_state = threading.local()  # .off: moto's own code (the comparison tests); .transaction: a running one


@contextmanager
def moto_own_code():
    """moto's original query code, for comparing answers."""
    _state.off = True
    try:
        yield
    finally:
        _state.off = False


def installed() -> bool:
    from moto.dynamodb.models.table import Table

    return getattr(Table, "_tt_installed", False)


def generation(table) -> int:
    """How many times the table was written since it was created (this process)."""
    return getattr(table, "_tt_generation", 0)


def _written(table) -> None:
    if table is not None:
        table._tt_generation = generation(table) + 1


# -- items: untracked, shared with query results, sized once -------------------------------
def _untracked_new(cls, *args, **kwargs):
    return object.__new__(cls)


def _shared_in_queries(original):
    def __deepcopy__(self, memo):
        return self if getattr(_state, "querying", False) else original(self, memo)

    return __deepcopy__


def _projected(original):
    """A projection of top-level attributes, the item's own values picked (moto converted
    the whole item to plain JSON and back for each one)."""
    def project(self, projection_expressions):
        names = {path[0] for path in projection_expressions}
        if getattr(_state, "off", False) or any(len(path) != 1 or "[" in path[0] for path in projection_expressions):
            return original(self, projection_expressions)
        clone = object.__new__(type(self))
        clone.hash_key, clone.range_key = self.hash_key, self.range_key
        clone.attrs = type(self.attrs).__new__(type(self.attrs))
        dict.__init__(clone.attrs, ((k, v) for k, v in self.attrs.items() if k in names))
        return clone

    return project


def _sized_once(original):
    def size(self):
        known = self.__dict__.get("_tt_size")
        if known is None:
            known = self._tt_size = original(self)
        return known

    return size


def item_json(attrs, encode) -> str:
    """An item's attributes as the JSON text of an answer (``encode`` makes it), kept with the
    stored item's attributes until update_item changes them (a put stores a new item): a page
    of items already read once is answered without encoding them again. Attributes that are
    no stored item's (a plain dict) are encoded each time."""
    known = getattr(attrs, "_tt_json", None)
    if known is None:
        known = encode(attrs)
        if hasattr(attrs, "__dict__"):
            attrs._tt_json = known
    return known


def _changed(item) -> None:
    """What is kept with an item until it changes: its size and its JSON text."""
    item.__dict__.pop("_tt_size", None)
    item.attrs.__dict__.pop("_tt_json", None)


# -- queries ------------------------------------------------------------------------------
class _Groups:
    """One index's items by their hash key values, built once and then kept in step with
    every write to the table (puts, deletes, in-place updates); each group is sorted as
    moto sorts a query's results, again only after it changed."""

    def __init__(self, table, index):
        self.table = table
        self.names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        self.ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
        self.sort_attrs = _sort_attrs(table, index)
        self.members: dict[int, tuple] = {}  # id(item) -> its group
        self.groups: dict[tuple, dict[int, object]] = {}
        self.in_order: dict[tuple, list] = {}
        for item in table.all_items():
            self.add(item)

    def add(self, item) -> None:
        values = tuple(item.attrs.get(name) for name in self.names)
        # An index holds only the items that have its keys: a sparse index (a range key only some
        # items carry) leaves the others out, as DynamoDB does.
        if all(values) and all(name in item.attrs for name in self.ranges):
            self.members[id(item)] = values
            self.groups.setdefault(values, {})[id(item)] = item
            self.in_order.pop(values, None)

    def remove(self, item) -> None:
        values = self.members.pop(id(item), None)
        if values is not None:
            group = self.groups[values]
            group.pop(id(item), None)
            if not group:
                del self.groups[values]
            self.in_order.pop(values, None)

    def items(self, values: tuple) -> list:
        if values not in self.in_order:
            members = list(self.groups.get(values, {}).values())
            self.in_order[values] = self.table.sorted_items(*self.sort_attrs, members)
        return self.in_order[values]


def _groups(table) -> dict:
    return table.__dict__.setdefault("_tt_groups", {})


def _index_groups(table, index) -> _Groups:
    built = _groups(table)
    if index.name not in built:
        built[index.name] = _Groups(table, index)
    return built[index.name]


def _regroup(table, old=None, new=None) -> None:
    """An item left (``old``) or joined (``new``) the table, or changed in place (both)."""
    for groups in _groups(table).values():
        if old is not None:
            groups.remove(old)
        if new is not None:
            groups.add(new)


def _sort_attrs(table, index) -> tuple[list, list]:
    """The attributes moto's query sorts an index's results by (moto 5.2.5, Table.query)."""
    from moto.dynamodb.models.table import GlobalSecondaryIndex

    hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if not ranges:
        gsi_on_range = isinstance(index, GlobalSecondaryIndex) and table.range_key_attr
        ranges = [table.range_key_attr if gsi_on_range else table.hash_key_attr]
    return hashes + [table.hash_key_attr], ranges + [table.range_key_attr]


def _candidates(table, hash_key, index_name, hash_key_conditions):
    """The items a Query can match, or None to let moto walk the table."""
    if not index_name:
        if hash_key is None:
            return None
        partition = table.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None or not hash_key_conditions:
        return None
    names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    conditions = dict(hash_key_conditions)
    if sorted(conditions) != sorted(names):
        return None
    return _index_groups(table, index).items(tuple(conditions[n] for n in names))


def _after(table, index_name: str, ordered: list, start_key: dict, forward: bool) -> list:
    """An index group without the items a page that starts after ``start_key`` skips. moto
    compares every earlier item with the key; on the sorted group its own comparison is
    true for a prefix (forward) or a suffix (backward), so a binary search finds the cut."""
    attrs = _sort_attrs(table, table.get_index(index_name))

    def skipped(i: int) -> bool:
        return table._item_comes_before_dct(ordered[i], start_key, *attrs, forward)

    lo, hi = 0, len(ordered)
    while lo < hi:  # forward: the first item not skipped; backward: the first one skipped
        mid = (lo + hi) // 2
        if skipped(mid) == forward:
            lo = mid + 1
        else:
            hi = mid
    return ordered[lo:] if forward else ordered[:lo]


# A key condition on an index's range key holds for one run of its sorted group: (operator, which value)
# of the run's lower and upper side.
_LOWER = {"BETWEEN": (">=", 0), ">": (">", 0), ">=": (">=", 0), "=": (">=", 0)}
_UPPER = {"BETWEEN": ("<=", 1), "<": ("<", 0), "<=": ("<=", 0), "=": ("<=", 0)}


def _in_range(table, index_name: str, ordered: list, comparison: str, values: list) -> list | None:
    """The run of a sorted index group that a range key condition keeps (found by binary search
    with moto's own comparison), or None for a condition this does not narrow (begins_with)."""
    comparison = comparison.upper()
    if comparison not in _LOWER and comparison not in _UPPER:
        return None
    attr = _sort_attrs(table, table.get_index(index_name))[1][0]

    def first_failing(holds) -> int:  # ``holds`` is true for a prefix of ``ordered``
        lo, hi = 0, len(ordered)
        while lo < hi:
            mid = (lo + hi) // 2
            if holds(ordered[mid]):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def side(bounds, below: bool):
        op, which = bounds[comparison]
        return lambda item: item.attrs[attr].compare(op, [values[which]]) != below

    lo = first_failing(side(_LOWER, True)) if comparison in _LOWER else 0
    hi = first_failing(side(_UPPER, False)) if comparison in _UPPER else len(ordered)
    return ordered[lo:max(lo, hi)]


# The candidates are lent to moto through the table's own attributes, so one Query at a time: the
# local stack's server holds a lock per DynamoDB request anyway, but in-process moto (the tests)
# is called from the threads that read an index's shards in parallel.
_querying = threading.Lock()


def _query(original):
    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
              hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):
        def run(hash_key_conditions=hash_key_conditions):
            _state.querying = not getattr(_state, "off", False)
            try:
                return original(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                scan_index_forward, projection_expressions, index_name, consistent_read,
                                filter_expression, hash_key_conditions=hash_key_conditions,
                                range_key_conditions=range_key_conditions, **filter_kwargs)
            finally:
                _state.querying = False

        with _querying:
            candidates = None if getattr(_state, "off", False) else _candidates(self, hash_key, index_name,
                                                                                 hash_key_conditions)
            if candidates is None:
                return run()
            narrowed = (_in_range(self, index_name, candidates, range_comparison, range_objs)
                        if index_name and range_comparison and len(range_key_conditions or ()) <= 1 else None)
            if narrowed is not None:  # every item left meets the key condition: moto need not compare again
                candidates, range_comparison, range_objs, range_key_conditions = narrowed, None, [], None
            if index_name and exclusive_start_key:
                candidates = _after(self, index_name, candidates, exclusive_start_key, scan_index_forward)
            self.all_items = lambda: candidates  # moto's query reads its candidates through all_items
            if index_name:  # an index group is sorted already, by the same attributes
                self.sorted_items = lambda hash_attrs, range_attrs, items: items
            try:  # an index group holds only the key's items: moto need not compare each one's key again
                return run(hash_key_conditions=None) if index_name else run()
            finally:
                del self.all_items
                self.__dict__.pop("sorted_items", None)

    return query


# -- writes: counted, regrouped, and transactions backed up item by item ----------------------
def _put_item(original):
    def put_item(self, item_attrs, *args, **kwargs):
        key = _key_of(self, {"Item": item_attrs})
        old = self.get_item(*key) if key is not None and _exists(self, key) else None
        try:
            new = original(self, item_attrs, *args, **kwargs)
        finally:
            _written(self)
        _regroup(self, old, new)
        return new

    return put_item


def _delete_item(original):
    def delete_item(self, *args, **kwargs):
        try:
            gone = original(self, *args, **kwargs)
        finally:
            _written(self)
        _regroup(self, old=gone)
        return gone

    return delete_item


def _updating(original):
    """update_item changes the item in place: count it, regroup it, forget its size and JSON text."""
    def update_item(self, table_name, key, *args, **kwargs):
        try:
            return original(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            at = _key_of(table, {"Key": key}) if table is not None else None
            if at is not None and _exists(table, at):
                item = table.get_item(*at)
                _changed(item)
                _regroup(table, item, item)
            _written(table)

    return update_item


def _key_of(table, op: dict):
    from moto.dynamodb.models.dynamo_type import DynamoType

    attrs = op.get("Key") or op.get("Item") or {}
    if table.hash_key_attr not in attrs:
        return None
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr in attrs else None
    return hash_value, range_value


def _put_back(table, key, item) -> None:
    hash_value, range_value = key
    if item is None:
        if table.range_key_attr:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items.pop(hash_value, None)
    elif table.range_key_attr:
        table.items[hash_value][range_value] = item
    else:
        table.items[hash_value] = item
    _groups(table).clear()  # rare: regroup from scratch on the next index query
    _written(table)


def _transact(original):
    def transact_write_items(self, transact_items):
        backup = []
        for entry in transact_items if len(transact_items) <= 100 else ():
            op = next(iter(entry.values()), None)
            table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            key = _key_of(table, op) if table is not None else None
            if key is not None:
                backup.append((table, key, copy.deepcopy(table.get_item(*key)) if _exists(table, key) else None))
        _state.transaction = True  # moto's whole-table copies are skipped (Table.__deepcopy__)
        try:
            return original(self, transact_items)
        except Exception:
            for table, key, item in reversed(backup):  # the earliest state of each item wins
                _put_back(table, key, item)
            raise
        finally:
            _state.transaction = False

    return transact_write_items


def _exists(table, key) -> bool:
    hash_value, range_value = key
    if table.range_key_attr:
        return range_value is not None and range_value in table.items.get(hash_value, {})
    return hash_value in table.items


def _table_deepcopy(self, memo):
    if getattr(_state, "transaction", False):
        return self  # the transaction keeps the items it touches instead
    cls = self.__class__
    clone = cls.__new__(cls)
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        if not name.startswith("_tt_"):  # what this module keeps beside moto's state stays behind
            setattr(clone, name, copy.deepcopy(value, memo))
    return clone


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_tt_installed", False):
        return
    Item.__new__ = _untracked_new
    Item.__deepcopy__ = _shared_in_queries(Item.__deepcopy__)
    Item.size = _sized_once(Item.size)
    Item.project = _projected(Item.project)
    Table.query = _query(Table.query)
    Table.put_item = _put_item(Table.put_item)
    Table.delete_item = _delete_item(Table.delete_item)
    DynamoDBBackend.update_item = _updating(DynamoDBBackend.update_item)
    DynamoDBBackend.transact_write_items = _transact(DynamoDBBackend.transact_write_items)
    Table.__deepcopy__ = _table_deepcopy
    Table._tt_installed = True
