"""/api/v1/search: projects, tasks, clients and the caller's time entries."""
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.search import SearchResult, SearchResults
from shared.logic import search as search_logic

api = ApiFunction("search")


@api.route
def search(
    q: Annotated[str, Query(max_length=200, description="At least 2 characters")],
    limit: Annotated[int | None, Query(ge=1, le=search_logic.MAX_LIMIT, description="Per type; default 10")] = None,
    types: Annotated[str | None, Query(max_length=100, description="project,task,client,entry")] = None,
) -> SearchResults:
    results = search_logic.search(api.principal(), q, types, limit)
    return SearchResults(results=[SearchResult(**r) for r in results], query=q, count=len(results))


lambda_handler = api.lambda_handler
