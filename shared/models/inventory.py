"""The inventory module: stock items, warehouses, stock levels and movements, and the
organisation's module switches.

settings: one item per group (``modules``: which optional modules are on).
stock_items / warehouses: the organisation's catalogue, keyed (org, id) like projects; a sku or
  a warehouse code is unique through unique_names, claimed in the same transaction.
stock_levels: one item per (stock item, warehouse): on hand, reserved, and the cost basis
  (``value``: on hand times the moving average cost of receipts), with a ``version`` that
  outflows write under (their cost depends on the level they read). by-warehouse lists one
  warehouse's levels; by-org all of them, ordered by item then warehouse.
stock_movements: one item per movement under the organisation, ranged by ``move_key``
  (moved_at ISO + "#" + id), so a date range is a key condition; by-item and by-warehouse hold
  the same order per item and per warehouse; by-reference finds a transfer's pair; by-transfer
  (sparse: only a transfer's out-movement has ``transfer_key``) lists transfers by date.
Quantities and money are DynamoDB numbers read back as Decimal (3 and 2 places), never floats.
Movements and levels stream: webhooks' inventory events come from them.
"""
from decimal import Decimal

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.constants import NUMBER

from shared.models.base import BaseMeta, Model, gsi, table_name


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number kept exact: written from a Decimal, read back as one."""

    attr_type = NUMBER

    def serialize(self, value):
        return str(Decimal(value))

    def deserialize(self, value):
        return Decimal(value)


class SettingsModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("settings")

    name = UnicodeAttribute(hash_key=True)
    inventory = BooleanAttribute(default=False)
    updated_at = UTCDateTimeAttribute(null=True)


class StockItemModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("stock_items")

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    sku = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    unit = UnicodeAttribute(default="pcs")
    default_cost = DecimalAttribute(null=True)
    default_price = DecimalAttribute(null=True)
    currency_code = UnicodeAttribute(default="EUR")
    barcode = UnicodeAttribute(null=True)
    reorder_point = DecimalAttribute(null=True)
    is_trackable = BooleanAttribute(default=True)
    is_active = BooleanAttribute(default=True)
    has_movements = BooleanAttribute(default=False)  # a delete then only deactivates it
    search_text = UnicodeAttribute(default="")  # sku, name, barcode, description, lower case: the list's search
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class WarehouseModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("warehouses")

    org = UnicodeAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    code = UnicodeAttribute()
    name = UnicodeAttribute()
    address = UnicodeAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    has_movements = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class StockLevelModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("stock_levels")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    stock_item_id = NumberAttribute(hash_key=True)
    warehouse_id = NumberAttribute(range_key=True)
    org = UnicodeAttribute()
    level_key = UnicodeAttribute()  # <item id, 12 digits>#<warehouse id, 12 digits>
    quantity_on_hand = DecimalAttribute(default=Decimal)
    quantity_reserved = DecimalAttribute(default=Decimal)
    value = DecimalAttribute(default=Decimal)  # the cost basis of what is on hand
    reorder_point = DecimalAttribute(null=True)  # the item's, as of the last movement (for low-stock events)
    version = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute()

    by_warehouse = gsi("by-warehouse", ("warehouse_id", NumberAttribute(hash_key=True)),
                       ("stock_item_id", NumberAttribute(range_key=True)))
    by_org = gsi("by-org", ("org", UnicodeAttribute(hash_key=True)), ("level_key", UnicodeAttribute(range_key=True)))


class StockMovementModel(Model):
    class Meta(BaseMeta):
        table_name = table_name("stock_movements")
        stream_view_type = "NEW_AND_OLD_IMAGES"

    org = UnicodeAttribute(hash_key=True)
    move_key = UnicodeAttribute(range_key=True)
    id = NumberAttribute()
    movement_type = UnicodeAttribute()  # receipt | issue | adjustment | return | waste | transfer
    stock_item_id = NumberAttribute()
    warehouse_id = NumberAttribute()
    quantity = DecimalAttribute()  # signed: what the warehouse gained (+) or lost (-)
    unit_cost = DecimalAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    reference_type = UnicodeAttribute(null=True)
    reference_id = UnicodeAttribute(null=True)
    moved_by = NumberAttribute()
    moved_at = UTCDateTimeAttribute()
    transfer_key = UnicodeAttribute(null=True)  # a transfer's out-movement only (the by-transfer index)
    from_warehouse_id = NumberAttribute(null=True)  # a transfer's two movements
    to_warehouse_id = NumberAttribute(null=True)
    movement_ids = ListAttribute(of=NumberAttribute, null=True)

    by_item = gsi("by-item", ("stock_item_id", NumberAttribute(hash_key=True)),
                  ("move_key", UnicodeAttribute(range_key=True)))
    by_warehouse = gsi("by-warehouse", ("warehouse_id", NumberAttribute(hash_key=True)),
                       ("move_key", UnicodeAttribute(range_key=True)))
    by_reference = gsi("by-reference", ("reference_id", UnicodeAttribute(hash_key=True)),
                       ("move_key", UnicodeAttribute(range_key=True)))
    by_transfer = gsi("by-transfer", ("org", UnicodeAttribute(hash_key=True)),
                      ("transfer_key", UnicodeAttribute(range_key=True)))
