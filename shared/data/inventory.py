"""The inventory catalogue's access patterns: module switches, stock items, warehouses (keys
and indexes in shared/models/inventory.py). Unique skus and warehouse codes are name guards
(unique_names) claimed in the same transaction as the record."""
from __future__ import annotations

from dataclasses import fields

from shared.clock import utcnow
from shared.data import counters, unique_names
from shared.data.common import fetch_page, transaction
from shared.domain import Page
from shared.errors import Conflict
from shared.inventory_domain import StockItem, Warehouse
from shared.models.base import ORG
from shared.models.inventory import SettingsModel, StockItemModel, WarehouseModel

MODULES = "modules"


# -- module switches ---------------------------------------------------------------------------
def get_modules() -> dict[str, bool]:
    try:
        item = SettingsModel.get(MODULES, consistent_read=True)
    except SettingsModel.DoesNotExist:
        return {"inventory": False}
    return {"inventory": bool(item.inventory)}


def set_modules(values: dict[str, bool]) -> dict[str, bool]:
    SettingsModel(MODULES, updated_at=utcnow(), **values).save()
    return get_modules()


# -- one catalogue of records keyed (org, id) with a unique key attribute ----------------------
class _Keyed:
    def __init__(self, model, kind: str, domain_cls, key_attr: str, label: str):
        self.model, self.kind, self.domain_cls, self.key_attr, self.label = model, kind, domain_cls, key_attr, label
        self.names = [f.name for f in fields(domain_cls)]

    def to_domain(self, item):
        return self.domain_cls(**{n: getattr(item, n) for n in self.names})

    def from_stored(self, raw: dict):
        return self.to_domain(self.model.from_raw_data(raw))

    def guard(self, value: str) -> str:
        return unique_names.name_key(self.kind, value)

    def duplicate(self, value: str) -> Conflict:
        return Conflict(f"A {self.label} with {self.key_attr} '{value}' already exists", f"duplicate_{self.key_attr}")

    def item(self, item_id: int):
        try:
            return self.model.get(ORG, item_id, consistent_read=True)
        except self.model.DoesNotExist:
            return None

    def get(self, item_id: int):
        item = self.item(item_id)
        return self.to_domain(item) if item else None

    def get_many(self, ids) -> dict[int, object]:
        keys = [(ORG, i) for i in set(ids)]
        return {int(i.id): self.to_domain(i) for i in self.model.batch_get(keys)} if keys else {}

    def create(self, values: dict, **stored):
        now = utcnow()
        item = self.model(ORG, counters.next_id(self.kind), created_at=now, updated_at=now, **values, **stored)
        with transaction([None, self.duplicate(values[self.key_attr])]) as t:
            t.save(item, condition=self.model.id.does_not_exist())
            unique_names.claim(t, self.guard(values[self.key_attr]), item.id)
        return self.to_domain(item)

    def update(self, item_id: int, changes: dict, **stored):
        """Apply ``changes`` under the record's updated_at (a concurrent edit is a 409); a new
        key moves its guard in the same transaction."""
        item = self.item(item_id)
        if item is None:
            return None
        old_key, seen = getattr(item, self.key_attr), item.updated_at
        for name, value in {**changes, **stored}.items():
            setattr(item, name, value)
        item.updated_at = utcnow()
        new_key = getattr(item, self.key_attr)
        moved = self.guard(new_key) != self.guard(old_key)
        with transaction([None, self.duplicate(new_key) if moved else None]) as t:
            t.save(item, condition=self.model.updated_at == seen)
            if moved:
                unique_names.claim(t, self.guard(new_key), item.id)
                unique_names.release(t, self.guard(old_key))
        return self.to_domain(item)

    def remove(self, item_id: int) -> str | None:
        """Delete a record nothing has moved through; deactivate one that has. What happened:
        "deleted", "deactivated", or None when there is no such record."""
        item = self.item(item_id)
        if item is None:
            return None
        if item.has_movements:
            self.update(item_id, {"is_active": False})
            return "deactivated"
        with transaction([None]) as t:
            t.delete(item, condition=self.model.has_movements == False)  # noqa: E712 - a DynamoDB condition
            unique_names.release(t, self.guard(getattr(item, self.key_attr)))
        return "deleted"

    def page(self, *, page: int, per_page: int, filter_condition=None) -> Page:
        return fetch_page(self.model, ORG, page=page, per_page=per_page, filter_condition=filter_condition,
                          to_domain=self.to_domain)


_items = _Keyed(StockItemModel, "sku", StockItem, "sku", "stock item")
_warehouses = _Keyed(WarehouseModel, "warehouse", Warehouse, "code", "warehouse")
item_from_stored = _items.from_stored


def _search_text(values: dict) -> str:
    return " ".join(str(values.get(k) or "") for k in ("sku", "name", "barcode", "description")).lower()


def create_item(values: dict) -> StockItem:
    return _items.create(values, search_text=_search_text(values))


def get_item(item_id: int) -> StockItem | None:
    return _items.get(item_id)


def get_items(ids) -> dict[int, StockItem]:
    return _items.get_many(ids)


def update_item(item_id: int, changes: dict) -> StockItem | None:
    current = _items.get(item_id)
    if current is None:
        return None
    merged = {**{n: getattr(current, n) for n in ("sku", "name", "barcode", "description")}, **changes}
    return _items.update(item_id, changes, search_text=_search_text(merged))


def remove_item(item_id: int) -> str | None:
    return _items.remove(item_id)


def list_items(*, search: str | None, category: str | None, active_only: bool, page: int, per_page: int) -> Page:
    """A Query of the organisation's items; the filters narrow it (a catalogue, not a table walk)."""
    condition = None
    for part in (StockItemModel.search_text.contains(search.lower()) if search else None,
                 StockItemModel.category == category if category else None,
                 StockItemModel.is_active == True if active_only else None):  # noqa: E712
        if part is not None:
            condition = part if condition is None else condition & part
    return _items.page(page=page, per_page=per_page, filter_condition=condition)


def all_items(category: str | None = None) -> list[StockItem]:
    """Every item (of a category): the reports' catalogue, one paged Query."""
    condition = StockItemModel.category == category if category else None
    return [_items.to_domain(i) for i in StockItemModel.query(ORG, filter_condition=condition)]


def create_warehouse(values: dict) -> Warehouse:
    return _warehouses.create(values)


def get_warehouse(warehouse_id: int) -> Warehouse | None:
    return _warehouses.get(warehouse_id)


def get_warehouses(ids) -> dict[int, Warehouse]:
    return _warehouses.get_many(ids)


def update_warehouse(warehouse_id: int, changes: dict) -> Warehouse | None:
    return _warehouses.update(warehouse_id, changes)


def remove_warehouse(warehouse_id: int) -> str | None:
    return _warehouses.remove(warehouse_id)


def list_warehouses(*, active_only: bool, page: int, per_page: int) -> Page:
    return _warehouses.page(page=page, per_page=per_page,
                            filter_condition=WarehouseModel.is_active == True if active_only else None)  # noqa: E712
