"""Stock movements and transfers. Each is written with the levels it changes in one
transaction (shared/data/stock.py); a warehouse never goes below zero: an outflow that would
take it there is refused with 409 insufficient_stock, saying how much is available.

Levels are written under the version they were read at, so two movements on one level cannot
both win: the loser reads again and retries (and, if the stock is gone by then, is refused)."""
from __future__ import annotations

import random
import secrets
import time
from decimal import Decimal

from shared.clock import utcnow
from shared.data import inventory as inventory_data
from shared.data import stock as stock_data
from shared.domain import Page, Principal
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.inventory_domain import INFLOWS, OUTFLOWS, StockItem, StockLevel, StockMovement, money, qty
from shared.logic.paging import Paging

ATTEMPTS = 40  # contended levels: each round one writer wins, so a queue of 20 settles well within this


class InsufficientStock(Conflict):
    def __init__(self, item, warehouse, available: Decimal, wanted: Decimal):
        super().__init__(f"Insufficient stock of {item.sku} in {warehouse.code}: {available} available, "
                         f"{wanted} requested", "insufficient_stock")


def _usable(item_id: int, warehouse_ids: list[int]):
    item = inventory_data.get_item(item_id)
    if item is None:
        raise NotFound(f"Stock item {item_id} not found")
    if not item.is_active:
        raise Conflict(f"Stock item {item.sku} is inactive", "item_inactive")
    warehouses = inventory_data.get_warehouses(warehouse_ids)
    for warehouse_id in warehouse_ids:
        if warehouse_id not in warehouses:
            raise NotFound(f"Warehouse {warehouse_id} not found")
        if not warehouses[warehouse_id].is_active:
            raise Conflict(f"Warehouse {warehouses[warehouse_id].code} is inactive", "warehouse_inactive")
    return item, warehouses


def signed_quantity(movement_type: str, quantity: Decimal) -> Decimal:
    """What the warehouse gains (+) or loses (-): receipts and returns add, issues and waste take
    (either sign accepted), an adjustment is signed as given."""
    quantity = qty(quantity)
    if quantity == 0:
        raise ValidationFailed.field("quantity", "The quantity must not be zero")
    if movement_type in INFLOWS:
        if quantity < 0:
            raise ValidationFailed.field("quantity", f"A {movement_type} adds stock: give a positive quantity")
        return quantity
    if movement_type in OUTFLOWS:
        return -abs(quantity)
    return quantity


def _write(build, item, principal: Principal) -> tuple[list[StockMovement], list[StockLevel]]:
    """Read the levels, let ``build()`` return (movements, new levels), write; on a lost race,
    again. ``build`` raises InsufficientStock when a level cannot give what is asked. Returns
    the movements and the levels as written."""
    for attempt in range(ATTEMPTS):
        moves, levels = build()
        try:
            return stock_data.record(moves, levels, item.reorder_point, principal.user_id), levels
        except stock_data.Raced:
            time.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # noqa: S311 - jitter, not a secret
        except stock_data.Vanished:
            raise NotFound("The stock item or a warehouse was deleted meanwhile") from None
    raise Conflict("The stock level is changing too often to record this movement; retry", "concurrent_update")


def _after(level: StockLevel, quantity: Decimal, unit_cost, item, warehouse) -> StockLevel:
    if quantity < 0 and level.quantity_on_hand + quantity < 0:
        raise InsufficientStock(item, warehouse, level.quantity_on_hand, -quantity)
    return level.moved(quantity, unit_cost)


def create_movement(principal: Principal, values: dict) -> tuple[StockMovement, StockItem, StockLevel]:
    """The movement, its item, and the stock level it left behind."""
    movement_type = values["movement_type"]
    item, warehouses = _usable(values["stock_item_id"], [values["warehouse_id"]])
    warehouse = warehouses[values["warehouse_id"]]
    quantity = signed_quantity(movement_type, values["quantity"])
    cost = values.get("unit_cost")
    if cost is None and movement_type == "receipt":
        cost = item.default_cost
    cost = money(cost) if cost is not None else None
    move = stock_data.NewMovement(
        movement_type, item.id, warehouse.id, quantity, unit_cost=cost, reason=values.get("reason"),
        notes=values.get("notes"), reference_type=values.get("reference_type"),
        reference_id=str(values["reference_id"]) if values.get("reference_id") is not None else None)

    def build():
        level = stock_data.get_levels([(item.id, warehouse.id)])[(item.id, warehouse.id)]
        return [move], [_after(level, quantity, cost if quantity > 0 else None, item, warehouse)]

    (made,), (level,) = _write(build, item, principal)
    return made, item, level


def new_reference() -> str:
    return f"TRF-{utcnow():%Y%m%d}-{secrets.token_hex(4).upper()}"


def create_transfer(principal: Principal, values: dict) -> tuple[str, list[StockMovement]]:
    """The out-movement, the in-movement and both levels in one transaction, sharing a reference.
    The destination takes the stock at the source's moving average cost."""
    source, target = values["from_warehouse_id"], values["to_warehouse_id"]
    if source == target:
        raise ValidationFailed.field("to_warehouse_id", "A transfer needs two different warehouses")
    quantity = qty(values["quantity"])
    if quantity <= 0:
        raise ValidationFailed.field("quantity", "Transfer a positive quantity")
    item, warehouses = _usable(values["stock_item_id"], [source, target])
    reference = new_reference()
    common = dict(notes=values.get("notes"), reference_type="transfer", reference_id=reference,
                  from_warehouse_id=source, to_warehouse_id=target)

    def build():
        levels = stock_data.get_levels([(item.id, source), (item.id, target)])
        out = _after(levels[(item.id, source)], -quantity, None, item, warehouses[source])
        cost = levels[(item.id, source)].average_cost
        into = levels[(item.id, target)].moved(quantity, cost)
        moves = [stock_data.NewMovement("transfer", item.id, source, -quantity, unit_cost=money(cost),
                                        transfer_out=True, **common),
                 stock_data.NewMovement("transfer", item.id, target, quantity, unit_cost=money(cost), **common)]
        return moves, [out, into]

    return reference, _write(build, item, principal)[0]


def get_transfer(reference_id: str) -> list[StockMovement]:
    moves = [m for m in stock_data.movements_of_reference(reference_id) if m.reference_type == "transfer"]
    if not moves:
        raise NotFound(f"Transfer {reference_id} not found")
    return sorted(moves, key=lambda m: m.quantity)  # out (negative) first


def list_transfers(date_from: str | None, date_to: str | None, paging: Paging) -> Page:
    """Newest first; each is its out-movement, which names both warehouses and both movement ids."""
    return stock_data.transfers_page(date_from=date_from, date_to=date_to, page=paging.page,
                                     per_page=paging.per_page)
