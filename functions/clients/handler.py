"""/api/v1/clients: shared by the organisation; a client with projects cannot be deleted."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.clients import (
    ClientCreate,
    ClientEnvelope,
    ClientList,
    ClientOut,
    ClientSaved,
    ClientStatus,
    ClientUpdate,
)
from shared.api.schemas.common import Message, PageQuery, Pagination, PerPageQuery
from shared.logic import clients
from shared.logic.paging import Paging

api = ApiFunction("clients")


@api.route
def list_clients(
    status: Annotated[ClientStatus | None, Query()] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ClientList:
    result = clients.list_clients(status, Paging.of(page, per_page))
    return ClientList(clients=[ClientOut.model_validate(c) for c in result.items], pagination=Pagination.of(result))


@api.route
def get_client(client_id: int) -> ClientEnvelope:
    return ClientEnvelope(client=ClientOut.model_validate(clients.get_client(client_id)))


@api.route
def create_client(client: ClientCreate) -> Response[ClientSaved]:
    created = clients.create_client(client.values())
    body = ClientSaved(message="Client created successfully", client=ClientOut.model_validate(created))
    return Response(status_code=201, content_type="application/json", body=body)


@api.route
def update_client(client_id: int, client: ClientUpdate) -> ClientSaved:
    updated = clients.update_client(client_id, client.changes())
    return ClientSaved(message="Client updated successfully", client=ClientOut.model_validate(updated))


@api.route
def patch_client(client_id: int, client: ClientUpdate) -> ClientSaved:
    return update_client(client_id, client)


@api.route
def delete_client(client_id: int) -> Message:
    clients.delete_client(client_id)
    return Message(message="Client deleted successfully")


lambda_handler = api.lambda_handler
