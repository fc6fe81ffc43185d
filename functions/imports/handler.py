"""/api/import: following imports (status, history)."""
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import PageQuery, Pagination, PerPageQuery
from shared.api.schemas.imports import ImportHistory, ImportOut, ImportStatus, LineProblem
from shared.logic import imports
from shared.logic.paging import Paging

api = ApiFunction("imports")


@api.route
def get_import_status(import_id: int) -> ImportStatus:
    job, errors = imports.get_import_status(api.principal(), import_id)
    problems = [LineProblem(line=line, message=message, fields=fields) for line, message, fields in errors]
    return ImportStatus(**ImportOut.of(job).model_dump(), errors=problems)


@api.route
def list_import_history(
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ImportHistory:
    result = imports.list_import_history(api.principal(), Paging.of(page, per_page))
    return ImportHistory(imports=[ImportOut.of(j) for j in result.items], pagination=Pagination.of(result))


lambda_handler = api.lambda_handler
