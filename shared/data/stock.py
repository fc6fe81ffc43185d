"""Stock levels and movements (keys and indexes in shared/models/inventory.py).

A movement and every level it changes are one TransactWriteItems: the movements are put, each
level is written under the version it was read at (a concurrent movement makes the write fail
as Raced, and the caller reads again), and the item and warehouses are marked as moved (which
also fails the write if one was deleted meanwhile)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.clock import iso_z, utcnow
from shared.data import counters
from shared.data.common import TransactionConflict, fetch_page, transaction
from shared.domain import Page
from shared.errors import Conflict
from shared.inventory_domain import LevelImage, StockLevel, StockMovement
from shared.models.base import ORG
from shared.models.inventory import StockItemModel, StockLevelModel, StockMovementModel, WarehouseModel


class Raced(Conflict):
    """A level changed between its read and the write: read again and retry."""

    def __init__(self):
        super().__init__("The stock level changed concurrently; retry", "concurrent_update")


class Vanished(Conflict):
    def __init__(self):
        super().__init__("The stock item or warehouse was deleted meanwhile", "not_found")


def _level_key(item_id: int, warehouse_id: int) -> str:
    return f"{item_id:012d}#{warehouse_id:012d}"


def _level(item: StockLevelModel) -> StockLevel:
    return StockLevel(int(item.stock_item_id), int(item.warehouse_id), item.quantity_on_hand,
                      item.quantity_reserved, item.value, int(item.version))


def empty_level(item_id: int, warehouse_id: int) -> StockLevel:
    return StockLevel(item_id, warehouse_id, Decimal("0"), Decimal("0"), Decimal("0"), 0)


def get_levels(pairs) -> dict[tuple[int, int], StockLevel]:
    """(item, warehouse) -> level, strongly consistent (the version a write is checked against);
    a pair without a stored level reads as empty, version 0."""
    pairs = list(dict.fromkeys(pairs))
    found = {(int(i.stock_item_id), int(i.warehouse_id)): _level(i)
             for i in StockLevelModel.batch_get(pairs, consistent_read=True)} if pairs else {}
    return {p: found.get(p) or empty_level(*p) for p in pairs}


def levels_of_item(item_id: int) -> list[StockLevel]:
    return [_level(i) for i in StockLevelModel.query(item_id)]


def levels_of_warehouse(warehouse_id: int) -> list[StockLevel]:
    return [_level(i) for i in StockLevelModel.by_warehouse.query(warehouse_id)]


def all_levels() -> list[StockLevel]:
    return [_level(i) for i in StockLevelModel.by_org.query(ORG)]


def level_from_stored(raw: dict) -> LevelImage:
    """A stream image: the level and its item's reorder point as of its last movement."""
    item = StockLevelModel.from_raw_data(raw)
    return LevelImage(_level(item), item.reorder_point)


@dataclass(frozen=True)
class NewMovement:
    movement_type: str
    stock_item_id: int
    warehouse_id: int
    quantity: object  # Decimal, signed
    unit_cost: object = None
    reason: str | None = None
    notes: str | None = None
    reference_type: str | None = None
    reference_id: str | None = None
    from_warehouse_id: int | None = None
    to_warehouse_id: int | None = None
    transfer_out: bool = False  # a transfer's out-movement: listed by the by-transfer index


def _move_key(moved_at: datetime, movement_id: int) -> str:
    return f"{iso_z(moved_at)}#{movement_id:012d}"


def record(moves: list[NewMovement], levels: list[StockLevel], reorder_point, moved_by: int) -> list[StockMovement]:
    """Write ``moves`` and the ``levels`` they lead to in one transaction; Raced if a level
    moved since it was read, Vanished if the item or a warehouse is gone."""
    now = utcnow()
    ids = list(counters.reserve_ids("stock_movement", len(moves)))
    items = []
    for move, movement_id in zip(moves, ids, strict=True):
        key = _move_key(now, movement_id)
        items.append(StockMovementModel(
            ORG, key, id=movement_id, movement_type=move.movement_type, stock_item_id=move.stock_item_id,
            warehouse_id=move.warehouse_id, quantity=move.quantity, unit_cost=move.unit_cost, reason=move.reason,
            notes=move.notes, reference_type=move.reference_type, reference_id=move.reference_id, moved_by=moved_by,
            moved_at=now, transfer_key=key if move.transfer_out else None, from_warehouse_id=move.from_warehouse_id,
            to_warehouse_id=move.to_warehouse_id, movement_ids=ids if move.reference_type == "transfer" else None))
    item_id = moves[0].stock_item_id
    warehouses = sorted({m.warehouse_id for m in moves})
    conflicts = [None] * len(items) + [Raced] * len(levels) + [Vanished] * (1 + len(warehouses))
    try:
        _write_movement(conflicts, items, levels, reorder_point, item_id, warehouses, now)
    except TransactionConflict:
        raise Raced() from None  # a concurrent movement held an item of ours: read again, retry
    return [_movement(i) for i in items]


def _write_movement(conflicts, items, levels, reorder_point, item_id, warehouses, now) -> None:
    with transaction(conflicts) as t:
        for item in items:
            t.save(item, condition=StockMovementModel.move_key.does_not_exist())
        for level in levels:
            stored = StockLevelModel(
                level.stock_item_id, level.warehouse_id, org=ORG,
                level_key=_level_key(level.stock_item_id, level.warehouse_id),
                quantity_on_hand=level.quantity_on_hand, quantity_reserved=level.quantity_reserved, value=level.value,
                reorder_point=reorder_point, version=level.version + 1, updated_at=now)
            t.save(stored, condition=(StockLevelModel.version == level.version) if level.version
                   else StockLevelModel.stock_item_id.does_not_exist())
        t.update(StockItemModel(ORG, item_id), actions=[StockItemModel.has_movements.set(True)],
                 condition=StockItemModel.id.exists())
        for warehouse_id in warehouses:
            t.update(WarehouseModel(ORG, warehouse_id), actions=[WarehouseModel.has_movements.set(True)],
                     condition=WarehouseModel.id.exists())


def _movement(item: StockMovementModel) -> StockMovement:
    return StockMovement(
        id=int(item.id), movement_type=item.movement_type, stock_item_id=int(item.stock_item_id),
        warehouse_id=int(item.warehouse_id), quantity=item.quantity, unit_cost=item.unit_cost, reason=item.reason,
        notes=item.notes, reference_type=item.reference_type, reference_id=item.reference_id,
        moved_by=int(item.moved_by), moved_at=item.moved_at,
        from_warehouse_id=int(item.from_warehouse_id) if item.from_warehouse_id is not None else None,
        to_warehouse_id=int(item.to_warehouse_id) if item.to_warehouse_id is not None else None,
        movement_ids=[int(i) for i in item.movement_ids] if item.movement_ids else None)


def movement_from_stored(raw: dict) -> StockMovement:
    return _movement(StockMovementModel.from_raw_data(raw))


def _range(date_from: str | None, date_to: str | None, key=StockMovementModel.move_key):
    """A condition on a time-ordered key (move_key, transfer_key) for days (YYYY-MM-DD, UTC), both ends included."""
    if date_from and date_to:
        return key.between(date_from, date_to + "~")
    if date_from:
        return key >= date_from
    if date_to:
        return key <= date_to + "~"
    return None


def movements_page(*, date_from=None, date_to=None, stock_item_id=None, warehouse_id=None, movement_type=None,
                   page: int, per_page: int) -> Page:
    """Newest first. An item or a warehouse narrows the Query to its index; the rest filters."""
    if stock_item_id is not None:
        source, hash_key, rest = StockMovementModel.by_item, stock_item_id, (
            StockMovementModel.warehouse_id == warehouse_id if warehouse_id is not None else None)
    elif warehouse_id is not None:
        source, hash_key, rest = StockMovementModel.by_warehouse, warehouse_id, None
    else:
        source, hash_key, rest = StockMovementModel, ORG, None
    if movement_type:
        kind = StockMovementModel.movement_type == movement_type
        rest = kind if rest is None else rest & kind
    return fetch_page(source, hash_key, page=page, per_page=per_page, range_key_condition=_range(date_from, date_to),
                      filter_condition=rest, newest_first=True, to_domain=_movement)


def movements_of_item_since(item_id: int, date_from: str) -> list[StockMovement]:
    return [_movement(i) for i in StockMovementModel.by_item.query(item_id, range_key_condition=_range(date_from,
                                                                                                        None))]


def transfers_page(*, date_from=None, date_to=None, page: int, per_page: int) -> Page:
    return fetch_page(StockMovementModel.by_transfer, ORG, page=page, per_page=per_page,
                      range_key_condition=_range(date_from, date_to, StockMovementModel.transfer_key),
                      newest_first=True, to_domain=_movement)


def movements_of_reference(reference_id: str) -> list[StockMovement]:
    return [_movement(i) for i in StockMovementModel.by_reference.query(reference_id)]
