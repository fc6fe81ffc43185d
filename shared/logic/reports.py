"""Reports: totals over a date range, computed from one Query over the range."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from shared.clock import iso_z, utcnow
from shared.data import projects as projects_data
from shared.data import time_entries as entries_data
from shared.domain import Principal
from shared.errors import ValidationFailed
from shared.logic.ownership import whose
from shared.logic.time_entries import user_zone
from shared.logic.timeparse import parse_bound

DEFAULT_DAYS = 30


def hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


def summarize(spans) -> dict:
    """Totals and per-project figures from an iterable of Span (pure)."""
    total = billable = count = 0
    by_project: dict = defaultdict(lambda: [0, 0])
    for span in spans:
        total += span.seconds
        billable += span.seconds if span.billable else 0
        count += 1
        by_project[span.project_id][0] += span.seconds
        by_project[span.project_id][1] += 1
    return {"total_seconds": total, "billable_seconds": billable, "total_entries": count,
            "by_project": {pid: (secs, n) for pid, (secs, n) in by_project.items()}}


def get_summary_report(principal: Principal, start_date: str | None, end_date: str | None,
                       project_id: int | None, user_id: int | None) -> dict:
    owner = whose(principal, user_id, "reports")
    zone = user_zone(principal.user_id)
    end = parse_bound(end_date, zone, "end_date", end=True) if end_date else utcnow()
    start = parse_bound(start_date, zone, "start_date", end=False) if start_date else end - timedelta(days=DEFAULT_DAYS)
    if end < start:
        raise ValidationFailed.field("end_date", "end_date must not be before start_date")
    totals = summarize(entries_data.spans_in_range(user_id=owner, project_id=project_id, start=start, end=end))
    names = {p.id: p.name for p in projects_data.get_projects(pid for pid in totals["by_project"] if pid)}
    by_project = sorted(
        ({"project_id": pid, "project_name": names.get(pid),
          "hours": hours(secs), "entries": n} for pid, (secs, n) in totals["by_project"].items()),
        key=lambda row: (-row["hours"], row["project_id"] or 0),
    )
    return {
        "start_date": iso_z(start),
        "end_date": iso_z(end),
        "total_hours": hours(totals["total_seconds"]),
        "billable_hours": hours(totals["billable_seconds"]),
        "total_entries": totals["total_entries"],
        "by_project": by_project,
    }
