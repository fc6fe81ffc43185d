"""/api/v1/api-tokens: admins issue, list and revoke tokens. The plaintext is returned once."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.api_tokens import ApiTokenCreate, ApiTokenCreated, ApiTokenEnvelope, ApiTokenList, ApiTokenOut
from shared.api.schemas.common import Id, PageQuery, Pagination, PerPageQuery
from shared.clock import utcnow
from shared.logic import api_tokens
from shared.logic.paging import Paging

api = ApiFunction("api_tokens")


@api.route
def list_api_tokens(
    user_id: Annotated[Id | None, Query()] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ApiTokenList:
    result = api_tokens.list_api_tokens(user_id, Paging.of(page, per_page))
    now = utcnow()
    return ApiTokenList(api_tokens=[ApiTokenOut.of(t, now) for t in result.items], pagination=Pagination.of(result))


@api.route
def create_api_token(api_token: ApiTokenCreate) -> Response[ApiTokenCreated]:
    values = api_token.values()
    values["user_id"] = values["user_id"] or api.principal().user_id
    now = utcnow()
    plaintext, token = api_tokens.create_api_token(values, now)
    body = ApiTokenCreated(message="API token created. Copy it now: it will not be shown again.",
                           token=plaintext, api_token=ApiTokenOut.of(token, now))
    return Response(status_code=201, content_type="application/json", body=body)


@api.route
def revoke_api_token(token_id: int) -> ApiTokenEnvelope:
    now = utcnow()
    token = api_tokens.revoke_api_token(token_id, now)
    return ApiTokenEnvelope(message="API token revoked", api_token=ApiTokenOut.of(token, now))


lambda_handler = api.lambda_handler
