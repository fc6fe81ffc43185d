"""/api/v1/reports: totals over a date range."""
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import Id, time_query
from shared.api.schemas.time_entries import Summary, SummaryReport
from shared.logic import reports

api = ApiFunction("reports")


@api.route
def get_summary_report(
    start_date: Annotated[str | None, time_query("Default: 30 days before end_date")] = None,
    end_date: Annotated[str | None, time_query("Default: now; a date includes the day")] = None,
    project_id: Annotated[Id | None, Query()] = None,
    user_id: Annotated[Id | None, Query(description="Admins only")] = None,
) -> SummaryReport:
    summary = reports.get_summary_report(api.principal(), start_date, end_date, project_id, user_id)
    return SummaryReport(summary=Summary(**summary))


lambda_handler = api.lambda_handler
