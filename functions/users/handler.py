"""/api/v1/users: the current user; creating and listing users is for admins."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import PageQuery, Pagination, PerPageQuery
from shared.api.schemas.users import UserCreate, UserEnvelope, UserList, UserOut
from shared.logic import users
from shared.logic.paging import Paging

api = ApiFunction("users")


@api.route
def get_current_user() -> UserEnvelope:
    return UserEnvelope(user=UserOut.model_validate(users.get_current_user(api.principal())))


@api.route
def list_users(
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> UserList:
    result = users.list_users(Paging.of(page, per_page))
    return UserList(users=[UserOut.model_validate(u) for u in result.items], pagination=Pagination.of(result))


@api.route
def create_user(user: UserCreate) -> Response[UserEnvelope]:
    created = users.create_user(user.values())
    body = UserEnvelope(user=UserOut.model_validate(created))
    return Response(status_code=201, content_type="application/json", body=body)


lambda_handler = api.lambda_handler
