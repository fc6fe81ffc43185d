"""The inventory module (TimeTracker's /api/v1/inventory paths) and the module switch
(/api/v1/settings/modules). While the module is off, every inventory route answers 404
module_disabled."""
import functools
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import DateText, Id, PageQuery, Pagination, PerPageQuery
from shared.api.schemas.inventory import (
    Availability,
    LowStock,
    Modules,
    MovementCreate,
    MovementHistory,
    MovementOut,
    MovementSaved,
    Removed,
    StockItemCreate,
    StockItemEnvelope,
    StockItemList,
    StockItemOut,
    StockItemSaved,
    StockItemUpdate,
    StockLevelList,
    StockLevelOut,
    TransferCreate,
    TransferEnvelope,
    TransferList,
    TransferOut,
    TransferSaved,
    Turnover,
    Valuation,
    WarehouseAvailability,
    WarehouseCreate,
    WarehouseEnvelope,
    WarehouseList,
    WarehouseOut,
    WarehouseSaved,
    WarehouseUpdate,
)
from shared.logic import inventory, inventory_reports, stock_movements
from shared.logic.paging import Paging

api = ApiFunction("inventory")


def module_route(fn):
    """An inventory route: registered like any other, answering 404 module_disabled while the
    module is off (one GetItem per request)."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        inventory.require_enabled()
        return fn(*args, **kwargs)

    return api.route(checked)


def _numbers(value):
    """Report bodies: Decimals as JSON numbers."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def _created(body) -> Response:
    return Response(status_code=201, content_type="application/json", body=body)


# -- the switch ---------------------------------------------------------------------------------
@api.route
def get_modules() -> Modules:
    return Modules(**inventory.get_modules())


@api.route
def set_modules(modules: Modules) -> Modules:
    """Admins: `{"inventory": true}` enables the inventory module, `false` hides it (its data stays)."""
    return Modules(**inventory.set_modules(api.principal(), modules.values()))


# -- stock items --------------------------------------------------------------------------------
@module_route
def list_stock_items(
    search: Annotated[str | None, Query(max_length=100, description="In sku, name, barcode, description")] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    active_only: Annotated[bool, Query()] = False,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> StockItemList:
    result = inventory.list_items(search, category, active_only, Paging.of(page, per_page))
    return StockItemList(items=[StockItemOut.model_validate(i) for i in result.items],
                         pagination=Pagination.of(result))


@module_route
def create_stock_item(item: StockItemCreate) -> Response[StockItemSaved]:
    created = inventory.create_item(item.values())
    return _created(StockItemSaved(message="Stock item created successfully",
                                   item=StockItemOut.model_validate(created)))


@module_route
def get_stock_item(item_id: int) -> StockItemEnvelope:
    return StockItemEnvelope(item=StockItemOut.model_validate(inventory.get_item(item_id)))


@module_route
def update_stock_item(item_id: int, item: StockItemUpdate) -> StockItemSaved:
    updated = inventory.update_item(item_id, item.changes())
    return StockItemSaved(message="Stock item updated successfully", item=StockItemOut.model_validate(updated))


@module_route
def patch_stock_item(item_id: int, item: StockItemUpdate) -> StockItemSaved:
    return update_stock_item.__wrapped__(item_id, item)


@module_route
def delete_stock_item(item_id: int) -> Removed:
    """Deletes an item no stock has moved through; one with movements is deactivated (its history stays)."""
    outcome = inventory.delete_item(item_id)
    return Removed(outcome=outcome, message=f"Stock item {outcome}")


@module_route
def get_stock_item_availability(item_id: int) -> Availability:
    item, levels = inventory.availability(item_id)
    rows = [WarehouseAvailability(warehouse_id=w.id, warehouse_code=w.code, warehouse_name=w.name,
                                  quantity_on_hand=lv.quantity_on_hand, quantity_reserved=lv.quantity_reserved,
                                  quantity_available=lv.quantity_available) for w, lv in levels]
    return Availability(item=StockItemOut.model_validate(item),
                        total_on_hand=sum((lv.quantity_on_hand for _, lv in levels), Decimal("0")),
                        total_available=sum((lv.quantity_available for _, lv in levels), Decimal("0")),
                        warehouses=rows)


# -- warehouses ---------------------------------------------------------------------------------
@module_route
def list_warehouses(
    active_only: Annotated[bool, Query()] = False,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> WarehouseList:
    result = inventory.list_warehouses(active_only, Paging.of(page, per_page))
    return WarehouseList(warehouses=[WarehouseOut.model_validate(w) for w in result.items],
                         pagination=Pagination.of(result))


@module_route
def create_warehouse(warehouse: WarehouseCreate) -> Response[WarehouseSaved]:
    created = inventory.create_warehouse(warehouse.values())
    return _created(WarehouseSaved(message="Warehouse created successfully",
                                   warehouse=WarehouseOut.model_validate(created)))


@module_route
def get_warehouse(warehouse_id: int) -> WarehouseEnvelope:
    return WarehouseEnvelope(warehouse=WarehouseOut.model_validate(inventory.get_warehouse(warehouse_id)))


@module_route
def update_warehouse(warehouse_id: int, warehouse: WarehouseUpdate) -> WarehouseSaved:
    updated = inventory.update_warehouse(warehouse_id, warehouse.changes())
    return WarehouseSaved(message="Warehouse updated successfully", warehouse=WarehouseOut.model_validate(updated))


@module_route
def patch_warehouse(warehouse_id: int, warehouse: WarehouseUpdate) -> WarehouseSaved:
    return update_warehouse.__wrapped__(warehouse_id, warehouse)


@module_route
def delete_warehouse(warehouse_id: int) -> Removed:
    """Deletes a warehouse no stock has moved through; one with movements is deactivated."""
    outcome = inventory.delete_warehouse(warehouse_id)
    return Removed(outcome=outcome, message=f"Warehouse {outcome}")


# -- stock and movements --------------------------------------------------------------------------
def _level_out(level, item) -> StockLevelOut:
    return StockLevelOut(stock_item_id=level.stock_item_id, sku=item.sku, item_name=item.name,
                         warehouse_id=level.warehouse_id, quantity_on_hand=level.quantity_on_hand,
                         quantity_reserved=level.quantity_reserved, quantity_available=level.quantity_available,
                         average_cost=level.average_cost, unit=item.unit)


@module_route
def list_stock_levels(
    warehouse_id: Annotated[Id | None, Query()] = None,
    stock_item_id: Annotated[Id | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> StockLevelList:
    result, items = inventory.stock_levels(warehouse_id, stock_item_id, category, Paging.of(page, per_page))
    return StockLevelList(stock_levels=[_level_out(lv, items[lv.stock_item_id]) for lv in result.items],
                          pagination=Pagination.of(result))


@module_route
def create_stock_movement(movement: MovementCreate) -> Response[MovementSaved]:
    """The movement and the stock level it changes are one transaction; an issue or waste that would take
    the warehouse below zero is refused (409 insufficient_stock)."""
    made, item, level = stock_movements.create_movement(api.principal(), movement.values())
    return _created(MovementSaved(message="Stock movement recorded", movement=MovementOut.of(made),
                                  stock_level=_level_out(level, item)))


@module_route
def list_transfers(
    date_from: Annotated[DateText | None, Query(description="On or after this day (YYYY-MM-DD, UTC)")] = None,
    date_to: Annotated[DateText | None, Query(description="On or before this day")] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> TransferList:
    result = stock_movements.list_transfers(date_from, date_to, Paging.of(page, per_page))
    return TransferList(transfers=[TransferOut.of(m) for m in result.items], pagination=Pagination.of(result))


@module_route
def create_transfer(transfer: TransferCreate) -> Response[TransferSaved]:
    """Both movements and both stock levels in one transaction, sharing a reference_id; never oversells."""
    reference, moves = stock_movements.create_transfer(api.principal(), transfer.values())
    return _created(TransferSaved(message=f"Transferred {transfer.quantity} from warehouse "
                                          f"{transfer.from_warehouse_id} to {transfer.to_warehouse_id}",
                                  reference_id=reference, transfers=[MovementOut.of(m) for m in moves]))


@module_route
def get_transfer(reference_id: str) -> TransferEnvelope:
    moves = stock_movements.get_transfer(reference_id)
    return TransferEnvelope(**TransferOut.of(moves[0]).model_dump(), transfers=[MovementOut.of(m) for m in moves])


# -- reports ------------------------------------------------------------------------------------
@module_route
def get_valuation_report(
    warehouse_id: Annotated[Id | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    currency_code: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
) -> Valuation:
    """Stock on hand at the moving average cost of receipts."""
    return Valuation(**_numbers(inventory_reports.valuation(warehouse_id, category, currency_code)))


@module_route
def get_movement_history_report(
    date_from: Annotated[DateText | None, Query()] = None,
    date_to: Annotated[DateText | None, Query()] = None,
    stock_item_id: Annotated[Id | None, Query()] = None,
    warehouse_id: Annotated[Id | None, Query()] = None,
    movement_type: Annotated[Literal["receipt", "issue", "adjustment", "return", "waste", "transfer"] | None,
                             Query()] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> MovementHistory:
    result = inventory_reports.movement_history(date_from, date_to, stock_item_id, warehouse_id, movement_type,
                                                Paging.of(page, per_page))
    return MovementHistory(movements=[MovementOut.of(m) for m in result.items], pagination=Pagination.of(result))


@module_route
def get_turnover_report(
    start_date: Annotated[date | None, Query()] = None,
    end_date: Annotated[date | None, Query()] = None,
    item_id: Annotated[Id | None, Query()] = None,
) -> Turnover:
    """Per item: quantity issued over the period, average stock (of its start and end), and their ratio."""
    return Turnover(**_numbers(inventory_reports.turnover(start_date, end_date, item_id)))


@module_route
def get_low_stock_report(warehouse_id: Annotated[Id | None, Query()] = None) -> LowStock:
    return LowStock(**_numbers(inventory_reports.low_stock(warehouse_id)))


lambda_handler = api.lambda_handler
