"""Clients' access patterns (see shared/models/catalog.py for keys and indexes)."""
from __future__ import annotations

from shared.data.catalog import Catalog
from shared.domain import Client, Page
from shared.models.base import ORG
from shared.models.catalog import ClientModel

_clients = Catalog(ClientModel, "client", Client, searchable=("name", "email", "company"))
from_stored = _clients.from_stored  # a stream image -> the domain object


def put_client(values: dict) -> Client:
    return _clients.create(values)


def get_clients(client_ids) -> list[Client]:
    return _clients.get_many(client_ids)


def get_client(client_id: int) -> Client | None:
    return _clients.get(client_id)


def list_clients(*, status: str | None, page: int, per_page: int) -> Page:
    if status:
        return _clients.page(ClientModel.by_status, status, page=page, per_page=per_page)
    return _clients.page(ClientModel, ORG, page=page, per_page=per_page)


def update_client(client_id: int, changes: dict) -> Client | None:
    return _clients.update(client_id, changes)


def delete_client(client_id: int) -> bool:
    return _clients.delete(client_id)
