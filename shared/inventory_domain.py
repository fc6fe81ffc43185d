"""The inventory module's domain: what the data layer hands the logic, and the arithmetic of
stock (decimals only: quantities to 3 places, money to 2, a cost basis to 6)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

QUANTITY = Decimal("0.001")
MONEY = Decimal("0.01")
BASIS = Decimal("0.000001")
MOVEMENT_TYPES = ("receipt", "issue", "adjustment", "return", "waste")
OUTFLOWS = ("issue", "waste")  # take stock away: given as a positive quantity, stored negative
INFLOWS = ("receipt", "return")  # add stock: a positive quantity


def qty(value) -> Decimal:
    return Decimal(value).quantize(QUANTITY, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(value).quantize(MONEY, rounding=ROUND_HALF_UP)


def basis(value) -> Decimal:
    return Decimal(value).quantize(BASIS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StockItem:
    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    unit: str
    default_cost: Decimal | None
    default_price: Decimal | None
    currency_code: str
    barcode: str | None
    reorder_point: Decimal | None
    is_trackable: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Warehouse:
    id: int
    code: str
    name: str
    address: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StockLevel:
    stock_item_id: int
    warehouse_id: int
    quantity_on_hand: Decimal
    quantity_reserved: Decimal
    value: Decimal  # the cost basis of what is on hand
    version: int  # 0: no level stored yet

    @property
    def quantity_available(self) -> Decimal:
        return self.quantity_on_hand - self.quantity_reserved

    @property
    def average_cost(self) -> Decimal:
        return basis(self.value / self.quantity_on_hand) if self.quantity_on_hand > 0 else Decimal("0")

    def moved(self, quantity: Decimal, unit_cost: Decimal | None) -> "StockLevel":
        """The level after ``quantity`` (signed) moves: an inflow adds its cost (``unit_cost``, else
        the moving average), an outflow takes its share of the cost basis at the moving average."""
        on_hand = self.quantity_on_hand + quantity
        if quantity >= 0:
            value = self.value + quantity * (self.average_cost if unit_cost is None else unit_cost)
        else:
            value = Decimal("0") if on_hand == 0 else self.value + quantity * self.average_cost
        return StockLevel(self.stock_item_id, self.warehouse_id, on_hand, self.quantity_reserved, basis(value),
                          self.version)


@dataclass(frozen=True)
class StockMovement:
    id: int
    movement_type: str
    stock_item_id: int
    warehouse_id: int
    quantity: Decimal
    unit_cost: Decimal | None
    reason: str | None
    notes: str | None
    reference_type: str | None
    reference_id: str | None
    moved_by: int
    moved_at: datetime
    from_warehouse_id: int | None = None
    to_warehouse_id: int | None = None
    movement_ids: list[int] | None = None


@dataclass(frozen=True)
class LevelImage:
    """A stock level as its table's stream carries it: with its item's reorder point as of the
    level's last movement (what inventory.low_stock is decided by)."""

    level: StockLevel
    reorder_point: Decimal | None

    @property
    def is_low(self) -> bool:
        return self.reorder_point is not None and self.level.quantity_on_hand < self.reorder_point
