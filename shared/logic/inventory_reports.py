"""Inventory reports, read from the levels' and movements' keys and indexes (never a table walk):
valuation at the moving average cost, movement history, turnover and low stock."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from shared.clock import utcnow
from shared.data import inventory as inventory_data
from shared.data import stock as stock_data
from shared.domain import Page
from shared.errors import ValidationFailed
from shared.inventory_domain import money, qty
from shared.logic.paging import Paging

TURNOVER_DAYS = 30  # the default period: the last 30 days


def _levels(warehouse_id: int | None):
    return stock_data.levels_of_warehouse(warehouse_id) if warehouse_id is not None else stock_data.all_levels()


def valuation(warehouse_id: int | None, category: str | None, currency_code: str | None) -> dict:
    levels = [lv for lv in _levels(warehouse_id) if lv.quantity_on_hand != 0]
    items = inventory_data.get_items(lv.stock_item_id for lv in levels)
    warehouses = inventory_data.get_warehouses(lv.warehouse_id for lv in levels)
    by_warehouse: dict[int, Decimal] = defaultdict(Decimal)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    details, total = [], Decimal("0")
    for level in levels:
        item = items.get(level.stock_item_id)
        if item is None or (category and item.category != category) or \
                (currency_code and item.currency_code != currency_code.upper()):
            continue
        value = money(level.value)
        total += value
        by_warehouse[level.warehouse_id] += value
        by_category[item.category or "Uncategorized"] += value
        details.append({"stock_item_id": item.id, "sku": item.sku, "name": item.name, "category": item.category,
                        "warehouse_id": level.warehouse_id, "quantity_on_hand": qty(level.quantity_on_hand),
                        "average_cost": money(level.average_cost), "total_value": value,
                        "currency_code": item.currency_code})
    return {
        "total_value": money(total),
        "currency_code": currency_code.upper() if currency_code else None,
        "by_warehouse": [{"warehouse_id": w, "warehouse_code": warehouses[w].code if w in warehouses else None,
                          "warehouse_name": warehouses[w].name if w in warehouses else None, "total_value": money(v)}
                         for w, v in sorted(by_warehouse.items())],
        "by_category": [{"category": c, "total_value": money(v)} for c, v in sorted(by_category.items())],
        "item_details": details,
    }


def movement_history(date_from: str | None, date_to: str | None, stock_item_id: int | None,
                     warehouse_id: int | None, movement_type: str | None, paging: Paging) -> Page:
    return stock_data.movements_page(date_from=date_from, date_to=date_to, stock_item_id=stock_item_id,
                                     warehouse_id=warehouse_id, movement_type=movement_type, page=paging.page,
                                     per_page=paging.per_page)


def turnover(start_date: date | None, end_date: date | None, item_id: int | None) -> dict:
    """Per item over the period: the quantity issued (issues and waste, not transfers), the
    average of its stock at the start and at the end, and issued / average stock."""
    end_date = end_date or utcnow().date()
    start_date = start_date or end_date - timedelta(days=TURNOVER_DAYS)
    if end_date < start_date:
        raise ValidationFailed.field("end_date", "end_date is before start_date")
    items = [inventory_data.get_item(item_id)] if item_id is not None else inventory_data.all_items()
    levels = stock_data.levels_of_item(item_id) if item_id is not None else stock_data.all_levels()
    on_hand: dict[int, Decimal] = defaultdict(Decimal)
    for level in levels:
        on_hand[level.stock_item_id] += level.quantity_on_hand
    out = []
    for item in filter(None, items):
        on_hand_now = on_hand[item.id]
        since = stock_data.movements_of_item_since(item.id, start_date.isoformat())
        after_end = sum((m.quantity for m in since if m.moved_at.date() > end_date), Decimal("0"))
        within = [m for m in since if m.moved_at.date() <= end_date]
        at_end = on_hand_now - after_end
        at_start = at_end - sum((m.quantity for m in within), Decimal("0"))
        issued = -sum((m.quantity for m in within if m.movement_type in ("issue", "waste")), Decimal("0"))
        average = (at_start + at_end) / 2
        out.append({"stock_item_id": item.id, "sku": item.sku, "name": item.name,
                    "quantity_issued": qty(issued), "opening_stock": qty(at_start), "closing_stock": qty(at_end),
                    "average_stock": qty(average),
                    "turnover_ratio": (issued / average).quantize(Decimal("0.01")) if average > 0 else None})
    return {"start_date": start_date.isoformat(), "end_date": end_date.isoformat(), "items": out}


def low_stock(warehouse_id: int | None) -> dict:
    """Levels below their item's reorder point, with the shortfall."""
    levels = _levels(warehouse_id)
    items = inventory_data.get_items(lv.stock_item_id for lv in levels)
    warehouses = inventory_data.get_warehouses(lv.warehouse_id for lv in levels)
    out = []
    for level in levels:
        item = items.get(level.stock_item_id)
        if item is None or not item.is_active or item.reorder_point is None:
            continue
        if level.quantity_on_hand < item.reorder_point:
            warehouse = warehouses.get(level.warehouse_id)
            out.append({"stock_item_id": item.id, "sku": item.sku, "name": item.name,
                        "warehouse_id": level.warehouse_id, "warehouse_code": warehouse.code if warehouse else None,
                        "quantity_on_hand": qty(level.quantity_on_hand), "reorder_point": qty(item.reorder_point),
                        "shortfall": qty(item.reorder_point - level.quantity_on_hand), "unit": item.unit})
    return {"items": out}
