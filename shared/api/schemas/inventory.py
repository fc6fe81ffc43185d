"""API schemas for the inventory module. Quantities (3 places) and money (2 places) are taken as
JSON numbers or strings into Decimals, refused with more places than that, and answered as JSON
numbers."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer, StringConstraints

from shared.api.schemas.common import Id, Name, Out, Pagination, Request, Short, Text

_AS_NUMBER = PlainSerializer(float, return_type=float, when_used="json")
Quantity = Annotated[Decimal, Field(max_digits=15, decimal_places=3, allow_inf_nan=False), _AS_NUMBER]
Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2, allow_inf_nan=False), _AS_NUMBER]
Number = Annotated[Decimal, _AS_NUMBER]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")]
MovementType = Literal["receipt", "issue", "adjustment", "return", "waste"]


class Modules(Request):
    inventory: bool


class StockItemCreate(Request):
    sku: Code
    name: Name
    description: Text | None = None
    category: Short | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] = "pcs"
    default_cost: Amount | None = None
    default_price: Amount | None = None
    currency_code: Currency = "EUR"
    barcode: Short | None = None
    reorder_point: Annotated[Quantity, Field(ge=0)] | None = None
    is_trackable: bool = True
    is_active: bool = True


class StockItemUpdate(Request):
    sku: Code = None  # type: ignore[assignment]  # optional, never null
    name: Name = None  # type: ignore[assignment]
    description: Text | None = None
    category: Short | None = None
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)] = None  # type: ignore
    default_cost: Amount | None = None
    default_price: Amount | None = None
    currency_code: Currency = None  # type: ignore[assignment]
    barcode: Short | None = None
    reorder_point: Annotated[Quantity, Field(ge=0)] | None = None
    is_trackable: bool = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]


class StockItemOut(Out):
    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    unit: str
    default_cost: Number | None
    default_price: Number | None
    currency_code: str
    barcode: str | None
    reorder_point: Number | None
    is_trackable: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime


class StockItemEnvelope(BaseModel):
    item: StockItemOut


class StockItemSaved(StockItemEnvelope):
    message: str


class StockItemList(BaseModel):
    items: list[StockItemOut]
    pagination: Pagination


class WarehouseCreate(Request):
    code: Code
    name: Name
    address: Text | None = None
    is_active: bool = True


class WarehouseUpdate(Request):
    code: Code = None  # type: ignore[assignment]
    name: Name = None  # type: ignore[assignment]
    address: Text | None = None
    is_active: bool = None  # type: ignore[assignment]


class WarehouseOut(Out):
    id: int
    code: str
    name: str
    address: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class WarehouseEnvelope(BaseModel):
    warehouse: WarehouseOut


class WarehouseSaved(WarehouseEnvelope):
    message: str


class WarehouseList(BaseModel):
    warehouses: list[WarehouseOut]
    pagination: Pagination


class Removed(BaseModel):
    message: str
    outcome: Literal["deleted", "deactivated"] = Field(
        description="deactivated: stock has moved through it, so its history stays and it is only marked inactive")


class StockLevelOut(BaseModel):
    stock_item_id: int
    sku: str
    item_name: str
    warehouse_id: int
    quantity_on_hand: Number
    quantity_reserved: Number
    quantity_available: Number
    average_cost: Number
    unit: str


class StockLevelList(BaseModel):
    stock_levels: list[StockLevelOut]
    pagination: Pagination


class WarehouseAvailability(BaseModel):
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    quantity_on_hand: Number
    quantity_reserved: Number
    quantity_available: Number


class Availability(BaseModel):
    item: StockItemOut
    total_on_hand: Number
    total_available: Number
    warehouses: list[WarehouseAvailability]


class MovementCreate(Request):
    movement_type: MovementType
    stock_item_id: Id
    warehouse_id: Id
    quantity: Quantity = Field(description="Receipts and returns add it; issues and waste take it away (either "
                                           "sign); an adjustment is signed")
    unit_cost: Amount | None = None
    reason: Short | None = None
    notes: Text | None = None
    reference_type: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    reference_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | int | None = None


class MovementOut(BaseModel):
    id: int
    movement_type: str
    stock_item_id: int
    warehouse_id: int
    quantity: Number
    unit_cost: Number | None
    reason: str | None
    notes: str | None
    reference_type: str | None
    reference_id: str | None
    moved_by: int
    moved_at: datetime

    @classmethod
    def of(cls, m) -> "MovementOut":
        return cls(**{f: getattr(m, f) for f in cls.model_fields})


class MovementSaved(BaseModel):
    message: str
    movement: MovementOut
    stock_level: StockLevelOut | None = None


class TransferCreate(Request):
    stock_item_id: Id
    from_warehouse_id: Id
    to_warehouse_id: Id
    quantity: Annotated[Quantity, Field(gt=0)]
    notes: Text | None = None


class TransferOut(BaseModel):
    reference_id: str
    moved_at: datetime
    stock_item_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    quantity: Number
    notes: str | None
    movement_ids: list[int]

    @classmethod
    def of(cls, out) -> "TransferOut":
        """From a transfer's out-movement (it names both warehouses and both movements)."""
        return cls(reference_id=out.reference_id, moved_at=out.moved_at, stock_item_id=out.stock_item_id,
                   from_warehouse_id=out.from_warehouse_id, to_warehouse_id=out.to_warehouse_id,
                   quantity=-out.quantity, notes=out.notes, movement_ids=out.movement_ids or [])


class TransferSaved(BaseModel):
    success: bool = True
    message: str
    reference_id: str
    transfers: list[MovementOut]


class TransferEnvelope(TransferOut):
    transfers: list[MovementOut]


class TransferList(BaseModel):
    transfers: list[TransferOut]
    pagination: Pagination


class MovementHistory(BaseModel):
    movements: list[MovementOut]
    pagination: Pagination


class Valuation(BaseModel):
    total_value: Number
    currency_code: str | None
    by_warehouse: list[dict]
    by_category: list[dict]
    item_details: list[dict]


class Turnover(BaseModel):
    start_date: str
    end_date: str
    items: list[dict]


class LowStockEvent(BaseModel):
    """inventory.low_stock's data."""

    stock_item_id: int
    warehouse_id: int
    quantity_on_hand: Number
    reorder_point: Number | None
    shortfall: Number

    @classmethod
    def of(cls, image) -> "LowStockEvent":
        level, point = image.level, image.reorder_point
        return cls(stock_item_id=level.stock_item_id, warehouse_id=level.warehouse_id,
                   quantity_on_hand=level.quantity_on_hand, reorder_point=point,
                   shortfall=max(point - level.quantity_on_hand, 0) if point is not None else 0)


class LowStock(BaseModel):
    items: list[dict]
