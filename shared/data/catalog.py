"""The mechanics projects, clients and tasks share: integer ids, name guards,
optimistic versioning. Each aggregate's module (projects.py, ...) names its own
access patterns on top of this."""
from __future__ import annotations

from dataclasses import fields as dc_fields
from typing import Callable

from shared.clock import utcnow
from shared.data import counters, search_terms, unique_names
from shared.data.common import fetch_page, save_versioned, transaction
from shared.domain import Page
from shared.errors import Conflict
from shared.models.base import ORG


class Catalog:
    def __init__(self, model, kind: str, domain_cls, name_scope: Callable[[object], str] = lambda item: "",
                 searchable: tuple[str, ...] = ("name", "description")):
        self.model = model
        self.kind = kind
        self.domain_cls = domain_cls
        self._names = [f.name for f in dc_fields(domain_cls)]
        self._name_scope = name_scope
        self._searchable = searchable

    def _texts(self, item) -> tuple:
        return tuple(getattr(item, a) for a in self._searchable) if item is not None else ()

    def _reindex(self, item_id: int, before, after) -> None:
        # After the write, not inside its transaction: the index is a derived view, and
        # keeping it out keeps transactions small (a description can index 60 words).
        search_terms.index_text(self.kind, "", item_id, self._texts(before), self._texts(after))

    def to_domain(self, item):
        return self.domain_cls(**{n: getattr(item, n) for n in self._names})

    def from_stored(self, raw: dict):
        """An item as DynamoDB stores it (a stream image)."""
        return self.to_domain(self.model.from_raw_data(raw))

    def _name_key(self, item) -> str:
        return unique_names.name_key(self.kind, item.name, self._name_scope(item))

    def _duplicate(self, item) -> Conflict:
        return Conflict(f"A {self.kind} named '{item.name}' already exists", "duplicate_name")

    def create(self, values: dict):
        now = utcnow()
        item = self.model(ORG, counters.next_id(self.kind), created_at=now, updated_at=now, **values)
        with transaction([None, self._duplicate(item)]) as t:
            t.save(item, condition=self.model.id.does_not_exist())
            unique_names.claim(t, self._name_key(item), item.id)
        self._reindex(item.id, None, item)
        return self.to_domain(item)

    def _item(self, item_id: int):
        try:
            return self.model.get(ORG, item_id, consistent_read=True)
        except self.model.DoesNotExist:
            return None

    def get(self, item_id: int):
        item = self._item(item_id)
        return self.to_domain(item) if item else None

    def get_many(self, item_ids) -> list:
        return [self.to_domain(i) for i in self.model.batch_get([(ORG, i) for i in set(item_ids)])]

    def page(self, source, hash_key, *, page: int, per_page: int, filter_condition=None) -> Page:
        return fetch_page(source, hash_key, page=page, per_page=per_page,
                          filter_condition=filter_condition, to_domain=self.to_domain)

    def update(self, item_id: int, changes: dict):
        """Apply ``changes``; a rename moves the name guard in the same transaction."""
        item = self._item(item_id)
        if item is None:
            return None
        old_key = self._name_key(item)
        before = self.to_domain(item)
        for name, value in changes.items():
            setattr(item, name, value)
        item.updated_at = utcnow()
        new_key = self._name_key(item)
        if new_key == old_key:
            save_versioned(item)
        else:
            with transaction([None, None, self._duplicate(item)]) as t:
                t.save(item)  # carries the version condition
                unique_names.release(t, old_key)
                unique_names.claim(t, new_key, item.id)
        self._reindex(item.id, before, item)
        return self.to_domain(item)

    def delete(self, item_id: int) -> bool:
        item = self._item(item_id)
        if item is None:
            return False
        with transaction([None]) as t:
            t.delete(item)  # version-conditioned: no delete over an unseen update
            unique_names.release(t, self._name_key(item))
        self._reindex(item_id, item, None)
        return True
