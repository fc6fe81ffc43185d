"""The inventory module: its switch, stock items, warehouses and stock levels. Movements and
transfers are in stock_movements.py, reports in inventory_reports.py."""
from __future__ import annotations

from shared.data import inventory as inventory_data
from shared.data import stock as stock_data
from shared.domain import Page, Principal
from shared.errors import Forbidden, NotFound
from shared.inventory_domain import StockItem, StockLevel, Warehouse
from shared.logic.paging import Paging

DISABLED = ("The inventory module is disabled. An admin enables it with PUT /api/v1/settings/modules "
            '{"inventory": true}')


def get_modules() -> dict[str, bool]:
    return inventory_data.get_modules()


def set_modules(principal: Principal, values: dict[str, bool]) -> dict[str, bool]:
    if not principal.is_admin:
        raise Forbidden("Only admins may change the modules")
    return inventory_data.set_modules(values)


def require_enabled() -> None:
    """Every inventory route asks first: while the module is off they answer 404 module_disabled."""
    if not inventory_data.get_modules()["inventory"]:
        raise NotFound(DISABLED, "module_disabled")


# -- stock items ----------------------------------------------------------------------------------
def get_item(item_id: int) -> StockItem:
    item = inventory_data.get_item(item_id)
    if item is None:
        raise NotFound(f"Stock item {item_id} not found")
    return item


def list_items(search: str | None, category: str | None, active_only: bool, paging: Paging) -> Page:
    return inventory_data.list_items(search=search, category=category, active_only=active_only,
                                     page=paging.page, per_page=paging.per_page)


def create_item(values: dict) -> StockItem:
    return inventory_data.create_item(values)


def update_item(item_id: int, changes: dict) -> StockItem:
    get_item(item_id)
    return inventory_data.update_item(item_id, changes) or get_item(item_id)


def delete_item(item_id: int) -> str:
    """"deleted", or "deactivated" for an item stock has moved through (its history stays)."""
    outcome = inventory_data.remove_item(item_id)
    if outcome is None:
        raise NotFound(f"Stock item {item_id} not found")
    return outcome


def availability(item_id: int) -> tuple[StockItem, list[tuple[Warehouse, StockLevel]]]:
    item = get_item(item_id)
    levels = stock_data.levels_of_item(item_id)
    warehouses = inventory_data.get_warehouses(level.warehouse_id for level in levels)
    return item, [(warehouses[level.warehouse_id], level) for level in levels if level.warehouse_id in warehouses]


# -- warehouses -----------------------------------------------------------------------------------
def get_warehouse(warehouse_id: int) -> Warehouse:
    warehouse = inventory_data.get_warehouse(warehouse_id)
    if warehouse is None:
        raise NotFound(f"Warehouse {warehouse_id} not found")
    return warehouse


def list_warehouses(active_only: bool, paging: Paging) -> Page:
    return inventory_data.list_warehouses(active_only=active_only, page=paging.page, per_page=paging.per_page)


def create_warehouse(values: dict) -> Warehouse:
    return inventory_data.create_warehouse(values)


def update_warehouse(warehouse_id: int, changes: dict) -> Warehouse:
    get_warehouse(warehouse_id)
    return inventory_data.update_warehouse(warehouse_id, changes) or get_warehouse(warehouse_id)


def delete_warehouse(warehouse_id: int) -> str:
    outcome = inventory_data.remove_warehouse(warehouse_id)
    if outcome is None:
        raise NotFound(f"Warehouse {warehouse_id} not found")
    return outcome


# -- stock levels ---------------------------------------------------------------------------------
def stock_levels(warehouse_id: int | None, item_id: int | None, category: str | None,
                 paging: Paging) -> tuple[Page, dict[int, StockItem]]:
    """Levels per item and warehouse, from the narrowest key the filters name (an item's levels,
    a warehouse's, or the by-org index), ordered by item, then warehouse."""
    if item_id is not None:
        levels = [lv for lv in stock_data.levels_of_item(item_id) if warehouse_id in (None, lv.warehouse_id)]
    elif warehouse_id is not None:
        levels = stock_data.levels_of_warehouse(warehouse_id)
    else:
        levels = stock_data.all_levels()
    items = inventory_data.get_items(lv.stock_item_id for lv in levels)
    levels = [lv for lv in levels if lv.stock_item_id in items
              and (category is None or items[lv.stock_item_id].category == category)]
    start = (paging.page - 1) * paging.per_page
    return Page(items=levels[start:start + paging.per_page], total=len(levels), page=paging.page,
                per_page=paging.per_page), items
