"""Clients: shared by the organisation. Deleting one that still has projects is refused."""
from __future__ import annotations

from shared.data import clients as clients_data
from shared.data import projects as projects_data
from shared.domain import Client, Page
from shared.errors import Conflict, NotFound
from shared.logic.paging import Paging


def list_clients(status: str | None, paging: Paging) -> Page:
    return clients_data.list_clients(status=status, page=paging.page, per_page=paging.per_page)


def get_client(client_id: int) -> Client:
    client = clients_data.get_client(client_id)
    if client is None:
        raise NotFound(f"Client {client_id} not found")
    return client


def create_client(values: dict) -> Client:
    return clients_data.put_client(values)


def update_client(client_id: int, changes: dict) -> Client:
    return clients_data.update_client(client_id, changes) or get_client(client_id)


def delete_client(client_id: int) -> None:
    get_client(client_id)
    if projects_data.client_has_projects(client_id):
        raise Conflict(f"Client {client_id} still has projects; move or archive them first", "client_in_use")
    if not clients_data.delete_client(client_id):
        raise NotFound(f"Client {client_id} not found")
